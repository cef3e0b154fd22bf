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

    /// The palette's colour for a category of Fig. 14.
    static func paletteOperation(_ c: Category) -> OperationPalette.Operation {
        switch c {
        case .matmul: return .matmul
        case .softmax: return .softmax
        case .layerNorm: return .normalisation
        case .residualAdd: return .residualAdd
        case .quantization: return .quantization
        case .gelu: return .activation
        case .rotary: return .rotary
        }
    }

    static func middleShares(_ m: GemminiEncoderModel) -> [String: Double] {
        ["matmul-gelu": m.share(.matmul) + m.share(.gelu), "softmax": m.share(.softmax), "layernorm": m.share(.layerNorm),
         "resadd": m.share(.residualAdd) + m.share(.quantization)]
    }

    /// §3.4.2's and §3.4.4's sections: the CPU's cost model, Fig. 14 left, the CPU sensitivity, the integer units.
    static func build(_ s: GemminiCaseStudySettings, figures: inout FigureSet) throws -> [SectionOutput] {
        let l = s.sequenceLength
        guard case .counted(let counted) = s.host.mixSource else {
            throw ConfigurationError(field: "cpu-mixes", message: "chapter 6 prices the host CPU with counted instruction mixes and sets the hand estimates beside them; load data/cpu/rv64-mix.tsv (HostCPUMixes(parsing:file:)) into host.mixSource")
        }
        var hand = s
        hand.host.mixSource = .hand
        let base = try GemminiCaseStudyChapter.layers(s, s.baseline, l)
        let handBase = try GemminiCaseStudyChapter.layers(hand, s.baseline, l)
        let cpu = try hostCPUCostModel(s, hand: hand.host, counted: counted, base: base)
        var left = try fig14Left(s, base: base, handBase: handBase, figures: &figures)
        left.json = [
            ("fig14Left", .object([("seqLen", .number(Double(l)))] + Category.survey.map { ($0.rawValue, .number(base.share($0))) })),
            ("fig14LeftHandMixes", .object([("seqLen", .number(Double(l)))] + Category.survey.map { ($0.rawValue, .number(handBase.share($0))) })),
            ("cpuCyclesPerElement", .object(HostCPUCostModel.Operation.allCases.map { op in
                (op.rawValue, .object([("hand", .number(hand.host.cyclesPerElement(op))), ("counted", .number(s.host.cyclesPerElement(op)))]))
            })),
            ("baselineUtilisation", .number(base.utilization)), ("baselineMatmulUtilisation", .number(base.matmulUtilization)),
        ]
        return [SectionOutput(cpu), left, SectionOutput(try sensitivitySection(s, figures: &figures)),
                try unitsSection(s, figures: &figures)]
    }

    /// How the baseline breakdown moves when each group of CPU constants is halved and doubled.
    static func sensitivitySection(_ s: GemminiCaseStudySettings, figures: inout FigureSet) throws -> Section {
        let l = s.sequenceLength
        let pct = { (x: Double) in NumberFormat.percent(x, decimals: 1) }
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
            series.append(Category.survey.map { layer.share($0) * 100 })
            sensitivityRows.append([label] + Category.survey.map { pct(layer.share($0)) } + [pct(layer.utilization)])
        }
        let chart = BarChart(title: "Baseline breakdown under changed CPU constants (l = \(l))", categories: variants.map(\.0),
                             series: Category.survey.enumerated().map { i, c in
                                 BarSeries(name: names[c]!, values: series.map { $0[i] }, colour: OperationPalette.colour(paletteOperation(c)))
                             },
                             mode: .stackedPercent, y: Axis(label: "% of layer time", min: 0, max: 100), width: 900)
        sensitivity.prose("Each constant group halved and doubled in turn, the others nominal.")
        sensitivity.figure(figures.svg("06-cpu-sensitivity", try chart.svg()), caption: "Sensitivity of the baseline breakdown to the host CPU's constants.")
        sensitivity.table(Table(columns: [.init("CPU constants")] + Category.survey.map { .init(names[$0]!, alignment: .right) }
                                    + [.init("utilisation", alignment: .right)], rows: sensitivityRows))
        sensitivity.takeaway("Memory stalls move (de)quantization, libm moves Softmax and GELU; no plausible change gives the matmuls more than a few percent of the baseline's time.")
        return sensitivity
    }

    /// §3.4.4: the integer units, Fig. 14 middle and right, and the kernels on real data.
    static func unitsSection(_ s: GemminiCaseStudySettings, figures: inout FigureSet) throws -> SectionOutput {
        let l = s.sequenceLength
        let transformer = try GemminiCaseStudyChapter.layers(s, s.transformer, l)
        var units = Section("3.4.4 / Fig. 14 middle and right: I-BERT on added units")
        units.prose("""
            The Transformer variant runs chapter 2's integer kernels on added units (`IntegerUnitModel`): the \
            normalisation unit reads one accumulator row of 16 values per cycle for sums, sums of squares and \
            maxima; \(s.transformer.sfuWidth) activation lanes finish one element each per cycle; Softmax and \
            LayerNorm take three passes, LayerNorm adds one integer square root per row \
            (\(try IntegerUnitModel(accelerator: s.transformer).sqrtIterations) Newton steps of a 64-cycle \
            division: the most `IBERT.sqrt` takes on the 33- to 62-bit Σd² that LayerNorm feeds it, which is \
            also chapter 2's bound over every 32-bit input; a single input, 2^61, takes 5); GELU is fused behind W1; residual adds accumulate in the \
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
                                  series: [("Matmul+GELU", OperationPalette.Operation.matmul), ("Softmax", .softmax),
                                           ("LayerNorm", .normalisation), ("Resadd", .residualAdd)].enumerated().map { i, part in
                                      BarSeries(name: part.0, values: rightSeries.map { $0[i] }, colour: OperationPalette.colour(part.1))
                                  }, mode: .stackedPercent, y: Axis(label: "% of layer time", min: 0, max: 100))
        units.figure(figures.svg("06-fig14-right", try rightChart.svg()), caption: "Fig. 14 right (the survey prints no values for it).")
        unitClaims.append(.statement(id: "fig14.right.matmul-dominates", reference: "Fig. 14 right",
                                     statement: "Transformer variant: Matmul+GELU is the largest share at every length",
                                     expected: "at \(s.breakdownLengths.map(String.init).joined(separator: ", "))",
                                     observed: dominates ? "at every length" : "not at every length", holds: dominates))
        units.table(ClaimFormatting.table(unitClaims))
        units.subheading("The kernels on real data: one attention head and one FFN slice")
        units.table(try FunctionalCheck.table(s))
        units.takeaway("With integer units beside the accumulator, the non-linear operations cost a few percent of cycles and the array is the bottleneck again, as it should be.")

        return SectionOutput(units, claims: unitClaims, json: [
            ("fig14Middle", .object([("seqLen", .number(Double(l)))] + middle.map { ($0.0, .number(middleObserved[$0.0]!)) })),
            ("fig14Right", .array(rightJSON)),
        ])
    }
}

// §3.4.2: the host CPU's cost model and Fig. 14 left, with the counted mixes beside the hand estimates.
extension BreakdownSection {
    typealias Operation = HostCPUCostModel.Operation
    typealias Mix = HostCPUCostModel.Mix

    /// The columns of a mix, in the model's class order, with the classes' display names.
    static var mixColumns: [(String, KeyPath<Mix, Double>)] {
        [("integer", \.integer), ("branch/jump", \.branch), ("load", \.load), ("store", \.store),
         ("FP convert/compare/move", \.convert), ("FP add/mul/FMA", \.fma), ("FP divide/sqrt", \.divide),
         ("expf calls", \.expCalls), ("erff calls", \.erfCalls)]
    }

    static func count(_ x: Double) -> String { NumberFormat.trimmed(x, maxDecimals: 2) }

    /// One row of an operation's table: a mix by class, its instructions and their cycles (calls expanded).
    static func mixRow(_ label: String, _ mix: Mix, _ model: HostCPUCostModel) -> [String] {
        [label] + mixColumns.map { count(mix[keyPath: $0.1]) }
            + [count(model.instructions(mix)), NumberFormat.fixed(model.instructionCycles(mix), decimals: 1)]
    }

    static func hostCPUCostModel(_ s: GemminiCaseStudySettings, hand: HostCPUCostModel, counted: HostCPUMixes,
                                 base: GemminiEncoderModel) throws -> Section {
        let host = s.host
        func recorded(_ key: String) -> String { counted.provenance(key) ?? "(not recorded)" }
        var cpu = Section("3.4.2: the host CPU's cost model")
        cpu.prose("""
            The survey gives no CPU numbers, so the baseline's non-linear time comes from a model whose every \
            constant is stated (`HostCPUCostModel`): an in-order, single-issue Rocket core that handles one \
            element at a time with each instruction waiting for the previous one; latencies from rocket-chip's \
            `FPUParams` (FMA \(count(host.fpFMA)) cycles, conversions and compares \(count(host.fpConvertOrCompare))) \
            and an iterative divider of \(count(host.fpDivide)) cycles (our estimate for hardfloat's \
            one-bit-per-cycle divider); and \(NumberFormat.trimmed(host.missPenalty, maxDecimals: 1)) cycles per \
            \(NumberFormat.trimmed(host.lineBytes, maxDecimals: 0))-byte line streamed from DRAM (no prefetcher). \
            Dequantization and quantization are separate passes, as the survey counts them. No constant was \
            fitted to the survey's percentages.
            """)
        cpu.prose("""
            The instructions are counted, not estimated. Our C code for the six operations \
            (`tools/rv64-mix/kernels.c`: element-wise loops, Softmax and LayerNorm row by row, `expf` and `erff` \
            from libm) was compiled for rv64gc and run under qemu's user mode with every executed instruction \
            logged; `tools/rv64-mix/count.py` classified each by its mnemonic and took per-element counts as the \
            difference of two runs over N and 2N elements, per-row counts from R and 2R rows. Library helpers the \
            compiled loops call are counted with their operation. The recording (`\(GemminiCaseStudySettings.cpuMixesPath)` \
            unless `--cpu-mixes` names another file) says how:
            """)
        let provenanceRows = [("compiler", "compiler"), ("flags", "flags"), ("C library", "libc"), ("emulator", "qemu"),
                              ("tracing", "tracing"), ("helpers called (per element)", "helpers"), ("recorded", "date"),
                              ("sha256 of kernels.c", "source-sha256")].map { [$0.0, recorded($0.1)] }
        cpu.table(Table(columns: [.init("what"), .init("recorded")], rows: provenanceRows))
        cpu.prose("""
            Each table below sets the counted mix beside the hand estimate this chapter used before (our reading of \
            the loops and of newlib's `expf` and `erff`). Both are priced with the same latencies; the bytes an \
            element streams from DRAM belong to the operation, the same for both.
            """)
        let columns: [Table.Column] = [.init("mix")] + mixColumns.map { .init($0.0, alignment: .right) }
            + [.init("instructions", alignment: .right), .init("instruction cycles", alignment: .right)]
        for op in Operation.allCases {
            var rows = [mixRow("hand, per element", hand.mix(op), hand), mixRow("counted, per element", host.mix(op), host)]
            if HostCPUMixes.rowOperations.contains(op) {
                rows += [mixRow("hand, per row", hand.mixes.perRow(op), hand), mixRow("counted, per row", host.mixes.perRow(op), host)]
            }
            if host.mix(op).expCalls > 0 || hand.mix(op).expCalls > 0 {
                rows += [mixRow("hand expf, per call", hand.expMix, hand), mixRow("counted expf, per call", host.expMix, host)]
            }
            if host.mix(op).erfCalls > 0 || hand.mix(op).erfCalls > 0 {
                rows += [mixRow("hand erff, per call", hand.erfMix, hand), mixRow("counted erff, per call", host.erfMix, host)]
            }
            cpu.subheading("\(op.rawValue): hand estimate and counted instructions")
            cpu.table(Table(columns: columns, rows: rows,
                            caption: "Instructions of `\(op.rawValue)` by class; instructions and their cycles include the expf/erff calls, priced with the same latencies for both mixes."))
        }
        cpu.subheading("Cycles per element, hand and counted")
        let summaryRows = Operation.allCases.map { op -> [String] in
            let handCycles = hand.cyclesPerElement(op), countedCycles = host.cyclesPerElement(op)
            return [op.rawValue, NumberFormat.fixed(hand.instructionCycles(hand.mix(op)), decimals: 1),
                    NumberFormat.fixed(host.instructionCycles(host.mix(op)), decimals: 1),
                    NumberFormat.fixed(host.memoryCycles(host.mix(op)), decimals: 1),
                    NumberFormat.fixed(handCycles, decimals: 1), NumberFormat.fixed(countedCycles, decimals: 1),
                    NumberFormat.fixed(countedCycles / handCycles, decimals: 2) + "×",
                    NumberFormat.si(base.elements[op] ?? 0, decimals: 2)]
        }
        cpu.table(Table(columns: [.init("operation"), .init("hand: instruction cycles", alignment: .right),
                                  .init("counted: instruction cycles", alignment: .right), .init("memory cycles", alignment: .right),
                                  .init("hand: cycles / element", alignment: .right), .init("counted: cycles / element", alignment: .right),
                                  .init("counted ÷ hand", alignment: .right), .init("elements per layer", alignment: .right)],
                        rows: summaryRows,
                        caption: "Per element on the host CPU; elements of one \(s.model.displayName) layer at l = \(s.sequenceLength) (SI prefixes). The claims below use the counted mixes."))
        cpu.prose(partsProse(hand: hand, counted: host))
        let ratios = Operation.allCases.map { ($0, host.cyclesPerElement($0) / hand.cyclesPerElement($0)) }
        let most = ratios.max { max($0.1, 1 / $0.1) < max($1.1, 1 / $1.1) }!
        cpu.takeaway("Counting moves the per-element cost of every operation by between \(NumberFormat.fixed(ratios.map(\.1).min()!, decimals: 2))× and \(NumberFormat.fixed(ratios.map(\.1).max()!, decimals: 2))× of the hand estimate, most for \(most.0.rawValue); memory stalls, the same under both, damp the ratio most where an operation streams the most bytes per instruction.")
        return cpu
    }

    /// Which operations' per-element instruction cycles held within the chapter's ratio tolerance, which held in
    /// total only (their own code and their libm calls off in opposite directions: cancelling errors), which
    /// moved; and how the per-row work compares.
    static func partsProse(hand: HostCPUCostModel, counted: HostCPUCostModel) -> String {
        let tolerance = GemminiCaseStudyChapter.ratioTolerance
        func ratio(_ c: Double, _ h: Double) -> String { "×" + NumberFormat.fixed(c / h, decimals: 2) }
        var held: [String] = [], cancelling: [String] = [], moved: [String] = []
        for op in Operation.allCases {
            let h = hand.instructionCycles(hand.mix(op)), c = counted.instructionCycles(counted.mix(op))
            guard tolerance.accepts(observed: c, expected: h) else {
                moved.append("\(op.rawValue) \(ratio(c, h))")
                continue
            }
            let ownH = hand.directCycles(hand.mix(op)), ownC = counted.directCycles(counted.mix(op))
            let libmH = h - ownH, libmC = c - ownC
            if tolerance.accepts(observed: ownC, expected: ownH), libmH == 0 || tolerance.accepts(observed: libmC, expected: libmH) {
                held.append("\(op.rawValue) \(ratio(c, h))")
            } else {
                cancelling.append("\(op.rawValue) \(ratio(c, h)) (its own code \(ratio(ownC, ownH)), its libm calls \(ratio(libmC, libmH)))")
            }
        }
        let rows = HostCPUMixes.rowOperations.map { "\($0.rawValue) \(ratio(counted.cyclesPerRow($0), hand.cyclesPerRow($0)))" }
        func list(_ items: [String]) -> String { items.isEmpty ? "none" : items.joined(separator: "; ") }
        return """
            Instruction cycles per element, counted against hand. Within \(tolerance.summary), own code and libm \
            calls alike: \(list(held)). Within \(tolerance.summary) in total only, by errors that cancel: \
            \(list(cancelling)). Beyond \(tolerance.summary): \(list(moved)). The per-row work, spread over a \
            row's elements: \(list(rows)).
            """
    }

    /// How the hand estimate of one Fig. 14 category fares against the counted instructions.
    enum Verdict: String {
        case confirmed, coincidenceOwnCycles, coincidenceOthers, missedByOthers, fixedByCounting, missedRightCycles, missedWrongCycles

        init(handNear: Bool, countedNear: Bool, cyclesAgree: Bool) {
            switch (handNear, countedNear, cyclesAgree) {
            case (true, true, true): self = .confirmed
            case (true, _, false): self = .coincidenceOwnCycles
            case (true, false, true): self = .coincidenceOthers
            case (false, true, true): self = .missedByOthers
            case (false, true, false): self = .fixedByCounting
            case (false, false, true): self = .missedRightCycles
            case (false, false, false): self = .missedWrongCycles
            }
        }

        var isCoincidence: Bool { self == .coincidenceOwnCycles || self == .coincidenceOthers }

        var text: String {
            switch self {
            case .confirmed: "confirmed: cycles and share both hold"
            case .coincidenceOwnCycles: "coincidence: near the survey with its own cycles off"
            case .coincidenceOthers: "coincidence: right cycles, near the survey only while the others were mispriced"
            case .missedByOthers: "right cycles, missed only because the others were mispriced"
            case .fixedByCounting: "hand cycles off; counting brings it near the survey"
            case .missedRightCycles: "right cycles, missed under both mixes"
            case .missedWrongCycles: "cycles off, missed under both mixes"
            }
        }
    }

    static func fig14Left(_ s: GemminiCaseStudySettings, base: GemminiEncoderModel, handBase: GemminiEncoderModel,
                          figures: inout FigureSet) throws -> SectionOutput {
        let l = s.sequenceLength
        var left = Section("3.4.2 / Fig. 14 left: where the baseline's time goes (l = \(l))")
        left.prose("""
            One layer on the baseline: the matmuls from the Gemmini engine (Int32 outputs where the CPU consumes them), \
            everything else from the CPU model with the counted instruction mixes; the CPU and the array take turns. \
            The hand estimates' shares are drawn beside them. The survey reads its pie at l = 512.
            """)
        let leftChart = BarChart(title: "Fig. 14 left: baseline breakdown, survey vs this model (l = \(l))",
                                 categories: Self.left.map { names[$0.0]! },
                                 series: [BarSeries(name: "survey (Fig. 14, l = 512)", values: Self.left.map(\.1)),
                                          BarSeries(name: "hand mixes", values: Self.left.map { handBase.share($0.0) * 100 }),
                                          BarSeries(name: "counted mixes", values: Self.left.map { base.share($0.0) * 100 })],
                                 mode: .grouped, y: Axis(label: "% of layer time", min: 0))
        left.figure(figures.svg("06-fig14-left", try leftChart.svg()), caption: "Fig. 14 left against this model, with the hand and the counted instruction mixes.")
        let leftClaims = fig14LeftClaims(s, base: base)
        left.table(ClaimFormatting.table(leftClaims))
        try coincidences(s, base: base, handBase: handBase, into: &left)
        inverse(base: base, handBase: handBase, into: &left)
        left.takeaway("On the CNN-tuned Gemmini the array is almost idle: the CPU's float non-linear operations and the conversions around them take nearly all the time, with hand-estimated or counted instructions alike.")
        return SectionOutput(left, claims: leftClaims)
    }

    /// Fig. 14 left's shares, and §3.4.2's utilisation and 96%.
    static func fig14LeftClaims(_ s: GemminiCaseStudySettings, base: GemminiEncoderModel) -> [Claim] {
        let l = s.sequenceLength
        let pct = { (x: Double) in NumberFormat.percent(x, decimals: 1) }
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
        return leftClaims
    }

    /// Hand estimates against counted instructions: which of the hand shares near the survey's were coincidence.
    static func coincidences(_ s: GemminiCaseStudySettings, base: GemminiEncoderModel, handBase: GemminiEncoderModel,
                             into left: inout Section) throws {
        let l = s.sequenceLength
        let pct = { (x: Double) in NumberFormat.percent(x, decimals: 1) }
        left.subheading("Hand estimates against counted instructions: which shares were coincidence")
        let shareTolerance = GemminiCaseStudyChapter.shareTolerance, ratioTolerance = GemminiCaseStudyChapter.ratioTolerance
        left.prose("""
            A hand share near the survey's proves little if the hand cycles behind it were wrong. With the chapter's \
            bars, fixed before any comparison: a share is near the survey's within 5 percentage points, but \
            never more than half the survey's share, and the hand cycles of a category hold if the counted ones are within \
            \(ratioTolerance.summary) of them. A hand share near the survey's is a coincidence when its own cycles do \
            not hold, or when they hold but the counted share leaves the survey's band (it was near only while \
            other categories were mispriced).
            """)
        var verdicts: [(Category, Verdict, Double)] = []
        let verdictRows = Self.left.map { category, paper -> [String] in
            let handCycles = handBase.cycles[category] ?? 0, countedCycles = base.cycles[category] ?? 0
            let ratio = countedCycles / handCycles
            let verdict = Verdict(handNear: shareTolerance.accepts(observed: handBase.share(category) * 100, expected: paper),
                                  countedNear: shareTolerance.accepts(observed: base.share(category) * 100, expected: paper),
                                  cyclesAgree: ratioTolerance.accepts(observed: countedCycles, expected: handCycles))
            verdicts.append((category, verdict, ratio))
            return [names[category]!, "\(Int(paper))%", pct(handBase.share(category)), pct(base.share(category)),
                    NumberFormat.si(handCycles, decimals: 2), NumberFormat.si(countedCycles, decimals: 2),
                    NumberFormat.fixed(ratio, decimals: 2) + "×", verdict.text]
        }
        left.table(Table(columns: [.init("category"), .init("survey", alignment: .right), .init("hand share", alignment: .right),
                                   .init("counted share", alignment: .right), .init("hand cycles / layer", alignment: .right),
                                   .init("counted cycles / layer", alignment: .right), .init("counted ÷ hand", alignment: .right),
                                   .init("verdict on the hand share")],
                         rows: verdictRows,
                         caption: "Fig. 14 left under both mixes (l = \(l)); cycles with SI prefixes. The matmuls' cycles are the engine's under both."))
        func list(_ items: [(Category, Verdict, Double)]) -> String {
            items.isEmpty ? "none" : items.map { "\(names[$0.0]!) (cycles ×\(NumberFormat.fixed($0.2, decimals: 2)))" }.joined(separator: ", ")
        }
        let coincidences = verdicts.filter { $0.1.isCoincidence }
        let confirmed = verdicts.filter { $0.1 == .confirmed }
        let handNear = verdicts.filter { [.confirmed, .coincidenceOwnCycles, .coincidenceOthers].contains($0.1) }
        let countedNear = Self.left.filter { shareTolerance.accepts(observed: base.share($0.0) * 100, expected: $0.1) }
        let transformer = try GemminiCaseStudyChapter.layers(s, s.transformer, l)
        left.prose("""
            With the hand mixes \(handNear.count) of the \(Self.left.count) shares were near the survey's; with the \
            counted ones \(countedNear.count) are (\(countedNear.map { names[$0.0]! }.joined(separator: ", "))). \
            Of the hand shares near the survey's, coincidences: \(list(coincidences)); confirmed by counting: \
            \(list(confirmed)). Over the whole layer the array is busy \(pct(handBase.utilization)) of the time with \
            the hand mixes and \(pct(base.utilization)) with the counted ones, and the end-to-end speedup of \
            §3.4.4 (the Transformer variant over the baseline, whose time does not depend on the CPU) goes from \
            \(NumberFormat.fixed(handBase.totalCycles / transformer.totalCycles, decimals: 1))× to \
            \(NumberFormat.fixed(base.totalCycles / transformer.totalCycles, decimals: 1))×.
            """)
    }

    /// Inverse: what the survey's pie implies, given our matmul cycles. Fitted, not a claim.
    static func inverse(base: GemminiEncoderModel, handBase: GemminiEncoderModel, into left: inout Section) {
        left.subheading("What the survey's pie implies about its CPU (fitted, not a reproduction)")
        let impliedTotal = base.matmulCycles / 0.01
        let perCategoryElements: [Category: Double] = [
            .softmax: base.elements[.softmax]!, .layerNorm: base.elements[.layerNorm]!, .residualAdd: base.elements[.residualAdd]!,
            .gelu: base.elements[.gelu]!, .quantization: base.elements[.dequantize]! + base.elements[.quantize]!]
        let inverseRows = Self.left.filter { $0.0 != .matmul }.map { category, paper -> [String] in
            let n = perCategoryElements[category]!
            return [names[category]!, "\(Int(paper))%", NumberFormat.fixed(paper / 100 * impliedTotal / n, decimals: 0),
                    NumberFormat.fixed(handBase.cycles[category]! / n, decimals: 0),
                    NumberFormat.fixed(base.cycles[category]! / n, decimals: 0)]
        }
        left.table(Table(columns: [.init("category"), .init("survey share", alignment: .right),
                                   .init("implied CPU cycles / element", alignment: .right),
                                   .init("hand mixes", alignment: .right), .init("counted mixes", alignment: .right)], rows: inverseRows,
                         caption: "If the matmuls took the engine's \(NumberFormat.si(base.matmulCycles, decimals: 2)) cycles and were 1% of the time (Fig. 14 left), each category's label fixes its cycles per element (de/quantization per element of either pass). These are fitted to the survey's labels, so they reproduce nothing; they show what its CPU must have cost."))
    }
}
