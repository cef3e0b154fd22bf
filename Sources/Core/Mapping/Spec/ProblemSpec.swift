/// A problem read from YAML in Timeloop's v0.4 format (the 7-loop `CNN_Layer` shape; a GEMM M×N×K is P = M,
/// M (output channels) = N, C = K):
///
/// ```yaml
/// problem:
///   version: 0.4
///   shape: {name: CNN_Layer}
///   instance: {C: 768, M: 3072, P: 512}     # N, Q, R, S default to 1; Hstride = Wstride (default 1)
///   name: BERT-Base FFN W1                  # ours: the label the report prints
/// ```
/// Output channels may be written `M` (Timeloop's CNN_Layer) or `K` (Gemmini's mapspace file). Operand widths
/// come from the architecture: the scratchpad's `datawidth` for inputs, weights and final outputs, the accumulator's
/// for partial sums.
public enum ProblemSpec {
    static let dimensionKeys = ["N", "M", "K", "C", "P", "Q", "R", "S"]

    public static func read(yaml: String, file: String, architecture a: MappingArchitecture) throws(MappingSpecError) -> MappingProblem {
        try located(yaml: yaml, file: file, architecture: a).0
    }

    /// The problem and where each dimension's size was written.
    static func located(yaml: String, file: String, architecture a: MappingArchitecture) throws(MappingSpecError) -> (MappingProblem, [LoopDimension: SpecLocation]) {
        let root = try SpecNode.parse(yaml, file: file, root: "problem").mapping(allowed: ["problem"], required: ["problem"])
        let top = try root["problem"]!.mapping(allowed: ["version", "shape", "instance", "name"], required: ["version", "instance"])
        try top["version"]!.version()
        if let shape = top["shape"] {
            let name = try shape.mapping(allowed: ["name"], required: ["name"])["name"]!
            guard try name.string() == "CNN_Layer" else { throw name.error("only the CNN_Layer shape (7 loops) is supported") }
        }
        let instance = top["instance"]!
        let entries = try instance.mapping(allowed: dimensionKeys + ["Hstride", "Wstride", "Hdilation", "Wdilation"])
        if entries["M"] != nil, let k = entries["K"] { throw k.error("give output channels once, as M or as K") }
        var sizes = [Int](repeating: 1, count: LoopDimension.count)
        var nodes: [LoopDimension: SpecLocation] = [:]
        for key in dimensionKeys {
            guard let n = entries[key], let d = LoopDimension(letter: Character(key)) else { continue }
            sizes[d.rawValue] = try n.int(in: 1...(1 << 20))
            nodes[d] = n.location
        }
        let hStride = try entries["Hstride"]?.int(in: 1...16) ?? 1, wStride = try entries["Wstride"]?.int(in: 1...16) ?? 1
        guard hStride == wStride else { throw (entries["Wstride"] ?? instance).error("Hstride \(hStride) and Wstride \(wStride) differ; the model has one stride") }
        for key in ["Hdilation", "Wdilation"] {
            if let n = entries[key], try n.int(in: 1...64) != 1 { throw n.error("dilation is not modelled; give 1") }
        }
        let gemmLike = sizes[LoopDimension.r.rawValue] == 1 && sizes[LoopDimension.s.rawValue] == 1 && sizes[LoopDimension.q.rawValue] == 1
            && sizes[LoopDimension.n.rawValue] == 1 && hStride == 1
        let name = try top["name"]?.string() ?? file
        let p = MappingProblem(name: name, kind: gemmLike ? .gemm : .convolution, sizes: sizes, stride: hStride,
                               inputBits: a.accelerator.inputBits, weightBits: a.accelerator.inputBits,
                               partialSumBits: a.accelerator.accumulatorBits, outputBits: a.accelerator.inputBits)
        do { try p.validate() } catch { throw instance.error(error.description) }
        return (p, nodes)
    }
}

/// How the mapper searches, read from YAML in Timeloop's v0.4 format:
///
/// ```yaml
/// mapper:
///   version: 0.4
///   algorithm: random            # Timeloop's random search: draw by index, keep the best of search_size valid ones;
///                                # or annealing (ours, MappingSearch: search_size steps, 4 restarts)
///   optimization_metrics: [edp]  # edp, energy or delay; the first one ranks mappings
///   search_size: 10000
///   seed: 1                      # ours: the sampler's seed
/// ```
public struct MapperSettings: Sendable, Hashable {
    public enum Algorithm: String, Sendable, Hashable, CaseIterable { case random, annealing }
    public enum Metric: String, Sendable, Hashable, CaseIterable { case edp, energy, delay }

    public var algorithm: Algorithm
    public var metric: Metric
    public var searchSize: Int
    public var seed: UInt64

    public init(algorithm: Algorithm = .random, metric: Metric = .edp, searchSize: Int = 10_000, seed: UInt64 = 1) {
        self.algorithm = algorithm
        self.metric = metric
        self.searchSize = searchSize
        self.seed = seed
    }

    public static func read(yaml: String, file: String) throws(MappingSpecError) -> MapperSettings {
        let root = try SpecNode.parse(yaml, file: file, root: "mapper").mapping(allowed: ["mapper"], required: ["mapper"])
        let m = try root["mapper"]!.mapping(allowed: ["version", "algorithm", "optimization_metrics", "search_size", "seed"], required: ["version"])
        try m["version"]!.version()
        var out = MapperSettings()
        if let a = m["algorithm"] {
            guard let v = Algorithm(rawValue: try a.string()) else { throw a.error("unknown algorithm; allowed: random, annealing") }
            out.algorithm = v
        }
        if let metrics = m["optimization_metrics"] {
            guard let (first, node) = try metrics.names().first else { throw metrics.error("give at least one metric") }
            guard let v = Metric(rawValue: first) else { throw node.error("unknown metric '\(first)'; allowed: edp, energy, delay") }
            out.metric = v
            if out.algorithm == .annealing && v != .edp { throw node.error("annealing minimises EDP; use algorithm: random for \(first)") }
        }
        if let s = m["search_size"] { out.searchSize = try s.int(in: 1...10_000_000) }
        if let s = m["seed"] { out.seed = UInt64(try s.int(in: 0...Int.max)) }
        return out
    }
}
