import ChapterSupport
import Core

/// One operator of the §5.5.1 mapspace study.
public struct StudyOperator: Sendable, Hashable {
    /// Command-line name, e.g. `bert-base-ffn-w1`.
    public var key: String
    /// Figure family: BERT, ResNet-50 or equal-MAC BERT variants (Fig. 20).
    public var family: String
    public var problem: MappingProblem
    /// A legend label, e.g. `BERT-Base W1`.
    public var shortName: String

    public init(key: String, family: String, problem: MappingProblem, shortName: String) {
        self.key = key
        self.family = family
        self.problem = problem
        self.shortName = shortName
    }

    /// The ten operators of Fig. 18-20 at sequence length `l`: BERT-Base and BERT-Large Q/K/V projection and FFN W1,
    /// ResNet-50 conv1 and three conv5_x layers, and the two equal-MAC BERT variants of Fig. 20.
    public static func presets(sequenceLength l: Int) -> [StudyOperator] {
        let resnet = ResNet50.layers()
        func conv(_ name: String) -> MappingProblem {
            MappingProblem.convolution(resnet.first { $0.name == name }!)!
        }
        var conv1 = conv("conv1"), c3 = conv("conv5_2/3x3"), reduce = conv("conv5_2/reduce"), expand = conv("conv5_2/expand")
        conv1.name = "ResNet-50 conv1 (7×7, 64, /2)"
        c3.name = "ResNet-50 conv5_x 3×3, 512"
        reduce.name = "ResNet-50 conv5_x 1×1, 512"
        expand.name = "ResNet-50 conv5_x 1×1, 2048"
        return [
            StudyOperator(key: "bert-base-qkv", family: "BERT", problem: .gemm(name: "BERT-Base Q/K/V projection", m: l, n: 768, k: 768), shortName: "BERT-Base QKV"),
            StudyOperator(key: "bert-base-ffn-w1", family: "BERT", problem: .gemm(name: "BERT-Base FFN W1", m: l, n: 3072, k: 768), shortName: "BERT-Base W1"),
            StudyOperator(key: "bert-large-qkv", family: "BERT", problem: .gemm(name: "BERT-Large Q/K/V projection", m: l, n: 1024, k: 1024), shortName: "BERT-Large QKV"),
            StudyOperator(key: "bert-large-ffn-w1", family: "BERT", problem: .gemm(name: "BERT-Large FFN W1", m: l, n: 4096, k: 1024), shortName: "BERT-Large W1"),
            StudyOperator(key: "resnet-conv1", family: "ResNet-50", problem: conv1, shortName: "conv1 7×7, 64"),
            StudyOperator(key: "resnet-conv5-3x3-512", family: "ResNet-50", problem: c3, shortName: "conv5 3×3, 512"),
            StudyOperator(key: "resnet-conv5-1x1-512", family: "ResNet-50", problem: reduce, shortName: "conv5 1×1, 512"),
            StudyOperator(key: "resnet-conv5-1x1-2048", family: "ResNet-50", problem: expand, shortName: "conv5 1×1, 2048"),
            StudyOperator(key: "equal-mac-mha", family: "equal-MAC", problem: .gemm(name: "MHA projection, d = 240 (240×240×\(l))", m: l, n: 240, k: 240), shortName: "MHA d = 240"),
            StudyOperator(key: "equal-mac-ffn", family: "equal-MAC", problem: .gemm(name: "FFN W1, d = 120 (480×120×\(l))", m: l, n: 480, k: 120), shortName: "FFN d = 120"),
        ]
    }
}

/// What a run of chapter 4 uses.
public struct SchedulingSettings: Sendable {
    /// The accelerator of the mapspace study and the peer comparison (the survey: 16×16 Gemmini, INT8).
    public var accelerator: Accelerator
    /// Operator keys to sample (``StudyOperator/presets(sequenceLength:)``), in order; a custom GEMM adds one.
    public var operatorKeys: [String]
    public var customGEMM: GEMMShape?
    public var sequenceLength: Int
    public var samples: Int
    public var seed: UInt64
    /// Fusion study: scratchpad, the accumulators of Fig. 21 (left) and the sequence lengths.
    public var fusionScratchpadKiB: Int
    public var fusionAccumulatorKiB: [Int]
    public var fusionLongSequenceLength: Int
    public var command: String
    /// Called with a progress line during long sweeps (the command prints it on stderr unless --quiet).
    public var progress: (@Sendable (String) -> Void)?

    public static let defaultOperatorKeys = StudyOperator.presets(sequenceLength: 512).map(\.key)

    public init(accelerator: Accelerator = .gemminiBaseline, operatorKeys: [String] = defaultOperatorKeys,
                customGEMM: GEMMShape? = nil, sequenceLength: Int = 512, samples: Int = 100_000, seed: UInt64 = 1,
                fusionScratchpadKiB: Int = 256, fusionAccumulatorKiB: [Int] = [128, 256], fusionLongSequenceLength: Int = 4096,
                command: String = "swift run -c release scheduling", progress: (@Sendable (String) -> Void)? = nil) {
        self.accelerator = accelerator
        self.operatorKeys = operatorKeys
        self.customGEMM = customGEMM
        self.sequenceLength = sequenceLength
        self.samples = samples
        self.seed = seed
        self.fusionScratchpadKiB = fusionScratchpadKiB
        self.fusionAccumulatorKiB = fusionAccumulatorKiB
        self.fusionLongSequenceLength = fusionLongSequenceLength
        self.command = command
        self.progress = progress
    }

    /// The operators this run samples.
    public func operators() throws(ConfigurationError) -> [StudyOperator] {
        let presets = StudyOperator.presets(sequenceLength: sequenceLength)
        var out: [StudyOperator] = []
        for key in operatorKeys {
            guard let op = presets.first(where: { $0.key == key }) else {
                throw ConfigurationError(field: "operators", message: "unknown operator '\(key)'; choose from " + presets.map(\.key).joined(separator: ", "))
            }
            out.append(op)
        }
        if let g = customGEMM {
            out.append(StudyOperator(key: "custom-gemm", family: "custom", problem: .gemm(name: "custom GEMM \(g.m)×\(g.n)×\(g.k)", m: g.m, n: g.n, k: g.k), shortName: "custom GEMM"))
        }
        return out
    }

    /// The Gemmini with I-BERT's units of §5.5.2 at one accumulator size.
    public func fusionAccelerator(accumulatorKiB: Int) -> Accelerator {
        var a = Accelerator.gemminiTransformer
        a.spCapacityBytes = fusionScratchpadKiB * 1024
        a.accCapacityBytes = accumulatorKiB * 1024
        a.meshRows = accelerator.meshRows
        a.meshColumns = accelerator.meshColumns
        a.name = "gemmini-transformer, sp \(fusionScratchpadKiB) kB, acc \(accumulatorKiB) kB"
        return a
    }

    public func validate() throws(ConfigurationError) {
        try accelerator.validate()
        _ = try MappingArchitecture(accelerator: accelerator)
        try TransformerConfig.validate(sequenceLength: sequenceLength, field: "seq-len")
        try ConfigurationError.require(samples, in: 1...10_000_000, field: "samples")
        guard !operatorKeys.isEmpty || customGEMM != nil else {
            throw ConfigurationError(field: "operators", message: "give at least one operator")
        }
        guard Set(operatorKeys).count == operatorKeys.count else {
            throw ConfigurationError(field: "operators", message: "name each operator once")
        }
        let ops = try operators()
        for op in ops {
            try op.problem.validate()
            _ = try Mapspace(try MappingCostModel(op.problem, architecture: MappingArchitecture(accelerator: accelerator)))
        }
        try ConfigurationError.require(fusionScratchpadKiB, in: 1...(1 << 20), field: "fusion-scratchpad-kib")
        guard !fusionAccumulatorKiB.isEmpty, Set(fusionAccumulatorKiB).count == fusionAccumulatorKiB.count else {
            throw ConfigurationError(field: "fusion-accumulator-kib", message: "give at least one size, each once")
        }
        for kib in fusionAccumulatorKiB { try ConfigurationError.require(kib, in: 1...(1 << 20), field: "fusion-accumulator-kib") }
        try TransformerConfig.validate(sequenceLength: fusionLongSequenceLength, field: "fusion-long-seq-len")
        // Listing the fusion study's schedules (without pricing them) refuses a memory that holds none of them
        // before the mapspace study runs.
        let model = TransformerConfig.bertBase
        for (kib, l) in fusionAccumulatorKiB.map({ ($0, sequenceLength) }) + [(fusionAccumulatorKiB.max()!, fusionLongSequenceLength)] {
            let a = fusionAccelerator(accumulatorKiB: kib)
            do {
                try a.validate()
                _ = try GemminiTiling(GEMMShape(m: 16, n: 16, k: 16), accelerator: a)
                _ = try IntegerUnitModel(accelerator: a)
                for pair in [FusionPair.queryKeySoftmax(model, sequenceLength: l), .outputProjectionLayerNorm(model, sequenceLength: l),
                             .secondFeedForwardLayerNorm(model, sequenceLength: l)] {
                    _ = try FusionSchedule.candidates(pair, accelerator: a)
                    _ = try FusionSchedule.candidates(pair, accelerator: a, search: .fixed)
                }
            } catch {
                let core = ConfigurationError.coreName(error.field)
                throw ConfigurationError(field: core == "accumulatorBytes" ? "fusion-accumulator-kib" : (core == "scratchpadBytes" ? "fusion-scratchpad-kib" : error.field),
                                         message: error.message)
            }
        }
    }
}
