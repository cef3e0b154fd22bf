/// How operations are counted: FLOPs per element of each non-linear operation, bytes moved, and how the
/// decoder's causal attention triangle is summed.
///
/// The survey (§2.2.1) fixes the linear operations exactly: 8-bit values (1 byte each), every matrix read or
/// written once per operation, 2n FLOPs per output of a projection (n multiplies and n adds, which is the
/// same as counting the bias add) and 2n − 1 per act-to-act dot product of length n. It does not itemise its
/// non-linear operations. The per-element counts of ``survey`` are the smallest integers that reproduce
/// every "Other" row of Tab. 3, 10 and 11 (chapter 1 tests this): they are a fit, and say so.
///
/// ```swift
/// let c = CountingConvention.survey
/// c.softmax.flops          // 4: subtract the maximum, exponentiate, sum, divide
/// c.layerNorm.flops        // 8
/// ```
public struct CountingConvention: Sendable, Hashable {
    /// FLOPs and bytes per element of an element-wise or row-wise operation.
    public struct ElementCost: Sendable, Hashable {
        public var flops: Double
        public var bytes: Double
        public init(flops: Double, bytes: Double) {
            self.flops = flops
            self.bytes = bytes
        }
    }

    /// How many key positions a generated token attends to, summed over the generation of l tokens.
    public enum CausalTriangle: String, Sendable, Hashable, CaseIterable {
        /// The survey's totals: the triangle's area l²/2, as if step t attended to t − ½ positions.
        /// This reproduces Tab. 11's act-to-act FLOPs exactly (2·d·l²·N).
        case area
        /// Step t attends to exactly t positions (itself and the t − 1 cached ones): l(l + 1)/2 in all.
        case exact

        /// The positions step `t` (1-based) attends to.
        public func positions(atStep t: Int) -> Double {
            switch self {
            case .area: return Double(t) - 0.5
            case .exact: return Double(t)
            }
        }

        /// Σ positions over steps 1...l, in closed form.
        public func totalPositions(sequenceLength l: Int) -> Double {
            let l = Double(l)
            switch self {
            case .area: return l * l / 2
            case .exact: return l * (l + 1) / 2
            }
        }

        /// The positions step `t` attends to under a sliding window of `window` positions (`nil`: none).
        public func positions(atStep t: Int, window: Int?) -> Double {
            guard let window else { return positions(atStep: t) }
            return Swift.min(positions(atStep: t), Double(window))
        }

        /// Σ positions over steps 1...l under a sliding window: the triangle up to the window, then `window`
        /// positions for every later step.
        public func totalPositions(sequenceLength l: Int, window: Int?) -> Double {
            guard let window, window < l else { return totalPositions(sequenceLength: l) }
            return totalPositions(sequenceLength: window) + Double(l - window) * Double(window)
        }
    }

    /// Per attention score: subtract the row maximum, exponentiate, add to the row sum, divide (the
    /// comparisons that find the maximum are not counted). Read once, written once.
    public var softmax: ElementCost
    /// Per element: mean (1), variance (subtract, square, add: 3), normalise (subtract, divide: 2), scale and
    /// shift (2). Read once, written once.
    public var layerNorm: ElementCost
    /// Per element of the FFN's hidden activation. Read once, written once.
    public var gelu: ElementCost
    /// The residual add after attention: reads both addends, writes the sum.
    public var attentionResidual: ElementCost
    /// The residual add after the FFN. In the encoder the survey's totals imply 2 bytes per element, as if
    /// the skip operand (the first LayerNorm's output, just read by W1) were still on chip; in the decoder
    /// 3 (see ``decoderResidualBytes``).
    public var ffnResidual: ElementCost
    /// Bytes per element of the FFN residual add in a decoder step, where nothing stays on chip between
    /// steps (the survey's Tab. 11 implies 3).
    public var decoderResidualBytes: Double
    /// Bytes of LayerNorm parameters per model dimension (γ and β, 1 byte each), read once per pass over the
    /// layer: once per layer in an encoder, once per generated token in a decoder. (Leaving them out moves
    /// Tab. 3's total intensity at l = 128 from the printed 159.68 to 159.72.)
    public var layerNormParameterBytes: Double
    /// Bytes per attended position per head for the score vector in a decoder step (written once).
    public var decoderScoreBytes: Double
    /// How the decoder's attended positions are summed.
    public var triangle: CausalTriangle
    /// The modern decoder's element-wise operations, which the survey never counts: our own itemisation.
    /// RMSNorm per element: square and add for the mean square (2), multiply by the reciprocal root (1), scale by
    /// γ (1). Read once, written once.
    public var rmsNorm = ElementCost(flops: 4, bytes: 2)
    /// Bytes of RMSNorm parameters per model dimension (γ, 1 byte), read once per pass like LayerNorm's.
    public var rmsNormParameterBytes: Double = 1
    /// Rotary embedding per query or key element: x·cos θ + x_pair·sin θ (two multiplies, one add). Read once,
    /// written once; the cos/sin table (d_head values per position) is not counted.
    public var rotary = ElementCost(flops: 3, bytes: 2)
    /// SwiGLU's product per element of the FFN's hidden width: SiLU(g) = g/(1 + e^−g) (exponent, add, divide:
    /// 3, and the multiply by g: 1) and the product with up (1). Reads gate and up, writes one.
    public var swiglu = ElementCost(flops: 5, bytes: 3)

    public init(softmax: ElementCost, layerNorm: ElementCost, gelu: ElementCost, attentionResidual: ElementCost,
                ffnResidual: ElementCost, decoderResidualBytes: Double, layerNormParameterBytes: Double,
                decoderScoreBytes: Double, triangle: CausalTriangle) {
        self.softmax = softmax
        self.layerNorm = layerNorm
        self.gelu = gelu
        self.attentionResidual = attentionResidual
        self.ffnResidual = ffnResidual
        self.decoderResidualBytes = decoderResidualBytes
        self.layerNormParameterBytes = layerNormParameterBytes
        self.decoderScoreBytes = decoderScoreBytes
        self.triangle = triangle
    }

    /// The cost per element of a non-linear operation of the layer (zero for a matmul, whose FLOPs and bytes
    /// follow from its shape).
    public func elementCost(_ operation: LayerOperationID) -> ElementCost {
        switch operation {
        case .softmax: return softmax
        case .attentionLayerNorm, .ffnLayerNorm: return layerNorm
        case .gelu: return gelu
        case .attentionResidual: return attentionResidual
        case .ffnResidual: return ffnResidual
        case .attentionRMSNorm, .ffnRMSNorm, .finalNorm: return rmsNorm
        case .rotaryEmbedding: return rotary
        case .swiglu: return swiglu
        case .queryProjection, .keyProjection, .valueProjection, .scores, .context, .outputProjection, .ffnUp, .ffnDown,
             .ffnGate, .lmHead:
            return ElementCost(flops: 0, bytes: 0)
        }
    }

    /// Bytes of an operation's parameters per model dimension, read once per pass over the layer: LayerNorm's γ
    /// and β, RMSNorm's γ; none for every other kind.
    public func parameterBytes(_ kind: OperationKind) -> Double {
        switch kind {
        case .layerNorm: return layerNormParameterBytes
        case .rmsNorm: return rmsNormParameterBytes
        case .matmul, .softmax, .gelu, .residualAdd, .rotary, .swiglu: return 0
        }
    }

    /// The convention that reproduces the survey's Tab. 3, 10 and 11 (fitted for the non-linear operations).
    public static let survey = CountingConvention(
        softmax: ElementCost(flops: 4, bytes: 2),
        layerNorm: ElementCost(flops: 8, bytes: 2),
        gelu: ElementCost(flops: 10, bytes: 2),
        attentionResidual: ElementCost(flops: 1, bytes: 3),
        ffnResidual: ElementCost(flops: 1, bytes: 2),
        decoderResidualBytes: 3,
        layerNormParameterBytes: 2,
        decoderScoreBytes: 1,
        triangle: .area)

    /// The same counts with every operand read and written once and the causal triangle summed exactly:
    /// what a careful itemisation gives where the survey's totals are ambiguous.
    public static let itemised: CountingConvention = {
        var c = CountingConvention.survey
        c.ffnResidual.bytes = 3
        c.decoderScoreBytes = 2
        c.triangle = .exact
        return c
    }()

    /// LLM-Viewer's counts (hahnyuan/LLM-Viewer, commit 472f71f1, `model_analyzer.py` and `configs/Llama.py`;
    /// `data/peers/README.md`), so that chapter 7 can reproduce its per-layer roofline: Softmax 5 operations per
    /// score, each norm 7 per element with its weights not counted, residual adds 1 operation reading one
    /// operand and writing one, SwiGLU's product 2 operations reading gate and up, no rotary embedding, every
    /// score of a decode step written and read in full, and a decode step attending to exactly t positions.
    public static let llmViewer: CountingConvention = {
        var c = CountingConvention.itemised
        c.softmax = ElementCost(flops: 5, bytes: 2)
        c.layerNorm = ElementCost(flops: 7, bytes: 2)
        c.rmsNorm = ElementCost(flops: 7, bytes: 2)
        c.layerNormParameterBytes = 0
        c.rmsNormParameterBytes = 0
        c.attentionResidual = ElementCost(flops: 1, bytes: 2)
        c.ffnResidual = ElementCost(flops: 1, bytes: 2)
        c.decoderResidualBytes = 2
        c.swiglu = ElementCost(flops: 2, bytes: 3)
        c.rotary = ElementCost(flops: 0, bytes: 0)
        return c
    }()
}
