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
    public var operations: [Operation]

    public init(operations: [Operation]) { self.operations = operations }

    /// The sum over every node.
    public var total: WorkCounts { operations.reduce(.zero) { $0 + $1.counts } }

    /// Sums per class.
    public var classTotals: [OperationClass: WorkCounts] {
        operations.reduce(into: [:]) { $0[$1.operationClass, default: .zero] += $1.counts }
    }

    /// The encoder layer (post-LayerNorm, as BERT) processing `l` tokens at once.
    public static func encoder(_ m: TransformerConfig, sequenceLength l: Int,
                               convention c: CountingConvention = .survey) -> LayerGraph {
        let d = m.dModel, f = m.dFFN, h = m.heads, dh = m.headDimension
        let D = Double(d), F = Double(f), L = Double(l), Dh = Double(dh)
        var ops: [Operation] = []
        func projection(_ id: String, _ name: String, _ cls: OperationClass, out: Int, inner: Int, from: [String]) {
            // Tab. 2: out×inner×l. 2n FLOPs per output; weight, input and output each moved once.
            let counts = WorkCounts(flops: 2 * Double(inner) * Double(out) * L,
                                    bytes: Double(out * inner) + Double(inner) * L + Double(out) * L)
            ops.append(Operation(id: id, path: id, name: name, operationClass: cls,
                                 kind: .matmul(m: out, n: inner, k: l), counts: counts, inputs: from))
        }
        func elementwise(_ id: String, _ name: String, _ kind: OperationKind, _ cost: CountingConvention.ElementCost,
                         elements: Double, from: [String]) {
            ops.append(Operation(id: id, path: id, name: name, operationClass: .nonlinear, kind: kind,
                                 counts: WorkCounts(flops: cost.flops * elements, bytes: cost.bytes * elements),
                                 inputs: from))
        }
        projection("mha/wq", "W_Q projection", .projection, out: d, inner: d, from: ["input"])
        projection("mha/wk", "W_K projection", .projection, out: d, inner: d, from: ["input"])
        projection("mha/wv", "W_V projection", .projection, out: d, inner: d, from: ["input"])
        var heads: [String] = []
        for i in 0..<h {
            let head = "mha/head\(Self.pad(i, h))"
            // query × key: l×(d/h)×l, l² dot products of length d/h.
            ops.append(Operation(id: "\(head)/qk", path: "mha/qk", name: "query × key", operationClass: .actToAct,
                                 kind: .matmul(m: l, n: dh, k: l),
                                 counts: WorkCounts(flops: L * L * (2 * Dh - 1), bytes: 2 * L * Dh + L * L),
                                 inputs: ["mha/wq", "mha/wk"]))
            elementwise("\(head)/softmax", "Softmax", .softmax, c.softmax, elements: L * L, from: ["\(head)/qk"])
            ops[ops.count - 1].path = "mha/softmax"
            // score × value: (d/h)×l×l, l·(d/h) dot products of length l.
            ops.append(Operation(id: "\(head)/sv", path: "mha/sv", name: "score × value", operationClass: .actToAct,
                                 kind: .matmul(m: dh, n: l, k: l),
                                 counts: WorkCounts(flops: Dh * L * (2 * L - 1), bytes: L * L + 2 * L * Dh),
                                 inputs: ["\(head)/softmax", "mha/wv"]))
            heads.append("\(head)/sv")
        }
        projection("mha/wout", "W_out projection", .projection, out: d, inner: d, from: heads)
        elementwise("mha/residual", "residual add", .residualAdd, c.attentionResidual, elements: L * D,
                    from: ["mha/wout", "input"])
        elementwise("mha/layernorm", "LayerNorm", .layerNorm, c.layerNorm, elements: L * D, from: ["mha/residual"])
        ops[ops.count - 1].counts.bytes += c.layerNormParameterBytes * D
        projection("ffn/w1", "W1 projection", .ffn, out: f, inner: d, from: ["mha/layernorm"])
        elementwise("ffn/gelu", "GELU", .gelu, c.gelu, elements: L * F, from: ["ffn/w1"])
        projection("ffn/w2", "W2 projection", .ffn, out: d, inner: f, from: ["ffn/gelu"])
        elementwise("ffn/residual", "residual add", .residualAdd, c.ffnResidual, elements: L * D,
                    from: ["ffn/w2", "mha/layernorm"])
        elementwise("ffn/layernorm", "LayerNorm", .layerNorm, c.layerNorm, elements: L * D, from: ["ffn/residual"])
        ops[ops.count - 1].counts.bytes += c.layerNormParameterBytes * D
        return LayerGraph(operations: ops)
    }

    /// One decoder generation step `t` (1-based): a single new token attends to the key/value cache
    /// (survey Fig. 27). Projections become matrix-vector products that read every weight once per step.
    public static func decoderStep(_ m: TransformerConfig, step t: Int,
                                   convention c: CountingConvention = .survey) -> LayerGraph {
        let d = m.dModel, f = m.dFFN, h = m.heads, dh = m.headDimension
        let D = Double(d), F = Double(f), Dh = Double(dh)
        let p = c.triangle.positions(atStep: t)
        var ops: [Operation] = []
        func projection(_ id: String, _ name: String, _ cls: OperationClass, out: Int, inner: Int, from: [String]) {
            let counts = WorkCounts(flops: 2 * Double(inner) * Double(out),
                                    bytes: Double(out * inner) + Double(inner) + Double(out))
            ops.append(Operation(id: id, path: id, name: name, operationClass: cls,
                                 kind: .matmul(m: out, n: inner, k: 1), counts: counts, inputs: from))
        }
        func elementwise(_ id: String, _ name: String, _ kind: OperationKind, flops: Double, bytes: Double,
                         from: [String]) {
            ops.append(Operation(id: id, path: id, name: name, operationClass: .nonlinear, kind: kind,
                                 counts: WorkCounts(flops: flops, bytes: bytes), inputs: from))
        }
        projection("mha/wq", "W_Q projection", .projection, out: d, inner: d, from: ["input"])
        projection("mha/wk", "W_K projection", .projection, out: d, inner: d, from: ["input"])
        projection("mha/wv", "W_V projection", .projection, out: d, inner: d, from: ["input"])
        let halfScore = c.decoderScoreBytes / 2
        var heads: [String] = []
        for i in 0..<h {
            let head = "mha/head\(Self.pad(i, h))"
            // q·Kᵀ over the cache: reads q and the cached keys, appends the new key, writes the scores.
            ops.append(Operation(id: "\(head)/qk", path: "mha/qk", name: "query × key", operationClass: .actToAct,
                                 kind: .matmul(m: 1, n: dh, k: t),
                                 counts: WorkCounts(flops: 2 * Dh * p, bytes: 2 * Dh + Dh * p + halfScore * p),
                                 inputs: ["mha/wq", "mha/wk", "cache"]))
            elementwise("\(head)/softmax", "Softmax", .softmax, flops: c.softmax.flops * p,
                        bytes: c.softmax.bytes * p, from: ["\(head)/qk"])
            ops[ops.count - 1].path = "mha/softmax"
            // scores · V over the cache: reads the cached values, appends the new value, writes d/h outputs.
            ops.append(Operation(id: "\(head)/sv", path: "mha/sv", name: "score × value", operationClass: .actToAct,
                                 kind: .matmul(m: dh, n: t, k: 1),
                                 counts: WorkCounts(flops: 2 * Dh * p, bytes: 2 * Dh + Dh * p + halfScore * p),
                                 inputs: ["\(head)/softmax", "mha/wv", "cache"]))
            heads.append("\(head)/sv")
        }
        projection("mha/wout", "W_out projection", .projection, out: d, inner: d, from: heads)
        let lnBytes = c.layerNorm.bytes + c.layerNormParameterBytes
        elementwise("mha/residual", "residual add", .residualAdd, flops: c.attentionResidual.flops * D,
                    bytes: c.attentionResidual.bytes * D, from: ["mha/wout", "input"])
        elementwise("mha/layernorm", "LayerNorm", .layerNorm, flops: c.layerNorm.flops * D, bytes: lnBytes * D,
                    from: ["mha/residual"])
        projection("ffn/w1", "W1 projection", .ffn, out: f, inner: d, from: ["mha/layernorm"])
        elementwise("ffn/gelu", "GELU", .gelu, flops: c.gelu.flops * F, bytes: c.gelu.bytes * F, from: ["ffn/w1"])
        projection("ffn/w2", "W2 projection", .ffn, out: d, inner: f, from: ["ffn/gelu"])
        elementwise("ffn/residual", "residual add", .residualAdd, flops: c.ffnResidual.flops * D,
                    bytes: c.decoderResidualBytes * D, from: ["ffn/w2", "mha/layernorm"])
        elementwise("ffn/layernorm", "LayerNorm", .layerNorm, flops: c.layerNorm.flops * D, bytes: lnBytes * D,
                    from: ["ffn/residual"])
        return LayerGraph(operations: ops)
    }

    static func pad(_ i: Int, _ count: Int) -> String {
        let width = String(count - 1).count
        let s = String(i)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }
}
