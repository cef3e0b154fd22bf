/// How a Transformer layer is built beyond its widths: the survey's block (post-LayerNorm, GELU FFN, learned
/// positions, multi-head attention: BERT and GPT-2 as its Fig. 1 and Fig. 27 draw them) or the block of today's
/// decoders (Llama, Mistral): pre-normalisation with RMSNorm, grouped-query attention, a SwiGLU FFN, rotary
/// position embedding, no biases and an untied LM head.
///
/// ```swift
/// var b = BlockStyle.llama(kvHeads: 8, vocabulary: 128_256)
/// b.ffn              // .swiglu: W_gate and W_up (d → d_FFN), SiLU(gate) ⊙ up, W_down (d_FFN → d)
/// try b.validate(heads: 32)
/// ```
public struct BlockStyle: Sendable, Hashable, Codable {
    /// The feed-forward network.
    public enum FeedForward: String, Sendable, Hashable, Codable, CaseIterable {
        /// W1 (d → d_FFN), GELU, W2 (d_FFN → d): the survey's FFN.
        case gelu
        /// W_gate and W_up (d → d_FFN each), SiLU(gate) ⊙ up, W_down (d_FFN → d) (Shazeer 2020, "GLU Variants
        /// Improve Transformer"; Llama, Mistral).
        case swiglu
    }

    /// The normalisation and where it sits.
    public enum Normalization: String, Sendable, Hashable, Codable, CaseIterable {
        /// LayerNorm after each residual add (post-LN), as the survey draws BERT and GPT-2.
        case layerNorm = "layer"
        /// RMSNorm before attention and before the FFN (pre-norm; Zhang & Sennrich 2019), with a final RMSNorm
        /// before the LM head (Llama, Mistral).
        case rmsNorm = "rms"
    }

    /// Key/value heads of grouped-query attention (Ainslie et al. 2023): every `heads / kvHeads` query heads
    /// share one key head and one value head. `nil` (or `heads`) is multi-head attention, 1 multi-query.
    public var kvHeads: Int?
    public var ffn: FeedForward
    public var norm: Normalization
    /// Rotary position embedding (Su et al. 2021) applied to queries and keys in every layer, instead of a
    /// learned position embedding added once.
    public var rotary: Bool
    /// Sliding-window attention (Mistral): each token attends to at most this many positions (itself
    /// included). `nil`: the whole context.
    public var slidingWindow: Int?
    /// The vocabulary of an untied LM head (a d × vocabulary projection of its own, priced per generated token),
    /// or `nil` where the survey's counts leave the head out.
    public var vocabulary: Int?
    /// Whether the weight matmuls add a bias (BERT, GPT-2) or not (Llama, Mistral). The survey's byte counts
    /// leave biases out either way; the analytical model of §3.3 moves them.
    public var biases: Bool

    public init(kvHeads: Int? = nil, ffn: FeedForward = .gelu, norm: Normalization = .layerNorm, rotary: Bool = false,
                slidingWindow: Int? = nil, vocabulary: Int? = nil, biases: Bool = true) {
        self.biases = biases
        self.kvHeads = kvHeads
        self.ffn = ffn
        self.norm = norm
        self.rotary = rotary
        self.slidingWindow = slidingWindow
        self.vocabulary = vocabulary
    }

    /// The survey's block: post-LayerNorm, GELU, multi-head attention, no rotary embedding, no LM head counted.
    public static let survey = BlockStyle()

    /// A Llama-style block: RMSNorm pre-norm, SwiGLU, rotary embedding, no biases, untied LM head.
    public static func llama(kvHeads: Int? = nil, vocabulary: Int, slidingWindow: Int? = nil) -> BlockStyle {
        BlockStyle(kvHeads: kvHeads, ffn: .swiglu, norm: .rmsNorm, rotary: true, slidingWindow: slidingWindow,
                   vocabulary: vocabulary, biases: false)
    }

    /// Whether this is the survey's block (so every count of chapters 1-6 applies unchanged).
    public var isSurvey: Bool { self == .survey }

    /// Checks that `kvHeads` divides `heads` and that the window and vocabulary are in range.
    public func validate(heads: Int) throws(ConfigurationError) {
        if let kvHeads {
            try ConfigurationError.require(kvHeads, in: 1...heads, field: "kvHeads")
            guard heads % kvHeads == 0 else {
                let divisors = (1...heads).filter { heads % $0 == 0 }.map(String.init).joined(separator: ", ")
                throw ConfigurationError(field: "kvHeads",
                                         message: "\(kvHeads) key/value heads do not divide \(heads) heads; choose one of \(divisors)")
            }
        }
        if let slidingWindow {
            try ConfigurationError.require(slidingWindow, in: TransformerConfig.sequenceLengthRange, field: "slidingWindow")
        }
        if let vocabulary {
            try ConfigurationError.require(vocabulary, in: 1...1_048_576, field: "vocabulary")
        }
    }
}

extension TransformerConfig {
    /// Llama-2-7B (Touvron et al. 2023, "Llama 2", Tab. 1 and the published `meta-llama/Llama-2-7b-hf`
    /// config.json): 32 layers, d = 4096, 32 heads (no grouping at 7B), d_FFN = 11008, vocabulary 32000.
    public static let llama2_7B = TransformerConfig(
        name: "llama-2-7b", displayName: "Llama-2-7B", layers: 32, dModel: 4096, heads: 32, dFFN: 11008,
        architecture: .decoder, block: .llama(vocabulary: 32_000),
        source: "Touvron et al. 2023 (Llama 2), Tab. 1; meta-llama/Llama-2-7b-hf config.json")
    /// Llama-3-8B (Meta 2024, "The Llama 3 Herd of Models", Tab. 3; `meta-llama/Meta-Llama-3-8B` config.json):
    /// 32 layers, d = 4096, 32 query heads sharing 8 key/value heads, d_FFN = 14336, vocabulary 128256.
    public static let llama3_8B = TransformerConfig(
        name: "llama-3-8b", displayName: "Llama-3-8B", layers: 32, dModel: 4096, heads: 32, dFFN: 14336,
        architecture: .decoder, block: .llama(kvHeads: 8, vocabulary: 128_256),
        source: "Grattafiori et al. 2024 (The Llama 3 Herd of Models), Tab. 3; meta-llama/Meta-Llama-3-8B config.json")
    /// Mistral-7B (Jiang et al. 2023, "Mistral 7B", Tab. 1): 32 layers, d = 4096, 32 heads over 8 key/value
    /// heads, d_FFN = 14336, a 4096-token sliding window, vocabulary 32000.
    public static let mistral7B = TransformerConfig(
        name: "mistral-7b", displayName: "Mistral-7B", layers: 32, dModel: 4096, heads: 32, dFFN: 14336,
        architecture: .decoder, block: .llama(kvHeads: 8, vocabulary: 32_000, slidingWindow: 4096),
        source: "Jiang et al. 2023 (Mistral 7B), Tab. 1")
    /// TinyLlama-1.1B (Zhang et al. 2024, "TinyLlama", §2.2; `TinyLlama/TinyLlama-1.1B-intermediate-step-1431k-3T`
    /// config.json): Llama 2's block at 22 layers, d = 2048, 32 heads over 4 key/value heads, d_FFN = 5632,
    /// vocabulary 32000. Small enough for this machine's CPU runtime.
    public static let tinyLlama = TransformerConfig(
        name: "tinyllama-1.1b", displayName: "TinyLlama-1.1B", layers: 22, dModel: 2048, heads: 32, dFFN: 5632,
        architecture: .decoder, block: .llama(kvHeads: 4, vocabulary: 32_000),
        source: "Zhang et al. 2024 (TinyLlama), §2.2; TinyLlama-1.1B config.json")

    /// The modern decoders of chapter 7, in the order its tables list them.
    public static let modernPresets: [TransformerConfig] = [.llama2_7B, .llama3_8B, .mistral7B, .tinyLlama]
}

extension TransformerConfig {
    /// Weights of the whole model in closed form: per layer W_Q and W_out (d × h·d_head each), W_K and W_V
    /// (d × kv·d_head each), the FFN's two or three d × d_FFN matrices and the norms' parameters (γ and β of two
    /// LayerNorms, or γ of two RMSNorms); then the token embedding, and for an untied head its own d × vocabulary
    /// matrix and the final RMSNorm. Biases are left out, as the survey's counts leave them (Llama has none).
    /// Llama-2-7B: 6,738,415,616.
    public var parameterCount: Double {
        let d = Double(dModel), a = Double(heads * headDimension), w = Double(kvHeads * headDimension), f = Double(dFFN)
        let ffnMatrices: Double = block.ffn == .swiglu ? 3 : 2
        let norms: Double = block.norm == .rmsNorm ? 2 : 4
        let layer = 2 * d * a + 2 * d * w + ffnMatrices * d * f + norms * d
        let head = block.vocabulary.map { Double($0) * d * 2 + d } ?? 0
        return Double(layers) * layer + head
    }

    /// Bytes of the key/value cache holding `context` tokens of each of `batch` sequences at `bytesPerValue`:
    /// 2 (K and V) · N · kv · d_head per token, a sliding window capping the tokens kept.
    public func kvCacheBytes(context: Int, batch: Int = 1, bytesPerValue: Double = 1) -> Double {
        let kept = Double(min(context, block.slidingWindow ?? context))
        return 2 * Double(layers) * Double(kvHeads * headDimension) * kept * Double(batch) * bytesPerValue
    }
}
