import ChapterSupport
import Core
import Render
import Foundation

/// §5.5.1 (Fig. 18-20): EDP of uniformly sampled valid mappings, relative to the best sampled, per operator.
enum MapspaceStudySection {
    /// Statistics of one operator's sample.
    struct OperatorStudy: Sendable {
        var op: StudyOperator
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
    }

    /// The survey's Fig. 19 statistics: 10th-percentile relative EDP and the share within 3× of the best.
    static let figure19: [(key: String, label: String, p10: Double, within3x: Double)] = [
        ("resnet-conv5-3x3-512", "ResNet 3×3, 512", 7.44, 0.0158),
        ("resnet-conv5-1x1-2048", "ResNet 1×1, 2048", 12.06, 0.0262),
        ("bert-base-qkv", "BERT MHA", 9.42, 0.0170),
        ("bert-base-ffn-w1", "BERT FFN", 9.84, 0.0148),
    ]

    /// Tolerances chosen before the run: our sampler and cost model are not Timeloop's, so percentiles of random
    /// mappings can only be compared by order; a factor of 2 either way.
    static let statisticTolerance = Tolerance.factor(2)

    /// Why our Fig. 19 statistics sit about 2× (p10) to 2-5× (within-3× share) away from the survey's.
    static let samplingReason = "Our sampler is uniform over ordered factorisations of each dimension across four temporal levels and the array, a flatter space than Timeloop's Gemmini mapspace; few valid draws fill the whole array (the full-array column), so relative EDP at p10 sits about 2× above the survey's and fewer mappings land within 3× of the best. The long tail and the few-percent share near the best hold (fig18.*)."

    static let knownDeviations: [String: KnownDeviation] = [
        "fig19.p10.resnet-conv5-3x3-512": .modelDifference(samplingReason),
        "fig19.within3x.resnet-conv5-3x3-512": .modelDifference(samplingReason),
        "fig19.within3x.resnet-conv5-1x1-2048": .modelDifference(samplingReason),
        "fig19.p10.bert-base-qkv": .modelDifference(samplingReason),
        "fig19.within3x.bert-base-qkv": .modelDifference(samplingReason),
        "fig19.p10.bert-base-ffn-w1": .modelDifference(samplingReason),
        "fig19.within3x.bert-base-ffn-w1": .modelDifference(samplingReason),
    ]

    /// The q-quantile of sorted values (nearest rank).
    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        sorted[min(sorted.count - 1, max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1))]
    }

    static func study(_ op: StudyOperator, _ settings: SchedulingSettings, seed: UInt64) throws -> OperatorStudy {
        let arch = try MappingArchitecture(accelerator: settings.accelerator)
        let model = try MappingCostModel(op.problem, architecture: arch)
        let space = try Mapspace(model)
        var rng = SeededGenerator(seed: seed)
        let progress = settings.progress
        let sample = space.sample(settings.samples, maxDraws: max(1_000_000, 2_000 * settings.samples), using: &rng,
                                  progress: progress.map { p in { n in if n % 50_000 == 0 { p("  \(op.key): \(n) of \(settings.samples) mappings") } } })
        guard let best = sample.best, let bestCost = sample.bestCost, sample.edp.count == settings.samples else {
            throw ConfigurationError(field: "operators", message: "'\(op.key)': only \(sample.edp.count) valid mappings in \(sample.draws) draws; the memories are too small for it")
        }
        let relative = sample.edp.map { $0 / bestCost.edp }.sorted()
        return OperatorStudy(op: op, mapspaceSize: space.size, validFraction: sample.validFraction,
                             fullArrayShare: Double(sample.fullArray) / Double(sample.edp.count), relativeEDP: relative,
                             bestCost: bestCost, best: best, p10: quantile(relative, 0.1), p50: quantile(relative, 0.5),
                             within3x: Double(relative.filter { $0 <= 3 }.count) / Double(relative.count),
                             span: relative.last!)
    }

    /// 1001 quantiles: enough for a CDF drawing without 100K points per line.
    static func quantiles(_ sorted: [Double]) -> [Double] { (0...1000).map { quantile(sorted, Double($0) / 1000) } }

    static func build(_ settings: SchedulingSettings, figures: inout FigureSet) throws -> (Section, [Claim], [OperatorStudy]) {
        var s = Section("5.5.1 / Fig. 18-20: how EDP spreads over random mappings")
        let a = settings.accelerator
        s.prose("""
            For each operator we draw \(NumberFormat.grouped(settings.samples)) mappings uniformly from the \
            Gemmini-wired mapspace (rejection sampling: a point that does not fit the memories is redrawn, so the \
            accepted ones are uniform over the valid mappings), evaluate each with the closed-form model on \
            `\(a.name)` (\(a.meshRows)×\(a.meshColumns) \(a.dataflow.rawValue.uppercased()), \
            \(a.spCapacityBytes / 1024) KiB scratchpad, \(a.accCapacityBytes / 1024) KiB accumulator, INT8 operands \
            and 32-bit partial sums) and divide EDP by the best EDP the sample found. BERT at l = \
            \(settings.sequenceLength), seed \(settings.seed). Before the run we fixed the comparison with the \
            survey's Fig. 19 statistics at a factor of 2 either way: the survey used Timeloop's mapper and model, \
            whose random sampling and energy tables are not ours.
            """)
        let ops = try settings.operators()
        var studies: [OperatorStudy] = []
        for (i, op) in ops.enumerated() {
            settings.progress?("scheduling: sampling \(op.key) (\(i + 1) of \(ops.count))")
            studies.append(try study(op, settings, seed: settings.seed &+ UInt64(i) &* 0x9E37_79B9))
        }
        s.table(Table(columns: [.init("Operator", alignment: .left), .init("Shape", alignment: .left), .init("MACs", alignment: .right),
                                .init("|mapspace|", alignment: .right), .init("valid share", alignment: .right),
                                .init("full array", alignment: .right),
                                .init("best: cycles", alignment: .right), .init("best: µJ", alignment: .right),
                                .init("p10", alignment: .right), .init("median", alignment: .right),
                                .init("within 3×", alignment: .right), .init("worst / best", alignment: .right)],
                      rows: studies.map { st in
                          [st.op.problem.name, st.op.problem.shapeDescription, NumberFormat.si(Double(st.op.problem.macs), decimals: 1),
                           LoopNestSection.scientific(st.mapspaceSize), NumberFormat.percent(st.validFraction, decimals: 2),
                           NumberFormat.percent(st.fullArrayShare, decimals: 2),
                           NumberFormat.grouped(Int(st.bestCost.cycles)), NumberFormat.fixed(st.bestCost.energyPicojoules / 1e6, decimals: 1),
                           NumberFormat.fixed(st.p10, decimals: 2), NumberFormat.fixed(st.p50, decimals: 2),
                           NumberFormat.percent(st.within3x, decimals: 2), NumberFormat.significant(st.span, digits: 3)]
                      }, caption: "Relative EDP = EDP / best sampled EDP. Valid share: accepted draws over all draws. Full array: valid mappings whose spatial factors fill all \(a.meshRows)×\(a.meshColumns) PEs."))

        // Fig. 18: histograms per family.
        func series(_ family: String) -> [(name: String, values: [Double])] {
            studies.filter { $0.op.family == family }.map { (name: $0.op.shortName, values: $0.relativeEDP) }
        }
        let span = studies.map(\.span).max() ?? 10
        let axisMax = pow10Ceiling(span)
        for (family, key) in [("BERT", "bert"), ("ResNet-50", "resnet")] where !series(family).isEmpty {
            let h = Histogram(title: "Fig. 18 (\(family)): EDP of \(NumberFormat.grouped(settings.samples)) random valid mappings",
                              series: series(family), bins: 40, x: Axis(label: "EDP relative to the best sampled", scale: .log10, min: 1, max: axisMax),
                              yLabel: "mappings", panels: true)
            s.figure(figures.svg("04-fig18-\(key)", try h.svg()), caption: "Fig. 18 (\(family)): histograms of relative EDP on a log axis, one panel per operator on a shared count scale.")
        }
        // Fig. 19: CDFs of the survey's four operators (those present).
        let cdfStudies = figure19.compactMap { f in studies.first { $0.op.key == f.key }.map { (f.label, $0) } }
        if !cdfStudies.isEmpty {
            let cdf = CDFChart(title: "Fig. 19: cumulative share of mappings by relative EDP",
                               series: cdfStudies.map { (name: $0.0, values: quantiles($0.1.relativeEDP)) },
                               x: Axis(label: "EDP relative to the best sampled", scale: .log10, min: 1, max: axisMax),
                               markers: [(x: 3, label: "3× best")])
            s.figure(figures.svg("04-fig19-cdf", try cdf.svg()), caption: "Fig. 19: CDFs (1001 quantiles of each sample); the marker is 3× the best.")
        }
        // Fig. 20: equal MACs.
        let equal = studies.filter { $0.op.family == "equal-MAC" || $0.op.key == "resnet-conv1" }
        if equal.count > 1 {
            let h = Histogram(title: "Fig. 20: operators with (nominally) equal MAC counts",
                              series: equal.map { (name: $0.op.shortName, values: $0.relativeEDP) }, bins: 40,
                              x: Axis(label: "EDP relative to the best sampled", scale: .log10, min: 1, max: axisMax), yLabel: "mappings",
                              panels: true)
            s.figure(figures.svg("04-fig20-equal-macs", try h.svg()), caption: "Fig. 20: BERT matmuls resized to the survey's equal-MAC shapes against ResNet-50 conv1.")
        }

        var claims: [Claim] = []
        for f in figure19 {
            guard let st = studies.first(where: { $0.op.key == f.key }) else { continue }
            let idP = "fig19.p10.\(f.key)", idS = "fig19.within3x.\(f.key)"
            claims.append(.number(id: idP, reference: "Fig. 19", statement: "\(f.label): 10th-percentile EDP relative to the best",
                                  paper: f.p10, observed: st.p10, tolerance: statisticTolerance, knownDeviation: knownDeviations[idP]))
            claims.append(.number(id: idS, reference: "Fig. 19", statement: "\(f.label): share of mappings within 3× of the best EDP",
                                  paper: f.within3x, observed: st.within3x, tolerance: statisticTolerance, knownDeviation: knownDeviations[idS]))
        }
        let bert = studies.filter { $0.op.family == "BERT" }, resnet = studies.filter { $0.op.family == "ResNet-50" }
        if !bert.isEmpty && !resnet.isEmpty {
            let spans = (bert + resnet).map { log10($0.span) }
            let minSpan = spans.min()!, maxSpan = spans.max()!
            claims.append(.statement(id: "fig18.span", reference: "Fig. 18, §1", statement: "Worst over best sampled EDP spans about four orders of magnitude (log10 between 3 and 5 for every operator)",
                                     expected: "10^3-10^5", observed: "10^\(NumberFormat.fixed(minSpan, decimals: 1))-10^\(NumberFormat.fixed(maxSpan, decimals: 1))",
                                     holds: minSpan >= 3 && maxSpan <= 5, knownDeviation: knownDeviations["fig18.span"]))
            func median(_ xs: [Double]) -> Double { let s = xs.sorted(); return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2 }
            let bertP10 = median(bert.map(\.p10)), resnetP10 = median(resnet.map(\.p10))
            let bertShare = median(bert.map(\.within3x)), resnetShare = median(resnet.map(\.within3x))
            let ratioP10 = bertP10 / resnetP10, ratioShare = bertShare / resnetShare
            claims.append(.statement(id: "fig18.bert-as-hard-as-resnet", reference: "§5.5.1",
                                     statement: "BERT matmuls are as hard to schedule as ResNet-50 convolutions: medians of p10 and of the within-3× share agree within a factor of 2",
                                     expected: "ratios in [0.5, 2]", observed: "p10 \(NumberFormat.fixed(ratioP10, decimals: 2)), within-3× \(NumberFormat.fixed(ratioShare, decimals: 2))",
                                     holds: (0.5...2).contains(ratioP10) && (0.5...2).contains(ratioShare),
                                     knownDeviation: knownDeviations["fig18.bert-as-hard-as-resnet"]))
        }
        if let conv1 = studies.first(where: { $0.op.key == "resnet-conv1" }) {
            let equalOps = studies.filter { $0.op.family == "equal-MAC" }
            if !equalOps.isEmpty {
                let conv1Span = log10(conv1.span)
                let worst = equalOps.map { abs(log10($0.span) - conv1Span) }.max()!
                claims.append(.statement(id: "fig20.equal-mac-ranges", reference: "Fig. 20", statement: "Equal-MAC BERT matmuls: EDP ranges similar to conv1's (log10 span within 1 of conv1's)",
                                         expected: "|Δ log10 span| ≤ 1", observed: NumberFormat.fixed(worst, decimals: 2), holds: worst <= 1,
                                         knownDeviation: knownDeviations["fig20.equal-mac-ranges"]))
                let ratio = Double(conv1.op.problem.macs) / Double(equalOps[0].op.problem.macs)
                claims.append(.number(id: "fig20.mac-count", reference: "Fig. 20", statement: "The 240×240×512 matmul has conv1's MAC count (conv1 / matmul)",
                                      paper: 1, observed: ratio, tolerance: .relative(0.01),
                                      note: "conv1 with 112×112 outputs has \(NumberFormat.grouped(conv1.op.problem.macs)) MACs; 240·240·512 = \(NumberFormat.grouped(equalOps[0].op.problem.macs)) equals a conv1 with 56×56 outputs (29,503,488 MACs) within 0.04%.",
                                      knownDeviation: .paperError("The survey's equal-MAC shapes match conv1 with 56×56 outputs, a quarter of ResNet-50's 112×112 conv1; we keep the survey's shapes and note the mismatch.")))
            }
        }
        s.table(ClaimFormatting.table(claims))
        s.takeaway("Most random mappings are far from the best: only a few percent land within 3× of it, and the worst are thousands of times worse, for BERT's three-loop matmuls as much as for convolutions.")
        return (s, claims, studies)
    }

    static func pow10Ceiling(_ x: Double) -> Double {
        var p = 10.0
        while p < x { p *= 10 }
        return p
    }
}
