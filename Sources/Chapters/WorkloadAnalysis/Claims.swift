import Core
import Render

/// Chapter 1's claims beyond the per-cell table comparisons: figure labels, ResNet-50, the text's statements
/// and the cross-checks between our two derivations.
enum ChapterClaims {
    /// Why a claim does not hold, and the cause, by id. Every entry is tested to really fail.
    static let knownDeviations: [String: KnownDeviation] = {
        var d: [String: KnownDeviation] = [
            "tab3.l128.act.gmops": .paperError("Typo in the paper: the row's own GFLOPs and intensity give 0.60/63.62 = 0.0094."),
            "tab11.l128.act.gflops": .paperError("Typo in the paper: printed \"30\" for 0.30 (0.30/0.16 ≈ 1.9, the row's intensity)."),
            "tab11.l128.act.flopShare": .paperError("Typo in the paper: printed \"0.01\" for 1 (0.30 of 22.12 GFLOPs is 1.4%)."),
            "tab11.l512.act.intensity": .paperError("The paper's own row gives 4.83/2.45 = 1.97, not the printed 2.00."),
        ]
        let truncated = "The survey truncates here instead of rounding: our value truncated to the printed digits gives exactly the printed number."
        for id in ["tab3.l512.ffn.intensity", "tab3.l4096.act.flopShare", "tab10.l512.ffn.mopShare",
                   "tab10.l512.ffn.intensity", "tab10.l512.other.gmops"] {
            d[id] = .paperError(truncated)
        }
        d["tab3.l4096.other.intensity"] = .paperError("Ours 2.1655: " + truncated)
        d["tab3.l512.act.mopShare"] = .paperError("The printed shares of this column sum to 98%; the row's own 0.09 of 0.42 GMOPs is 21%, and the convention gives 22.5% with the other three shares matching.")
        d["tab10.l128.ffn.gflops"] = .paperError("Typo in the paper: the FFN does not depend on the head count, and Tab. 3 and Tab. 10 print 14.50 and 57.98/463.86 for the same FFN elsewhere.")
        for id in ["tab11.l512.proj.flopShare", "tab11.l512.proj.mopShare"] {
            d[id] = .paperError("Ours is 31.5%, which rounds to 31; the survey's 32 makes the row's shares sum to 100.4, as if the rounding had been adjusted by hand.")
        }
        for l in [128, 512, 4096] {
            d["tab11.l\(l).proj.intensity"] = .paperError("A projection step moves d² weights plus 2d activations per 2d² FLOPs: 2d/(d+2) = 1.9948. The printed 2.00 matches the rounded 7.25/3.63 rather than the counts.")
        }
        for l in PaperValues.figureSeqLens {
            let why = "BERT-Large's plotted FLOPs are 4-8% below what Tab. 1's configuration gives in the convention that reproduces BERT-Base and GPT-2 exactly (a known inconsistency of the figure)."
            d["fig4.bert-large.l\(l)"] = .paperError(why)
            d["fig6.bert-large.l\(l)"] = .paperError("Follows from Fig. 4's low BERT-Large FLOPs. " + why)
        }
        // ResNet-50: the survey does not say which layers Tab. 4 counts.
        let resnet = "The survey does not list the layers behind Tab. 4; we count every layer of He et al.'s ResNet-50 (3.8 G multiply-adds, which our 7.71 GFLOPs of convolutions reproduce). Tab. 12's rows, which we match, sum to 6.68 GFLOPs, so Tab. 4's 7.26 leaves about 0.58 GFLOPs unaccounted for."
        for id in ["tab4.conv.gflops", "tab4.conv.intensity", "tab4.conv.mopShare",
                   "tab4.batchNorm.gflops", "tab4.batchNorm.gmops", "tab4.batchNorm.mopShare", "tab4.batchNorm.flopShare",
                   "tab4.relu.gflops", "tab4.relu.mopShare", "tab4.other.intensity", "tab4.other.mopShare",
                   "tab4.total.gflops", "tab4.total.gmops", "tab4.total.intensity",
                   "tab4.fused.gflops", "tab4.fused.intensity",
                   "text.resnet-flops-ratio", "text.resnet-mops-ratio", "text.fusion-before", "text.fusion-after"] {
            d[id] = .paperUnderspecified(resnet)
        }
        let firstBlock = "The survey counts three 1×1 convolutions with 256 input channels in conv2_x; conv2_1's actually reads the 64-channel pooled stem output, so only two blocks have this shape."
        d["tab12.conv2.reduce.gflops"] = .paperError(firstBlock)
        d["tab12.conv2.reduce.gmops"] = .paperError(firstBlock)
        return d
    }()

    /// Notes that say what a printed typo should have read.
    static let notes: [String: String] = [
        "tab3.l128.act.gmops": "Convention: 0.0094.",
        "tab11.l128.act.gflops": "Convention: 0.30.",
        "tab11.l128.act.flopShare": "Convention: 1.4.",
    ]

    /// Fig. 4, 5 and 6: every data label against our totals.
    static func figureClaims(convention: CountingConvention) throws -> [Claim] {
        var out: [Claim] = []
        let models: [TransformerConfig] = [.bertBase, .bertLarge, .gpt2]
        let figures: [(String, String, [String: [String]], (WorkCounts) -> Double, String)] = [
            ("fig4", "Fig. 4", PaperValues.figure4, { $0.flops / 1e9 }, "GFLOPs"),
            ("fig5", "Fig. 5", PaperValues.figure5, { $0.bytes / 1e9 }, "GMOPs"),
            ("fig6", "Fig. 6", PaperValues.figure6, { $0.intensity }, "arithmetic intensity"),
        ]
        for m in models {
            for (i, l) in PaperValues.figureSeqLens.enumerated() {
                let total = try ModelWorkload(m, sequenceLength: l, convention: convention).total
                for (key, ref, labels, metric, unit) in figures {
                    let text = labels[m.name]![i]
                    let id = "\(key).\(m.name).l\(l)"
                    out.append(.number(id: id, reference: ref, statement: "\(m.displayName) \(unit) at l = \(l)",
                                       paper: PaperValues.value(text), observed: metric(total),
                                       tolerance: .figureLabel(decimals: PaperValues.decimals(text)),
                                       knownDeviation: knownDeviations[id]))
                }
            }
        }
        return out
    }

    /// Tab. 4 (per class, unfused and fused) and Tab. 12 (per convolution shape).
    static func resnetClaims() -> [Claim] {
        var out: [Claim] = []
        let unfused = CNNWorkload(fused: false), fused = CNNWorkload(fused: true)
        let classes = unfused.classTotals, total = unfused.total
        let keys = ["conv", "batchNorm", "relu", "other", "total"]
        let parts = CNNOperationClass.allCases.map { classes[$0] ?? .zero } + [total]
        for (r, row) in PaperValues.table4.enumerated() {
            let c = parts[r]
            let ours = [c.flops / 1e9, c.flops / total.flops * 100, c.bytes / 1e9, c.bytes / total.bytes * 100,
                        c.intensity]
            let cells = [row.gflops, row.flopShare, row.gmops, row.mopShare, row.intensity]
            for (k, text) in cells.enumerated() {
                let id = "tab4.\(keys[r]).\(PaperTableComparison.columnKeys[k])"
                out.append(.number(id: id, reference: "Tab. 4",
                                   statement: "ResNet-50 \(row.label): \(PaperTableComparison.columnTitles[k])",
                                   paper: PaperValues.value(text), observed: ours[k],
                                   tolerance: .printed(decimals: PaperValues.decimals(text)),
                                   knownDeviation: knownDeviations[id]))
            }
        }
        let f = fused.total
        for (key, text, value, title) in [("gflops", PaperValues.table4Fused.gflops, f.flops / 1e9, "GFLOPs"),
                                          ("gmops", PaperValues.table4Fused.gmops, f.bytes / 1e9, "GMOPs"),
                                          ("intensity", PaperValues.table4Fused.intensity, f.intensity, "Arith. int.")] {
            let id = "tab4.fused.\(key)"
            out.append(.number(id: id, reference: "Tab. 4", statement: "ResNet-50 fused total: \(title)",
                               paper: PaperValues.value(text), observed: value,
                               tolerance: .printed(decimals: PaperValues.decimals(text)),
                               knownDeviation: knownDeviations[id]))
        }
        for row in PaperValues.table12 {
            guard let g = table12Group(unfused, kernel: row.kernel, outChannels: row.outChannels, outSize: row.outSize)
            else { continue }
            let name = "\(g.stage).\(g.role.rawValue)"
            for (key, text, value, title) in [("gflops", row.gflops, g.counts.flops / 1e9, "GFLOPs"),
                                              ("gmops", row.gmops, g.counts.bytes / 1e9, "GMOPs"),
                                              ("intensity", row.intensity, g.counts.intensity, "Arith. int.")] {
                let id = "tab12.\(name).\(key)"
                out.append(.number(id: id, reference: "Tab. 12",
                                   statement: "\(row.kernel)×\(row.kernel), \(row.outChannels) ch, \(row.outSize)×\(row.outSize): \(title)",
                                   paper: PaperValues.value(text), observed: value,
                                   tolerance: .printed(decimals: PaperValues.decimals(text)),
                                   knownDeviation: knownDeviations[id]))
            }
        }
        return out
    }

    /// The group of main-path convolutions that a Tab. 12 row describes: the shape the stage's identity
    /// blocks have (for 1×1 reduce convolutions, four times as many input channels as outputs).
    static func table12Group(_ w: CNNWorkload, kernel: Int, outChannels: Int, outSize: Int)
        -> CNNWorkload.ConvolutionGroup? {
        w.convolutionGroups.filter { $0.kernel == kernel && $0.outChannels == outChannels && $0.outSize == outSize }
            .max { $0.count < $1.count }
    }

    /// The statements of §2.2.1's text and App. A, checked on our counts.
    static func textClaims(convention c: CountingConvention) throws -> [Claim] {
        let totals = try FigureTotals(convention: c)
        return try matmulShareClaims(c) + intensityClaims(totals) + flopAndByteClaims(totals) + headClaims(c)
            + resnetTextClaims(totals) + typoClaims(c)
    }

    /// Whole-model totals of the three models at the figures' lengths (Fig. 4-6).
    struct FigureTotals {
        var base: [WorkCounts], large: [WorkCounts], gpt: [WorkCounts]
        init(convention c: CountingConvention) throws {
            func totals(_ m: TransformerConfig) throws -> [WorkCounts] {
                try PaperValues.figureSeqLens.map { try ModelWorkload(m, sequenceLength: $0, convention: c).total }
            }
            base = try totals(.bertBase)
            large = try totals(.bertLarge)
            gpt = try totals(.gpt2)
        }
    }

    /// Matmuls consume over 99% of FLOPs.
    static func matmulShareClaims(_ c: CountingConvention) throws -> [Claim] {
        let lengths = PaperValues.figureSeqLens
        var minShare = 1.0, argmin = ""
        for m in [TransformerConfig.bertBase, .bertLarge, .gpt2] {
            for l in lengths {
                let s = try ModelWorkload(m, sequenceLength: l, convention: c).matmulFlopShare
                if s < minShare { minShare = s; argmin = "\(m.displayName), l = \(l)" }
            }
        }
        return [.statement(id: "text.matmul-share", reference: "§2.2.1",
                              statement: "Matmuls are over 99% of FLOPs (all three models, l = 128-4096)",
                              expected: "> 99%", observed: "min \(NumberFormat.percent(minShare, decimals: 2)) (\(argmin))",
                              holds: minShare > 0.99)]
    }

    /// Encoder intensity rises to 512 and then falls; GPT-2's stays near 2.
    static func intensityClaims(_ t: FigureTotals) -> [Claim] {
        var out: [Claim] = []
        let lengths = PaperValues.figureSeqLens, base = t.base, large = t.large, gpt = t.gpt
        for (m, series) in [(TransformerConfig.bertBase, base), (.bertLarge, large)] {
            let ai = series.map(\.intensity)
            let peak = ai.indices.max { ai[$0] < ai[$1] }!
            let rises = zip(ai[..<peak], ai[1...peak]).allSatisfy { $0 < $1 }
            let falls = zip(ai[peak...], ai[(peak + 1)...]).allSatisfy { $0 > $1 }
            out.append(.statement(id: "text.rise-fall.\(m.name)", reference: "Fig. 6",
                                  statement: "\(m.displayName) intensity rises with l up to 512, then falls",
                                  expected: "peak at 512", observed: "peak at \(lengths[peak])"
                                      + (rises && falls ? ", monotone on both sides" : ", not monotone"),
                                  holds: lengths[peak] == 512 && rises && falls))
        }

        // GPT-2 intensity is "roughly 2": 2 to its one significant figure (Tolerance.approximately).
        let gptAI = gpt.map(\.intensity)
        let roughlyTwo = Tolerance.approximately(significantFigures: 1)
        out.append(.statement(id: "text.gpt2-intensity", reference: "§2.2.1",
                              statement: "GPT-2 runs at about 2 operations per byte at every l",
                              expected: "roughly 2 (one significant figure: 1.5-2.5)",
                              observed: "\(NumberFormat.fixed(gptAI.min()!, decimals: 3))-\(NumberFormat.fixed(gptAI.max()!, decimals: 3))",
                              holds: gptAI.allSatisfy { roughlyTwo.accepts(observed: $0, expected: 2) }))
        return out
    }

    /// GPT-2 needs fewer FLOPs than BERT-Base as l grows, similar ones at short lengths, and far more bytes.
    static func flopAndByteClaims(_ t: FigureTotals) -> [Claim] {
        var out: [Claim] = []
        let base = t.base, large = t.large, gpt = t.gpt
        let fewer = zip(gpt.dropFirst(), base.dropFirst()).allSatisfy { $0.flops < $1.flops }
        out.append(.statement(id: "text.gpt2-fewer-flops", reference: "§2.2.1",
                              statement: "GPT-2 has fewer FLOPs than BERT-Base and BERT-Large as l grows",
                              expected: "fewer at every l ≥ 256",
                              observed: "GPT-2/BERT-Base at 4096: \(NumberFormat.fixed(gpt.last!.flops / base.last!.flops, decimals: 3))",
                              holds: fewer && zip(gpt, large).allSatisfy { $0.flops < $1.flops }))
        out.append(.statement(id: "text.similar-flops", reference: "Fig. 4",
                              statement: "BERT-Base and GPT-2 need similar FLOPs (l ≤ 512)",
                              expected: "within 10%",
                              observed: "largest gap \(NumberFormat.percent(zip(gpt, base).prefix(3).map { 1 - $0.flops / $1.flops }.max()!, decimals: 2))",
                              holds: zip(gpt, base).prefix(3).allSatisfy { abs(1 - $0.flops / $1.flops) <= 0.10 }))
        let mopRatio = zip(gpt, base).map { $0.bytes / $1.bytes }
        out.append(.statement(id: "text.gpt2-mops", reference: "Fig. 5",
                              statement: "GPT-2 moves far more bytes than BERT-Base (weights reloaded every token)",
                              expected: "over 10× at every l",
                              observed: "\(NumberFormat.fixed(mopRatio.min()!, decimals: 1))×-\(NumberFormat.fixed(mopRatio.max()!, decimals: 1))×",
                              holds: mopRatio.allSatisfy { $0 > 10 }))
        let growth = [("bert-base", base), ("bert-large", large), ("gpt2", gpt)].map { name, s in
            (name, s.last!.flops / s[s.count - 2].flops)
        }
        out.append(.statement(id: "text.superlinear", reference: "Fig. 4",
                              statement: "FLOPs grow super-linearly in l (doubling l more than doubles them)",
                              expected: "ratio > 2 from 2048 to 4096",
                              observed: growth.map { "\($0.0) \(NumberFormat.fixed($0.1, decimals: 2))×" }.joined(separator: ", "),
                              holds: growth.allSatisfy { $0.1 > 2 }))
        return out
    }

    /// Tab. 10: fewer heads reduce MOPs and raise act-to-act intensity.
    static func headClaims(_ c: CountingConvention) throws -> [Claim] {
        var headsHold = true, headsObserved: [String] = []
        for l in [128, 512, 4096] {
            let twelve = try ModelWorkload(.bertBase, sequenceLength: l, convention: c)
            let four = try ModelWorkload(.bertBase4Heads, sequenceLength: l, convention: c)
            let a12 = twelve.classTotals[.actToAct]!, a4 = four.classTotals[.actToAct]!
            headsHold = headsHold && four.total.bytes < twelve.total.bytes && a4.intensity > a12.intensity
            headsObserved.append("l=\(l): act-to-act AI \(NumberFormat.fixed(a12.intensity, decimals: 1))→\(NumberFormat.fixed(a4.intensity, decimals: 1))")
        }
        return [.statement(id: "text.fewer-heads", reference: "Tab. 10",
                           statement: "Fewer heads (4 instead of 12) cut MOPs and raise act-to-act intensity",
                           expected: "both, at l = 128, 512, 4096", observed: headsObserved.joined(separator: "; "),
                           holds: headsHold)]
    }

    /// ResNet-50 against BERT-Base at 128, and what fusion does to ResNet-50.
    static func resnetTextClaims(_ t: FigureTotals) -> [Claim] {
        var out: [Claim] = []
        let base = t.base
        let resnet = CNNWorkload(fused: false).total, resnetFused = CNNWorkload(fused: true).total
        out.append(.number(id: "text.resnet-flops-ratio", reference: "§2.2.1",
                           statement: "BERT-Base (l = 128) needs this many times ResNet-50's FLOPs",
                           paper: 3.07, observed: base[0].flops / resnet.flops, tolerance: .printed(decimals: 2),
                           knownDeviation: knownDeviations["text.resnet-flops-ratio"]))
        out.append(.number(id: "text.resnet-mops-ratio", reference: "§2.2.1",
                           statement: "BERT-Base (l = 128) moves this many times ResNet-50's bytes",
                           paper: 1.28, observed: base[0].bytes / resnet.bytes, tolerance: .printed(decimals: 2),
                           knownDeviation: knownDeviations["text.resnet-mops-ratio"]))
        out.append(.statement(id: "text.resnet-lower-intensity", reference: "§2.2.1",
                              statement: "ResNet-50's intensity is below BERT-Base's at every l",
                              expected: "lower at l = 128-4096",
                              observed: "ResNet-50 \(NumberFormat.fixed(resnet.intensity, decimals: 1)); BERT-Base min \(NumberFormat.fixed(base.map(\.intensity).min()!, decimals: 1))",
                              holds: base.allSatisfy { $0.intensity > resnet.intensity }))
        out.append(.number(id: "text.fusion-before", reference: "§2.2.1",
                           statement: "ResNet-50 intensity without fusion", paper: 66.9, observed: resnet.intensity,
                           tolerance: .printed(decimals: 1), knownDeviation: knownDeviations["text.fusion-before"]))
        out.append(.number(id: "text.fusion-after", reference: "§2.2.1",
                           statement: "ResNet-50 intensity with BatchNorm and ReLU fused", paper: 121.4,
                           observed: resnetFused.intensity, tolerance: .printed(decimals: 1),
                           knownDeviation: knownDeviations["text.fusion-after"]))
        out.append(.statement(id: "text.fusion-raises", reference: "§2.2.1",
                              statement: "Fusing BatchNorm and ReLU raises ResNet-50's intensity substantially",
                              expected: "66.9 → 121.4 (1.8×)",
                              observed: "\(NumberFormat.fixed(resnet.intensity, decimals: 1)) → \(NumberFormat.fixed(resnetFused.intensity, decimals: 1)) (\(NumberFormat.fixed(resnetFused.intensity / resnet.intensity, decimals: 2))×)",
                              holds: resnetFused.intensity / resnet.intensity > 1.5))
        return out
    }

    /// The typos' corrected values, from the paper's own rows (a second derivation of the cell).
    static func typoClaims(_ c: CountingConvention) throws -> [Claim] {
        var out: [Claim] = []
        let act128 = try ModelWorkload(.bertBase, sequenceLength: 128, convention: c).classTotals[.actToAct]!
        out.append(.number(id: "typo.tab3-act-mops", reference: "Tab. 3",
                           statement: "act-to-act GMOPs at l = 128 implied by the row's printed 0.60 GFLOPs / 63.62",
                           paper: 0.60 / 63.62, observed: act128.bytes / 1e9, tolerance: .relative(0.01),
                           kind: .crossCheck, note: "Corrects the printed 0.006."))
        let gptAct = try ModelWorkload(.gpt2, sequenceLength: 128, convention: c).classTotals[.actToAct]!
        out.append(.number(id: "typo.tab11-act-gflops", reference: "Tab. 11",
                           statement: "act-to-act GFLOPs at l = 128 implied by the row's 0.16 GMOPs × 1.92",
                           paper: 0.16 * 1.92, observed: gptAct.flops / 1e9, tolerance: .relative(0.05),
                           kind: .crossCheck, note: "Corrects the printed \"30\"; 0.16 has two digits, hence 5%."))
        return out
    }

    /// Closed form against enumeration of the graph, for every model and length of the run.
    static func crossChecks(models: [TransformerConfig], lengths: [Int], convention c: CountingConvention) throws
        -> [Claim] {
        try models.map { m in
            var worst = 0.0
            for l in lengths {
                let w = try ModelWorkload(m, sequenceLength: l, convention: c)
                let closed = ClosedForm.classTotals(m, sequenceLength: l, convention: c)
                for cls in OperationClass.allCases {
                    let a = w.classTotals[cls]!, b = closed[cls]!
                    worst = max(worst, abs(a.flops - b.flops) / b.flops, abs(a.bytes - b.bytes) / b.bytes)
                }
            }
            return .number(id: "cross.closed-form.\(m.name)", reference: "Tab. 2",
                           statement: "\(m.displayName): closed form vs graph enumeration, worst relative gap",
                           paper: 0, observed: worst, tolerance: .absolute(1e-12), kind: .crossCheck,
                           note: "Every class, FLOPs and bytes, at l = \(lengths.map(String.init).joined(separator: ", ")).")
        }
    }
}
