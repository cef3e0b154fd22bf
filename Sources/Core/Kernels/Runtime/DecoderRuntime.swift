import CRuntime

/// Seeded fp32 weights of one Llama-style layer (no biases), stored (in × out) row-major: y = x · W.
struct DecoderLayerWeights {
    var wq: WeightMatrix               // d × (h·dh)
    var wk, wv: WeightMatrix           // d × (kvHeads·dh)
    var wo: WeightMatrix               // (h·dh) × d
    var wGate, wUp: WeightMatrix       // d × d_FFN
    var wDown: WeightMatrix            // d_FFN × d
    var attentionNorm, ffnNorm: [Float] // RMSNorm γ before attention and before the FFN

    /// `level`: the packed kernel level the runtime's products run on (0: OpenBLAS).
    init(d: Int, kvWidth: Int, f: Int, level: Int32, generator g: inout SeededGenerator) {
        func matrix(_ rows: Int, _ cols: Int) -> WeightMatrix {
            WeightMatrix(seededRows: rows, n: cols, level: level, generator: &g)
        }
        wq = matrix(d, d); wk = matrix(d, kvWidth); wv = matrix(d, kvWidth); wo = matrix(d, d)
        wGate = matrix(d, f); wUp = matrix(d, f); wDown = matrix(f, d)
        attentionNorm = (0..<d).map { _ in 1 + g.uniform(0.1) }
        ffnNorm = (0..<d).map { _ in 1 + g.uniform(0.1) }
    }
}

/// A Llama-style decoder (chapter 7) running on this machine's CPU in fp32: pre-RMSNorm, grouped-query attention
/// with rotary position embedding and a key/value cache (optionally a sliding window), a SwiGLU FFN, a final
/// RMSNorm and an untied LM head. Matrix products run as ``TransformerRuntime``'s do (``RuntimeProducts``: the
/// packed kernel, weights packed once, where this CPU runs one and OpenBLAS was not clearly faster); the
/// element-wise parts are the fixed-order kernels of `DecoderKernels.swift`.
///
/// Per layer, for the new rows x (one per token):
///
///     x_n = RMSNorm(x) ⊙ γ₁;  Q = x_n W_Q, K = x_n W_K, V = x_n W_V;  RoPE on Q and K;  K, V appended to the cache
///     query head j attends with key/value head j / (h / kvHeads), causally, to at most `slidingWindow` positions
///     x += attention · W_out;  x_n = RMSNorm(x) ⊙ γ₂;  x += (SiLU(x_n W_gate) ⊙ x_n W_up) · W_down
///
/// then logits = (RMSNorm(x) ⊙ γ_final) · W_head for the last row. Weights come from a seeded generator (latency
/// does not depend on them); `layersToRun` runs a subset of the layers, all of the same shape, as
/// ``TransformerRuntime`` does.
///
/// ```swift
/// let rt = try DecoderRuntime(.tinyLlama, maxSequenceLength: 256, layersToRun: 2)
/// var times = OperationTimes()
/// let first = try rt.prefill(tokens: Array(1...128), times: &times)   // 32000 logits of token 128
/// let next = try rt.decode(token: 7, times: &times)                    // token 129, cache of 129 positions
/// ```
public final class DecoderRuntime {
    public let config: TransformerConfig
    public let maxSequenceLength: Int
    public let layersToRun: Int
    public let vocabulary: Int
    /// The rotary embedding's base (10000 in Llama 1 and 2 and TinyLlama; 500000 in Llama 3).
    public let ropeBase: Double
    var layers: [DecoderLayerWeights]
    /// The packed kernel level every product runs on (0: OpenBLAS).
    let level: Int32
    var tokenEmbedding: [Float]        // vocabulary × d
    var finalNorm: [Float]             // d
    var lmHead: WeightMatrix           // d × vocabulary
    let rotary: RotaryTable
    /// One cache per layer, maxSequenceLength × (kvHeads·dh): row p holds position p's rotated key (or value).
    var keyCache: [[Float]]
    var valueCache: [[Float]]
    /// Positions held in the cache (the next token's position).
    public private(set) var position = 0

    /// Bytes the runtime would allocate for this configuration (weights, caches, the rotary table, and the largest
    /// prefill's activations), estimated before anything is allocated.
    public static func estimatedBytes(_ m: TransformerConfig, maxSequenceLength l: Int, layersToRun: Int,
                                      vocabulary: Int, products: RuntimeProducts = .fastest) -> Double {
        let (dm, kvWidth, ffn, level) = (m.dModel, m.kvHeads * m.headDimension, m.dFFN, products.level)
        let d = Double(dm), kv = Double(kvWidth), f = Double(ffn), v = Double(vocabulary), L = Double(l), n = Double(layersToRun)
        func floats(_ k: Int, _ n: Int) -> Double { Double(WeightMatrix.floats(k: k, n: n, level: level)) }
        let matrices = 2 * floats(dm, dm) + 2 * floats(dm, kvWidth) + 2 * floats(dm, ffn) + floats(ffn, dm)
        let weights = n * (matrices + 2 * d) + v * d + floats(dm, vocabulary) + d
        let caches = n * 2 * L * kv + L * Double(m.headDimension)              // K and V per layer, cos and sin
        let scores = Double(Attention.scratchFloats(workers: Kernels.headWorkers(m.heads), rows: l, positions: l))
        let activations = 5 * L * d + 2 * L * f + scores + v                   // x, x_n, Q, attention, projected; gate, up; scores; logits
        return 4 * (weights + caches + activations)
    }

    /// Checks that `config` is a decoder with RMSNorm, SwiGLU and rotary embedding, naming the field that is not.
    public static func checkBlock(_ config: TransformerConfig) throws(RuntimeError) {
        guard config.architecture == .decoder else {
            throw RuntimeError(field: "architecture", message: "\(config.architecture.rawValue): the decoder runtime runs decoders")
        }
        guard config.block.norm == .rmsNorm else {
            throw RuntimeError(field: "block.norm", message: "\(config.block.norm.rawValue): the decoder runtime runs RMSNorm blocks; TransformerRuntime runs LayerNorm ones")
        }
        guard config.block.ffn == .swiglu else {
            throw RuntimeError(field: "block.ffn", message: "\(config.block.ffn.rawValue): the decoder runtime runs SwiGLU FFNs; TransformerRuntime runs GELU ones")
        }
        guard config.block.rotary else {
            throw RuntimeError(field: "block.rotary", message: "false: the decoder runtime needs rotary position embedding (it has no learned positions)")
        }
        guard config.headDimension % 2 == 0 else {
            throw RuntimeError(field: "heads", message: "head dimension \(config.headDimension) is odd; rotary embedding turns pairs")
        }
    }

    /// - Parameters:
    ///   - vocabulary: the LM head's width; nil takes the block's (`config.block.vocabulary`).
    ///   - ropeBase: the rotary base b of θ_i = b^(−2i/dh).
    ///   - products: the kernel of every matrix product (as ``TransformerRuntime``'s).
    public init(_ config: TransformerConfig, maxSequenceLength: Int, layersToRun: Int? = nil, vocabulary: Int? = nil,
                ropeBase: Double = 10_000, seed: UInt64 = 2302_14017,
                memoryLimitBytes: Double = 16 * 1_073_741_824, products: RuntimeProducts = .fastest) throws(RuntimeError) {
        try config.validate()
        try Self.checkBlock(config)
        guard let vocabulary = vocabulary ?? config.block.vocabulary else {
            throw RuntimeError(field: "vocabulary", message: "the block has no vocabulary; give one")
        }
        guard ropeBase.isFinite, ropeBase > 1 else {
            throw RuntimeError(field: "ropeBase", message: "\(ropeBase) must be a finite number above 1")
        }
        let runLayers = try TransformerRuntime.checkRun(config, maxSequenceLength: maxSequenceLength, layersToRun: layersToRun,
                                                        vocabulary: vocabulary, memoryLimitBytes: memoryLimitBytes) {
            Self.estimatedBytes(config, maxSequenceLength: maxSequenceLength, layersToRun: $0, vocabulary: vocabulary,
                                products: products)
        }
        self.config = config
        self.maxSequenceLength = maxSequenceLength
        self.layersToRun = runLayers
        self.vocabulary = vocabulary
        self.ropeBase = ropeBase
        let d = config.dModel, kvWidth = config.kvHeads * config.headDimension
        var g = SeededGenerator(seed: seed)
        let level = products.level
        self.level = level
        layers = (0..<runLayers).map { _ in
            DecoderLayerWeights(d: d, kvWidth: kvWidth, f: config.dFFN, level: level, generator: &g)
        }
        tokenEmbedding = (0..<(vocabulary * d)).map { _ in g.uniform(1) }
        finalNorm = (0..<d).map { _ in 1 + g.uniform(0.1) }
        lmHead = WeightMatrix(seededRows: d, n: vocabulary, level: level, generator: &g)
        rotary = RotaryTable(positions: maxSequenceLength, headDimension: config.headDimension, base: ropeBase)
        keyCache = [[Float]](repeating: [Float](repeating: 0, count: maxSequenceLength * kvWidth), count: runLayers)
        valueCache = keyCache
    }

    /// Sets the number of threads of later products and row-wise kernels (OpenBLAS's and the runtime's pool's).
    public static func setThreads(_ n: Int) { Kernels.setThreads(n) }

    /// Empties the key/value cache: the next token is at position 0.
    public func reset() { position = 0 }

    /// Runs the prompt `tokens` all at once (matrix-matrix products), appending them to the cache after any tokens
    /// already there, and returns the last token's logits (`vocabulary` values).
    public func prefill(tokens: [Int], times: inout OperationTimes) throws(RuntimeError) -> [Float] {
        let hidden = try forwardLayers(tokens: tokens, times: &times)
        return head(hidden, times: &times)
    }

    /// Runs one token at the next position (matrix-vector products), appending it to the cache, and returns its
    /// logits.
    public func decode(token: Int, times: inout OperationTimes) throws(RuntimeError) -> [Float] {
        do {
            return try prefill(tokens: [token], times: &times)
        } catch where error.field == "tokens" {
            throw RuntimeError(field: "token", message: error.message)
        }
    }

    /// The final RMSNorm and the LM head on one hidden state (d values): `vocabulary` logits. Its time is counted as
    /// `projection` (the head) and `nonlinear` (the norm).
    public func head(_ hidden: [Float], times: inout OperationTimes) -> [Float] {
        let d = config.dModel
        var normed = [Float](repeating: 0, count: d), logits = [Float](repeating: 0, count: vocabulary)
        times.add(.nonlinear) { Kernels.rmsNorm(hidden, into: &normed, rows: 1, columns: d, gamma: finalNorm) }
        times.add(.projection) {
            lmHead.multiply(normed, rows: 1, into: &logits)
        }
        return logits
    }

    /// The layers over `tokens` at the next positions, appending to the cache; returns the last token's hidden state
    /// (d values, before the final norm). ``prefill(tokens:times:)`` is this and then ``head(_:times:)``.
    public func forwardLayers(tokens: [Int], times: inout OperationTimes) throws(RuntimeError) -> [Float] {
        let l = tokens.count, start = position, n = start + l
        let d = config.dModel, f = config.dFFN, h = config.heads, dh = config.headDimension
        let kvHeads = config.kvHeads, kvWidth = kvHeads * dh, group = h / kvHeads
        guard l >= 1 else { throw RuntimeError(field: "tokens", message: "empty; give at least one token") }
        if let bad = tokens.first(where: { !(0..<vocabulary).contains($0) }) {
            throw RuntimeError(field: "tokens", message: "token \(bad) is outside the vocabulary 0..<\(vocabulary)")
        }
        guard n <= maxSequenceLength else {
            throw RuntimeError(field: "maxSequenceLength",
                               message: "the context would reach \(n) tokens (\(start) cached + \(l) new); this runtime was built for at most \(maxSequenceLength)")
        }
        var x = [Float](repeating: 0, count: l * d)
        for (i, token) in tokens.enumerated() {
            for j in 0..<d { x[i * d + j] = tokenEmbedding[token * d + j] }
        }
        var normed = x, q = x, attention = x, projected = x
        var gate = [Float](repeating: 0, count: l * f), up = gate
        let window = config.block.slidingWindow ?? n
        // Only positions from start + 1 - window on can be seen by any new row (the first new row sees the fewest):
        // the products run over those columns alone, so a decode step with a sliding window reads at most `window`
        // cached rows, plus fewer than PG_KC: the first column is rounded down to a multiple of the packed kernel's
        // k-block, so that a row's sums group its terms by the same positions whatever the call (the columns it
        // does not see are exact zeros) and a windowed decoder's prefill and decoding give the same bits.
        let kBlock = Int(PG_KC)
        let first = max(0, start + 1 - window) / kBlock * kBlock, columns = n - first
        let attend = Attention(heads: h, headDimension: dh, group: group, queryStride: d, kvStride: kvWidth,
                               causalOffset: start - first, window: config.block.slidingWindow)
        for (layer, w) in layers.enumerated() {
            times.add(.nonlinear) { Kernels.rmsNorm(x, into: &normed, rows: l, columns: d, gamma: w.attentionNorm) }
            times.add(.projection) {
                w.wq.multiply(normed, rows: l, into: &q)
                keyCache[layer].withUnsafeMutableBufferPointer { kc in
                    w.wk.multiply(normed, rows: l, into: kc.baseAddress! + start * kvWidth)
                }
                valueCache[layer].withUnsafeMutableBufferPointer { vc in
                    w.wv.multiply(normed, rows: l, into: vc.baseAddress! + start * kvWidth)
                }
            }
            times.add(.nonlinear) {
                Kernels.rope(&q, rows: l, heads: h, headDimension: dh, stride: d, firstPosition: start, table: rotary)
                keyCache[layer].withUnsafeMutableBufferPointer { kc in
                    Kernels.rope(kc.baseAddress! + start * kvWidth, rows: l, heads: kvHeads, headDimension: dh,
                                 stride: kvWidth, firstPosition: start, table: rotary)
                }
            }
            keyCache[layer].withUnsafeBufferPointer { kc in valueCache[layer].withUnsafeBufferPointer { vc in
                attention.withUnsafeMutableBufferPointer { ap in
                    attend.run(level: level, q: q, rows: l, k: kc.baseAddress! + first * kvWidth,
                               v: vc.baseAddress! + first * kvWidth, positions: columns, into: ap.baseAddress!, times: &times)
                }
            } }
            times.add(.projection) {
                w.wo.multiply(attention, rows: l, into: &projected)
            }
            times.add(.nonlinear) {
                Kernels.add(&x, projected, count: l * d)
                Kernels.rmsNorm(x, into: &normed, rows: l, columns: d, gamma: w.ffnNorm)
            }
            times.add(.ffn) {
                w.wGate.multiply(normed, rows: l, into: &gate)
                w.wUp.multiply(normed, rows: l, into: &up)
            }
            times.add(.nonlinear) { Kernels.siluGate(&gate, up: up, count: l * f) }
            times.add(.ffn) {
                w.wDown.multiply(gate, rows: l, into: &projected)
            }
            times.add(.nonlinear) { Kernels.add(&x, projected, count: l * d) }
        }
        position = n
        return Array(x[((l - 1) * d)...])
    }
}
