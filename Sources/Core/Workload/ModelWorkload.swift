/// The cost of one operation of a model, summed over its heads, layers and (for a decoder) generation steps.
public struct OperationTotal: Sendable, Hashable {
    public var identity: LayerOperationID
    /// Breakdown key, e.g. `mha/qk`.
    public var path: String { identity.path }
    public var name: String { identity.name }
    public var operationClass: OperationClass { identity.operationClass }
    /// How many graph nodes one layer has for it (h for per-head operations, else 1).
    public var instancesPerLayer: Int
    public var counts: WorkCounts
}

/// A whole model's workload at one sequence length: every operation's FLOPs and bytes, enumerated over the
/// layer graph (and, for a decoder, over every generation step), in the survey's convention (§2.2.1).
///
/// ```swift
/// let w = try ModelWorkload(.bertBase, sequenceLength: 128)
/// w.total.flops / 1e9              // 22.42 (Tab. 3)
/// w.classTotals[.actToAct]!.bytes  // 9.44e6 (the paper prints 0.006e9: a typo)
/// ```
public struct ModelWorkload: Sendable {
    public let model: TransformerConfig
    public let sequenceLength: Int
    public let convention: CountingConvention
    /// Bytes of one stored value: the survey counts 1 (8-bit); ``quantized(bytesPerValue:)`` changes it.
    public internal(set) var bytesPerValue: Double = 1
    /// Per operation, in the order of the layer graph.
    public internal(set) var operations: [OperationTotal]

    public init(_ model: TransformerConfig, sequenceLength l: Int,
                convention: CountingConvention = .survey) throws(ConfigurationError) {
        try self.init(model, sequenceLength: l, convention: convention, stepByStep: false)
    }

    /// `stepByStep` sums a decoder over every generation step's graph (O(l·h) operations: minutes at l = 65,536
    /// with 1,024 heads); otherwise over two steps' graphs and the closed form of the attended positions.
    init(_ model: TransformerConfig, sequenceLength l: Int, convention: CountingConvention,
         stepByStep: Bool) throws(ConfigurationError) {
        try model.validate()
        try TransformerConfig.validate(sequenceLength: l)
        self.model = model
        self.sequenceLength = l
        self.convention = convention
        let layers = Double(model.layers)
        var order: [LayerOperationID] = []
        var byIdentity: [LayerOperationID: OperationTotal] = [:]
        func add(_ graph: LayerGraph, countInstances: Bool, counts: ((Int, Operation) -> WorkCounts)? = nil) {
            for (i, op) in graph.operations.enumerated() {
                let opCounts = counts?(i, op) ?? op.counts
                if var existing = byIdentity[op.identity] {
                    existing.counts += opCounts * layers
                    if countInstances { existing.instancesPerLayer += 1 }
                    byIdentity[op.identity] = existing
                } else {
                    order.append(op.identity)
                    byIdentity[op.identity] = OperationTotal(identity: op.identity, instancesPerLayer: 1,
                                                             counts: opCounts * layers)
                }
            }
        }
        switch model.architecture {
        case .encoder:
            add(LayerGraph.encoder(model, sequenceLength: l, convention: convention), countInstances: true)
        case .decoder where stepByStep || l == 1:
            for t in 1...l {
                add(LayerGraph.decoderStep(model, step: t, convention: convention), countInstances: t == 1)
            }
        case .decoder:
            // Each operation of a step is affine in the positions p(t) the new token attends to:
            // counts(t) = a + b·p(t). Steps 1 and 2 give a and b, and Σ_t counts(t) = l·a + b·Σ_t p(t), with Σp
            // in closed form. The counts are small dyadic numbers, so this equals the step-by-step sum exactly
            // (a test compares the two).
            let first = LayerGraph.decoderStep(model, step: 1, convention: convention)
            let second = LayerGraph.decoderStep(model, step: 2, convention: convention)
            let p1 = convention.triangle.positions(atStep: 1), p2 = convention.triangle.positions(atStep: 2)
            let positions = convention.triangle.totalPositions(sequenceLength: l), steps = Double(l)
            add(first, countInstances: true) { i, op in
                let later = second.operations[i].counts
                let slope = WorkCounts(flops: (later.flops - op.counts.flops) / (p2 - p1),
                                       bytes: (later.bytes - op.counts.bytes) / (p2 - p1))
                let intercept = WorkCounts(flops: op.counts.flops - slope.flops * p1, bytes: op.counts.bytes - slope.bytes * p1)
                return intercept * steps + slope * positions
            }
        }
        operations = order.map { byIdentity[$0]! }
    }

    /// Sums per operation class.
    public var classTotals: [OperationClass: WorkCounts] {
        operations.reduce(into: [:]) { $0[$1.operationClass, default: .zero] += $1.counts }
    }

    /// The whole model.
    public var total: WorkCounts { operations.reduce(.zero) { $0 + $1.counts } }

    /// Share of FLOPs in matmuls (projections, act-to-act and FFN).
    public var matmulFlopShare: Double {
        let nonlinear = classTotals[.nonlinear]?.flops ?? 0
        return 1 - nonlinear / total.flops
    }
}

/// Closed-form per-class counts for a whole model: the second derivation of ``ModelWorkload``, written from
/// the survey's Tab. 2 dimensions rather than by walking the graph.
public enum ClosedForm {
    public static func classTotals(_ m: TransformerConfig, sequenceLength l: Int,
                                   convention c: CountingConvention = .survey) -> [OperationClass: WorkCounts] {
        let d = Double(m.dModel), f = Double(m.dFFN), h = Double(m.heads), dh = Double(m.headDimension)
        let L = Double(l), n = Double(m.layers)
        let perTokenFlops = (c.attentionResidual.flops + c.ffnResidual.flops + 2 * c.layerNorm.flops) * d
            + c.gelu.flops * f
        var result: [OperationClass: WorkCounts] = [:]
        switch m.architecture {
        case .encoder:
            result[.projection] = WorkCounts(flops: 4 * 2 * d * d * L, bytes: 4 * (d * d + 2 * d * L))
            result[.actToAct] = WorkCounts(flops: h * (L * L * (2 * dh - 1) + dh * L * (2 * L - 1)),
                                           bytes: h * 2 * (2 * L * dh + L * L))
            result[.ffn] = WorkCounts(flops: 2 * 2 * d * f * L, bytes: 2 * (d * f + d * L + f * L))
            let perTokenBytes = (c.attentionResidual.bytes + c.ffnResidual.bytes + 2 * c.layerNorm.bytes) * d
                + c.gelu.bytes * f
            result[.nonlinear] = WorkCounts(flops: c.softmax.flops * h * L * L + perTokenFlops * L,
                                            bytes: c.softmax.bytes * h * L * L + perTokenBytes * L
                                                + 2 * c.layerNormParameterBytes * d)
        case .decoder:
            let s = c.triangle.totalPositions(sequenceLength: l)
            result[.projection] = WorkCounts(flops: 8 * d * d * L, bytes: 4 * (d * d + 2 * d) * L)
            result[.actToAct] = WorkCounts(flops: 4 * h * dh * s,
                                           bytes: h * (4 * dh * L + 2 * dh * s + c.decoderScoreBytes * s))
            result[.ffn] = WorkCounts(flops: 4 * d * f * L, bytes: 2 * (d * f + d + f) * L)
            let perTokenBytes = (c.attentionResidual.bytes + c.decoderResidualBytes
                + 2 * (c.layerNorm.bytes + c.layerNormParameterBytes)) * d + c.gelu.bytes * f
            result[.nonlinear] = WorkCounts(flops: c.softmax.flops * h * s + perTokenFlops * L,
                                            bytes: c.softmax.bytes * h * s + perTokenBytes * L)
        }
        return result.mapValues { $0 * n }
    }
}
