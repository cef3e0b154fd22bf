import ChapterSupport
import Core
import Render
import Foundation

/// §5.5.1 (Fig. 18-20): EDP of uniformly sampled valid mappings, relative to the best sampled, per operator, in two
/// mapspaces: the survey-like one (Gemmini's own Timeloop constraints, ``MapspaceConstraints/gemminiTimeloop(meshRows:meshColumns:)``)
/// and the unconstrained one (every factorisation and loop order the array's wiring allows).
enum MapspaceStudySection {
    /// The two spaces the study samples.
    enum Space: String, Sendable, CaseIterable {
        case constrained, unconstrained
        var label: String { self == .constrained ? "Gemmini's Timeloop constraints" : "unconstrained" }
        var figureSuffix: String { self == .constrained ? "" : "-unconstrained" }
        /// For figure titles, which must fit the canvas.
        var shortLabel: String { self == .constrained ? "Timeloop constraints" : "unconstrained" }

        /// What the space is on `a`: without Gemmini's constraints (any dataflow but WS) the "constrained" run samples
        /// the unconstrained space a second time, and says so.
        func label(on a: Accelerator, short: Bool = false) -> String {
            guard self == .constrained, MapspaceStudySection.surveyConstraints(a) == .none else { return short ? shortLabel : label }
            return short ? "unconstrained, 2nd sample" : "unconstrained, second sample (no survey-like space in \(a.dataflow.rawValue.uppercased()))"
        }
    }

    /// Statistics of one operator's sample in one space.
    struct OperatorStudy: Sendable {
        var op: StudyOperator
        var space: Space
        var mapspaceSize: Double
        var validFraction: Double
        /// Share of the valid mappings that use every PE.
        var fullArrayShare: Double
        var relativeEDP: [Double]
        var bestCost: MappingCost
        var best: Mapping
        var p10: Double
        var p50: Double
        var within3x: Double
        var span: Double
        /// The same two statistics for delay alone (cycles / best cycles) and energy alone (pJ / best pJ).
        var delay: (p10: Double, within3x: Double)
        var energy: (p10: Double, within3x: Double)
    }

    /// The survey's Fig. 19 statistics: 10th-percentile relative EDP and the share within 3× of the best.
    static let figure19: [(key: String, label: String, p10: Double, within3x: Double)] = [
        ("resnet-conv5-3x3-512", "ResNet 3×3, 512", 7.44, 0.0158),
        ("resnet-conv5-1x1-2048", "ResNet 1×1, 2048", 12.06, 0.0262),
        ("bert-base-qkv", "BERT MHA", 9.42, 0.0170),
        ("bert-base-ffn-w1", "BERT FFN", 9.84, 0.0148),
    ]

    /// Tolerances chosen before the run: our cost model and energy table are not Timeloop's and Accelergy's, so
    /// percentiles of random mappings can only be compared by order; a factor of 2 either way.
    static let statisticTolerance = Tolerance.factor(2)

    static let knownDeviations: [String: KnownDeviation] = MapspaceStudyDeviations.table

    /// The survey-like constraints for the study's accelerator: Gemmini's Timeloop file is weight-stationary, so an
    /// output-stationary run (`--dataflow os`) has no survey-like space and samples the unconstrained one twice.
    static func surveyConstraints(_ a: Accelerator) -> MapspaceConstraints {
        a.dataflow == .weightStationary ? .gemminiTimeloop(meshRows: a.meshRows, meshColumns: a.meshColumns) : .none
    }

    /// The q-quantile of sorted values (nearest rank).
    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        sorted[min(sorted.count - 1, max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1))]
    }

    /// p10 and the within-3× share of `values` relative to their minimum.
    static func statistics(_ values: [Double]) -> (p10: Double, within3x: Double) {
        let best = values.min() ?? 1
        let relative = values.map { $0 / best }.sorted()
        return (quantile(relative, 0.1), Double(relative.filter { $0 <= 3 }.count) / Double(max(1, relative.count)))
    }

    static func study(_ op: StudyOperator, _ space: Space, _ settings: SchedulingSettings, seed: UInt64,
                      energy: MappingEnergyTable? = nil) throws -> OperatorStudy {
        let arch = try energy.map { try MappingArchitecture(accelerator: settings.accelerator, energy: $0) }
            ?? MappingArchitecture(accelerator: settings.accelerator)
        let model = try MappingCostModel(op.problem, architecture: arch)
        let mapspace = try Mapspace(model, constraints: space == .constrained ? surveyConstraints(settings.accelerator) : .none)
        var rng = SeededGenerator(seed: seed)
        let progress = settings.progress
        let sample = mapspace.sample(settings.samples, maxDraws: max(1_000_000, 2_000 * settings.samples), using: &rng,
                                     progress: progress.map { p in { n in if n % 50_000 == 0 { p("  \(op.key) (\(space.rawValue)): \(n) of \(settings.samples) mappings") } } })
        guard let best = sample.best, let bestCost = sample.bestCost, sample.edp.count == settings.samples else {
            throw ConfigurationError(field: "operators", message: "'\(op.key)': only \(sample.edp.count) valid mappings in \(sample.draws) draws of the \(space.rawValue) space; the memories are too small for it")
        }
        let relative = sample.edp.map { $0 / bestCost.edp }.sorted()
        return OperatorStudy(op: op, space: space, mapspaceSize: mapspace.size, validFraction: sample.validFraction,
                             fullArrayShare: Double(sample.fullArray) / Double(sample.edp.count), relativeEDP: relative,
                             bestCost: bestCost, best: best, p10: quantile(relative, 0.1), p50: quantile(relative, 0.5),
                             within3x: Double(relative.filter { $0 <= 3 }.count) / Double(relative.count),
                             span: relative.last!, delay: statistics(sample.cycles), energy: statistics(sample.energy))
    }

    /// 1001 quantiles: enough for a CDF drawing without 100K points per line.
    static func quantiles(_ sorted: [Double]) -> [Double] { (0...1000).map { quantile(sorted, Double($0) / 1000) } }

    /// Samples every operator in both spaces: (survey-like studies, unconstrained studies).
    static func run(_ settings: SchedulingSettings) throws -> ([OperatorStudy], [OperatorStudy]) {
        let ops = try settings.operators()
        var out: [Space: [OperatorStudy]] = [:]
        for space in Space.allCases {
            for (i, op) in ops.enumerated() {
                settings.progress?("scheduling: sampling \(op.key), \(space.label) (\(i + 1) of \(ops.count))")
                let seed = settings.seed &+ UInt64(i) &* 0x9E37_79B9 &+ (space == .constrained ? 0 : 0x5851_F42D)
                out[space, default: []].append(try study(op, space, settings, seed: seed))
            }
        }
        return (out[.constrained] ?? [], out[.unconstrained] ?? [])
    }

    static func build(_ settings: SchedulingSettings, figures: inout FigureSet) throws -> (Section, [Claim], [OperatorStudy], [OperatorStudy]) {
        var s = Section("5.5.1 / Fig. 18-20: how EDP spreads over random mappings")
        let a = settings.accelerator
        let survey = surveyConstraints(a)
        s.prose("""
            For each operator we draw \(NumberFormat.grouped(settings.samples)) mappings uniformly from a mapspace, \
            by index as Timeloop's random search does (one index into each dimension's factorisations, one into each \
            free level's loop orders; a point that does not fit the memories is redrawn, so the accepted ones are \
            uniform over the valid mappings), evaluate each with the closed-form model on `\(a.name)` \
            (\(a.meshRows)×\(a.meshColumns) \(a.dataflow.rawValue.uppercased()), \(a.spCapacityBytes / 1024) KiB \
            scratchpad, \(a.accCapacityBytes / 1024) KiB accumulator, INT8 operands, 32-bit partial sums, per-word \
            energies) and divide EDP by the best EDP the sample found. BERT at l = \(settings.sequenceLength), seed \
            \(settings.seed). Two spaces: **\(Space.constrained.label)** (\(survey.source); the survey used Timeloop's \
            mapper on Gemmini): only C on the array's rows and K on its columns, at most the array's side each, no \
            loops at the registers, the loop orders at the accumulator and at DRAM pinned; and the **unconstrained** \
            space of the same wiring, with any factorisation over all six slots and any loop order at each of the four \
            temporal levels. Before the run we fixed the comparison with the survey's Fig. 19 statistics at a factor \
            of 2 either way; the claims use the survey-like space.
            """ + (survey == .none ? " With this dataflow Gemmini's file does not apply: both rows sample the unconstrained space." : ""))
        let (constrained, unconstrained) = try run(settings)
        s.table(statisticsTable(constrained + unconstrained, a))
        try drawFigures(&s, constrained, settings, figures: &figures, space: .constrained)
        try drawFigures(&s, unconstrained, settings, figures: &figures, space: .unconstrained)
        try spreadTable(&s, constrained, settings)
        let claims = MapspaceStudyClaims.claims(constrained, knownDeviations: knownDeviations)
        s.table(ClaimFormatting.table(claims))
        s.takeaway("Most random mappings are far from the best, in both spaces: Gemmini's constraints shrink the space by five to fifteen orders of magnitude and move the distribution towards the best (compare the two CDFs), yet a few percent at most land within 3× of it, mostly because few draws fill the array, and the worst are thousands of times worse, for BERT's three-loop matmuls as much as for convolutions.")
        return (s, claims, constrained, unconstrained)
    }

    static func statisticsTable(_ studies: [OperatorStudy], _ a: Accelerator) -> Table {
        Table(columns: [.init("Operator", alignment: .left), .init("Space", alignment: .left), .init("MACs", alignment: .right),
                        .init("|mapspace|", alignment: .right), .init("valid share", alignment: .right),
                        .init("full array", alignment: .right),
                        .init("best: cycles", alignment: .right), .init("best: µJ", alignment: .right),
                        .init("p10", alignment: .right), .init("median", alignment: .right),
                        .init("within 3×", alignment: .right), .init("worst / best", alignment: .right)],
              rows: studies.map { st in
                  [st.op.problem.name, st.space == .constrained ? st.space.label(on: a, short: true) : "unconstrained",
                   NumberFormat.si(Double(st.op.problem.macs), decimals: 1),
                   LoopNestSection.scientific(st.mapspaceSize), NumberFormat.percent(st.validFraction, decimals: 2),
                   NumberFormat.percent(st.fullArrayShare, decimals: 2),
                   NumberFormat.grouped(Int(st.bestCost.cycles)), NumberFormat.fixed(st.bestCost.energyPicojoules / 1e6, decimals: 1),
                   NumberFormat.fixed(st.p10, decimals: 2), NumberFormat.fixed(st.p50, decimals: 2),
                   NumberFormat.percent(st.within3x, decimals: 2), NumberFormat.significant(st.span, digits: 3)]
              }, caption: "Relative EDP = EDP / best sampled EDP in the same space. Valid share: accepted draws over all draws. Full array: valid mappings whose spatial factors fill all \(a.meshRows)×\(a.meshColumns) PEs. Shape of each operator: chapter 4's operator list (`scheduling --help`).")
    }

    /// Fig. 18 per family, Fig. 19's CDFs and Fig. 20, for one space (the unconstrained files end in `-unconstrained`).
    static func drawFigures(_ s: inout Section, _ studies: [OperatorStudy], _ settings: SchedulingSettings,
                            figures: inout FigureSet, space: Space) throws {
        let axisMax = pow10Ceiling(studies.map(\.span).max() ?? 10)
        let x = Axis(label: "EDP relative to the best sampled", scale: .log10, min: 1, max: axisMax)
        let n = NumberFormat.grouped(settings.samples), suffix = space.figureSuffix, label = space.label(on: settings.accelerator), short = space.label(on: settings.accelerator, short: true)
        s.subheading("Fig. 18-20, \(label)")
        for (family, key) in [("BERT", "bert"), ("ResNet-50", "resnet")] {
            let series = studies.filter { $0.op.family == family }.map { (name: $0.op.shortName, values: $0.relativeEDP) }
            guard !series.isEmpty else { continue }
            let h = Histogram(title: "Fig. 18 (\(family), \(short)): EDP of \(n) random valid mappings",
                              series: series, bins: 40, x: x, yLabel: "mappings", panels: true)
            s.figure(figures.svg("04-fig18-\(key)\(suffix)", try h.svg()), caption: "Fig. 18 (\(family), \(label)): histograms of relative EDP on a log axis, one panel per operator on a shared count scale.")
        }
        let cdfStudies = figure19.compactMap { f in studies.first { $0.op.key == f.key }.map { (f.label, $0) } }
        if !cdfStudies.isEmpty {
            let cdf = CDFChart(title: "Fig. 19 (\(short)): cumulative share of mappings by relative EDP",
                               series: cdfStudies.map { (name: $0.0, values: quantiles($0.1.relativeEDP)) }, x: x,
                               markers: [(x: 3, label: "3× best")])
            s.figure(figures.svg("04-fig19-cdf\(suffix)", try cdf.svg()), caption: "Fig. 19 (\(label)): CDFs (1001 quantiles of each sample); the marker is 3× the best.")
        }
        let equal = studies.filter { $0.op.family == "equal-MAC" || $0.op.key == "resnet-conv1" }
        if equal.count > 1 {
            let h = Histogram(title: "Fig. 20 (\(short)): operators with (nominally) equal MAC counts",
                              series: equal.map { (name: $0.op.shortName, values: $0.relativeEDP) }, bins: 40, x: x,
                              yLabel: "mappings", panels: true)
            s.figure(figures.svg("04-fig20-equal-macs\(suffix)", try h.svg()), caption: "Fig. 20 (\(label)): BERT matmuls resized to the survey's equal-MAC shapes against ResNet-50 conv1.")
        }
    }

    /// What spreads EDP in the survey-like space: Fig. 19's statistics for delay alone, energy alone, and EDP with
    /// ZigZag's energy table instead of ours (same seeds, so the same mappings are drawn).
    static func spreadTable(_ s: inout Section, _ studies: [OperatorStudy], _ settings: SchedulingSettings) throws {
        let zigZag = try PeerSection.readZigZag().table
        let ops = try settings.operators()
        var rows: [[String]] = []
        for f in figure19 {
            guard let st = studies.first(where: { $0.op.key == f.key }), let i = ops.firstIndex(where: { $0.key == f.key }) else { continue }
            let z = try study(st.op, .constrained, settings, seed: settings.seed &+ UInt64(i) &* 0x9E37_79B9, energy: zigZag)
            func pair(_ p10: Double, _ share: Double) -> [String] { [NumberFormat.fixed(p10, decimals: 2), NumberFormat.percent(share, decimals: 2)] }
            rows.append([f.label] + pair(f.p10, f.within3x) + pair(st.p10, st.within3x) + pair(st.delay.p10, st.delay.within3x)
                        + pair(st.energy.p10, st.energy.within3x) + pair(z.p10, z.within3x))
        }
        guard !rows.isEmpty else { return }
        s.prose("What shapes Fig. 19's two statistics in the survey-like space: the same samples ranked by delay alone and by energy alone, and the same draws priced with ZigZag's energy table (`data/peers/zigzag-energy.yaml`) instead of ours.")
        s.table(Table(columns: [.init("Operator", alignment: .left), .init("survey p10", alignment: .right), .init("survey ≤3×", alignment: .right),
                                .init("EDP p10", alignment: .right), .init("EDP ≤3×", alignment: .right),
                                .init("delay p10", alignment: .right), .init("delay ≤3×", alignment: .right),
                                .init("energy p10", alignment: .right), .init("energy ≤3×", alignment: .right),
                                .init("EDP, ZigZag's table: p10", alignment: .right), .init("≤3×", alignment: .right)],
                      rows: rows, caption: "Relative to the best of each sample; ≤3×: share of mappings within 3× of it. Gemmini's Timeloop constraints, \(NumberFormat.grouped(settings.samples)) valid mappings each."))
    }

    static func pow10Ceiling(_ x: Double) -> Double {
        var p = 10.0
        while p < x { p *= 10 }
        return p
    }
}
