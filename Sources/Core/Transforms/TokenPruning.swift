/// Token pruning (survey §4.2): later layers see fewer tokens. A schedule gives the tokens each layer keeps; the
/// cost is the sum of every layer's encoder graph at its own length.
///
/// ```swift
/// // DynamicViT on DeiT-S: keep 70% at layers 4, 7 and 10 (197 → 138 → 97 → 68 tokens).
/// let s = try TokenPruning.stages(layers: 12, sequenceLength: 197, keepRatio: 0.7, stageStarts: [3, 6, 9])
/// ```
public enum TokenPruning {
    /// Tokens kept at every layer: `l` up to the first stage start, then ⌈ratio^k · l⌉ from the k-th start on.
    public static func stages(layers: Int, sequenceLength l: Int, keepRatio r: Double, stageStarts: [Int])
        throws(ConfigurationError) -> [Int] {
        try ConfigurationError.require(layers, in: TransformerConfig.layerRange, field: "layers")
        try TransformerConfig.validate(sequenceLength: l)
        try validate(keepRatio: r)
        for s in stageStarts { try ConfigurationError.require(s, in: 0...(layers - 1), field: "stageStart") }
        return (0..<layers).map { layer in
            let k = stageStarts.filter { $0 <= layer }.count
            return Swift.max(1, Int((pow(r, Double(k)) * Double(l) - 1e-9).rounded(.up)))
        }
    }

    /// The same ratio at every layer: ⌈r·l⌉ tokens throughout.
    public static func uniform(layers: Int, sequenceLength l: Int, keepRatio r: Double) throws(ConfigurationError) -> [Int] {
        try stages(layers: layers, sequenceLength: l, keepRatio: r, stageStarts: [0])
    }

    public static func validate(keepRatio r: Double, field: String = "tokensKept") throws(ConfigurationError) {
        guard r.isFinite, r > 0, r <= 1 else {
            throw ConfigurationError(field: field, message: "\(r) is out of range; allowed 0 < r ≤ 1")
        }
    }

    /// The model's work with `tokens[i]` tokens at layer i (an encoder).
    public static func workload(_ m: TransformerConfig, tokens: [Int]) throws(ConfigurationError) -> [OperationCost] {
        try m.validate()
        guard m.architecture == .encoder else {
            throw ConfigurationError(field: "model", message: "token pruning is modelled for encoders")
        }
        guard tokens.count == m.layers else {
            throw ConfigurationError(field: "tokens", message: "\(tokens.count) entries for \(m.layers) layers")
        }
        var costs: [OperationCost] = []
        for t in tokens { try TransformerConfig.validate(sequenceLength: t, field: "tokens") }
        guard let first = tokens.first else { return costs }
        let layer = LayerGraph.encoder(m, sequenceLength: first)
        for t in tokens {
            costs += SparseLayerCost.costs(layer.keepingTokens(t), pattern: .dense, hardware: .denseArray)
        }
        return costs
    }

    /// The closed form for a uniform schedule's FLOP ratio against the dense model: the linear terms scale with
    /// r, the l² terms (Q×K, score×V, Softmax) with r² (survey convention, up to the −1 of act-to-act dot products).
    public static func flopRatio(_ m: TransformerConfig, sequenceLength l: Int, keepRatio r: Double) throws(ConfigurationError) -> Double {
        let dense = try SparseLayerCost.encoderLayer(m, sequenceLength: l, pattern: .dense, hardware: .denseArray)
        // The per-head operations (Q×K, Softmax, score × value) are the ones quadratic in l.
        let q = dense.filter { $0.identity?.isPerHead == true }.reduce(0) { $0 + $1.flops }
        let total = dense.reduce(0) { $0 + $1.flops }
        return ((total - q) * r + q * r * r) / total
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
