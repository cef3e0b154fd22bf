import ChapterSupport
import Core
import Render

/// §4.2: pruning methods on real-size weights, their cost on a dense array and an idealised sparse unit, and
/// token pruning through the workload model.
enum SparsityStudy {
    static let deitSmall = TransformerConfig(name: "deit-small", displayName: "DeiT-S", layers: 12, dModel: 384, heads: 6,
                                             dFFN: 1536, architecture: .encoder)   // Touvron et al. 2021

    /// §4.2's sections: pruning masks, their cost on dense and sparse hardware, the cited results, token pruning.
    static func build(_ s: FixedArchitectureSettings, figures: inout FigureSet) throws -> [SectionOutput] {
        [try methodsSection(s, figures: &figures), try costSection(s), citedSection(s), try tokenSection(s, figures: &figures)]
    }

    /// Masks on real-size matrices.
    static func methodsSection(_ s: FixedArchitectureSettings, figures: inout FigureSet) throws -> SectionOutput {
        var methods = Section("4.2: pruning methods on BERT-Base-size weights")
        methods.prose("""
            Each method prunes a seeded 768×768 projection and a 3072×768 W1 (σ = 0.02). A sparsity s removes \
            round(s·n) of n units (to nearest, ties to even), so the achieved sparsity equals the one asked whenever \
            s·n is whole, and is within 1/(2n) otherwise. Structured methods remove whole heads (groups of 64 columns \
            of W_Q) or FFN neurons (rows of W1), so their granularity is 1/12 or 1/3072.
            """)
        let wq = try SyntheticTensors.gaussian(rows: 768, columns: 768, standardDeviation: 0.02, seed: 41)
        let w1 = try SyntheticTensors.gaussian(rows: 3072, columns: 768, standardDeviation: 0.02, seed: 42)
        var maskRows: [[String]] = []
        var maskClaims: [Claim] = []
        for sp in s.sparsities {
            let mag = try Pruning.magnitude(wq.values, sparsity: sp)
            let heads = try Pruning.heads(wq, heads: 12, sparsity: sp)
            let neurons = try Pruning.rows(w1, sparsity: sp)
            let kept = PruningMask(kept: mag.kept).apply(wq.values)
            let energy = kept.reduce(0) { $0 + $1 * $1 } / wq.values.reduce(0) { $0 + $1 * $1 }
            maskRows.append(["\(NumberFormat.fixed(sp, decimals: 3))", "magnitude (W_Q)", NumberFormat.fixed(mag.sparsity, decimals: 6), NumberFormat.percent(energy, decimals: 1)])
            maskRows.append(["\(NumberFormat.fixed(sp, decimals: 3))", "heads (W_Q, \(heads.keptHeads.count) of 12 kept)", NumberFormat.fixed(heads.mask.sparsity, decimals: 6), "–"])
            maskRows.append(["\(NumberFormat.fixed(sp, decimals: 3))", "FFN neurons (W1, \(neurons.keptRows.count) of 3072 kept)", NumberFormat.fixed(neurons.mask.sparsity, decimals: 6), "–"])
            maskClaims.append(FixedArchitectureChapter.crossCheck("prune.magnitude.achieved.\(NumberFormat.fixed(sp, decimals: 3))", "§4.2",
                                                                  "magnitude pruning of W_Q: sparsity achieved at s = \(NumberFormat.fixed(sp, decimals: 3))",
                                                                  expected: sp, observed: mag.sparsity, tolerance: .absolute(0.5 / Double(wq.values.count))))
        }
        let nm = try Pruning.nOfM(wq, keep: 2, of: 4)
        maskRows.append(["0.500", "2:4 (W_Q)", NumberFormat.fixed(nm.sparsity, decimals: 6), "–"])
        maskClaims.append(FixedArchitectureChapter.crossCheck("prune.2of4.achieved", "§4.2", "2:4 pruning of W_Q: sparsity achieved",
                                                              expected: 0.5, observed: nm.sparsity, tolerance: .absolute(0)))
        methods.table(Table(columns: [.init("Asked", alignment: .right), .init("Method"), .init("Achieved", alignment: .right),
                                      .init("Weight energy kept", alignment: .right)], rows: maskRows,
                            caption: "Weight energy kept: Σ kept w² / Σ w², the share of the matrix's squared norm that magnitude pruning keeps."))
        methods.table(ClaimFormatting.table(maskClaims))
        methods.figure(try figures.graph("03-pruned-attention", FixedFigures.prunedAttention(heads: 12, pruned: Pruning.prunedCount(units: 12, sparsity: s.sparsities[0]))),
                       caption: "An attention block after head pruning at s = \(NumberFormat.fixed(s.sparsities[0], decimals: 2)): pruned heads (grey) drop their Q/K/V columns, their l×l scores and their rows of W_out.")
        return SectionOutput(methods, claims: maskClaims)
    }

    /// The patterns the cost table compares, each with its row label: dense, unstructured at each sparsity, 2:4,
    /// structured at each sparsity.
    static func patterns(_ s: FixedArchitectureSettings) -> [(String, SparsityPattern)] {
        let m = TransformerConfig.bertBase
        var patterns: [(String, SparsityPattern)] = [("dense", .dense)]
        for sp in s.sparsities {
            patterns.append(("unstructured \(NumberFormat.percent(sp, decimals: 0))", .unstructured(sp)))
        }
        patterns.append(("2:4", .twoOfFour))
        for sp in s.sparsities {
            let heads = m.heads - Pruning.prunedCount(units: m.heads, sparsity: sp)
            let neurons = m.dFFN - Pruning.prunedCount(units: m.dFFN, sparsity: sp)
            patterns.append(("structured \(NumberFormat.percent(sp, decimals: 0)) (\(heads) heads, \(neurons) neurons)", .structured(keptHeads: max(heads, 1), keptNeurons: max(neurons, 1))))
        }
        return patterns
    }

    /// Cost on dense vs sparse hardware.
    static func costSection(_ s: FixedArchitectureSettings) throws -> SectionOutput {
        let m = TransformerConfig.bertBase, l = s.sequenceLength, a = s.accelerator
        let machine = try RooflineMachine(a)
        var cost = Section("4.2: when sparsity pays: dense array against an idealised sparse unit")
        cost.prose("""
            One BERT-Base encoder layer at l = \(l), INT8, on `\(a.name)`, priced with the chapter's roofline \
            (max of compute and DRAM time per operation). The dense array multiplies zeros and reads weights in dense \
            layout. The idealised sparse unit skips every zero MAC for free and reads compressed weights: values plus a \
            1-bit mask for unstructured sparsity, values plus a 2-bit index each for 2:4. Structured pruning shrinks \
            the matrices themselves, which every machine can use.
            """)
        let patterns = patterns(s)
        let dense = try SparseLayerCost.encoderLayer(m, sequenceLength: l, pattern: .dense, hardware: .denseArray)
        let denseCycles = machine.cycles(dense), denseFlops = dense.reduce(0) { $0 + $1.flops }
        var costRows: [[String]] = []
        var costResults: [JSONValue] = []
        var speedups: [SparsityPattern: [SparseHardware: Double]] = [:]
        for (name, p) in patterns {
            var row = [name]
            for hw in SparseHardware.allCases {
                let ops = try SparseLayerCost.encoderLayer(m, sequenceLength: l, pattern: p, hardware: hw)
                let cycles = machine.cycles(ops)
                speedups[p, default: [:]][hw] = denseCycles / cycles
                row += [NumberFormat.percent(ops.reduce(0) { $0 + $1.flops } / denseFlops, decimals: 1), NumberFormat.si(ops.reduce(0) { $0 + $1.bytes }, decimals: 2), NumberFormat.fixed(denseCycles / cycles, decimals: 2) + "×"]
                costResults.append(.object([("pattern", .string(name)), ("hardware", .string(hw.rawValue)), ("cycles", .number(cycles)),
                                            ("bytes", .number(ops.reduce(0) { $0 + $1.bytes }))]))
            }
            costRows.append(row)
        }
        cost.table(Table(columns: [.init("Pattern"), .init("FLOPs, dense array", alignment: .right), .init("Bytes", alignment: .right),
                                   .init("Speed-up", alignment: .right), .init("FLOPs, sparse unit", alignment: .right),
                                   .init("Bytes", alignment: .right), .init("Speed-up", alignment: .right)], rows: costRows,
                         caption: "FLOPs performed as a share of the dense layer's; speed-up of the roofline latency over the dense layer on the dense array."))
        let firstUnstructured = SparsityPattern.unstructured(s.sparsities[0])
        let costClaims = [
            Claim.statement(id: "sparse.dense-array-no-gain", reference: "§4.2", statement: "a dense array gains nothing from unstructured sparsity",
                            expected: "speed-up 1.00×", observed: "\(NumberFormat.fixed(speedups[firstUnstructured]![.denseArray]!, decimals: 2))×",
                            holds: abs(speedups[firstUnstructured]![.denseArray]! - 1) < 1e-12),
            Claim.statement(id: "sparse.structured-pays-on-dense", reference: "§4.2", statement: "structured pruning speeds up the dense array",
                            expected: "speed-up > 1", observed: "\(NumberFormat.fixed(speedups[patterns.last!.1]![.denseArray]!, decimals: 2))×",
                            holds: speedups[patterns.last!.1]![.denseArray]! > 1),
            Claim.statement(id: "sparse.2of4-sparse-unit", reference: "§4.2", statement: "2:4 speeds up the sparse unit, by at most 2×",
                            expected: "1 < speed-up ≤ 2", observed: "\(NumberFormat.fixed(speedups[.twoOfFour]![.sparseUnit]!, decimals: 2))×",
                            holds: speedups[.twoOfFour]![.sparseUnit]! > 1 && speedups[.twoOfFour]![.sparseUnit]! <= 2),
        ]
        cost.table(ClaimFormatting.table(costClaims))
        cost.takeaway("Sparsity pays only where the hardware can skip the zeros or the zeros come in whole rows, heads or fixed N:M groups; the survey's 90% unstructured sparsity is free on paper and worth nothing to a dense systolic array.")
        return SectionOutput(cost, claims: costClaims, json: [("sparsity", .array(costResults))])
    }

    /// The survey's cited pruning results, checked against `data/cited/pruning.csv`.
    static func citedSection(_ s: FixedArchitectureSettings) -> SectionOutput {
        var cited = Section("4.2: the survey's cited pruning results")
        cited.prose("Accuracy after pruning needs fine-tuning, which this project does not run. The survey's cited results are checked against the cited table in `data/cited/pruning.csv` (which names its sources), not reproduced.")
        let pruning = s.table("pruning.csv")
        func citedSparsity(_ granularity: String) -> Double {
            pruning?.rows.first { $0["granularity"] == granularity && $0["target"] == "BERT on MNLI" }.flatMap { pruning?.number($0, "sparsity_percent") } ?? .nan
        }
        let citedClaims = [
            Claim.number(id: "sparse.cited.unstructured-90", reference: "§4.2 [120]", statement: "unstructured pruning without loss on MNLI (%, cited)",
                         paper: 90, observed: citedSparsity("unstructured"), tolerance: .absolute(0), note: "cited result; accuracy not reproduced here"),
            Claim.number(id: "sparse.cited.structured-70", reference: "§4.2 [233]", statement: "structured pruning reaching the same (%, cited)",
                         paper: 70, observed: citedSparsity("structured"), tolerance: .absolute(0), note: "cited result; accuracy not reproduced here"),
        ]
        cited.table(ClaimFormatting.table(citedClaims))
        return SectionOutput(cited, claims: citedClaims)
    }

    /// Token pruning: FLOPs and roofline latency saved against the fraction of tokens kept.
    static func tokenSection(_ s: FixedArchitectureSettings, figures: inout FigureSet) throws -> SectionOutput {
        let m = TransformerConfig.bertBase, l = s.sequenceLength, a = s.accelerator
        let machine = try RooflineMachine(a)
        var tokens = Section("4.2: token pruning")
        tokens.prose("""
            Pruning tokens shortens every later layer's sequence: linear terms shrink in proportion to the tokens kept, \
            the l² attention terms with its square. Here BERT-Base at l = \(l) keeps a fraction r of the tokens in \
            every layer (an upper bound on the saving of progressive schemes, which keep all tokens in early layers). \
            Latency is the chapter's roofline on `\(a.name)`.
            """)
        let fullOps = try TokenPruning.workload(m, tokens: Array(repeating: l, count: m.layers))
        let fullFlops = fullOps.reduce(0) { $0 + $1.flops }, fullCycles = machine.cycles(fullOps)
        var tokenRows: [[String]] = []
        var tokenPoints: [(x: Double, y: Double)] = [], latencyPoints: [(x: Double, y: Double)] = []
        for r in s.tokensKept.sorted(by: >) {
            let schedule = try TokenPruning.uniform(layers: m.layers, sequenceLength: l, keepRatio: r)
            let ops = try TokenPruning.workload(m, tokens: schedule)
            let flops = ops.reduce(0) { $0 + $1.flops }, cycles = machine.cycles(ops)
            tokenRows.append([NumberFormat.fixed(r, decimals: 2), "\(schedule[0])", NumberFormat.percent(1 - flops / fullFlops, decimals: 1), NumberFormat.percent(1 - (try TokenPruning.flopRatio(m, sequenceLength: l, keepRatio: r)), decimals: 1),
                              NumberFormat.fixed(cycles / a.clockHz * 1e3, decimals: 3), NumberFormat.fixed(fullCycles / cycles, decimals: 2) + "×"])
            tokenPoints.append((r, (1 - flops / fullFlops) * 100))
            latencyPoints.append((r, (1 - cycles / fullCycles) * 100))
        }
        tokens.table(Table(columns: [.init("Kept", alignment: .right), .init("Tokens", alignment: .right), .init("FLOPs saved", alignment: .right),
                                     .init("Closed form", alignment: .right), .init("Latency (ms)", alignment: .right), .init("Speed-up", alignment: .right)],
                           rows: tokenRows, caption: "FLOPs saved by enumerating each layer's graph at ⌈r·l⌉ tokens, and by the closed form (1 − r)-linear plus (1 − r²)-quadratic."))
        let tokenChart = LineChart(title: "Token pruning: BERT-Base, l = \(l)", x: Axis(label: "fraction of tokens kept"), y: Axis(label: "% saved", min: 0),
                                   series: [Series(name: "FLOPs saved", xy: tokenPoints), Series(name: "roofline latency saved", xy: latencyPoints, dashed: true)])
        tokens.figure(figures.svg("03-token-pruning", try tokenChart.svg()), caption: "Savings against the fraction of tokens kept in every layer.")
        let tokenClaims = try tokenClaims()
        tokens.claims(tokenClaims)
        tokens.takeaway("Token pruning is the one sparsity a dense array exploits for free: fewer tokens are simply shorter matrices. Keeping half the tokens saves about half the FLOPs, more where l² attention dominates.")
        return SectionOutput(tokens, claims: tokenClaims, json: [
            ("tokenPruning", .array(tokenPoints.map { .object([("kept", .number($0.x)), ("flopsSavedPercent", .number($0.y))]) })),
        ])
    }

    /// Claims on fixed settings: which uniform keep ratios give 30-50%, and DynamicViT and DeiT-S (illustrations).
    static func tokenClaims() throws -> [Claim] {
        let m = TransformerConfig.bertBase
        let keep70 = 1 - (try TokenPruning.workload(m, tokens: TokenPruning.uniform(layers: 12, sequenceLength: 128, keepRatio: 0.7))).reduce(0) { $0 + $1.flops }
            / (try TokenPruning.workload(m, tokens: Array(repeating: 128, count: 12))).reduce(0) { $0 + $1.flops }
        let keep50 = 1 - (try TokenPruning.workload(m, tokens: TokenPruning.uniform(layers: 12, sequenceLength: 128, keepRatio: 0.5))).reduce(0) { $0 + $1.flops }
            / (try TokenPruning.workload(m, tokens: Array(repeating: 128, count: 12))).reduce(0) { $0 + $1.flops }
        let deitFull = try TokenPruning.workload(deitSmall, tokens: Array(repeating: 197, count: 12)).reduce(0) { $0 + $1.flops }
        let deitPruned = try TokenPruning.workload(deitSmall, tokens: TokenPruning.stages(layers: 12, sequenceLength: 197, keepRatio: 0.7, stageStarts: [3, 6, 9])).reduce(0) { $0 + $1.flops }
        let patchEmbeddingMACs = 196.0 * 768 * 384          // 16×16×3 = 768 inputs per patch, 384 outputs
        let deitGMACs = (deitFull / 2 + patchEmbeddingMACs) / 1e9
        // The patch embedding runs on every patch whatever is pruned later: it counts on both sides.
        let dynamicViT = 1 - (deitPruned + 2 * patchEmbeddingMACs) / (deitFull + 2 * patchEmbeddingMACs)
        let approximatePercent = Tolerance.approximately(significantFigures: 1)
        let tokenClaims = [
            Claim.statement(id: "tokens.survey-30-50", reference: "§4.2", statement: "keeping 50-70% of BERT-Base's tokens (l = 128) saves about 30-50% of computation",
                            expected: "∼30% at r = 0.7, ∼50% at r = 0.5", observed: "r = 0.7: \(NumberFormat.percent(keep70, decimals: 1)); r = 0.5: \(NumberFormat.percent(keep50, decimals: 1))",
                            holds: approximatePercent.accepts(observed: keep70 * 100, expected: 30)
                                && approximatePercent.accepts(observed: keep50 * 100, expected: 50),
                            note: "uniform keep ratio; the survey's \"∼30–50%\" to its one significant figure: 25-35% and 45-55%"),
            Claim.statement(id: "tokens.dynamicvit", reference: "DynamicViT (cited)", statement: "DeiT-S keeping 70% at layers 4, 7, 10 (66% pruned by the end): FLOPs saved within the cited 31-37%",
                            expected: "31-37%", observed: NumberFormat.percent(dynamicViT, decimals: 1), holds: dynamicViT >= 0.31 && dynamicViT <= 0.37, kind: .crossCheck,
                            note: "encoder layers plus the unpruned patch embedding; our count saves slightly more than the cited upper end: DynamicViT's own prediction modules and keeping the class token add work back that this model leaves out").illustration(),
            Claim.number(id: "tokens.deit-s-gmacs", reference: "DeiT (cited)", statement: "DeiT-S at 224² in multiply-accumulates: the vision papers' \"4.6G FLOPs\"",
                         paper: 4.6, observed: deitGMACs, tolerance: .printed(decimals: 1), kind: .crossCheck,
                         note: "12 encoder layers at 197 tokens (survey FLOP convention) / 2, plus the 16×16 patch embedding: the counting pitfall (MACs reported as FLOPs)").illustration(),
        ]
        return tokenClaims
    }
}
