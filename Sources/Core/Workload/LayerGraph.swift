/// The operation graph of one Transformer layer, as the survey draws it (Fig. 1 for the encoder, Fig. 27
/// for a decoder step with its key/value cache), with every operation's FLOPs and bytes.
///
/// Attention is enumerated head by head: a 12-head layer has 12 query × key nodes. Summing the nodes is one
/// derivation of a layer's cost; ``ClosedForm`` is the other, and tests check that they agree.
///
/// ```swift
/// let g = LayerGraph.encoder(.bertBase, sequenceLength: 128)
/// g.total.flops            // 1.868e9 for one layer
/// ```
public struct LayerGraph: Sendable {
    /// What the layer processes: `l` tokens at once (an encoder), or one new token at generation step `t`
    /// (1-based) of a decoder with a key/value cache.
    public enum Step: Sendable, Hashable {
        case encoder(sequenceLength: Int)
        case decoder(step: Int)
    }

    /// The layer's widths.
    public var shape: LayerShape
    public var step: Step
    public var convention: CountingConvention
    public var operations: [Operation]

    /// The layer of `shape` at `step`, counted in `convention`.
    public init(_ shape: LayerShape, step: Step, convention: CountingConvention = .survey) {
        self.shape = shape
        self.step = step
        self.convention = convention
        switch step {
        case let .encoder(l): operations = Self.encoderOperations(shape, sequenceLength: l, convention: convention)
        case let .decoder(t): operations = Self.decoderOperations(shape, step: t, convention: convention)
        }
    }

    /// The sum over every node.
    public var total: WorkCounts { operations.reduce(.zero) { $0 + $1.counts } }

    /// Sums per class.
    public var classTotals: [OperationClass: WorkCounts] {
        operations.reduce(into: [:]) { $0[$1.operationClass, default: .zero] += $1.counts }
    }

    /// The nodes of one operation (one per head for per-head operations), in graph order.
    public func nodes(_ identity: LayerOperationID) -> [Operation] { operations.filter { $0.identity == identity } }

    /// The nodes grouped by identity (a per-head operation's h nodes together), in the order of first appearance.
    public var groupedByIdentity: [(identity: LayerOperationID, nodes: [Operation])] {
        var groups: [(identity: LayerOperationID, nodes: [Operation])] = []
        var index: [LayerOperationID: Int] = [:]
        for op in operations {
            if let i = index[op.identity] {
                groups[i].nodes.append(op)
            } else {
                index[op.identity] = groups.count
                groups.append((op.identity, [op]))
            }
        }
        return groups
    }

    /// Ids of the nodes whose output a non-linear (element-wise) operation reads: §3.3's 32-bit outputs.
    public var readByNonlinear: Set<String> {
        var ids: Set<String> = []
        for op in operations where !op.kind.isMatmul { ids.formUnion(op.inputs) }
        return ids
    }

    /// The encoder layer (post-LayerNorm, as BERT) processing `l` tokens at once.
    public static func encoder(_ m: TransformerConfig, sequenceLength l: Int,
                               convention c: CountingConvention = .survey) -> LayerGraph {
        LayerGraph(LayerShape(m), step: .encoder(sequenceLength: l), convention: c)
    }

    /// One decoder generation step `t` (1-based): a single new token attends to the key/value cache
    /// (survey Fig. 27). Projections become matrix-vector products that read every weight once per step.
    public static func decoderStep(_ m: TransformerConfig, step t: Int,
                                   convention c: CountingConvention = .survey) -> LayerGraph {
        LayerGraph(LayerShape(m), step: .decoder(step: t), convention: c)
    }

    /// Collects a layer's nodes, naming each by its identity.
    struct Builder {
        let heads: Int
        var operations: [Operation] = []

        func id(_ op: LayerOperationID, _ head: Int? = nil) -> String { op.nodeID(head: head, heads: heads) }

        mutating func add(_ op: LayerOperationID, head: Int? = nil, _ kind: OperationKind, _ shape: OperationShape,
                          _ counts: WorkCounts, from inputs: [String]) {
            operations.append(Operation(identity: op, head: head, id: id(op, head), kind: kind, shape: shape,
                                        counts: counts, inputs: inputs))
        }
    }

    static func encoderOperations(_ s: LayerShape, sequenceLength l: Int, convention c: CountingConvention) -> [Operation] {
        let d = s.dModel, f = s.dFFN, h = s.heads, dh = s.headDimension, a = s.attentionWidth
        let D = Double(d), F = Double(f), L = Double(l), Dh = Double(dh)
        var b = Builder(heads: h)
        func projection(_ op: LayerOperationID, out: Int, inner: Int, from: [String]) {
            // Tab. 2: out×inner×l. 2n FLOPs per output; weight, input and output each moved once.
            let counts = WorkCounts(flops: 2 * Double(inner) * Double(out) * L,
                                    bytes: Double(out * inner) + Double(inner) * L + Double(out) * L)
            b.add(op, .matmul(m: out, n: inner, k: l), .matmul(GEMMShape(m: l, n: out, k: inner)), counts, from: from)
        }
        func elementwise(_ op: LayerOperationID, head: Int? = nil, _ kind: OperationKind,
                         _ cost: CountingConvention.ElementCost, rows: Int, length: Int, elements: Double,
                         parameterBytes: Double = 0, from: [String]) {
            b.add(op, head: head, kind, .elementwise(rows: rows, rowLength: length),
                  WorkCounts(flops: cost.flops * elements, bytes: cost.bytes * elements + parameterBytes), from: from)
        }
        projection(.queryProjection, out: a, inner: d, from: ["input"])
        projection(.keyProjection, out: a, inner: d, from: ["input"])
        projection(.valueProjection, out: a, inner: d, from: ["input"])
        var heads: [String] = []
        for i in 0..<h {
            // query × key: l×(d/h)×l, l² dot products of length d/h.
            b.add(.scores, head: i, .matmul(m: l, n: dh, k: l), .matmul(GEMMShape(m: l, n: l, k: dh)),
                  WorkCounts(flops: L * L * (2 * Dh - 1), bytes: 2 * L * Dh + L * L),
                  from: [b.id(.queryProjection), b.id(.keyProjection)])
            elementwise(.softmax, head: i, .softmax, c.softmax, rows: l, length: l, elements: L * L, from: [b.id(.scores, i)])
            // score × value: (d/h)×l×l, l·(d/h) dot products of length l.
            b.add(.context, head: i, .matmul(m: dh, n: l, k: l), .matmul(GEMMShape(m: l, n: dh, k: l)),
                  WorkCounts(flops: Dh * L * (2 * L - 1), bytes: L * L + 2 * L * Dh),
                  from: [b.id(.softmax, i), b.id(.valueProjection)])
            heads.append(b.id(.context, i))
        }
        projection(.outputProjection, out: d, inner: a, from: heads)
        elementwise(.attentionResidual, .residualAdd, c.attentionResidual, rows: l, length: d, elements: L * D,
                    from: [b.id(.outputProjection), "input"])
        elementwise(.attentionLayerNorm, .layerNorm, c.layerNorm, rows: l, length: d, elements: L * D,
                    parameterBytes: c.layerNormParameterBytes * D, from: [b.id(.attentionResidual)])
        projection(.ffnUp, out: f, inner: d, from: [b.id(.attentionLayerNorm)])
        elementwise(.gelu, .gelu, c.gelu, rows: l, length: f, elements: L * F, from: [b.id(.ffnUp)])
        projection(.ffnDown, out: d, inner: f, from: [b.id(.gelu)])
        elementwise(.ffnResidual, .residualAdd, c.ffnResidual, rows: l, length: d, elements: L * D,
                    from: [b.id(.ffnDown), b.id(.attentionLayerNorm)])
        elementwise(.ffnLayerNorm, .layerNorm, c.layerNorm, rows: l, length: d, elements: L * D,
                    parameterBytes: c.layerNormParameterBytes * D, from: [b.id(.ffnResidual)])
        return b.operations
    }

    static func decoderOperations(_ s: LayerShape, step t: Int, convention c: CountingConvention) -> [Operation] {
        let d = s.dModel, f = s.dFFN, h = s.heads, dh = s.headDimension, a = s.attentionWidth
        let D = Double(d), F = Double(f), Dh = Double(dh)
        let p = c.triangle.positions(atStep: t)
        var b = Builder(heads: h)
        func projection(_ op: LayerOperationID, out: Int, inner: Int, from: [String]) {
            let counts = WorkCounts(flops: 2 * Double(inner) * Double(out),
                                    bytes: Double(out * inner) + Double(inner) + Double(out))
            b.add(op, .matmul(m: out, n: inner, k: 1), .matmul(GEMMShape(m: 1, n: out, k: inner)), counts, from: from)
        }
        func elementwise(_ op: LayerOperationID, head: Int? = nil, _ kind: OperationKind, length: Int,
                         flops: Double, bytes: Double, from: [String]) {
            b.add(op, head: head, kind, .elementwise(rows: 1, rowLength: length), WorkCounts(flops: flops, bytes: bytes),
                  from: from)
        }
        projection(.queryProjection, out: a, inner: d, from: ["input"])
        projection(.keyProjection, out: a, inner: d, from: ["input"])
        projection(.valueProjection, out: a, inner: d, from: ["input"])
        let halfScore = c.decoderScoreBytes / 2
        var heads: [String] = []
        for i in 0..<h {
            // q·Kᵀ over the cache: reads q and the cached keys, appends the new key, writes the scores.
            b.add(.scores, head: i, .matmul(m: 1, n: dh, k: t), .matmul(GEMMShape(m: 1, n: t, k: dh)),
                  WorkCounts(flops: 2 * Dh * p, bytes: 2 * Dh + Dh * p + halfScore * p),
                  from: [b.id(.queryProjection), b.id(.keyProjection), "cache"])
            elementwise(.softmax, head: i, .softmax, length: t, flops: c.softmax.flops * p, bytes: c.softmax.bytes * p,
                        from: [b.id(.scores, i)])
            // scores · V over the cache: reads the cached values, appends the new value, writes d/h outputs.
            b.add(.context, head: i, .matmul(m: dh, n: t, k: 1), .matmul(GEMMShape(m: 1, n: dh, k: t)),
                  WorkCounts(flops: 2 * Dh * p, bytes: 2 * Dh + Dh * p + halfScore * p),
                  from: [b.id(.softmax, i), b.id(.valueProjection), "cache"])
            heads.append(b.id(.context, i))
        }
        projection(.outputProjection, out: d, inner: a, from: heads)
        let lnBytes = c.layerNorm.bytes + c.layerNormParameterBytes
        elementwise(.attentionResidual, .residualAdd, length: d, flops: c.attentionResidual.flops * D,
                    bytes: c.attentionResidual.bytes * D, from: [b.id(.outputProjection), "input"])
        elementwise(.attentionLayerNorm, .layerNorm, length: d, flops: c.layerNorm.flops * D, bytes: lnBytes * D,
                    from: [b.id(.attentionResidual)])
        projection(.ffnUp, out: f, inner: d, from: [b.id(.attentionLayerNorm)])
        elementwise(.gelu, .gelu, length: f, flops: c.gelu.flops * F, bytes: c.gelu.bytes * F, from: [b.id(.ffnUp)])
        projection(.ffnDown, out: d, inner: f, from: [b.id(.gelu)])
        elementwise(.ffnResidual, .residualAdd, length: d, flops: c.ffnResidual.flops * D,
                    bytes: c.decoderResidualBytes * D, from: [b.id(.ffnDown), b.id(.attentionLayerNorm)])
        elementwise(.ffnLayerNorm, .layerNorm, length: d, flops: c.layerNorm.flops * D, bytes: lnBytes * D,
                    from: [b.id(.ffnResidual)])
        return b.operations
    }
}
