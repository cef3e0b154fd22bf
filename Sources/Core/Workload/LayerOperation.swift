/// The two modules of a Transformer layer (survey Fig. 1): multi-head attention and the feed-forward network.
/// A modern decoder adds a third, outside the layers: the final norm and the LM head, run once per model.
public enum LayerModule: String, Sendable, Hashable, CaseIterable, Codable {
    case attention
    case ffn
    case output

    /// The first component of every operation path in the module (`mha/…`, `ffn/…`, `out/…`).
    public var path: String {
        switch self {
        case .attention: return "mha"
        case .ffn: return "ffn"
        case .output: return "out"
        }
    }
}

/// Which operation of a Transformer layer a graph node is: the typed identity that every evaluator of a
/// ``LayerGraph`` keys its breakdown by (survey Fig. 1 for the encoder, Fig. 27 for a decoder step).
///
/// The identity says *which* operation it is; the node says what it computes (its ``OperationKind`` and shape)
/// and what it costs. Per-head operations (query × key, Softmax, score × value) are one identity each; the
/// graph holds one node per head, told apart by ``Operation/head``.
///
/// This file is the one place where an identity becomes text: ``path`` (a stable breakdown key that reports
/// and `--json` print, `mha/wq`), ``name`` (the survey's name, `W_Q projection`) and ``shortName`` (the
/// accelerator tables' label, `W_Q`). No evaluator builds or compares such strings.
///
/// To add an operation, add a case here with its module, class and names, and add its node where
/// ``LayerGraph`` builds the layer. Evaluators price nodes by their kind and shape, so they need no change
/// unless they treat that operation specially; the exhaustive `switch`es below and in the evaluators list
/// every place that must decide. The modern decoder's operations (chapter 7) were added this way: RMSNorm,
/// rotary embedding, the SwiGLU gate projection and product, and the final norm and LM head. Grouped-query
/// attention needs no new identity: W_K and W_V get a narrower output (the layer's key/value heads), and the
/// per-head operations become one node per key/value head whose rows are its group's query heads.
public enum LayerOperationID: Sendable, Hashable, CaseIterable, Codable {
    /// W_Q, W_K, W_V: the query, key and value projections.
    case queryProjection, keyProjection, valueProjection
    /// Query × key: one head's attention scores.
    case scores
    /// Softmax over one head's scores.
    case softmax
    /// Score × value: one head's attention output.
    case context
    /// W_out: the attention output projection.
    case outputProjection
    /// The residual add after attention and the LayerNorm after it.
    case attentionResidual, attentionLayerNorm
    /// W1, GELU and W2 of the feed-forward network.
    case ffnUp, gelu, ffnDown
    /// The residual add after the FFN and the LayerNorm after it.
    case ffnResidual, ffnLayerNorm
    /// A pre-norm block's RMSNorm before attention and before the FFN (Llama).
    case attentionRMSNorm, ffnRMSNorm
    /// Rotary position embedding of the queries and keys.
    case rotaryEmbedding
    /// SwiGLU's gate projection W_gate (its up projection is ``ffnUp``, its down projection ``ffnDown``).
    case ffnGate
    /// SwiGLU's element-wise SiLU(gate) ⊙ up.
    case swiglu
    /// The model's final norm and its LM head (the projection to the vocabulary), once per model.
    case finalNorm, lmHead

    public var module: LayerModule {
        switch self {
        case .queryProjection, .keyProjection, .valueProjection, .scores, .softmax, .context, .outputProjection,
             .attentionResidual, .attentionLayerNorm:
            return .attention
        case .attentionRMSNorm, .rotaryEmbedding:
            return .attention
        case .ffnUp, .gelu, .ffnDown, .ffnResidual, .ffnLayerNorm, .ffnRMSNorm, .ffnGate, .swiglu:
            return .ffn
        case .finalNorm, .lmHead:
            return .output
        }
    }

    /// The survey's class (Tab. 3's rows). The LM head, a weight projection outside both modules, counts as a
    /// projection: the survey's four classes have no row of their own for it.
    public var operationClass: OperationClass {
        switch self {
        case .queryProjection, .keyProjection, .valueProjection, .outputProjection, .lmHead: return .projection
        case .scores, .context: return .actToAct
        case .ffnUp, .ffnDown, .ffnGate: return .ffn
        case .softmax, .attentionResidual, .attentionLayerNorm, .gelu, .ffnResidual, .ffnLayerNorm, .attentionRMSNorm,
             .ffnRMSNorm, .rotaryEmbedding, .swiglu, .finalNorm:
            return .nonlinear
        }
    }

    /// Whether the layer has one node of it per attention head (per key/value head under grouped-query attention).
    public var isPerHead: Bool { self == .scores || self == .softmax || self == .context }

    /// Whether it multiplies an activation by a weight matrix (a matrix product with a weight operand).
    public var hasWeights: Bool { operationClass == .projection || operationClass == .ffn }

    /// The last component of ``path``.
    var pathComponent: String {
        switch self {
        case .queryProjection: return "wq"
        case .keyProjection: return "wk"
        case .valueProjection: return "wv"
        case .scores: return "qk"
        case .softmax: return "softmax"
        case .context: return "sv"
        case .outputProjection: return "wout"
        case .attentionResidual, .ffnResidual: return "residual"
        case .attentionLayerNorm, .ffnLayerNorm: return "layernorm"
        case .ffnUp: return "w1"
        case .gelu: return "gelu"
        case .ffnDown: return "w2"
        case .attentionRMSNorm, .ffnRMSNorm, .finalNorm: return "rmsnorm"
        case .rotaryEmbedding: return "rope"
        case .ffnGate: return "wgate"
        case .swiglu: return "swiglu"
        case .lmHead: return "lm-head"
        }
    }

    /// The breakdown key shared by every node of the operation, e.g. `mha/qk`.
    public var path: String { module.path + "/" + pathComponent }

    /// One node's id in its graph: the path, with the head for per-head operations (`mha/head03/qk`, the head
    /// number zero-padded to the width of the largest of `heads`).
    public func nodeID(head: Int?, heads: Int) -> String {
        guard let head else { return path }
        let width = String(heads - 1).count, digits = String(head)
        let padded = String(repeating: "0", count: max(0, width - digits.count)) + digits
        return "\(module.path)/head\(padded)/\(pathComponent)"
    }

    /// The survey's name for it, e.g. `query × key`.
    public var name: String {
        switch self {
        case .queryProjection: return "W_Q projection"
        case .keyProjection: return "W_K projection"
        case .valueProjection: return "W_V projection"
        case .scores: return "query × key"
        case .softmax: return "Softmax"
        case .context: return "score × value"
        case .outputProjection: return "W_out projection"
        case .attentionResidual, .ffnResidual: return "residual add"
        case .attentionLayerNorm, .ffnLayerNorm: return "LayerNorm"
        case .ffnUp: return "W1 projection"
        case .gelu: return "GELU"
        case .ffnDown: return "W2 projection"
        case .attentionRMSNorm, .ffnRMSNorm: return "RMSNorm"
        case .rotaryEmbedding: return "RoPE"
        case .ffnGate: return "W_gate projection"
        case .swiglu: return "SiLU(gate) ⊙ up"
        case .finalNorm: return "final RMSNorm"
        case .lmHead: return "LM head"
        }
    }

    /// The name in a layer of `block`: SwiGLU's up and down projections are W_up and W_down, not W1 and W2.
    public func name(in block: BlockStyle) -> String {
        switch (self, block.ffn) {
        case (.ffnUp, .swiglu): return "W_up projection"
        case (.ffnDown, .swiglu): return "W_down projection"
        default: return name
        }
    }

    /// The short label of accelerator tables (Tab. 5, App. A.5), e.g. `W_Q`, `Q×K`, `Attn×V`.
    public var shortName: String {
        switch self {
        case .queryProjection: return "W_Q"
        case .keyProjection: return "W_K"
        case .valueProjection: return "W_V"
        case .scores: return "Q×K"
        case .context: return "Attn×V"
        case .outputProjection: return "W_out"
        case .ffnUp: return "W1"
        case .ffnDown: return "W2"
        case .ffnGate: return "W_gate"
        case .lmHead: return "LM head"
        case .softmax, .attentionResidual, .attentionLayerNorm, .gelu, .ffnResidual, .ffnLayerNorm, .attentionRMSNorm,
             .ffnRMSNorm, .rotaryEmbedding, .swiglu, .finalNorm:
            return name
        }
    }

    /// The label of the Gemmini case study's matmul tables: weight matmuls by their matrix (`W1`), attention's
    /// by the survey's name (`query × key`).
    public var matmulName: String { hasWeights ? shortName : name }
}

/// The widths of one Transformer layer: everything its operation graph depends on besides the tokens.
///
/// The attention width h·d_head may differ from d: the NAS search space of survey Tab. 8 keeps 64-wide heads
/// while d and h vary, and head pruning keeps fewer heads of the same width; then W_Q, W_K, W_V map
/// d → h·d_head and W_out maps h·d_head → d.
public struct LayerShape: Sendable, Hashable, Codable {
    public var dModel: Int
    public var heads: Int
    public var headDimension: Int
    public var dFFN: Int
    /// The survey's block, or a modern decoder's (grouped-query attention, SwiGLU, RMSNorm, rotary embedding).
    public var block: BlockStyle = .survey
    /// Width of Q and of the attention output: heads · headDimension.
    public var attentionWidth: Int { heads * headDimension }
    /// Key/value heads: `heads` unless the block groups them.
    public var kvHeads: Int { block.kvHeads ?? heads }
    /// Width of K and V: kvHeads · headDimension.
    public var kvWidth: Int { kvHeads * headDimension }
    /// Query heads per key/value head.
    public var groupSize: Int { heads / kvHeads }

    public init(dModel: Int, heads: Int, headDimension: Int, dFFN: Int, block: BlockStyle = .survey) {
        self.dModel = dModel
        self.heads = heads
        self.headDimension = headDimension
        self.dFFN = dFFN
        self.block = block
    }

    /// A model's layer (all its layers are alike): d_head = d / h.
    public init(_ m: TransformerConfig) {
        self.init(dModel: m.dModel, heads: m.heads, headDimension: m.headDimension, dFFN: m.dFFN, block: m.block)
    }

    public func validate() throws(ConfigurationError) {
        try ConfigurationError.require(dModel, in: TransformerConfig.dimensionRange, field: "dModel")
        try ConfigurationError.require(heads, in: TransformerConfig.headRange, field: "heads")
        try ConfigurationError.require(headDimension, in: TransformerConfig.dimensionRange, field: "headDimension")
        try ConfigurationError.require(dFFN, in: TransformerConfig.dimensionRange, field: "dFFN")
        try block.validate(heads: heads)
    }
}
