import ChapterSupport
import Core
import Render

/// §3.4.2 and §3.4.4: Fig. 14's breakdowns, the host CPU's cost model and its sensitivity, the integer units.
enum BreakdownSection {
    typealias Category = GemminiEncoderModel.Category
    static let names: [Category: String] = [.matmul: "Matmul", .softmax: "Softmax", .layerNorm: "LayerNorm",
                                            .residualAdd: "Resadd", .quantization: "De/Quantization", .gelu: "GELU"]
    /// Fig. 14 left (baseline, l = 512), as labelled.
    static let left: [(Category, Double)] = [(.matmul, 1), (.softmax, 19), (.layerNorm, 4), (.residualAdd, 11),
                                             (.quantization, 49), (.gelu, 10)]
    /// Fig. 14 middle (Transformer variant, l = 512): Matmul+GELU, Softmax, LayerNorm, Resadd.
    static let middle: [(String, Double)] = [("matmul-gelu", 87), ("softmax", 3), ("layernorm", 7), ("resadd", 4)]

    static func middleShares(_ m: GemminiEncoderModel) -> [String: Double] {
        ["matmul-gelu": m.share(.matmul) + m.share(.gelu), "softmax": m.share(.softmax), "layernorm": m.share(.layerNorm),
         "resadd": m.share(.residualAdd) + m.share(.quantization)]
    }

    static func build(_ s: GemminiCaseStudySettings, figures: inout FigureSet) throws -> SectionsOutput {
        let l = s.sequenceLength
        let base = try GemminiCaseStudyChapter.layers(s, s.baseline, l)
        var claims: [Claim] = []
        let pct = { (x: Double) in GemminiCaseStudyChapter.percent(x) }

        // The host CPU.
        var cpu = Section("3.4.2: the host CPU's cost model")
        cpu.prose("""
            The survey gives no CPU numbers, so the baseline's non-linear time comes from a model whose every \
            constant is stated (`HostCPUCostModel`): an in-order, single-issue Rocket core that handles one \
            element at a time with each instruction waiting for the previous one; latencies from rocket-chip's \
            `FPUParams` (FMA 3 cycles, conversions and compares 2) and an iterative divider of 26 cycles (our \
            estimate for hardfloat's one-bit-per-cycle divider); newlib's `expf` and `erff` as instruction mixes; \
            and \(NumberFormat.trimmed(s.host.missPenalty, maxDecimals: 1)) cycles per \
            \(NumberFormat.trimmed(s.host.lineBytes, maxDecimals: 0))-byte line streamed from DRAM (no prefetcher). \
            Dequantization and quantization are separate passes, as the survey counts them. No constant was \
            fitted to the survey's percentages.
            """)
        let cpuRows = HostCPUCostModel.Operation.allCases.map { op -> [String] in
            let mix = s.host.mix(op)
            return [op.rawValue, NumberFormat.fixed(s.host.instructionCycles(mix), decimals: 1),
                    NumberFormat.fixed(s.host.memoryCycles(mix), decimals: 1), NumberFormat.fixed(s.host.cyclesPerElement(op), decimals: 1),
                    NumberFormat.si(base.elements[op] ?? 0, decimals: 2)]
        }
        cpu.table(Table(columns: [.init("operation"), .init("instruction cycles", alignment: .right),
                                  .init("memory cycles", alignment: .right), .init("cycles / element", alignment: .right),
                                  .init("elements per layer", alignment: .right)], rows: cpuRows,
                        caption: "Per element on the host CPU; elements of one \(s.model.displayName) layer at l = \(l) (SI prefixes)."))

        // Fig. 14 left.
        var left = Section("3.4.2 / Fig. 14 left: where the baseline's time goes (l = \(l))")
        left.prose("""
            One layer on the baseline: the matmuls from the Gemmini engine (Int32 outputs where the CPU consumes them), \
            everything else from the CPU model; the CPU and the array take turns. The survey reads its pie at \
            l = 512.
            """)
        let leftChart = BarChart(title: "Fig. 14 left: baseline breakdown, survey vs this model (l = \(l))",
                                 categories: Self.left.map { names[$0.0]! },
                                 series: [BarSeries(name: "survey (Fig. 14, l = 512)", values: Self.left.map(\.1)),
                                          BarSeries(name: "this model", values: Self.left.map { base.share($0.0) * 100 })],
                                 mode: .grouped, y: Axis(label: "% of layer time", min: 0))
        left.figure(figures.svg("06-fig14-left", try leftChart.svg()), caption: "Fig. 14 left against this model.")
        var leftClaims = Self.left.map { category, paper in
            GemminiCaseStudyChapter.share(id: "fig14.left.\(category.rawValue)", reference: "Fig. 14 left",
                                          statement: "baseline, l = \(l): \(names[category]!) share of time", paper: paper,
                                          fraction: base.share(category))
        }
        leftClaims.append(.statement(id: "baseline.utilisation-under-1", reference: "§1, §3.4.2",
                                     statement: "baseline: array utilisation over the whole layer is below 1%", expected: "< 1%",
                                     observed: pct(base.utilization), holds: base.utilization < 0.01, kind: .paperNumber,
                                     knownDeviation: GemminiCaseStudyChapter.knownDeviations["baseline.utilisation-under-1"]))
        leftClaims.append(GemminiCaseStudyChapter.share(id: "baseline.non-matmul-96", reference: "§3.4.2",
                                                        statement: "baseline: share of time outside matmuls", paper: 96,
                                                        fraction: 1 - base.share(.matmul),
                                                        note: "Fig. 14 left's 1% matmul and this 96% cannot both be exact"))
        leftClaims.append(GemminiCaseStudyChapter.share(id: "baseline.matmul-utilisation-74", reference: "§3.4.2",
                                                        statement: "baseline: array utilisation during the matmuls", paper: 74,
                                                        fraction: base.matmulUtilization))
        claims += leftClaims
        left.table(ClaimFormatting.table(leftClaims))

        // Inverse: what the survey's pie implies, given our matmul cycles. Fitted, not a claim.
        left.subheading("What the survey's pie implies about its CPU (fitted, not a reproduction)")
        let impliedTotal = base.matmulCycles / 0.01
        let perCategoryElements: [Category: Double] = [
            .softmax: base.elements[.softmax]!, .layerNorm: base.elements[.layerNorm]!, .residualAdd: base.elements[.residualAdd]!,
            .gelu: base.elements[.gelu]!, .quantization: base.elements[.dequantize]! + base.elements[.quantize]!]
        let inverseRows = Self.left.filter { $0.0 != .matmul }.map { category, paper -> [String] in
            let n = perCategoryElements[category]!
            return [names[category]!, "\(Int(paper))%", NumberFormat.fixed(paper / 100 * impliedTotal / n, decimals: 0),
                    NumberFormat.fixed(base.cycles[category]! / n, decimals: 0)]
        }
        left.table(Table(columns: [.init("category"), .init("survey share", alignment: .right),
                                   .init("implied CPU cycles / element", alignment: .right),
                                   .init("this model", alignment: .right)], rows: inverseRows,
                         caption: "If the matmuls took the engine's \(NumberFormat.si(base.matmulCycles, decimals: 2)) cycles and were 1% of the time (Fig. 14 left), each category's label fixes its cycles per element (de/quantization per element of either pass). These are fitted to the survey's labels, so they reproduce nothing; they show what its CPU must have cost."))
        left.takeaway("On the CNN-tuned Gemmini the array is almost idle: the CPU's float non-linear operations and the conversions around them take nearly all the time, whatever the exact CPU constants.")

        // Sensitivity.
        var sensitivity = Section("3.4.2: how the baseline breakdown moves with the CPU constants")
        var variants: [(String, HostCPUCostModel)] = [("nominal", s.host)]
        for (label, factor) in [("×½", 0.5), ("×2", 2.0)] {
            var m = s.host
            m.missPenalty *= factor
            variants.append(("miss penalty \(label)", m))
            m = s.host
            m.fpFMA *= factor
            m.fpConvertOrCompare *= factor
            m.fpDivide *= factor
            variants.append(("FP latencies \(label)", m))
            m = s.host
            m.libmScale *= factor
            variants.append(("expf/erff \(label)", m))
        }
        var sensitivityRows: [[String]] = []
        var series: [[Double]] = []
        for (label, host) in variants {
            var settings = s
            settings.host = host
            let layer = try GemminiCaseStudyChapter.layers(settings, s.baseline, l)
            series.append(Category.allCases.map { layer.share($0) * 100 })
            sensitivityRows.append([label] + Category.allCases.map { pct(layer.share($0)) } + [pct(layer.utilization)])
        }
        let chart = BarChart(title: "Baseline breakdown under changed CPU constants (l = \(l))", categories: variants.map(\.0),
                             series: Category.allCases.enumerated().map { i, c in BarSeries(name: names[c]!, values: series.map { $0[i] }) },
                             mode: .stackedPercent, y: Axis(label: "% of layer time", min: 0, max: 100), width: 900)
        sensitivity.prose("Each constant group halved and doubled in turn, the others nominal.")
        sensitivity.figure(figures.svg("06-cpu-sensitivity", try chart.svg()), caption: "Sensitivity of the baseline breakdown to the host CPU's constants.")
        sensitivity.table(Table(columns: [.init("CPU constants")] + Category.allCases.map { .init(names[$0]!, alignment: .right) }
                                    + [.init("utilisation", alignment: .right)], rows: sensitivityRows))
        sensitivity.takeaway("Memory stalls move (de)quantization, libm moves Softmax and GELU; no plausible change gives the matmuls more than a few percent of the baseline's time.")

        // §3.4.4: the integer units.
        let transformer = try GemminiCaseStudyChapter.layers(s, s.transformer, l)
        var units = Section("3.4.4 / Fig. 14 middle and right: I-BERT on added units")
        units.prose("""
            The Transformer variant runs chapter 2's integer kernels on added units (`IntegerUnitModel`): the \
            normalisation unit reads one accumulator row of 16 values per cycle for sums, sums of squares and \
            maxima; \(s.transformer.sfuWidth) activation lanes finish one element each per cycle; Softmax and \
            LayerNorm take three passes, LayerNorm adds one integer square root per row \
            (\(try IntegerUnitModel(accelerator: s.transformer).sqrtIterations) Newton steps, counted by \
            `IBERT.sqrt`, of a 64-cycle division); GELU is fused behind W1; residual adds accumulate in the \
            accumulator as the residual moves in; requantization happens on the way out. Quantization on the CPU \
            is gone.
            """)
        let middleObserved = middleShares(transformer)
        let middleChart = BarChart(title: "Fig. 14 middle: Transformer variant, survey vs this model (l = \(l))",
                                   categories: ["Matmul+GELU", "Softmax", "LayerNorm", "Resadd"],
                                   series: [BarSeries(name: "survey (Fig. 14, l = 512)", values: middle.map(\.1)),
                                            BarSeries(name: "this model", values: middle.map { middleObserved[$0.0]! * 100 })],
                                   mode: .grouped, y: Axis(label: "% of layer time", min: 0, max: 100))
        units.figure(figures.svg("06-fig14-middle", try middleChart.svg()), caption: "Fig. 14 middle against this model.")
        var unitClaims = middle.map { key, paper in
            GemminiCaseStudyChapter.share(id: "fig14.middle.\(key)", reference: "Fig. 14 middle",
                                          statement: "Transformer variant, l = \(l): \(key) share of time", paper: paper,
                                          fraction: middleObserved[key]!)
        }
        var rightSeries: [[Double]] = []
        var dominates = true
        var rightJSON: [JSONValue] = []
        for length in s.breakdownLengths {
            let m = try GemminiCaseStudyChapter.layers(s, s.transformer, length)
            let shares = middleShares(m)
            rightSeries.append(middle.map { shares[$0.0]! * 100 })
            dominates = dominates && middle.allSatisfy { $0.0 == "matmul-gelu" || shares[$0.0]! < shares["matmul-gelu"]! }
            rightJSON.append(.object([("seqLen", .number(Double(length)))] + middle.map { ($0.0, .number(shares[$0.0]!)) }))
        }
        let rightChart = BarChart(title: "Fig. 14 right: Transformer variant by sequence length",
                                  categories: s.breakdownLengths.map { "l = \($0)" },
                                  series: ["Matmul+GELU", "Softmax", "LayerNorm", "Resadd"].enumerated().map { i, name in
                                      BarSeries(name: name, values: rightSeries.map { $0[i] })
                                  }, mode: .stackedPercent, y: Axis(label: "% of layer time", min: 0, max: 100))
        units.figure(figures.svg("06-fig14-right", try rightChart.svg()), caption: "Fig. 14 right (the survey prints no values for it).")
        unitClaims.append(.statement(id: "fig14.right.matmul-dominates", reference: "Fig. 14 right",
                                     statement: "Transformer variant: Matmul+GELU is the largest share at every length",
                                     expected: "at \(s.breakdownLengths.map(String.init).joined(separator: ", "))",
                                     observed: dominates ? "at every length" : "not at every length", holds: dominates))
        claims += unitClaims
        units.table(ClaimFormatting.table(unitClaims))
        units.subheading("The kernels on real data: one attention head and one FFN slice")
        units.table(try FunctionalCheck.table(s))
        units.takeaway("With integer units beside the accumulator, the non-linear operations cost a few percent of cycles and the array is the bottleneck again, as it should be.")

        let json: [(String, JSONValue)] = [
            ("fig14Left", .object([("seqLen", .number(Double(l)))] + Category.allCases.map { ($0.rawValue, .number(base.share($0))) })),
            ("baselineUtilisation", .number(base.utilization)), ("baselineMatmulUtilisation", .number(base.matmulUtilization)),
            ("fig14Middle", .object([("seqLen", .number(Double(l)))] + middle.map { ($0.0, .number(middleObserved[$0.0]!)) })),
            ("fig14Right", .array(rightJSON)),
        ]
        return SectionsOutput(sections: [cpu, left, sensitivity, units], claims: claims, json: json)
    }
}
