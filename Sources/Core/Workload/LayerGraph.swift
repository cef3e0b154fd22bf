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
    /// Sequences processed together: the projections become one matmul with `batch` times the rows; attention's
    /// per-head operations repeat per sequence (``Operation/copies``).
    public var batch: Int
    public var convention: CountingConvention
    public var operations: [Operation]

    /// The layer of `shape` at `step`, counted in `convention`. `.encoder(sequenceLength:)` is also a decoder's
    /// prefill: the prompt's l tokens at once, every query scored against every key (as the survey counts the
    /// encoder, and as a kernel without causal skipping computes it).
    public init(_ shape: LayerShape, step: Step, batch: Int = 1, convention: CountingConvention = .survey) {
        self.shape = shape
        self.step = step
        self.batch = batch
        self.convention = convention
        operations = Self.layerOperations(shape, step: step, batch: batch, convention: convention)
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
        /// Nodes per per-head operation: the key/value heads.
        let heads: Int
        var operations: [Operation] = []

        func id(_ op: LayerOperationID, _ head: Int? = nil) -> String { op.nodeID(head: head, heads: heads) }

        mutating func add(_ op: LayerOperationID, head: Int? = nil, _ kind: OperationKind, _ shape: OperationShape,
                          _ counts: WorkCounts, from inputs: [String], copies: Int = 1) {
            operations.append(Operation(identity: op, head: head, id: id(op, head), kind: kind, shape: shape,
                                        counts: counts, inputs: inputs, copies: copies))
        }
    }

    /// One layer's nodes: the survey's post-LayerNorm block (Fig. 1; Fig. 27 for a decoder step) or a pre-norm
    /// modern block (RMSNorm, rotary embedding, grouped-query attention, SwiGLU), for `batch` sequences of
    /// `l` new tokens each (an encoder or a prefill) or of one new token at decoder step `t`.
    ///
    /// Every count follows the survey's §2.2.1: 2n FLOPs per output of a weight matmul, each operand moved once
    /// per operation; 2n − 1 per act-to-act dot product when all tokens run at once, 2n per decode step (the
    /// survey's Tab. 11); element-wise operations at the convention's cost per element.
    static func layerOperations(_ s: LayerShape, step: Step, batch: Int, convention c: CountingConvention) -> [Operation] {
        let tokens: Int, decoding: Bool
        switch step {
        case let .encoder(l): (tokens, decoding) = (l, false)
        case .decoder: (tokens, decoding) = (1, true)
        }
        let rows = batch * tokens, R = Double(rows)
        let d = s.dModel, preNorm = s.block.norm == .rmsNorm
        var b = Builder(heads: s.kvHeads)
        func projection(_ op: LayerOperationID, out: Int, inner: Int, from: [String]) {
            // Tab. 2: out×inner×rows. 2n FLOPs per output; weight, input and output each moved once.
            let counts = WorkCounts(flops: 2 * Double(inner) * Double(out) * R,
                                    bytes: Double(out * inner) + Double(inner) * R + Double(out) * R)
            b.add(op, .matmul(m: out, n: inner, k: rows), .matmul(GEMMShape(m: rows, n: out, k: inner)), counts, from: from)
        }
        func elementwise(_ op: LayerOperationID, _ kind: OperationKind, width: Int, bytesPerElement: Double? = nil,
                         from: [String]) {
            let cost = c.elementCost(op), n = R * Double(width)
            b.add(op, kind, .elementwise(rows: rows, rowLength: width),
                  WorkCounts(flops: cost.flops * n, bytes: (bytesPerElement ?? cost.bytes) * n + c.parameterBytes(kind) * Double(d)),
                  from: from)
        }
        var attentionInput = "input"
        if preNorm {
            elementwise(.attentionRMSNorm, .rmsNorm, width: d, from: ["input"])
            attentionInput = b.id(.attentionRMSNorm)
        }
        projection(.queryProjection, out: s.attentionWidth, inner: d, from: [attentionInput])
        projection(.keyProjection, out: s.kvWidth, inner: d, from: [attentionInput])
        projection(.valueProjection, out: s.kvWidth, inner: d, from: [attentionInput])
        var queriesAndKeys = [b.id(.queryProjection), b.id(.keyProjection)]
        if s.block.rotary {
            elementwise(.rotaryEmbedding, .rotary, width: s.attentionWidth + s.kvWidth, from: queriesAndKeys)
            queriesAndKeys = [b.id(.rotaryEmbedding)]
        }
        let heads = attentionNodes(s, step: step, batch: batch, convention: c, queriesAndKeys: queriesAndKeys, into: &b)
        projection(.outputProjection, out: d, inner: s.attentionWidth, from: heads)
        elementwise(.attentionResidual, .residualAdd, width: d, from: [b.id(.outputProjection), "input"])
        let ffnInput: String, skip: String
        if preNorm {
            skip = b.id(.attentionResidual)
            elementwise(.ffnRMSNorm, .rmsNorm, width: d, from: [skip])
            ffnInput = b.id(.ffnRMSNorm)
        } else {
            elementwise(.attentionLayerNorm, .layerNorm, width: d, from: [b.id(.attentionResidual)])
            ffnInput = b.id(.attentionLayerNorm)
            skip = ffnInput
        }
        switch s.block.ffn {
        case .gelu:
            projection(.ffnUp, out: s.dFFN, inner: d, from: [ffnInput])
            elementwise(.gelu, .gelu, width: s.dFFN, from: [b.id(.ffnUp)])
            projection(.ffnDown, out: d, inner: s.dFFN, from: [b.id(.gelu)])
        case .swiglu:
            projection(.ffnGate, out: s.dFFN, inner: d, from: [ffnInput])
            projection(.ffnUp, out: s.dFFN, inner: d, from: [ffnInput])
            elementwise(.swiglu, .swiglu, width: s.dFFN, from: [b.id(.ffnGate), b.id(.ffnUp)])
            projection(.ffnDown, out: d, inner: s.dFFN, from: [b.id(.swiglu)])
        }
        elementwise(.ffnResidual, .residualAdd, width: d, bytesPerElement: decoding ? c.decoderResidualBytes : nil,
                    from: [b.id(.ffnDown), skip])
        if !preNorm {
            elementwise(.ffnLayerNorm, .layerNorm, width: d, from: [b.id(.ffnResidual)])
        }
        return b.operations
    }

    /// Query × key, Softmax and score × value, one node per key/value head (whose rows are its group's query
    /// heads), each covering the batch's sequences. Returns the ids W_out reads.
    private static func attentionNodes(_ s: LayerShape, step: Step, batch: Int, convention c: CountingConvention,
                                       queriesAndKeys: [String], into b: inout Builder) -> [String] {
        let dh = s.headDimension, g = s.groupSize, Dh = Double(dh), G = Double(g), B = Double(batch)
        var outputs: [String] = []
        for j in 0..<s.kvHeads {
            switch step {
            case let .encoder(l):
                // Every query of the group against `span` keys (all l, or a sliding window's band).
                let span = min(l, s.block.slidingWindow ?? l), L = Double(l), S = Double(span)
                b.add(.scores, head: j, .matmul(m: g * l, n: dh, k: span), .matmul(GEMMShape(m: g * l, n: span, k: dh)),
                      WorkCounts(flops: G * L * S * (2 * Dh - 1), bytes: G * L * Dh + L * Dh + G * L * S) * B,
                      from: queriesAndKeys, copies: batch)
                b.add(.softmax, head: j, .softmax, .elementwise(rows: g * l, rowLength: span),
                      WorkCounts(flops: c.softmax.flops * G * L * S, bytes: c.softmax.bytes * G * L * S) * B,
                      from: [b.id(.scores, j)], copies: batch)
                b.add(.context, head: j, .matmul(m: dh, n: span, k: g * l), .matmul(GEMMShape(m: g * l, n: dh, k: span)),
                      WorkCounts(flops: G * Dh * L * (2 * S - 1), bytes: G * L * S + L * Dh + G * L * Dh) * B,
                      from: [b.id(.softmax, j), b.id(.valueProjection)], copies: batch)
            case let .decoder(t):
                // q·Kᵀ over the cache: reads the group's queries and the cached keys once, appends the new key,
                // writes the scores; scores · V reads them and the cached values, appends the new value.
                let span = min(t, s.block.slidingWindow ?? t)
                let p = c.triangle.positions(atStep: t, window: s.block.slidingWindow), halfScore = c.decoderScoreBytes / 2
                let counts = WorkCounts(flops: G * 2 * Dh * p, bytes: G * Dh + Dh + Dh * p + G * halfScore * p) * B
                b.add(.scores, head: j, .matmul(m: g, n: dh, k: span), .matmul(GEMMShape(m: g, n: span, k: dh)), counts,
                      from: queriesAndKeys + ["cache"], copies: batch)
                b.add(.softmax, head: j, .softmax, .elementwise(rows: g, rowLength: span),
                      WorkCounts(flops: c.softmax.flops * G * p, bytes: c.softmax.bytes * G * p) * B,
                      from: [b.id(.scores, j)], copies: batch)
                b.add(.context, head: j, .matmul(m: dh, n: span, k: g), .matmul(GEMMShape(m: g, n: dh, k: span)), counts,
                      from: [b.id(.softmax, j), b.id(.valueProjection), "cache"], copies: batch)
            }
            outputs.append(b.id(.context, j))
        }
        return outputs
    }

    /// The model's output operations, once per model rather than per layer: the final RMSNorm and the untied LM
    /// head for each sequence's next token (one token per sequence in a prefill too: only the last position's
    /// logits choose the next token). Empty for the survey's block, whose counts leave the head out.
    public static func outputOperations(_ m: TransformerConfig, batch: Int = 1,
                                        convention c: CountingConvention = .survey) -> [Operation] {
        guard let vocabulary = m.block.vocabulary else { return [] }
        let d = m.dModel, D = Double(d), V = Double(vocabulary), B = Double(batch)
        var b = Builder(heads: m.kvHeads)
        let norm = c.elementCost(.finalNorm)
        b.add(.finalNorm, .rmsNorm, .elementwise(rows: batch, rowLength: d),
              WorkCounts(flops: norm.flops * B * D, bytes: norm.bytes * B * D + c.parameterBytes(.rmsNorm) * D), from: ["input"])
        b.add(.lmHead, .matmul(m: vocabulary, n: d, k: batch), .matmul(GEMMShape(m: batch, n: vocabulary, k: d)),
              WorkCounts(flops: 2 * D * V * B, bytes: V * D + D * B + V * B), from: [b.id(.finalNorm)])
        return b.operations
    }
}
