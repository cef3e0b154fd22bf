/// The hardware cost of a NAS architecture on the Transformer-tuned Gemmini (survey §6.4.1: 64 KiB scratchpad,
/// 256 KiB accumulator, I-BERT normalisation and activation units): latency in cycles, energy in picojoules and
/// their product (EDP), for one inference of `sequenceLength` tokens through the architecture's layers.
///
/// The survey sums a per-operation lookup table (from Timeloop); we build the same kind of table from this
/// project's models and sum it (``cost(_:)``):
/// - **latency** of every operation from ``GemminiEncoderModel`` (its ``GemminiMatmul`` engine for the eight
///   matmuls, its ``IntegerUnitModel`` for Softmax, LayerNorm, GELU and the residual adds);
/// - **energy** from the same statistics priced with ``AccessEnergy`` (see ``energy(of:)`` for the counts) and,
///   for the non-linear units, with I-BERT's integer operations priced by ``Horowitz45nm``.
///
/// Each table entry is keyed only by the widths its operation depends on (W_Q by d and h, Softmax by h alone,
/// W_1 by d and d_FFN, ...), which is what makes a table of 10 operations over Tab. 8's choices (360 entries)
/// cover all 3.7×10¹² architectures. ``directCost(_:)`` is the second derivation: it builds the layer model of
/// every layer of the architecture and sums those, without the table; tests check that the two agree.
///
/// Not counted (ours, stated in chapter 5): the token embedding and the output projection (the same for every
/// architecture of one width d, and tied to the tokeniser), and the host CPU.
///
/// ```swift
/// let hw = try NASHardwareCost(sequenceLength: 512)
/// let base = try hw.cost(NASSearchSpace.survey.largest)    // 6 BERT-Base layers
/// base.cycles       // ≈ 1.27×10⁸ (6 layers of 21.2 M)
/// ```
public struct NASHardwareCost: Sendable {
    /// Latency, energy and EDP of one operation, one layer or a whole architecture.
    public struct Cost: Sendable, Hashable, Codable {
        public var cycles: Double
        public var picojoules: Double
        public init(cycles: Double, picojoules: Double) {
            self.cycles = cycles
            self.picojoules = picojoules
        }
        public static let zero = Cost(cycles: 0, picojoules: 0)
        public static func + (a: Cost, b: Cost) -> Cost { Cost(cycles: a.cycles + b.cycles, picojoules: a.picojoules + b.picojoules) }
        /// Energy-delay product in joule-cycles.
        public var edp: Double { picojoules * 1e-12 * cycles }
        public var joules: Double { picojoules * 1e-12 }
    }

    /// The operations of one layer, with the widths each depends on.
    public enum Operation: Sendable, Hashable, CaseIterable, Codable {
        case qkv, scores, context, output
        case w1, w2
        case softmax, layerNorm, gelu, residualAdd

        /// The layer's matmuls that the entry prices (none for the non-linear units' entries).
        public var matmuls: [LayerOperationID] {
            switch self {
            case .qkv: return [.queryProjection, .keyProjection, .valueProjection]
            case .scores: return [.scores]
            case .context: return [.context]
            case .output: return [.outputProjection]
            case .w1: return [.ffnUp]
            case .w2: return [.ffnDown]
            case .softmax, .layerNorm, .gelu, .residualAdd: return []
            }
        }

        /// The table's label: the matmul's path (`mha/qk`; the three input projections as `mha/qkv`), or the
        /// Fig. 14 category of a non-linear unit (`softmax`, `layernorm`, `gelu`, `resadd`).
        public var name: String {
            switch self {
            case .qkv: return LayerModule.attention.path + "/qkv"
            case .scores, .context, .output, .w1, .w2: return matmuls[0].path
            case .softmax: return GemminiEncoderModel.Category.softmax.rawValue
            case .layerNorm: return GemminiEncoderModel.Category.layerNorm.rawValue
            case .gelu: return GemminiEncoderModel.Category.gelu.rawValue
            case .residualAdd: return GemminiEncoderModel.Category.residualAdd.rawValue
            }
        }

        var dependsOnD: Bool { ![.scores, .context, .softmax].contains(self) }
        var dependsOnHeads: Bool { [.qkv, .scores, .context, .output, .softmax].contains(self) }
        var dependsOnFFN: Bool { [.w1, .w2, .gelu].contains(self) }
    }

    /// A table key: the operation and the widths it depends on (0 for the others).
    public struct Key: Sendable, Hashable, Comparable {
        public var operation: Operation
        public var dModel: Int, heads: Int, ffn: Int
        init(_ operation: Operation, dModel: Int, heads: Int, ffn: Int) {
            self.operation = operation
            self.dModel = operation.dependsOnD ? dModel : 0
            self.heads = operation.dependsOnHeads ? heads : 0
            self.ffn = operation.dependsOnFFN ? ffn : 0
        }
        public static func < (a: Key, b: Key) -> Bool {
            (a.operation.name, a.dModel, a.heads, a.ffn) < (b.operation.name, b.dModel, b.heads, b.ffn)
        }
    }

    /// Integer operations per element of I-BERT's kernels (Kim et al., "I-BERT", ICML 2021, Algorithms 1-4), as we
    /// count them: i-exp's second-order polynomial is 2 multiplies and 2 adds, Softmax adds the maximum
    /// (1 compare, priced as an add), the subtraction, the sum and the final scaling multiply; LayerNorm is the
    /// sum, the centred square and its sum, and the normalising subtract and multiply; i-GELU is i-erf's
    /// polynomial (2 multiplies, 2 adds) and x·(1 + erf) (1 multiply, 1 add); a residual add is 1 add.
    /// Passes over the accumulator (each reads an element's Int32 once) follow ``IntegerUnitModel``: Softmax 3,
    /// LayerNorm 3, GELU 1 (fused behind W₁), residual add 1.
    public struct IntegerOps: Sendable, Hashable {
        public var multiplies: Double
        public var adds: Double
        public static let softmax = IntegerOps(multiplies: 3, adds: 5)
        public static let layerNorm = IntegerOps(multiplies: 2, adds: 4)
        public static let gelu = IntegerOps(multiplies: 3, adds: 3)
        public static let residualAdd = IntegerOps(multiplies: 0, adds: 1)
    }

    public let accelerator: Accelerator
    public let sequenceLength: Int
    public let energyTable: AccessEnergy
    /// The full-width space whose choices the table covers (survey Tab. 8).
    public let space: NASSearchSpace
    /// The lookup table, one entry per operation and relevant widths.
    public let table: [Key: Cost]

    public init(space: NASSearchSpace = .survey, sequenceLength: Int = 512,
                accelerator: Accelerator = .gemminiTransformer) throws(ConfigurationError) {
        guard accelerator.sfuWidth > 0 else {
            throw ConfigurationError(field: "accelerator", message: "'\(accelerator.name)' has no I-BERT units; the NAS "
                + "hardware cost models the Transformer-tuned Gemmini (sfu-width > 0)")
        }
        try TransformerConfig.validate(sequenceLength: sequenceLength)
        self.accelerator = accelerator
        self.sequenceLength = sequenceLength
        energyTable = try AccessEnergy(accelerator: accelerator)
        self.space = space
        var table: [Key: Cost] = [:]
        // Every (d, h) pair at the narrowest FFN fills the entries that do not depend on d_FFN; every (d, d_FFN)
        // pair at the fewest heads fills those that do.
        let h0 = space.headChoices.min()!, f0 = space.ffnChoices.min()!
        func layer(_ d: Int, _ h: Int, _ f: Int) throws(ConfigurationError) -> GemminiEncoderModel {
            try Self.layer(d, h, f, headDimension: space.headDimension, sequenceLength: sequenceLength, accelerator: accelerator)
        }
        for d in space.dModelChoices {
            for h in space.headChoices {
                for (op, c) in try Self.operationCosts(layer(d, h, f0), energy: energyTable) where !op.dependsOnFFN {
                    table[Key(op, dModel: d, heads: h, ffn: 0)] = c
                }
            }
            for f in space.ffnChoices {
                for (op, c) in try Self.operationCosts(layer(d, h0, f), energy: energyTable) where op.dependsOnFFN {
                    table[Key(op, dModel: d, heads: 0, ffn: f)] = c
                }
            }
        }
        self.table = table
    }

    /// The layer model of one layer of widths (d, h, d_FFN) with the space's head width.
    public func layer(_ d: Int, _ h: Int, _ f: Int) throws(ConfigurationError) -> GemminiEncoderModel {
        try Self.layer(d, h, f, headDimension: space.headDimension, sequenceLength: sequenceLength, accelerator: accelerator)
    }

    static func layer(_ d: Int, _ h: Int, _ f: Int, headDimension: Int, sequenceLength: Int, accelerator: Accelerator)
        throws(ConfigurationError) -> GemminiEncoderModel {
        try GemminiEncoderModel(layer: LayerShape(dModel: d, heads: h, headDimension: headDimension, dFFN: f),
                                sequenceLength: sequenceLength, accelerator: accelerator)
    }

    /// The table's cost of `architecture` (at the table's full width): the sum over layers and operations.
    public func cost(_ architecture: NASArchitecture) throws(ConfigurationError) -> Cost {
        try space.validate(architecture)
        var total = Cost.zero
        for i in 0..<architecture.layers {
            for op in Operation.allCases {
                total = total + table[Key(op, dModel: architecture.dModel, heads: architecture.heads[i], ffn: architecture.ffn[i])]!
            }
        }
        return total
    }

    /// The same cost without the table: each layer's model built and priced in full.
    public func directCost(_ architecture: NASArchitecture) throws(ConfigurationError) -> Cost {
        try space.validate(architecture)
        var total = Cost.zero
        for i in 0..<architecture.layers {
            for (_, c) in try Self.operationCosts(layer(architecture.dModel, architecture.heads[i], architecture.ffn[i]),
                                                  energy: energyTable) {
                total = total + c
            }
        }
        return total
    }

    /// MACs of `architecture`'s layers over the accelerator's peak MACs per cycle: the latency if every PE did a
    /// useful MAC on every cycle (an analytical lower bound on ``cost(_:)``'s cycles).
    public func idealCycles(_ architecture: NASArchitecture) throws(ConfigurationError) -> Double {
        var macs = 0.0
        for i in 0..<architecture.layers {
            macs += try layer(architecture.dModel, architecture.heads[i], architecture.ffn[i]).macs
        }
        return macs / Double(accelerator.peakMACsPerCycle)
    }

    /// The full-width twin of an architecture of a space scaled by `widthDivisor`: d and d_FFN multiplied back
    /// (heads and layers are unscaled).
    public static func fullWidth(_ a: NASArchitecture, widthDivisor: Int) -> NASArchitecture {
        NASArchitecture(dModel: a.dModel * widthDivisor, heads: a.heads, ffn: a.ffn.map { $0 * widthDivisor })
    }

    /// Latency and energy of each operation of one layer model, in ``Operation`` order.
    ///
    /// Energy counts per matmul of shape m×k·k×n (`dim` = mesh rows): m·n·k MACs; two PE-register bytes per MAC
    /// (weight and input); every DMA-loaded byte written into and read once out of the scratchpad and read from
    /// L2; the accumulator's Int32 partial sums read and written once per `dim`-deep slice of k; every stored
    /// byte read from the accumulator and written to L2; weights (W_Q, W_K, W_V, W_out, W₁, W₂, Int8) read once
    /// from DRAM, activations staying on chip. Non-linear operations: their elements times ``IntegerOps``
    /// (Horowitz's 32-bit multiply and add) plus one 4-byte accumulator read per pass; LayerNorm's integer square
    /// root costs its Newton iterations times a radix-2 division (one 32-bit add per cycle of
    /// ``IntegerUnitModel/integerDivideCycles``) per row; a residual add moves its Int8 operand in from L2.
    public static func operationCosts(_ m: GemminiEncoderModel, energy e: AccessEnergy)
        throws(ConfigurationError) -> [(Operation, Cost)] {
        let a = m.accelerator
        let dim = Double(a.meshRows)
        let mul = Horowitz45nm.entry(.multiply, .int32)!.energyPicojoules, add = Horowitz45nm.entry(.add, .int32)!.energyPicojoules
        func matmul(_ operation: Operation) -> Cost {
            let weights = operation.matmuls.allSatisfy(\.hasWeights)
            var c = Cost.zero
            for x in m.matmuls where operation.matmuls.contains(x.identity) {
                let s = x.stats, n = Double(x.instances)
                let macs = Double(s.shape.macs)
                let kSlices = (Double(s.shape.k) / dim).rounded(.up)
                var pj = macs * (e.macPicojoules + 2 * e.registerPicojoulesPerByte)
                pj += Double(s.loadBytes) * (2 * e.scratchpadPicojoulesPerByte + e.l2PicojoulesPerByte)
                pj += Double(s.shape.m * s.shape.n) * kSlices * 8 * e.accumulatorPicojoulesPerByte
                pj += Double(s.storeBytes) * (e.accumulatorPicojoulesPerByte + e.l2PicojoulesPerByte)
                if weights { pj += Double(s.shape.k * s.shape.n) * e.dramPicojoulesPerByte }
                c = c + Cost(cycles: x.cycles, picojoules: pj * n)
            }
            return c
        }
        func unit(_ category: GemminiEncoderModel.Category, elements: Double, ops: IntegerOps, passes: Double) -> Cost {
            Cost(cycles: m.cycles[category] ?? 0,
                 picojoules: elements * (ops.multiplies * mul + ops.adds * add + passes * 4 * e.accumulatorPicojoulesPerByte))
        }
        let u = try IntegerUnitModel(accelerator: a)
        var layerNorm = unit(.layerNorm, elements: m.elements[.layerNorm]!, ops: .layerNorm, passes: 3)
        layerNorm.picojoules += m.rows[.layerNorm]! * Double(u.sqrtIterations * u.integerDivideCycles) * add
        var residual = unit(.residualAdd, elements: m.elements[.residualAdd]!, ops: .residualAdd, passes: 1)
        residual.picojoules += m.elements[.residualAdd]! * Double(max(1, a.inputBits / 8)) * e.l2PicojoulesPerByte
        return [
            (.qkv, matmul(.qkv)), (.scores, matmul(.scores)), (.context, matmul(.context)), (.output, matmul(.output)),
            (.w1, matmul(.w1)), (.w2, matmul(.w2)),
            (.softmax, unit(.softmax, elements: m.elements[.softmax]!, ops: .softmax, passes: 3)),
            (.layerNorm, layerNorm),
            (.gelu, unit(.gelu, elements: m.elements[.gelu]!, ops: .gelu, passes: 1)),
            (.residualAdd, residual),
        ]
    }
}
