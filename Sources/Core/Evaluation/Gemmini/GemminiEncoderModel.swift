/// The non-linear units of the Transformer-tuned Gemmini (survey §3.4.4), after I-BERT: a normalisation unit that
/// reduces accumulator rows (sums, sums of squares, maxima) and `activationLanes` activation units that evaluate
/// I-BERT's integer GELU, exp and LayerNorm element by element. The kernels themselves are ``IBERT``'s; this is
/// their cost.
///
/// Assumptions (ours; the survey states the units, not their timing):
/// - the normalisation unit reads one accumulator row (`dim` Int32 values) per cycle;
/// - each activation lane finishes one element per cycle (pipelined polynomial);
/// - Softmax = 3 passes (maximum on the normalisation unit; i-exp on the lanes with the sum on the
///   normalisation unit; the scaling on the lanes), LayerNorm = 3 passes (sum; centred sum of squares;
///   normalisation on the lanes) plus one integer square root per row: `sqrtIterations` Newton steps, the
///   most ``IBERT/sqrt(_:)`` takes on the inputs LayerNorm feeds it (``IBERT/layerNormSqrtIterations``, 6 over
///   Σd² of 33 to 62 bits; chapter 2 measures the same 6 over every `Int32` input), of one
///   `integerDivideCycles` division each (a radix-2 divider: one bit per cycle of a 64-bit quotient). A row
///   whose root converges sooner would finish early; the unit is budgeted for the slowest row;
/// - GELU is fused with W1 and pipelined behind it: only cycles beyond W1's own would show;
/// - a residual add is an accumulate-on-move-in into the accumulator: its Int8 operand moves at the DMA's
///   bandwidth;
/// - requantization to Int8 happens in the accumulator's scaling unit on the way out: no extra cycles.
public struct IntegerUnitModel: Sendable, Hashable {
    public var normalisationElementsPerCycle: Int
    public var activationLanes: Int
    public var sqrtIterations: Int
    public var integerDivideCycles: Int

    public init(accelerator a: Accelerator, integerDivideCycles: Int = 64) throws(ConfigurationError) {
        normalisationElementsPerCycle = a.meshColumns
        activationLanes = a.sfuWidth
        // The most steps over the Σd² range I-BERT's LayerNorm produces (not one input's: 2^61 takes 5).
        sqrtIterations = IBERT.layerNormSqrtIterations
        self.integerDivideCycles = integerDivideCycles
    }

    /// Cycles of I-BERT Softmax over `elements` scores: a maximum pass on the normalisation unit, i-exp on the
    /// lanes with the sum on the normalisation unit, and the scaling on the lanes.
    public func softmaxCycles(elements: Double) -> Double {
        elements * (1 / Double(normalisationElementsPerCycle) + 1 / Double(activationLanes) + 1 / Double(activationLanes))
    }

    /// Cycles of I-BERT LayerNorm over `rows` rows holding `elements` values in all: a sum and a centred sum of
    /// squares on the normalisation unit, the normalisation on the lanes, and one integer square root per row.
    public func layerNormCycles(rows: Double, elements: Double) -> Double {
        elements * (2 / Double(normalisationElementsPerCycle) + 1 / Double(activationLanes))
            + rows * Double(sqrtIterations * integerDivideCycles)
    }
}

/// Where the time of one encoder layer goes on a Gemmini variant (survey Fig. 14): the matmuls from
/// ``GemminiMatmul``'s cycle model, the non-linear operations from ``HostCPUCostModel`` (no special function
/// unit: the CNN-tuned baseline and the rebalanced one) or from ``IntegerUnitModel`` (the Transformer variant).
/// The CPU and the accelerator do not overlap: every non-linear operation needs the matmul before it, and the
/// next matmul needs its result.
///
/// ```swift
/// let base = try GemminiEncoderModel(.bertBase, sequenceLength: 512, accelerator: .gemminiBaseline)
/// base.share(.quantization)     // the (de)quantization passes' share of the layer's cycles
/// ```
public struct GemminiEncoderModel: Sendable {
    /// The categories of Fig. 14, and rotary embedding for a modern decoder's layer. In a modern block
    /// `layerNorm` holds its RMSNorms and `gelu` SwiGLU's SiLU(gate) ⊙ up.
    public enum Category: String, Sendable, Hashable, CaseIterable {
        case matmul, softmax, layerNorm = "layernorm", residualAdd = "resadd", quantization = "dequantization", gelu
        case rotary

        /// Fig. 14's six, which chapter 6 draws.
        public static let survey: [Category] = [.matmul, .softmax, .layerNorm, .residualAdd, .quantization, .gelu]
    }

    /// One matmul of the layer (attention ones once per head).
    public struct Matmul: Sendable {
        public var identity: LayerOperationID
        public var shape: GEMMShape
        public var instances: Int
        public var stats: GemminiMatmulStats
        public var path: String { identity.path }
        public var name: String { identity.matmulName }
        public var cycles: Double { Double(stats.totalCycles * instances) }
        public var macs: Double { Double(shape.macs * instances) }
    }

    /// The layer's widths (d, heads, head width, d_FFN).
    public var layer: LayerShape
    public var sequenceLength: Int
    public var accelerator: Accelerator
    public var matmuls: [Matmul]
    /// Cycles per category for one layer, in ``Category/allCases`` order.
    public var cycles: [Category: Double]
    /// Element counts of the non-linear work of one layer.
    public var elements: [HostCPUCostModel.Operation: Double]
    /// Rows of Softmax's and LayerNorm's work in one layer (their per-row costs: a reciprocal, a square root).
    public var rows: [HostCPUCostModel.Operation: Double]
    /// Whether non-linear operations run on the host CPU (no special function unit).
    public var onHostCPU: Bool

    /// One layer of the encoder `m` (all its layers are alike).
    public init(_ m: TransformerConfig, sequenceLength l: Int, accelerator a: Accelerator,
                host: HostCPUCostModel = .rocket, matmulMode: GemminiMatmul.Mode = .gemmini) throws(ConfigurationError) {
        try m.validate()
        guard m.architecture == .encoder else {
            throw ConfigurationError(field: "model", message: "'\(m.name)' is a decoder; the Gemmini case study runs encoders (BERT)")
        }
        try self.init(layer: LayerShape(m), sequenceLength: l, accelerator: a, host: host, matmulMode: matmulMode)
    }

    /// One encoder layer of any widths: the attention width h·d_head may differ from d (the NAS search space of
    /// survey Tab. 8 keeps 64-wide heads while d and h vary), so W_Q, W_K, W_V map d → h·d_head and W_out maps
    /// h·d_head → d.
    public init(layer shape: LayerShape, sequenceLength l: Int, accelerator a: Accelerator,
                host: HostCPUCostModel = .rocket, matmulMode: GemminiMatmul.Mode = .gemmini) throws(ConfigurationError) {
        try shape.validate()
        try TransformerConfig.validate(sequenceLength: l)
        try self.init(graph: LayerGraph(shape, step: .encoder(sequenceLength: l)), accelerator: a, host: host,
                      matmulMode: matmulMode)
    }

    /// One layer as `graph` has it: an encoder layer or a decoder's prefill (all tokens at once), or one decode
    /// step. `sequenceLength` is then the tokens at once, or the step. A modern block's operations are priced
    /// by their nearest kin, which the chapter that uses them states: on the host CPU RMSNorm as LayerNorm (an
    /// upper bound: it has no mean to subtract), SwiGLU's product as GELU and rotary embedding as a residual add
    /// (a lower bound: it multiplies twice per element); on I-BERT's units RMSNorm as LayerNorm, SwiGLU's
    /// product on the activation lanes behind W_up as GELU behind W1, and rotary embedding one pass of the lanes.
    public init(graph: LayerGraph, accelerator a: Accelerator, host: HostCPUCostModel = .rocket,
                matmulMode: GemminiMatmul.Mode = .gemmini) throws(ConfigurationError) {
        try graph.shape.validate()
        try a.validate()
        try host.validate()
        layer = graph.shape
        switch graph.step {
        case let .encoder(l): sequenceLength = l
        case let .decoder(t): sequenceLength = t
        }
        accelerator = a
        onHostCPU = a.sfuWidth == 0
        // The matmuls and element counts are read off the layer's graph: attention ones once per head, in graph order.
        let consumedByNonlinear = graph.readByNonlinear
        var elementsOf: [OperationKind: Double] = [:], rowsOf: [OperationKind: Double] = [:]
        for op in graph.operations {
            guard case let .elementwise(rows, length) = op.shape else { continue }
            elementsOf[op.kind, default: 0] += Double(rows * length * op.copies)
            rowsOf[op.kind, default: 0] += Double(rows * op.copies)
        }
        // Outputs that a non-linear operation on the CPU consumes leave the accumulator as full Int32.
        let wide = onHostCPU ? 4 : 1
        var matmuls: [Matmul] = []
        // Elements that leave the accumulator for a non-linear operation: dequantized, then quantized back.
        var converted = 0.0
        for (identity, nodes) in graph.groupedByIdentity {
            guard case let .matmul(s) = nodes[0].shape else { continue }
            let instances = nodes.reduce(0) { $0 + $1.copies }
            let read = consumedByNonlinear.contains(nodes[0].id)
            if read { converted += Double(s.m * s.n * instances) }
            matmuls.append(Matmul(identity: identity, shape: s, instances: instances,
                                  stats: try GemminiMatmul.cycles(s, accelerator: a, outputBytes: read ? wide : 1, mode: matmulMode)))
        }
        self.matmuls = matmuls
        let scores = elementsOf[.softmax, default: 0]
        let hidden = elementsOf[.gelu, default: 0] + elementsOf[.swiglu, default: 0]
        let normalised = elementsOf[.layerNorm, default: 0] + elementsOf[.rmsNorm, default: 0]
        let added = elementsOf[.residualAdd, default: 0], rotated = elementsOf[.rotary, default: 0]
        let elements: [HostCPUCostModel.Operation: Double] = [
            .softmax: scores, .gelu: hidden, .layerNorm: normalised, .residualAdd: added + rotated,
            .dequantize: converted, .quantize: converted]
        self.elements = elements
        let rows: [HostCPUCostModel.Operation: Double] = [
            .softmax: rowsOf[.softmax, default: 0],
            .layerNorm: rowsOf[.layerNorm, default: 0] + rowsOf[.rmsNorm, default: 0]]
        self.rows = rows
        var c: [Category: Double] = [.matmul: matmuls.reduce(0) { $0 + $1.cycles }]
        if a.sfuWidth == 0 {
            func cpu(_ op: HostCPUCostModel.Operation, rows: Double = 0) -> Double {
                elements[op]! * host.cyclesPerElement(op) + rows * host.cyclesPerRow(op)
            }
            c[.softmax] = cpu(.softmax, rows: rows[.softmax]!)
            c[.layerNorm] = cpu(.layerNorm, rows: rows[.layerNorm]!)
            c[.gelu] = cpu(.gelu)
            c[.residualAdd] = added * host.cyclesPerElement(.residualAdd)
            c[.rotary] = rotated * host.cyclesPerElement(.residualAdd)
            c[.quantization] = cpu(.dequantize) + cpu(.quantize)
        } else {
            let u = try IntegerUnitModel(accelerator: a)
            let lanes = Double(u.activationLanes)
            c[.softmax] = u.softmaxCycles(elements: scores)
            c[.layerNorm] = u.layerNormCycles(rows: rows[.layerNorm]!, elements: normalised)
            // GELU (SwiGLU's product) is pipelined behind the matmul that feeds it (W1, W_up).
            let feeding = matmuls.first { $0.identity == .ffnUp }!.cycles
            c[.gelu] = max(0, hidden / lanes - feeding)
            c[.residualAdd] = added * Double(max(1, a.inputBits / 8)) / a.l2BytesPerCycle
            c[.rotary] = rotated / lanes
            c[.quantization] = 0
        }
        cycles = c
    }

    public var totalCycles: Double { Category.allCases.reduce(0) { $0 + (cycles[$1] ?? 0) } }
    public var matmulCycles: Double { cycles[.matmul] ?? 0 }
    public func share(_ category: Category) -> Double { (cycles[category] ?? 0) / totalCycles }
    public var macs: Double { matmuls.reduce(0) { $0 + $1.macs } }
    /// MACs per PE per cycle over the whole layer (matmuls and everything else).
    public var utilization: Double { macs / (totalCycles * Double(accelerator.peakMACsPerCycle)) }
    /// MACs per PE per cycle while matmuls run.
    public var matmulUtilization: Double { macs / (matmulCycles * Double(accelerator.peakMACsPerCycle)) }
}
