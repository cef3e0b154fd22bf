import CBLAS

/// Time spent per operation class in a forward pass, in seconds.
public struct OperationTimes: Sendable, Equatable {
    public var seconds: [OperationClass: Double] = [:]
    public init() {}
    public var total: Double { seconds.values.reduce(0, +) }
    public subscript(_ c: OperationClass) -> Double {
        get { seconds[c] ?? 0 }
        set { seconds[c] = newValue }
    }

    /// Runs `body` and adds its wall-clock time to class `c`.
    mutating func add(_ c: OperationClass, _ body: () -> Void) {
        self[c] += Self.seconds(body)
    }

    /// The wall-clock seconds `body` takes.
    static func seconds(_ body: () -> Void) -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        body()
        let elapsed = clock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }
}

/// Why a runtime cannot be built or run (or a profile file cannot be read), naming the field.
public typealias RuntimeError = ConfigurationError

/// A real fp32 Transformer running on this machine's CPU: BERT-style encoder layers (all tokens at once) and
/// GPT-2-style decoding (one token per step with a key/value cache). Its matrix products run on the runtime's
/// packed kernel (``PackedWeights``: weights packed once, attention's operands for each product) where this CPU
/// runs one and OpenBLAS was not clearly faster, else on OpenBLAS (``RuntimeProducts``).
///
/// Weights come from a seeded generator; latency does not depend on their values. To keep long profiles
/// affordable it can run a subset of the model's layers (`layersToRun`): every layer has the same shape, so
/// the model's time is the measured time × N / layersToRun.
///
/// ```swift
/// let rt = try TransformerRuntime(.bertBase, maxSequenceLength: 128, layersToRun: 1)
/// var times = OperationTimes()
/// let out = rt.encode(tokens: Array(0..<128), times: &times)   // 128 × 768 hidden states
/// ```
public final class TransformerRuntime {
    public let config: TransformerConfig
    public let maxSequenceLength: Int
    public let layersToRun: Int
    public let vocabulary: Int
    let layers: [LayerWeights]
    /// The packed kernel level every product runs on (0: OpenBLAS).
    let level: Int32
    let tokenEmbedding: [Float]
    let positionEmbedding: [Float]

    /// Bytes the runtime would allocate for this configuration (weights, activations, caches), estimated
    /// before anything is allocated.
    public static func estimatedBytes(_ m: TransformerConfig, maxSequenceLength l: Int, layersToRun: Int,
                                      vocabulary: Int, products: RuntimeProducts = .fastest) -> Double {
        let d = Double(m.dModel), f = Double(m.dFFN), L = Double(l), n = Double(layersToRun)
        let level = products.level
        let matrices = 4 * WeightMatrix.floats(k: m.dModel, n: m.dModel, level: level)
            + WeightMatrix.floats(k: m.dModel, n: m.dFFN, level: level) + WeightMatrix.floats(k: m.dFFN, n: m.dModel, level: level)
        let weights = n * (Double(matrices) + 7 * d + f) + Double(vocabulary) * d + L * d
        let activations: Double
        switch m.architecture {
        case .encoder: activations = 7 * L * d + L * f + Double(Attention.scratchFloats(workers: Kernels.headWorkers(m.heads), rows: l, positions: l))   // x, q, k, v, attention, tmp ×2, hidden; scores
        case .decoder: activations = n * 2 * L * d + 8 * d + f + Double(Attention.scratchFloats(workers: Kernels.headWorkers(m.heads), rows: 1, positions: l))  // caches of every layer, one token's vectors, scores
        }
        return 4 * (weights + activations)
    }

    public init(_ config: TransformerConfig, maxSequenceLength: Int, layersToRun: Int? = nil, vocabulary: Int = 1024,
                seed: UInt64 = 2302_14017, memoryLimitBytes: Double = 16 * 1_073_741_824,
                products: RuntimeProducts = .fastest) throws(RuntimeError) {
        try config.validate()
        let runLayers = try Self.checkRun(config, maxSequenceLength: maxSequenceLength, layersToRun: layersToRun,
                                          vocabulary: vocabulary, memoryLimitBytes: memoryLimitBytes) {
            Self.estimatedBytes(config, maxSequenceLength: maxSequenceLength, layersToRun: $0, vocabulary: vocabulary,
                                products: products)
        }
        self.config = config
        self.maxSequenceLength = maxSequenceLength
        self.layersToRun = runLayers
        self.vocabulary = vocabulary
        var g = SeededGenerator(seed: seed)
        let level = products.level
        self.level = level
        layers = (0..<runLayers).map { _ in LayerWeights(d: config.dModel, f: config.dFFN, level: level, generator: &g) }
        tokenEmbedding = (0..<(vocabulary * config.dModel)).map { _ in g.uniform(1) }
        positionEmbedding = (0..<(maxSequenceLength * config.dModel)).map { _ in g.uniform(0.1) }
    }

    /// Checks what both runtimes are given before they allocate: the length, the layers to run (returned, all
    /// of the model's when nil), the vocabulary, and the bytes `estimate` gives for those layers against the limit.
    static func checkRun(_ config: TransformerConfig, maxSequenceLength: Int, layersToRun: Int?, vocabulary: Int,
                         memoryLimitBytes: Double, estimate: (Int) -> Double) throws(RuntimeError) -> Int {
        try TransformerConfig.validate(sequenceLength: maxSequenceLength, field: "maxSequenceLength")
        let runLayers = layersToRun ?? config.layers
        guard (1...config.layers).contains(runLayers) else {
            throw RuntimeError(field: "layersToRun", message: "\(runLayers) is out of range; allowed 1...\(config.layers)")
        }
        guard vocabulary >= 1 else {
            throw RuntimeError(field: "vocabulary", message: "\(vocabulary) must be at least 1")
        }
        let need = estimate(runLayers)
        guard need <= memoryLimitBytes else {
            throw RuntimeError(field: "memory",
                               message: "this configuration needs about \(Int(need / 1_048_576)) MiB, more than the limit of \(Int(memoryLimitBytes / 1_048_576)) MiB; use fewer layers, a shorter sequence or a smaller vocabulary")
        }
        return runLayers
    }

    /// Sets the number of BLAS threads for later calls.
    public static func setThreads(_ n: Int) { Kernels.setThreads(n) }


    /// Runs the encoder over `tokens` (all at once), adding the time of each operation class to `times`.
    /// Returns the last layer's hidden states, l × d, row-major.
    public func encode(tokens: [Int], times: inout OperationTimes) throws(RuntimeError) -> [Float] {
        let l = tokens.count, d = config.dModel, f = config.dFFN, h = config.heads, dh = config.headDimension
        try checkLength(l, field: "tokens")

        var x = embed(tokens, firstPosition: 0)
        var q = [Float](repeating: 0, count: l * d), k = q, v = q, attention = q, projected = q
        var hidden = [Float](repeating: 0, count: l * f)
        let attend = Attention(heads: h, headDimension: dh, queryStride: d, kvStride: d)
        for w in layers {
            times.add(.projection) {
                Self.linear(x, rows: l, w.wq, w.bq, into: &q)
                Self.linear(x, rows: l, w.wk, w.bk, into: &k)
                Self.linear(x, rows: l, w.wv, w.bv, into: &v)
            }
            q.withUnsafeBufferPointer { qb in k.withUnsafeBufferPointer { kb in v.withUnsafeBufferPointer { vb in
                attention.withUnsafeMutableBufferPointer { ab in
                    attend.run(level: level, q: qb.baseAddress!, rows: l, k: kb.baseAddress!, v: vb.baseAddress!, positions: l,
                               into: ab.baseAddress!, times: &times)
                }
            } } }
            finishLayer(w, rows: l, x: &x, attention: attention, projected: &projected, hidden: &hidden, times: &times)
        }
        return x
    }

    /// Open-ended generation of `steps` tokens with a key/value cache (no prompt), as the survey profiles a
    /// decoder. Token t + 1 is a fixed function of step t (the argmax would need an output head, which the
    /// survey does not time). Returns every step's last-layer hidden state, steps × d.
    public func generate(steps: Int, times: inout OperationTimes) throws(RuntimeError) -> [Float] {
        let d = config.dModel, f = config.dFFN, h = config.heads, dh = config.headDimension
        try checkLength(steps, field: "steps")
        var keyCache = [[Float]](repeating: [Float](repeating: 0, count: steps * d), count: layers.count)
        var valueCache = keyCache
        var outputs = [Float](repeating: 0, count: steps * d)
        var q = [Float](repeating: 0, count: d), attention = q, projected = q
        var hidden = [Float](repeating: 0, count: f)
        let attend = Attention(heads: h, headDimension: dh, queryStride: d, kvStride: d)
        for t in 0..<steps {
            var x = embed([t % vocabulary], firstPosition: t)
            for (layer, w) in layers.enumerated() {
                let n = t + 1   // positions attended, the new one included
                times.add(.projection) {
                    Self.linear(x, rows: 1, w.wq, w.bq, into: &q)
                    keyCache[layer].withUnsafeMutableBufferPointer { kc in
                        Self.linear(x, rows: 1, w.wk, w.bk, into: kc.baseAddress! + t * d)
                    }
                    valueCache[layer].withUnsafeMutableBufferPointer { vc in
                        Self.linear(x, rows: 1, w.wv, w.bv, into: vc.baseAddress! + t * d)
                    }
                }
                keyCache[layer].withUnsafeBufferPointer { kc in valueCache[layer].withUnsafeBufferPointer { vc in
                    attention.withUnsafeMutableBufferPointer { ab in
                        attend.run(level: level, q: q, rows: 1, k: kc.baseAddress!, v: vc.baseAddress!, positions: n,
                                   into: ab.baseAddress!, times: &times)
                    }
                } }
                finishLayer(w, rows: 1, x: &x, attention: attention, projected: &projected, hidden: &hidden,
                            times: &times)
            }
            for j in 0..<d { outputs[t * d + j] = x[j] }
        }
        return outputs
    }

    /// y = x · W + b for `rows` rows (row-major, W stored in × out), on the kernel the runtime's products run on
    /// (``WeightMatrix/multiply(_:rows:into:ldy:)``), at the BLAS thread count.
    static func linear(_ x: UnsafePointer<Float>, rows: Int, _ w: WeightMatrix, _ b: [Float], into y: UnsafeMutablePointer<Float>) {
        w.multiply(x, rows: rows, into: y)
        Kernels.addBias(y, rows: rows, columns: w.n, bias: b)
    }

    /// The rest of a layer after attention, the same for an encoder (rows = l) and a decoder step (rows = 1):
    /// W_out, add & LayerNorm, W1, GELU, W2, add & LayerNorm. `x` holds the layer's input and receives its output.
    func finishLayer(_ w: LayerWeights, rows: Int, x: inout [Float], attention: [Float], projected: inout [Float],
                     hidden: inout [Float], times: inout OperationTimes) {
        let d = config.dModel, f = config.dFFN
        times.add(.projection) { Self.linear(attention, rows: rows, w.wo, w.bo, into: &projected) }
        times.add(.nonlinear) {
            Kernels.addLayerNorm(&projected, residual: x, rows: rows, columns: d, gamma: w.ln1Gamma, beta: w.ln1Beta)
        }
        swap(&x, &projected)                 // x is now the first LayerNorm's output
        times.add(.ffn) { Self.linear(x, rows: rows, w.w1, w.b1, into: &hidden) }
        times.add(.nonlinear) { Kernels.gelu(&hidden, count: rows * f) }
        times.add(.ffn) { Self.linear(hidden, rows: rows, w.w2, w.b2, into: &projected) }
        times.add(.nonlinear) {
            Kernels.addLayerNorm(&projected, residual: x, rows: rows, columns: d, gamma: w.ln2Gamma, beta: w.ln2Beta)
        }
        swap(&x, &projected)
    }

    func checkLength(_ n: Int, field: String) throws(RuntimeError) {
        guard (1...maxSequenceLength).contains(n) else {
            throw RuntimeError(field: field, message: "\(n) is out of range; this runtime was built for 1...\(maxSequenceLength)")
        }
    }

    /// Token plus position embeddings for `tokens` starting at `firstPosition`.
    func embed(_ tokens: [Int], firstPosition: Int) -> [Float] {
        let d = config.dModel
        var x = [Float](repeating: 0, count: tokens.count * d)
        for (i, token) in tokens.enumerated() {
            let t = ((token % vocabulary) + vocabulary) % vocabulary, p = firstPosition + i
            for j in 0..<d { x[i * d + j] = tokenEmbedding[t * d + j] + positionEmbedding[p * d + j] }
        }
        return x
    }
}
