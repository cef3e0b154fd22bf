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
    /// Which work of a decoder is counted: the prompt's tokens all at once, or the generation of tokens one by
    /// one with a key/value cache. An encoder only has the first.
    public enum Phase: String, Sendable, Hashable, CaseIterable, Codable {
        /// l tokens at once (an encoder's whole pass, a decoder's prompt), then one token's LM head.
        case prefill
        /// l tokens generated one by one, steps 1...l, each attending to the cache (the survey's GPT-2 counts).
        case decode
    }

    public let model: TransformerConfig
    public let sequenceLength: Int
    public let phase: Phase
    /// Sequences processed together.
    public let batch: Int
    public let convention: CountingConvention
    /// Bytes of one stored value: the survey counts 1 (8-bit); ``quantized(bytesPerValue:)`` changes it.
    public internal(set) var bytesPerValue: Double = 1
    /// Per operation, in the order of the layer graph (then the model's output operations, if it counts them).
    public internal(set) var operations: [OperationTotal]

    /// Batch sizes accepted.
    public static let batchRange: ClosedRange<Int> = 1...4096

    /// `phase` defaults to what the survey counts: prefill for an encoder, decode for a decoder.
    public init(_ model: TransformerConfig, sequenceLength l: Int, phase: Phase? = nil, batch: Int = 1,
                convention: CountingConvention = .survey) throws(ConfigurationError) {
        try self.init(model, sequenceLength: l, phase: phase, batch: batch, convention: convention, stepByStep: false)
    }

    /// `stepByStep` sums a decoder over every generation step's graph (O(l·h) operations: minutes at l = 65,536
    /// with 1,024 heads); otherwise over two steps' graphs and the closed form of the attended positions.
    init(_ model: TransformerConfig, sequenceLength l: Int, phase: Phase? = nil, batch: Int = 1,
         convention: CountingConvention, stepByStep: Bool) throws(ConfigurationError) {
        try model.validate()
        try TransformerConfig.validate(sequenceLength: l)
        try ConfigurationError.require(batch, in: Self.batchRange, field: "batch")
        let phase = phase ?? (model.architecture == .encoder ? .prefill : .decode)
        if model.architecture == .encoder && phase == .decode {
            throw ConfigurationError(field: "phase", message: "\(model.displayName) is an encoder: it has no decode phase")
        }
        self.model = model
        self.sequenceLength = l
        self.phase = phase
        self.batch = batch
        self.convention = convention
        var order: [LayerOperationID] = []
        var byIdentity: [LayerOperationID: OperationTotal] = [:]
        func add(_ ops: [Operation], times k: Double, countInstances: Bool, counts: ((Int, Operation) -> WorkCounts)? = nil) {
            for (i, op) in ops.enumerated() {
                let opCounts = counts?(i, op) ?? op.counts
                if var existing = byIdentity[op.identity] {
                    existing.counts += opCounts * k
                    if countInstances { existing.instancesPerLayer += 1 }
                    byIdentity[op.identity] = existing
                } else {
                    order.append(op.identity)
                    byIdentity[op.identity] = OperationTotal(identity: op.identity, instancesPerLayer: 1, counts: opCounts * k)
                }
            }
        }
        let layers = Double(model.layers), shape = LayerShape(model)
        let output = LayerGraph.outputOperations(model, batch: batch, convention: convention)
        switch phase {
        case .prefill:
            add(LayerGraph(shape, step: .encoder(sequenceLength: l), batch: batch, convention: convention).operations,
                times: layers, countInstances: true)
            add(output, times: 1, countInstances: true)
        case .decode where stepByStep || l == 1:
            for t in 1...l {
                add(LayerGraph(shape, step: .decoder(step: t), batch: batch, convention: convention).operations,
                    times: layers, countInstances: t == 1)
            }
            add(output, times: Double(l), countInstances: true)
        case .decode:
            // Each operation of a step is affine in the positions p(t) the new token attends to:
            // counts(t) = a + b·p(t). Steps 1 and 2 of the layer without its window give a and b, and
            // Σ_t counts(t) = l·a + b·Σ_t p(t), with Σp in closed form (a sliding window caps p(t)). The counts are
            // small dyadic numbers, so this equals the step-by-step sum exactly (a test compares the two).
            var unwindowed = shape
            unwindowed.block.slidingWindow = nil
            let first = LayerGraph(unwindowed, step: .decoder(step: 1), batch: batch, convention: convention)
            let second = LayerGraph(unwindowed, step: .decoder(step: 2), batch: batch, convention: convention)
            let p1 = convention.triangle.positions(atStep: 1), p2 = convention.triangle.positions(atStep: 2)
            let positions = convention.triangle.totalPositions(sequenceLength: l, window: model.block.slidingWindow)
            let steps = Double(l)
            add(first.operations, times: layers, countInstances: true) { i, op in
                let later = second.operations[i].counts
                let slope = WorkCounts(flops: (later.flops - op.counts.flops) / (p2 - p1),
                                       bytes: (later.bytes - op.counts.bytes) / (p2 - p1))
                let intercept = WorkCounts(flops: op.counts.flops - slope.flops * p1, bytes: op.counts.bytes - slope.bytes * p1)
                return intercept * steps + slope * positions
            }
            add(output, times: steps, countInstances: true)
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

extension ClosedForm {
    /// Closed-form per-class counts for any block (grouped-query attention, SwiGLU, RMSNorm, rotary embedding,
    /// a sliding window, an untied LM head), either phase and any batch: the second derivation of
    /// ``ModelWorkload`` for chapter 7, written from the block's matrix dimensions rather than by walking the
    /// graph. With a = h·d_head and w = kv·d_head the query and key/value widths, R the rows of a pass and g = h/kv:
    /// projections 2·d·(2a + 2w) FLOPs per row, weights 2d(a + w) bytes per pass plus R(4d + 2a + 2w); attention
    /// per sequence h·l·(S(2d_head − 1) + d_head(2S − 1)) FLOPs over S = min(l, window) keys in a prefill,
    /// 4·h·d_head·Σp(t) in decoding.
    public static func classTotals(_ m: TransformerConfig, sequenceLength l: Int, phase: ModelWorkload.Phase,
                                   batch: Int = 1, convention c: CountingConvention = .survey) -> [OperationClass: WorkCounts] {
        let d = Double(m.dModel), f = Double(m.dFFN), h = Double(m.heads), kv = Double(m.kvHeads)
        let dh = Double(m.headDimension), a = h * dh, w = kv * dh, n = Double(m.layers), B = Double(batch), L = Double(l)
        let swiglu = m.block.ffn == .swiglu, rms = m.block.norm == .rmsNorm
        let ffnMatrices: Double = swiglu ? 3 : 2
        let norm = rms ? c.rmsNorm : c.layerNorm, normParameters = c.parameterBytes(rms ? .rmsNorm : .layerNorm)
        let activation = swiglu ? c.swiglu : c.gelu
        let rotary = m.block.rotary ? c.rotary : CountingConvention.ElementCost(flops: 0, bytes: 0)
        // Per row (token of one sequence) of every element-wise operation but Softmax.
        let rowFlops = (c.attentionResidual.flops + c.ffnResidual.flops + 2 * norm.flops) * d + activation.flops * f
            + rotary.flops * (a + w)
        func rowBytes(ffnResidual: Double) -> Double {
            (c.attentionResidual.bytes + ffnResidual + 2 * norm.bytes) * d + activation.bytes * f + rotary.bytes * (a + w)
        }
        // Per pass: weights once, then R rows of activations in and out.
        func projections(rows R: Double) -> WorkCounts {
            WorkCounts(flops: 2 * d * (2 * a + 2 * w) * R, bytes: 2 * d * (a + w) + R * (4 * d + 2 * a + 2 * w))
        }
        func ffn(rows R: Double) -> WorkCounts {
            WorkCounts(flops: ffnMatrices * 2 * d * f * R, bytes: ffnMatrices * (d * f + R * (d + f)))
        }
        var result: [OperationClass: WorkCounts] = [:]
        var outputPasses: Double
        switch phase {
        case .prefill:
            let S = Double(min(l, m.block.slidingWindow ?? l)), R = B * L
            result[.projection] = projections(rows: R) * n
            result[.actToAct] = WorkCounts(flops: B * h * L * (S * (2 * dh - 1) + dh * (2 * S - 1)),
                                           bytes: B * (2 * h * L * dh + 2 * kv * L * dh + 2 * h * L * S)) * n
            result[.ffn] = ffn(rows: R) * n
            result[.nonlinear] = WorkCounts(flops: c.softmax.flops * B * h * L * S + rowFlops * R,
                                            bytes: c.softmax.bytes * B * h * L * S + rowBytes(ffnResidual: c.ffnResidual.bytes) * R
                                                + 2 * normParameters * d) * n
            outputPasses = 1
        case .decode:
            let P = c.triangle.totalPositions(sequenceLength: l, window: m.block.slidingWindow)
            result[.projection] = projections(rows: B) * (L * n)
            result[.actToAct] = WorkCounts(flops: B * 4 * h * dh * P,
                                           bytes: B * (2 * L * (a + w) + 2 * w * P + h * c.decoderScoreBytes * P)) * n
            result[.ffn] = ffn(rows: B) * (L * n)
            result[.nonlinear] = WorkCounts(flops: c.softmax.flops * B * h * P + rowFlops * B * L,
                                            bytes: c.softmax.bytes * B * h * P + rowBytes(ffnResidual: c.decoderResidualBytes) * B * L
                                                + 2 * normParameters * d * L) * n
            outputPasses = L
        }
        if let vocabulary = m.block.vocabulary {
            let V = Double(vocabulary)
            result[.projection]! += WorkCounts(flops: 2 * d * V * B, bytes: V * d + d * B + V * B) * outputPasses
            result[.nonlinear]! += WorkCounts(flops: c.rmsNorm.flops * B * d,
                                              bytes: c.rmsNorm.bytes * B * d + c.rmsNormParameterBytes * d) * outputPasses
        }
        return result
    }
}
