import ChapterSupport
import Core
import Render

/// §5.5.2 (Fig. 21-22): fusing Softmax and LayerNorm with the matmul before them, on Gemmini with I-BERT's units.
enum FusionSection {
    /// Percentages are compared within ±10 percentage points, fixed before the run: the survey's numbers come from
    /// Timeloop with an unstated model of the units.
    static let pointTolerance = Tolerance.absolute(0.10)

    /// Gemmini's engine preloads the next weight tile while the current one computes, so the constrained tiling
    /// costs the array nothing measurable; the survey's Timeloop evaluation charged it.
    static let tilingReason = "The fused matmul keeps the array as busy as Gemmini's own tiling (the array-use columns): Gemmini's engine preloads the next weight tile while the current one computes, so a block with few rows costs no idle cycles, and fusion gains LayerNorm's whole non-fused time less one row block's. The survey's Timeloop evaluation charged the constrained tiling for more than LayerNorm saves; the single-buffered array with the fixed tiling (the old-beside-new table) does so too, more strongly."
    static let spillReason = "At l = 4096 one block of complete score rows exceeds half the accumulator, so rows are produced in chunks and all but the last are spilled as 32-bit values and read back for the two later passes. The survey does not say how its schedule spills; ours puts the read-backs on the DMA's read channel beside the matmul's own loads (with one or two row tiles per block, Q×K's K operand is read again for every block), and that channel, not the array, sets the fused time (the exposed non-linear column)."

    static let knownDeviations: [String: KnownDeviation] = [
        "fig21.softmax-share": .paperUnderspecified("Non-fused Softmax here is bound by moving 5 B per score (32-bit in, 8-bit out) over the 16 B/cycle DMA, a little more than Q×K itself takes on the array (the table); the survey's 78% implies a Softmax about 3.5 times its matmul, from a model of the units and their traffic it does not state."),
        "fig21.qk-softmax-gain": .paperUnderspecified("Fused, Softmax hides behind Q×K almost entirely (the exposed non-linear column), so the gain is close to Softmax's non-fused share, as in the survey (78% and 78%); the gap is that share's (the claim above)."),
        "fig21.wout-layernorm.256": .modelDifference(tilingReason),
        "fig21.wout-layernorm.128": .modelDifference("Where the survey's fused W_out is 83% slower, ours is faster. " + tilingReason),
        "fig21.mha-gain.256": .paperUnderspecified("MHA's gain is the hidden Softmax and LayerNorm cycles over all of MHA, whose projections and score × value do not change; with Softmax's smaller non-fused share here (the first claim) it stays well below the survey's 52%."),
        "fig21.qk-softmax-gain.long": .paperUnderspecified(spillReason),
        "fig21.mha-gain.long": .paperUnderspecified("Q×K + Softmax is most of MHA at l = 4096, so MHA's gain follows its smaller one. " + spillReason),
        "fig22.w2-layernorm.512": .modelDifference(tilingReason),
        "fig22.w2-layernorm.4096": .modelDifference(tilingReason),
        "fig22.never-fuse-w2-layernorm": .modelDifference(tilingReason),
    ]

    /// One setting of the study (sequence length, accumulator) priced one way: both MHA pairs and W2 + LayerNorm.
    struct Run {
        var l: Int
        var kib: Int
        var attention: AttentionFusion
        var ffn: FusionSchedule
        var pairs: [FusionSchedule] { [attention.queryKey, attention.outputProjection, ffn] }

        init(_ model: TransformerConfig, l: Int, kib: Int, accelerator a: Accelerator, mode: GemminiMatmul.Mode = .gemmini,
             search: FusionSchedule.Search = .exhaustive) throws(ConfigurationError) {
            self.l = l
            self.kib = kib
            attention = try AttentionFusion(model, sequenceLength: l, accelerator: a, mode: mode, search: search)
            ffn = try FusionSchedule(.secondFeedForwardLayerNorm(model, sequenceLength: l), accelerator: a, mode: mode, search: search)
        }
    }

    static func cycles(_ x: Double) -> String { NumberFormat.fixed(x / 1e6, decimals: 3) }
    static func change(_ x: Double) -> String { (x > 0 ? "+" : "") + NumberFormat.percent(x, decimals: 1) }
    /// MACs / (matmul cycles × PEs) of one schedule of `f`.
    static func arrayUse(_ matmulCycles: Double, _ f: FusionSchedule) -> Double {
        Double(f.pair.shape.macs * f.pair.instances) / (matmulCycles * Double(f.accelerator.peakMACsPerCycle))
    }
    /// "rows×columns×depth" of a block, in elements of the product the array computes.
    static func tile(_ t: GemminiTiling) -> String { "\(t.tileI * t.dim)×\(t.tileJ * t.dim)×\(t.tileK * t.dim)" }
    /// Pair names short enough for a chart's category labels.
    static func shortName(_ f: FusionSchedule) -> String {
        switch f.pair.producer {
        case .scores: return "Q×K+Softmax"
        case .outputProjection: return "W_out+LayerNorm"
        default: return "W2+LayerNorm"
        }
    }

    /// The study computed once: every accumulator size at the run's length, the long length at the largest size,
    /// and all of them priced the four ways of ``Variants``.
    struct Study {
        var model: TransformerConfig { .bertBase }
        var l: Int, long: Int, largest: Int
        /// One run per accumulator size at l.
        var runs: [Run]
        /// The long length at the largest accumulator.
        var longRun: Run
        var variants: Variants
        var all: [Run] { runs + [longRun] }
        var r256: Run? { runs.first { $0.kib == 256 } }
        var r128: Run? { runs.first { $0.kib == 128 } }
        /// Fig. 22's settings: l at the largest accumulator, and the long length.
        var ffnRuns: [Run] { [runs.first { $0.kib == largest }!, longRun] }

        init(_ settings: SchedulingSettings) throws {
            let model = TransformerConfig.bertBase, l = settings.sequenceLength
            let long = settings.fusionLongSequenceLength, largest = settings.fusionAccumulatorKiB.max()!
            self.l = l
            self.long = long
            self.largest = largest
            var runs: [Run] = []
            for kib in settings.fusionAccumulatorKiB {
                runs.append(try Run(model, l: l, kib: kib, accelerator: settings.fusionAccelerator(accumulatorKiB: kib)))
            }
            self.runs = runs
            longRun = try Run(model, l: long, kib: largest, accelerator: settings.fusionAccelerator(accumulatorKiB: largest))
            variants = try Variants(runs + [longRun], model: model, settings: settings)
        }
    }

    /// §5.5.2's two sections (Fig. 21, and Fig. 22 with the `--json` member) and the chapter summary's sentence on
    /// fusion (computed from the same results as the takeaways, so it follows their signs).
    static func build(_ settings: SchedulingSettings, figures: inout FigureSet) throws -> (sections: [SectionOutput], summary: String) {
        let study = try Study(settings)
        return ([try attentionSection(study, settings, figures: &figures), try ffnSection(study, figures: &figures)],
                summary(study))
    }

    /// Fig. 21: Q×K + Softmax and W_out + LayerNorm, non-fused against fusion-optimised, with the schedules.
    static func attentionSection(_ study: Study, _ settings: SchedulingSettings, figures: inout FigureSet) throws -> SectionOutput {
        let model = study.model, largest = study.largest, all = study.all
        var s = Section("5.5.2 / Fig. 21: fusing Softmax and LayerNorm in attention")
        let u = try IntegerUnitModel(accelerator: settings.fusionAccelerator(accumulatorKiB: largest))
        s.prose("""
            BERT-Base on a \(settings.accelerator.meshRows)×\(settings.accelerator.meshColumns) weight-stationary \
            Gemmini with I-BERT's units (a normalisation unit reading \(u.normalisationElementsPerCycle) accumulator \
            values per cycle, \(u.activationLanes) activation lanes; `IntegerUnitModel`), scratchpad \
            \(settings.fusionScratchpadKiB) kB. **Non-fused** runs each matmul with Gemmini's greedy tiling \
            (`GemminiTiling`), writes 32-bit results out, and runs the non-linear operation afterwards, streaming them \
            back. **Fusion-optimised** keeps complete rows of the output in half the accumulator, so the units work \
            on one block of rows while the array computes the next. Its schedule is searched: every tiling that \
            holds complete rows (or, when a block of them does not fit, rows in the largest chunk that does, the \
            other chunks spilling to L2 and coming back for the later passes on the DMA's read channel, beside the \
            matmul's own loads), every reduction depth that fits the scratchpad, and both orientations, C = A·B or \
            Cᵀ = Bᵀ·Aᵀ (rows of C become columns of the product, so all of n stays in the accumulator and the units \
            keep one statistic per column). The cheapest under Gemmini's cycle model (`GemminiMatmul`, chapter 6) \
            is kept; a lower bound that needs no cycle model spares pricing the schedules that cannot win. \
            `FusionSchedule` documents every rule. Percentages are compared within ±10 points, fixed before the run.
            """)
        s.table(scheduleTable(all, heads: model.heads))
        for r in all {
            s.figure(figures.svg("04-fusion-hiding-l\(r.l)-acc\(r.kib)", try hidingChart(r).svg()),
                     caption: "l = \(r.l), accumulator \(r.kib) kB: each bar is one schedule's cycles, the matmul at the bottom and on top the non-linear cycles nothing hides (all of them non-fused; fused, the last block's and whatever exceeds the matmul).")
        }
        try fig21Figures(study, settings, into: &s, figures: &figures)
        // Old beside new: the single-buffered array and the fixed tiling.
        let (oldNew, oldNewProse) = oldBesideNew(study.variants)
        s.prose(oldNewProse)
        s.table(oldNew)
        let claims = fig21Claims(study)
        s.table(ClaimFormatting.table(claims))
        s.takeaway(attentionTakeaway(study))
        return SectionOutput(s, claims: claims)
    }

    /// Fig. 21 left (every accumulator at l) and right (the long length), and the Q×K + Softmax schedules.
    static func fig21Figures(_ study: Study, _ settings: SchedulingSettings, into s: inout Section, figures: inout FigureSet) throws {
        let runs = study.runs, longRun = study.longRun, l = study.l, long = study.long, largest = study.largest
        let pairsLeft = ["Q×K + Softmax", "W_out + LayerNorm", "MHA"]
        func values(_ r: Run) -> (unfused: [Double], fused: [Double]) {
            ([r.attention.queryKey.unfused.totalCycles, r.attention.outputProjection.unfused.totalCycles, r.attention.unfusedCycles].map { $0 / 1e6 },
             [r.attention.queryKey.fused.totalCycles, r.attention.outputProjection.fused.totalCycles, r.attention.fusedCycles].map { $0 / 1e6 })
        }
        let left = BarChart(title: "Fig. 21 (left): BERT-Base MHA at l = \(l), scratchpad \(settings.fusionScratchpadKiB) kB",
                            categories: pairsLeft,
                            series: runs.flatMap { r -> [BarSeries] in
                                let v = values(r)
                                return [BarSeries(name: "non-fused, acc \(r.kib) kB", values: v.unfused), BarSeries(name: "fused, acc \(r.kib) kB", values: v.fused)]
                            }, mode: .grouped, y: Axis(label: "cycles ×10⁶", min: 0))
        s.figure(figures.svg("04-fig21-left", try left.svg()), caption: "Fig. 21 (left): non-fused against fusion-optimised at l = \(l).")
        let lv = values(longRun)
        let right = BarChart(title: "Fig. 21 (right): BERT-Base MHA at l = \(long), accumulator \(largest) kB", categories: pairsLeft,
                             series: [BarSeries(name: "non-fused", values: lv.unfused), BarSeries(name: "fused", values: lv.fused)],
                             mode: .grouped, y: Axis(label: "cycles ×10⁶", min: 0))
        s.figure(figures.svg("04-fig21-right", try right.svg()), caption: "Fig. 21 (right): non-fused against fusion-optimised at l = \(long).")
        s.figure(try figures.graph("04-fusion-qk-softmax", SchedulingFigures.fusionSchedules(runs.last!.attention.queryKey, name: "fusion_qk")),
                 caption: "Q×K + Softmax at l = \(l), \(runs.last!.kib) kB: the non-fused schedule and the fused pipeline with the tilings the search chose.")
        s.figure(try figures.graph("04-fusion-qk-softmax-long", SchedulingFigures.fusionSchedules(longRun.attention.queryKey, name: "fusion_qk_long")),
                 caption: "The same at l = \(long)" + (longRun.attention.queryKey.rowsFit ? "." : ": complete rows of scores no longer fit, so partial rows spill."))
    }

    /// Fig. 21's claims: Softmax's share, each pair's change and MHA's gain, at l and at the long length.
    static func fig21Claims(_ study: Study) -> [Claim] {
        let runs = study.runs, longRun = study.longRun, all = study.all, l = study.l, long = study.long
        var claims: [Claim] = []
        let r256 = study.r256, r128 = study.r128
        if let r = r256 ?? runs.last {
            let qk = r.attention.queryKey
            claims.append(.number(id: "fig21.softmax-share", reference: "Fig. 21", statement: "Softmax's share of non-fused Q×K + Softmax cycles (l = \(l), \(r.kib) kB)",
                                  paper: 0.78, observed: qk.unfused.nonlinearCycles / qk.unfused.totalCycles, tolerance: pointTolerance,
                                  knownDeviation: knownDeviations["fig21.softmax-share"]))
            claims.append(.number(id: "fig21.qk-softmax-gain", reference: "Fig. 21", statement: "Fusion's gain on Q×K + Softmax (l = \(l), \(r.kib) kB)",
                                  paper: 0.78, observed: -qk.relativeChange, tolerance: pointTolerance, knownDeviation: knownDeviations["fig21.qk-softmax-gain"]))
            claims.append(.number(id: "fig21.wout-layernorm.256", reference: "Fig. 21", statement: "W_out + LayerNorm, fused against non-fused (l = \(l), \(r.kib) kB; negative = faster)",
                                  paper: -0.04, observed: r.attention.outputProjection.relativeChange, tolerance: pointTolerance,
                                  knownDeviation: knownDeviations["fig21.wout-layernorm.256"]))
            claims.append(.number(id: "fig21.mha-gain.256", reference: "Fig. 21", statement: "Fusion's gain on all of MHA (l = \(l), \(r.kib) kB)",
                                  paper: 0.52, observed: r.attention.gain, tolerance: pointTolerance, knownDeviation: knownDeviations["fig21.mha-gain.256"]))
        }
        if let r = r128 {
            claims.append(.number(id: "fig21.wout-layernorm.128", reference: "Fig. 21", statement: "W_out + LayerNorm, fused against non-fused (l = \(l), 128 kB; positive = slower)",
                                  paper: 0.83, observed: r.attention.outputProjection.relativeChange, tolerance: pointTolerance,
                                  knownDeviation: knownDeviations["fig21.wout-layernorm.128"]))
            claims.append(.number(id: "fig21.mha-gain.128", reference: "Fig. 21", statement: "Fusion's gain on all of MHA (l = \(l), 128 kB)",
                                  paper: 0.23, observed: r.attention.gain, tolerance: pointTolerance, knownDeviation: knownDeviations["fig21.mha-gain.128"]))
            if let big = r256 {
                claims.append(.statement(id: "fig21.wout-layernorm.order", reference: "Fig. 21", statement: "W_out + LayerNorm fusion costs more with the smaller accumulator",
                                         expected: "change(128 kB) > change(256 kB)",
                                         observed: "\(change(r.attention.outputProjection.relativeChange)) > \(change(big.attention.outputProjection.relativeChange))",
                                         holds: r.attention.outputProjection.relativeChange > big.attention.outputProjection.relativeChange,
                                         knownDeviation: knownDeviations["fig21.wout-layernorm.order"]))
            }
        }
        claims.append(.number(id: "fig21.qk-softmax-gain.long", reference: "Fig. 21", statement: "Fusion's gain on Q×K + Softmax at l = \(long)",
                              paper: 0.22, observed: -longRun.attention.queryKey.relativeChange, tolerance: pointTolerance,
                              knownDeviation: knownDeviations["fig21.qk-softmax-gain.long"]))
        claims.append(.number(id: "fig21.mha-gain.long", reference: "Fig. 21", statement: "Fusion's gain on all of MHA at l = \(long)",
                              paper: 0.21, observed: longRun.attention.gain, tolerance: pointTolerance, knownDeviation: knownDeviations["fig21.mha-gain.long"]))
        let qkAlwaysHelps = all.allSatisfy { $0.attention.queryKey.relativeChange < 0 }
        claims.append(.statement(id: "fig21.always-fuse-qk-softmax", reference: "§5.5.2", statement: "Fusing Q×K with Softmax helps in every setting",
                                 expected: "fused < non-fused everywhere",
                                 observed: all.map { change($0.attention.queryKey.relativeChange) }.joined(separator: ", "), holds: qkAlwaysHelps,
                                 knownDeviation: knownDeviations["fig21.always-fuse-qk-softmax"]))
        return claims
    }

    /// Fig. 21's takeaway, its verdicts computed from the runs.
    static func attentionTakeaway(_ study: Study) -> String {
        let runs = study.runs, all = study.all, r256 = study.r256
        let shareRun = r256 ?? runs.last!
        let softmaxShare = shareRun.attention.queryKey.unfused.nonlinearCycles / shareRun.attention.queryKey.unfused.totalCycles
        let qkVerdict = verdict(all.map { ($0, $0.attention.queryKey.relativeChange) })
        let woutVerdict = verdict(all.map { ($0, $0.attention.outputProjection.relativeChange) })
        let mhaVerdict = verdict(all.map { ($0, -$0.attention.gain) })
        let anyLoss = all.contains { $0.attention.queryKey.relativeChange >= 0 || $0.attention.outputProjection.relativeChange >= 0 || $0.attention.gain <= 0 }
        return "Non-fused, Softmax takes \(NumberFormat.percent(softmaxShare, decimals: 0)) of Q×K + Softmax's cycles at l = \(shareRun.l) (\(shareRun.kib) kB), streaming 32-bit scores out and back. Keeping complete rows in the accumulator makes Q×K + Softmax \(qkVerdict); W_out + LayerNorm \(woutVerdict); and all of MHA \(mhaVerdict)."
            + (anyLoss ? " Fusion saves the round trip but constrains the tiling; where the array loses more to the best constrained tiling than the round trip cost, the fused schedule is slower."
                       : " With double-buffered weights the constrained tiling costs the array little, so removing the round trip wins wherever there is non-linear work to hide.")
    }

    /// Fig. 22: W2 + LayerNorm at l and at the long length.
    static func ffnSection(_ study: Study, figures: inout FigureSet) throws -> SectionOutput {
        let model = study.model, largest = study.largest, ffnRuns = study.ffnRuns, l = study.l
        var ffn = Section("5.5.2 / Fig. 22: fusing LayerNorm after the FFN")
        ffn.prose("""
            W2 (l × \(model.dModel) × \(model.dFFN)) followed by LayerNorm, accumulator \(largest) kB, searched the same \
            way (the rows of the table above and the bars on the right of each chart). LayerNorm's work is l·d, \
            small next to W2's l·d·d_FFN MACs, so there is little to hide; what fusion removes is the 32-bit round \
            trip of l·d values and LayerNorm's pass after the matmul.
            """)
        let fig22 = BarChart(title: "Fig. 22: W2 + LayerNorm, accumulator \(largest) kB", categories: ffnRuns.map { "l = \($0.l)" },
                             series: [BarSeries(name: "non-fused", values: ffnRuns.map { $0.ffn.unfused.totalCycles / 1e6 }),
                                      BarSeries(name: "fused", values: ffnRuns.map { $0.ffn.fused.totalCycles / 1e6 })],
                             mode: .grouped, y: Axis(label: "cycles ×10⁶", min: 0))
        ffn.figure(figures.svg("04-fig22", try fig22.svg()), caption: "Fig. 22: fusion-optimised scheduling of W2 + LayerNorm against Gemmini's default.")
        ffn.figure(try figures.graph("04-fusion-w2-layernorm", SchedulingFigures.fusionSchedules(ffnRuns[0].ffn, name: "fusion_w2")),
                   caption: "W2 + LayerNorm at l = \(l): the tilings of both schedules.")
        var ffnClaims: [Claim] = []
        for r in ffnRuns {
            let id = "fig22.w2-layernorm.\(r.l)"
            ffnClaims.append(.number(id: id, reference: "Fig. 22", statement: "W2 + LayerNorm, fused against non-fused at l = \(r.l) (positive = slower)",
                                     paper: 0.27, observed: r.ffn.relativeChange, tolerance: pointTolerance, knownDeviation: knownDeviations[id]))
        }
        ffnClaims.append(.statement(id: "fig22.never-fuse-w2-layernorm", reference: "§5.5.2", statement: "Fusing W2 with LayerNorm is slower at both lengths",
                                    expected: "fused > non-fused", observed: ffnRuns.map { change($0.ffn.relativeChange) }.joined(separator: ", "),
                                    holds: ffnRuns.allSatisfy { $0.ffn.relativeChange > 0 }, knownDeviation: knownDeviations["fig22.never-fuse-w2-layernorm"]))
        ffn.table(ClaimFormatting.table(ffnClaims))
        ffn.takeaway(ffnTakeaway(study))
        return SectionOutput(ffn, claims: ffnClaims, json: [("fusion", json(study))])
    }

    /// Fig. 22's takeaway: whether fusing W2 with LayerNorm pays, and on which array.
    static func ffnTakeaway(_ study: Study) -> String {
        let ffnRuns = study.ffnRuns, variants = study.variants
        let w2Verdict = verdict(ffnRuns.map { ($0, $0.ffn.relativeChange) })
        let w2Loses = ffnRuns.allSatisfy { $0.ffn.relativeChange >= 0 }
        let w2OldLoses = variants.runs.allSatisfy { $0[0].ffn.relativeChange > 0 }
        return "Fusion is a trade: it removes a memory round trip but constrains the tiling. Fusing LayerNorm with W2 is \(w2Verdict)"
            + (w2Loses ? ". Where the non-linear work is this small next to the matmul, the constraint costs more than the fusion saves."
                       : ". On Gemmini's engine the constraint costs W2 less than the round trip it removes, so the survey's advice not to fuse W2 with LayerNorm rests on a cost of the constrained tiling that a double-buffered array does not pay"
                         + (w2OldLoses ? " (the single-buffered array with the fixed tiling pays it: the old-beside-new table)." : "."))
    }

    /// The chapter summary's sentence on fusion.
    static func summary(_ study: Study) -> String {
        let all = study.all, variants = study.variants
        let qkVerdict = verdict(all.map { ($0, $0.attention.queryKey.relativeChange) })
        let w2Verdict = verdict(study.ffnRuns.map { ($0, $0.ffn.relativeChange) })
        let count = variants.pairs(0).count
        let oldLosses = variants.pairs(0).filter { $0.1.relativeChange > 0 }.count
        let searchedWins = variants.pairs(1).filter { $0.1.relativeChange < 0 }.count
        let searchEffect = zip(variants.pairs(2), variants.pairs(3)).map { abs($0.1.relativeChange - $1.1.relativeChange) }.max() ?? 0
        return "Searching the fused schedule on Gemmini's cycle model, fusing Softmax with Q×K is \(qkVerdict), and fusing LayerNorm with W2 is \(w2Verdict). "
            + "Whether fusion pays depends on the matmul model: on a single-buffered array, where every weight fold pays its preload, fill and drain, the fixed fused tiling made fusion slower for \(oldLosses) of \(count) pairs and settings and a searched one faster for \(searchedWins) of \(count); "
            + "on Gemmini's double-buffered array the fused tiling moves no change by more than \(NumberFormat.fixed(100 * searchEffect, decimals: 1)) points."
    }

    /// The `--json` member: every setting's cycles, changes and fused schedules.
    static func json(_ study: Study) -> JSONValue {
        .array(study.all.map { r in
            .object([("seqLen", .number(Double(r.l))), ("accumulatorKiB", .number(Double(r.kib))),
                     ("mhaUnfused", .number(r.attention.unfusedCycles)), ("mhaFused", .number(r.attention.fusedCycles)),
                     ("qkSoftmaxChange", .number(r.attention.queryKey.relativeChange)),
                     ("woutLayerNormChange", .number(r.attention.outputProjection.relativeChange)),
                     ("w2LayerNormChange", .number(r.ffn.relativeChange)),
                     ("fusedSchedules", .array(r.pairs.map { f in
                         .object([("pair", .string(f.pair.path)), ("orientation", .string(f.fusedCandidate.orientation.rawValue)),
                                  ("tileI", .number(Double(f.fused.tiling.tileI))), ("tileJ", .number(Double(f.fused.tiling.tileJ))),
                                  ("tileK", .number(Double(f.fused.tiling.tileK))), ("chunks", .number(Double(f.fusedCandidate.chunks))),
                                  ("candidatesTried", .number(Double(f.candidatesTried))),
                                  ("candidatesPriced", .number(Double(f.candidatesPriced)))])
                     }))])
        })
    }

    /// Both schedules of every pair in every setting: tilings, matmul and non-linear cycles, array use, change.
    static func scheduleTable(_ all: [Run], heads: Int) -> Table {
        var rows: [[String]] = []
        for r in all {
            for f in r.pairs {
                let c = f.fusedCandidate
                let fusedTile = (c.orientation == .transposed ? "Cᵀ " : "") + tile(f.fused.tiling) + (c.rowsFit ? "" : " (\(c.chunks) chunks, spills)")
                rows.append(["\(r.l)", "\(r.kib)", f.pair.name, tile(f.unfused.tiling),
                             cycles(f.unfused.matmulCycles), NumberFormat.percent(arrayUse(f.unfused.matmulCycles, f), decimals: 0),
                             cycles(f.unfused.nonlinearCycles), cycles(f.unfused.totalCycles),
                             fusedTile, "\(NumberFormat.grouped(f.candidatesTried)) (\(NumberFormat.grouped(f.candidatesPriced)))",
                             cycles(f.fused.matmulCycles), NumberFormat.percent(arrayUse(f.fused.matmulCycles, f), decimals: 0),
                             cycles(f.fused.exposedNonlinearCycles), cycles(f.fused.totalCycles), change(f.relativeChange)])
            }
            rows.append(["\(r.l)", "\(r.kib)", "MHA (all matmuls + Softmax + LayerNorm)", "", "", "", "", cycles(r.attention.unfusedCycles),
                         "", "", "", "", "", cycles(r.attention.fusedCycles), change(-r.attention.gain)])
        }
        return Table(columns: [.init("l", alignment: .right), .init("acc kB", alignment: .right), .init("Pair", alignment: .left),
                               .init("non-fused tile", alignment: .left),
                               .init("non-fused matmul", alignment: .right), .init("array use", alignment: .right),
                               .init("non-fused non-linear", alignment: .right), .init("non-fused total", alignment: .right),
                               .init("fused tile (rows×cols×depth)", alignment: .left), .init("searched (priced)", alignment: .right),
                               .init("fused matmul", alignment: .right), .init("array use", alignment: .right),
                               .init("fused exposed non-linear", alignment: .right), .init("fused total", alignment: .right),
                               .init("change", alignment: .right)], rows: rows,
                     caption: "Cycles ×10⁶ for one layer (Q×K and Softmax over all \(heads) heads). Tiles are rows×columns×depth of one block of the product the array computes (Cᵀ: the transposed product, whose columns are rows of C); searched = fused schedules in the search space, priced = those the cycle model ran (the others' lower bounds could not beat the best). Array use = MACs / (matmul cycles × PEs). Exposed non-linear = fused total − fused matmul. Change = fused / non-fused − 1.")
    }

    /// Stacked bars, one per schedule of each pair: matmul cycles, then the non-linear cycles not hidden.
    static func hidingChart(_ r: Run) -> BarChart {
        var categories: [String] = [], matmul: [Double] = [], exposed: [Double] = []
        for f in r.pairs {
            for (name, o) in [("non-fused", f.unfused), ("fused", f.fused)] {
                categories.append("\(shortName(f)) \(name)")
                matmul.append(o.matmulCycles / 1e6)
                exposed.append(o.exposedNonlinearCycles / 1e6)
            }
        }
        return BarChart(title: "Matmul and exposed non-linear cycles, l = \(r.l), accumulator \(r.kib) kB", categories: categories,
                        series: [BarSeries(name: "matmul", values: matmul, colour: OperationPalette.colour(.matmul)),
                                 BarSeries(name: "non-linear, not hidden", values: exposed, colour: OperationPalette.nonlinear)],
                        mode: .stacked, y: Axis(label: "cycles ×10⁶", min: 0), width: 1000)
    }

    /// Grouped by sequence length: "l = 512 (-5.7% with 128 kB, -29.0% with 256 kB)"; faster and slower apart.
    static func verdict(_ changes: [(Run, Double)]) -> String {
        func group(_ es: [(Run, Double)]) -> String {
            var lengths: [Int] = []
            for e in es where !lengths.contains(e.0.l) { lengths.append(e.0.l) }
            return lengths.map { l in
                "l = \(l) (" + es.filter { $0.0.l == l }.map { "\(change($0.1)) with \($0.0.kib) kB" }.joined(separator: ", ") + ")"
            }.joined(separator: " and ")
        }
        let faster = changes.filter { $0.1 < 0 }, slower = changes.filter { $0.1 >= 0 }
        if slower.isEmpty { return "faster in every setting: \(group(faster))" }
        if faster.isEmpty { return "slower in every setting: \(group(slower))" }
        return "faster at \(group(faster)) but slower at \(group(slower))"
    }

    /// The study priced four ways: the single-buffered array (`GemminiMatmul.Mode.singleBuffered`) or Gemmini's
    /// engine, each with the fixed fused tiling of earlier versions or the searched one.
    struct Variants {
        static let kinds: [(mode: GemminiMatmul.Mode, search: FusionSchedule.Search)] =
            [(.singleBuffered, .fixed), (.singleBuffered, .exhaustive), (.gemmini, .fixed), (.gemmini, .exhaustive)]
        /// runs[setting][kind], the last kind being the chapter's own run.
        var runs: [[Run]]
        var settings: [Run] { runs.map { $0[3] } }
        func pairs(_ kind: Int) -> [(Run, FusionSchedule)] { runs.flatMap { line in line[kind].pairs.map { (line[kind], $0) } } }

        init(_ all: [Run], model: TransformerConfig, settings: SchedulingSettings) throws {
            runs = try all.map { r in
                let a = settings.fusionAccelerator(accumulatorKiB: r.kib)
                return try Variants.kinds.map { kind in
                    kind.mode == .gemmini && kind.search == .exhaustive ? r : try Run(model, l: r.l, kib: r.kib, accelerator: a, mode: kind.mode, search: kind.search)
                }
            }
        }
    }

    /// The fused schedule in a few words: "Cᵀ 768×512×64, 768 rows per weight tile".
    static func pick(_ f: FusionSchedule) -> String {
        let c = f.fusedCandidate
        return (c.orientation == .transposed ? "Cᵀ " : "") + tile(f.fused.tiling) + (c.rowsFit ? "" : ", \(c.chunks) chunks")
    }

    /// Rows streamed past each weight tile of the fused matmul: the block's rows of the product.
    static func rowsPerWeightTile(_ f: FusionSchedule) -> Int { f.fused.tiling.tileI * f.fused.tiling.dim }

    static func oldBesideNew(_ v: Variants) -> (Table, String) {
        var rows: [[String]] = []
        for line in v.runs {
            let r = line[3]
            for p in 0..<3 {
                rows.append(["\(r.l)", "\(r.kib)", r.pairs[p].pair.name, change(line[0].pairs[p].relativeChange),
                             change(line[1].pairs[p].relativeChange), pick(line[1].pairs[p]),
                             change(line[2].pairs[p].relativeChange), change(line[3].pairs[p].relativeChange)])
            }
            rows.append(["\(r.l)", "\(r.kib)", "MHA"] + [change(-line[0].attention.gain), change(-line[1].attention.gain), "",
                                                          change(-line[2].attention.gain), change(-line[3].attention.gain)])
        }
        let table = Table(columns: [.init("l", alignment: .right), .init("acc kB", alignment: .right), .init("Pair", alignment: .left),
                                    .init("single-buffered, fixed tiling", alignment: .right), .init("single-buffered, searched", alignment: .right),
                                    .init("its fused tile", alignment: .left),
                                    .init("Gemmini engine, fixed tiling", alignment: .right), .init("Gemmini engine, searched (above)", alignment: .right)],
                          rows: rows, caption: "Fused / non-fused − 1 under each matmul model and fused schedule (negative = fusion is faster). Single-buffered: `GemminiMatmul.Mode.singleBuffered`; Gemmini engine: `GemminiEngine`, the chapter's model. Fixed tiling: as many complete rows as fit half the accumulator, the deepest K that fits. The non-fused side keeps Gemmini's greedy tiling in every column.")
        // The prose follows W_out + LayerNorm where the single-buffered array punished the fixed tiling most.
        let oldLosses = v.pairs(0).filter { $0.1.relativeChange > 0 }
        let oldWins = v.pairs(0).filter { $0.1.relativeChange <= 0 }.map { "\($0.1.pair.name) at l = \($0.0.l) with \($0.0.kib) kB" }
        let i = v.runs.indices.max { a, b in v.runs[a][0].attention.outputProjection.relativeChange < v.runs[b][0].attention.outputProjection.relativeChange }!
        let line = v.runs[i], r = line[3]
        let old = line[0].attention.outputProjection, oldSearched = line[1].attention.outputProjection
        let fixedNew = line[2].attention.outputProjection, searchedNew = line[3].attention.outputProjection
        let dim = old.fused.tiling.dim
        func use(_ cycles: Double, _ f: FusionSchedule) -> String { NumberFormat.percent(arrayUse(cycles, f), decimals: 0) }
        let searchEffect = zip(v.pairs(2), v.pairs(3)).map { abs($0.1.relativeChange - $1.1.relativeChange) }.max() ?? 0
        var prose = """
            Earlier versions of this chapter priced the matmuls on a single-buffered array \
            (`GemminiMatmul.Mode.singleBuffered`, SCALE-Sim's count) and fused with one fixed tiling, and fusion came \
            out slower for \(oldLosses.count) of the \(v.pairs(0).count) pairs and settings
            """
        prose += oldWins.isEmpty ? ". " : " (faster only for \(oldWins.joined(separator: ", "))). "
        prose += """
            On that array every weight fold pays its preload plus the mesh's fill and drain (2·\(dim) + \(dim) − 2 = \(3 * dim - 2) \
            cycles) before the rows that use it stream, and the fixed tiling of W_out + LayerNorm at l = \(r.l), \(r.kib) kB \
            streams only \(rowsPerWeightTile(old)) rows past each weight tile against \(old.unfused.tiling.tileI * dim) for \
            Gemmini's own tiling, so its array use fell to \(use(old.fused.matmulCycles, old)) against \
            \(use(old.unfused.matmulCycles, old)) and fusing changed the pair by \(change(old.relativeChange)). Searching \
            the fused schedule on that array (\(pick(oldSearched)): \(rowsPerWeightTile(oldSearched)) rows per weight tile, \
            array use \(use(oldSearched.fused.matmulCycles, oldSearched))) turns it into \(change(oldSearched.relativeChange)), \
            partly because the non-fused side keeps Gemmini's greedy tiling, which that array punishes too. Gemmini's own \
            array double-buffers the weights, so the next tile preloads while the current one computes: the fixed tiling \
            runs at \(use(fixedNew.fused.matmulCycles, fixedNew)) and the change is \(change(fixedNew.relativeChange)), the \
            searched one \(change(searchedNew.relativeChange)). On this array the fused tiling hardly matters: the search \
            moves no pair's change by more than \(NumberFormat.fixed(100 * searchEffect, decimals: 1)) points.
            """
        return (table, prose)
    }
}
