import ChapterSupport
import Core
import Render

/// §3.3's analytical model and §3.4's Gemmini on one layer of each decoder, in prefill and in decode, beside
/// BERT-Base's layer (the survey's workload) at the same length.
enum AcceleratorSection {
    /// The length of the Gemmini study: the survey's Fig. 14 setting.
    static let gemminiLength = 512

    static func build(_ settings: ModernLLMsSettings, _ gemmini: [GemminiRow], figures: inout FigureSet) throws -> SectionOutput {
        let l = gemminiLength
        var s = Section("On the accelerators")
        s.prose("""
            §3.3's analytical model prices each operation of a layer on a 16×16 weight-stationary array with a \
            16-lane special function unit (SFU), 64 B/cycle of DRAM and 16 B/cycle between L2 and the local \
            memories. Each operation takes the slowest of its compute, DRAM and local-memory time. The table gives \
            one layer in prefill at l = \(l) and one decode step with \(l) tokens in context. It shows where \
            the cycles go by class and what bounds the operations that take most of them.
            """)
        s.table(try analyticalTable(settings.models, sequenceLength: l))
        s.prose("""
            Chapter 6's Gemmini model runs the matmuls on its Gemmini engine: double-buffered weights, Gemmini's own \
            tiling, two loops in flight and the DMA, as Gemmini's RTL and software run them. \
            Without an SFU, the non-linear operations go to the Rocket host CPU, with the (de)quantization around \
            them; with I-BERT's integer units (the Transformer variant of §3.4.4) they stay on the accelerator. \
            The modern operations have no instruction mixes of their own, so each is priced as its nearest kin, \
            and the direction of the error is stated. RMSNorm is priced as LayerNorm, an upper bound because it \
            has no mean to subtract. SiLU(gate) ⊙ up is priced as GELU: SiLU calls expf where GELU calls erff. \
            RoPE is priced as a residual add, a lower bound because it multiplies twice per element.
            """)
        s.table(gemminiTable(gemmini))
        s.figure(figures.svg("07-gemmini-shares", try DecoderFigures.gemminiChart(gemmini)),
                 caption: "Where a layer's cycles go on the CNN-tuned Gemmini (host CPU for the non-linear operations), prefill at l = \(l) and a decode step at context \(l), beside BERT-Base's encoder layer.")
        let claims = try crossCheck(settings.models[0], sequenceLength: l) + [sfuClaim(gemmini)].compactMap { $0 }
        s.claims(claims)
        s.takeaway(takeaway(gemmini))
        return SectionOutput(s, claims: claims)
    }

    /// Per class and phase: share of a layer's analytical cycles, and the bound of the largest operation.
    static func analyticalTable(_ models: [TransformerConfig], sequenceLength l: Int) throws -> Table {
        var rows: [[String]] = []
        for m in [TransformerConfig.bertBase] + models {
            let phases: [(String, LayerGraph.Step)] = m.architecture == .encoder ? [("encoder", .encoder(sequenceLength: l))]
                : [("prefill", .encoder(sequenceLength: l)), ("decode", .decoder(step: l))]
            for (phase, step) in phases {
                let graph = LayerGraph(LayerShape(m), step: step)
                let estimates = try AnalyticalLatency.estimates(AcceleratorOperation.operations(graph), accelerator: .analyticalModel)
                let total = estimates.reduce(0) { $0 + $1.cycles }
                let share = OperationClass.allCases.map { cls in
                    estimates.filter { $0.identity?.operationClass == cls }.reduce(0) { $0 + $1.cycles } / total
                }
                let bound = AnalyticalLatency.Bound.allCases.map { b in
                    estimates.filter { $0.bound == b }.reduce(0) { $0 + $1.cycles } / total
                }
                rows.append([m.displayName, phase, Text.si(total)] + share.map { Text.percent($0) } + bound.map { Text.percent($0, 0) })
            }
        }
        return Table(columns: [.init("Model"), .init("phase"), .init("cycles", alignment: .right)]
                        + OperationClass.allCases.map { .init($0.label, alignment: .right) }
                        + AnalyticalLatency.Bound.allCases.map { .init("\($0.rawValue)-bound", alignment: .right) },
                     rows: rows, caption: "One layer on the analytical model's accelerator (§3.3), l = \(l): shares of its cycles by class, then by what bounds each operation (its compute on the PE array or SFU, DRAM, or the L2 ↔ local bandwidth).")
    }

    struct GemminiRow {
        var model: TransformerConfig
        var phase: String
        var baseline: GemminiEncoderModel
        var transformer: GemminiEncoderModel
        var nonlinearShare: Double { 1 - baseline.share(.matmul) }
        var sfuSpeedup: Double { baseline.totalCycles / transformer.totalCycles }
    }

    static func gemminiRows(_ models: [TransformerConfig], sequenceLength l: Int) throws -> [GemminiRow] {
        var rows: [GemminiRow] = []
        for m in [TransformerConfig.bertBase] + models {
            let phases: [(String, LayerGraph.Step)] = m.architecture == .encoder ? [("encoder", .encoder(sequenceLength: l))]
                : [("prefill", .encoder(sequenceLength: l)), ("decode", .decoder(step: l))]
            for (phase, step) in phases {
                let graph = LayerGraph(LayerShape(m), step: step)
                rows.append(GemminiRow(model: m, phase: phase,
                                       baseline: try GemminiEncoderModel(graph: graph, accelerator: .gemminiBaseline),
                                       transformer: try GemminiEncoderModel(graph: graph, accelerator: .gemminiTransformer)))
            }
        }
        return rows
    }

    static let categories: [(GemminiEncoderModel.Category, String)] = [
        (.matmul, "matmul"), (.softmax, "Softmax"), (.layerNorm, "norm"), (.gelu, "GELU / SwiGLU"), (.rotary, "RoPE"),
        (.residualAdd, "residual"), (.quantization, "(de)quant."),
    ]

    static func gemminiTable(_ rows: [GemminiRow]) -> Table {
        Table(columns: [.init("Model"), .init("phase"), .init("baseline cycles", alignment: .right)]
                + categories.map { .init($0.1, alignment: .right) }
                + [.init("with I-BERT units", alignment: .right), .init("SFU speedup", alignment: .right)],
              rows: rows.map { r in
                  [r.model.displayName, r.phase, Text.si(r.baseline.totalCycles)]
                      + categories.map { Text.percent(r.baseline.share($0.0)) }
                      + [Text.si(r.transformer.totalCycles), Text.fixed(r.sfuSpeedup, 2) + "×"]
              }, caption: "One layer on the CNN-tuned Gemmini (host CPU for the non-linear operations; shares of its cycles) and on the Transformer variant with I-BERT's units.")
    }

    /// The analytical model's matmul cycles in closed form against a walk over its tiles, for the first model's
    /// prefill layer: the two derivations chapter 2 checks for BERT, on the modern block's shapes.
    static func crossCheck(_ m: TransformerConfig, sequenceLength l: Int) throws -> [Claim] {
        let a = Accelerator.analyticalModel, t = try AnalyticalLatency.tileSide(a)
        var worst = 0.0
        for op in LayerGraph(LayerShape(m), step: .encoder(sequenceLength: l)).operations {
            guard case let .matmul(shape) = op.shape else { continue }
            let closed = AnalyticalLatency.matmulComputeCycles(shape, tile: t, accelerator: a)
            let walked = AnalyticalLatency.enumeratedMatmul(shape, tile: t, accelerator: a, inputBytes: 1, outputBytes: 4, bias: false).cycles
            worst = max(worst, abs(closed - walked) / walked)
        }
        return [Claim.number(id: "ch7-analytical-tiles-\(m.name)", reference: "§3.3 method",
                             statement: "\(m.displayName) prefill layer at l = \(l): matmul cycles in closed form against the tile-by-tile walk (largest relative gap)",
                             paper: 0, observed: worst, tolerance: .absolute(1e-12), kind: .crossCheck)]
    }

    /// §3.4.4's finding carried over: the SFU helps where the host CPU's non-linear work is large (prefill),
    /// less in decode.
    static func sfuClaim(_ rows: [GemminiRow]) -> Claim? {
        let modern = rows.filter { $0.model.architecture == .decoder }
        let prefill = modern.filter { $0.phase == "prefill" }, decode = modern.filter { $0.phase == "decode" }
        guard let weakestPrefill = prefill.map(\.sfuSpeedup).min(), let strongestDecode = decode.map(\.sfuSpeedup).max() else { return nil }
        return Claim.statement(id: "ch7-sfu-prefill-over-decode", reference: "§3.4.4 (trend)",
                               statement: "I-BERT's units speed up every decoder's prefill layer more than any decode step",
                               expected: "prefill > decode", observed: "prefill ≥ \(Text.fixed(weakestPrefill, 2))×, decode ≤ \(Text.fixed(strongestDecode, 2))×",
                               holds: weakestPrefill > strongestDecode)
    }

    static func takeaway(_ rows: [GemminiRow]) -> String {
        let bert = rows.first { $0.model.name == TransformerConfig.bertBase.name }!
        let prefill = rows.filter { $0.phase == "prefill" }
        let shares = prefill.map(\.nonlinearShare)
        let range = "\(Text.percent(shares.min() ?? 0, 0))–\(Text.percent(shares.max() ?? 0, 0))"
        let decode = rows.filter { $0.phase == "decode" }.map(\.sfuSpeedup)
        return "On the CNN-tuned Gemmini the non-linear operations (with their (de)quantization) take \(Text.percent(bert.nonlinearShare, 0)) of BERT-Base's layer at l = \(gemminiLength) and \(range) of the decoders' prefill layers: the modern block changes which operations they are more than how much they cost. I-BERT's units buy \(Text.fixed(bert.sfuSpeedup, 1))× on BERT-Base but \(Text.fixed(prefill.map(\.sfuSpeedup).min() ?? 0, 1))–\(Text.fixed(prefill.map(\.sfuSpeedup).max() ?? 0, 1))× on the prefill layers, whose matmuls are larger against their element-wise work, and \(Text.fixed(decode.min() ?? 0, 1))–\(Text.fixed(decode.max() ?? 0, 1))× on a decode step, where the one-token matmuls take most of the time."
    }
}
