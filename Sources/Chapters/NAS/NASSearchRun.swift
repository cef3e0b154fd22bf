import ChapterSupport
import Core
import Dispatch
import Foundation
import Render

/// Where the search's perplexities come from: measured by running every sub-network of the trained supernet on
/// the validation windows (the default), or read back from the record that a measured run wrote
/// (`data/nas/search-record.tsv`; the debug-build tests use it, since measuring ~800 sub-networks takes about a
/// minute in release and far longer in debug).
public enum PerplexitySource: Sendable {
    case measure
    case recorded([NASArchitecture: Double])
}

/// The search and the report use perplexities rounded to this many decimals: the record keeps 4 decimals, and a
/// run that reads the record (the debug-build tests) must make every choice the measuring run made. (The
/// measured values themselves are the same bits on every CPU: ``SupernetEvaluator``.)
let perplexityDecimals = 4

func roundedPerplexity(_ x: Double) -> Double {
    let scale = 10_000.0
    return (x * scale).rounded() / scale
}

/// One evaluated architecture: the scaled sub-network that was run, its full-width twin that was priced.
public struct NASEvaluated: Sendable, Hashable {
    public var architecture: NASArchitecture
    public var fullWidth: NASArchitecture
    public var perplexity: Double
    public var cost: NASHardwareCost.Cost
}

/// The chapter's experiment: the search over the scaled space with measured perplexity and full-width EDP.
public struct NASRun: Sendable {
    public var space: NASSearchSpace
    public var hardware: NASHardwareCost
    public var result: EvolutionResult
    /// Every evaluated architecture, in evaluation order.
    public var evaluated: [NASEvaluated]
    public var baseline: NASEvaluated
    public var smallest: NASEvaluated

    public static func run(_ s: NASSettings, inputs: NASInputs, source: PerplexitySource) throws -> NASRun {
        let space = try s.training.space()
        let divisor = s.training.widthDivisor
        let hardware = try NASHardwareCost(space: .survey, sequenceLength: s.hardwareSequenceLength)
        let net = inputs.checkpoint.supernet
        let validation = inputs.corpus.validation
        var order: [NASEvaluated] = []
        var costs: [NASArchitecture: NASHardwareCost.Cost] = [:]
        // Each generation's new architectures are measured together, in parallel over the evaluator's threads.
        let evaluator: SupernetEvaluator?
        if case .measure = source { evaluator = SupernetEvaluator(net, threads: s.evaluationThreads) } else { evaluator = nil }
        func perplexities(_ batch: [NASArchitecture]) throws -> [Double] {
            switch source {
            case .measure:
                return try evaluator!.perplexities(batch, on: validation, maxWindows: s.validationWindows).map(roundedPerplexity)
            case let .recorded(table):
                return try batch.map { a in
                    guard let v = table[a] else {
                        throw ConfigurationError(field: "search-record", message: "\(a) is not in \(NASRecord.path); "
                            + "the record was made with other settings (measure in release: `nas`)")
                    }
                    return v
                }
            }
        }
        func cost(_ a: NASArchitecture) throws -> NASHardwareCost.Cost {
            if let c = costs[a] { return c }
            let c = try hardware.cost(NASHardwareCost.fullWidth(a, widthDivisor: divisor))
            costs[a] = c
            return c
        }
        let search = try EvolutionarySearch(space: space, settings: s.evolution)
        let start = DispatchTime.now().uptimeNanoseconds
        var generation = 0
        let result = try search.run(perplexities: { batch in
            let values = try perplexities(batch)
            if let progress = s.progress {
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                progress("nas: generation \(generation) of \(s.evolution.iterations): \(batch.count) new architectures measured, "
                    + "\(order.count + batch.count) in all, \(NumberFormat.fixed(seconds, decimals: 1)) s")
            }
            generation += 1
            for (a, p) in zip(batch, values) {
                order.append(NASEvaluated(architecture: a, fullWidth: NASHardwareCost.fullWidth(a, widthDivisor: divisor),
                                          perplexity: p, cost: try cost(a)))
            }
            return values
        }, cost: { a in try cost(a).edp })
        let baseline = order.first { $0.architecture == space.largest }!
        let smallest = order.first { $0.architecture == space.smallest }!
        return NASRun(space: space, hardware: hardware, result: result, evaluated: order, baseline: baseline,
                      smallest: smallest)
    }

    /// A perplexity budget: the survey's absolute loss (+0.1, +1 on WikiText-2) and what it is as a fraction of
    /// the survey's baseline perplexity, which is how we carry it to our byte-level scale.
    /// Each carries the survey's gains within it, the paper values of its claims.
    public struct Budget: Sendable, Hashable {
        public var label: String
        /// The budget in claim ids: `gain.edp.0.1`.
        public var idKey: String
        public var surveyPoints: Double
        /// The survey's latency, energy and EDP gains within this budget (§6.4.2, Figs. 25-26) [V].
        public var surveyGains: SurveyGains
        public var relative: Double { surveyPoints / NASChapter.surveyBaselinePerplexity }
    }

    /// Latency, energy and EDP gains as the survey prints them.
    public struct SurveyGains: Sendable, Hashable {
        public var latency: Double, energy: Double, edp: Double
    }

    public static let budgets = [
        Budget(label: "+0.1", idKey: "0.1", surveyPoints: 0.1, surveyGains: SurveyGains(latency: 1.4, energy: 1.6, edp: 2.2)),
        Budget(label: "+1", idKey: "1", surveyPoints: 1, surveyGains: SurveyGains(latency: 2.4, energy: 4.4, edp: 10.6)),
    ]

    /// The best architectures within a budget, per metric.
    public struct Gains: Sendable {
        public var budget: Budget
        public var threshold: Double
        public var candidates: Int
        public var lowestLatency: NASEvaluated
        public var lowestEnergy: NASEvaluated
        public var lowestEDP: NASEvaluated
        public var latency: Double, energy: Double, edp: Double
    }

    /// Perplexity at most baseline · (1 + relative) (or baseline + `absolute` when given).
    public func gains(_ b: Budget, absolute: Bool = false) -> Gains {
        let threshold = absolute ? baseline.perplexity + b.surveyPoints : baseline.perplexity * (1 + b.relative)
        let within = evaluated.filter { $0.perplexity <= threshold }     // the baseline is always within
        func best(_ key: (NASEvaluated) -> Double) -> NASEvaluated {
            within.min { (key($0), $0.architecture.description) < (key($1), $1.architecture.description) }!
        }
        let lat = best { $0.cost.cycles }, en = best { $0.cost.picojoules }, edp = best { $0.cost.edp }
        return Gains(budget: b, threshold: threshold, candidates: within.count, lowestLatency: lat, lowestEnergy: en,
                     lowestEDP: edp, latency: baseline.cost.cycles / lat.cost.cycles,
                     energy: baseline.cost.picojoules / en.cost.picojoules, edp: baseline.cost.edp / edp.cost.edp)
    }

    /// The lowest-EDP architecture within `threshold` read off the search's Pareto front (the front is sorted by
    /// perplexity with EDP falling, so it is the last member within the threshold): a second derivation of
    /// ``gains(_:absolute:)``'s scan over every evaluated architecture.
    public func frontPick(threshold: Double) -> NASCandidate? {
        result.front.last { $0.perplexity <= threshold }
    }
}

/// The search's measured perplexities, one line per evaluated architecture in evaluation order:
/// `perplexity<TAB>N=… d=… h=[…] f=[…]`.
public enum NASRecord {
    public static let path = "data/nas/search-record.tsv"

    public static func text(_ run: NASRun) -> String {
        "# perplexity\tarchitecture (scaled; written by `nas`, read by the debug-build tests)\n"
            + run.evaluated.map { NumberFormat.fixed($0.perplexity, decimals: perplexityDecimals) + "\t" + $0.architecture.description + "\n" }.joined()
    }

    public static func parse(_ text: String) throws -> [NASArchitecture: Double] {
        var table: [NASArchitecture: Double] = [:]
        for line in DataLines.split(text) where !line.text.hasPrefix("#") && !line.text.isEmpty {
            let parts = line.text.split(separator: "\t")
            guard parts.count == 2, let p = Double(parts[0]), let a = NASArchitecture(parsing: String(parts[1])) else {
                throw ConfigurationError(field: "search-record", message: "line \(line.number) of \(path) is malformed")
            }
            table[a] = p
        }
        return table
    }
}
