/// Forward and backward passes of a supernet sub-network, written out by hand (no automatic differentiation).
///
/// Shapes: M = sequences · T rows; d = the sub-network's width; a = h·headDimension and f = d_FFN of a layer.
/// Activations are compact (row stride d, a or f); weights are the leading slices of the supernet's tensors,
/// read in place through BLAS leading dimensions, and gradients accumulate into the same slices of a
/// full-size gradient vector, so the four sub-networks of a sandwich step add into one vector.
///
/// Per layer (pre-LayerNorm):  u = LN₁(x);  q,k,v = u·W + b;  per head  P = softmax(causal(q·kᵀ/√hd)),
/// c = P·v;  x' = x + c·W_O + b_O;  z = LN₂(x');  x'' = x' + GELU(z·W₁ + b₁)·W₂ + b₂.
/// Output: logits = LN_f(x_N)·W_out + b_out; loss = mean cross-entropy of the next byte.
final class NASBuffer<Scalar: NASScalar> {
    let pointer: UnsafeMutablePointer<Scalar>
    let count: Int
    init(_ count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }
    deinit { pointer.deallocate() }
    subscript(i: Int) -> Scalar {
        get { pointer[i] }
        set { pointer[i] = newValue }
    }
}

/// What the forward pass keeps for the backward pass.
struct NASForwardCache<Scalar: NASScalar> {
    struct Layer {
        var input: NASBuffer<Scalar>                       // x, M×d
        var ln1Normalized: NASBuffer<Scalar>, ln1InverseStd: NASBuffer<Scalar>
        var ln1Output: NASBuffer<Scalar>                   // u
        var q, k, v: NASBuffer<Scalar>                     // M×a
        var probabilities: NASBuffer<Scalar>               // sequences·h·T·T
        var context: NASBuffer<Scalar>                     // c, M×a
        var middle: NASBuffer<Scalar>                      // x', M×d
        var ln2Normalized: NASBuffer<Scalar>, ln2InverseStd: NASBuffer<Scalar>
        var ln2Output: NASBuffer<Scalar>                   // z
        var preActivation: NASBuffer<Scalar>               // z·W₁ + b₁, M×f
        var activation: NASBuffer<Scalar>                  // GELU(...), M×f
    }
    var layers: [Layer] = []
    var finalInput: NASBuffer<Scalar>
    var finalNormalized: NASBuffer<Scalar>, finalInverseStd: NASBuffer<Scalar>
    var finalOutput: NASBuffer<Scalar>
    var probabilities: NASBuffer<Scalar>                   // softmax of the logits, M×V
    var loss: Scalar
}

enum NASOps {
    static let layerNormEpsilon = 1e-5

    /// y = x̂·γ + β with x̂ = (x − mean)/√(var + ε) over each row's `d` columns.
    static func layerNorm<S: NASScalar>(_ x: UnsafePointer<S>, rows: Int, d: Int, gamma: UnsafePointer<S>,
                                        beta: UnsafePointer<S>, normalized: UnsafeMutablePointer<S>,
                                        inverseStd: UnsafeMutablePointer<S>, output: UnsafeMutablePointer<S>) {
        let n = S(d)
        for r in 0..<rows {
            let row = x + r * d
            var mean: S = 0
            for j in 0..<d { mean += row[j] }
            mean /= n
            var variance: S = 0
            for j in 0..<d { let c = row[j] - mean; variance += c * c }
            variance /= n
            let inv = 1 / (variance + S(layerNormEpsilon)).squareRoot()
            inverseStd[r] = inv
            for j in 0..<d {
                let h = (row[j] - mean) * inv
                normalized[r * d + j] = h
                output[r * d + j] = h * gamma[j] + beta[j]
            }
        }
    }

    /// dx += (1/σ)·(g − mean(g) − x̂·mean(g·x̂)) with g = dy·γ; dγ += Σ dy·x̂; dβ += Σ dy.
    static func layerNormBackward<S: NASScalar>(_ dy: UnsafePointer<S>, rows: Int, d: Int, gamma: UnsafePointer<S>,
                                                normalized: UnsafePointer<S>, inverseStd: UnsafePointer<S>,
                                                dx: UnsafeMutablePointer<S>, dGamma: UnsafeMutablePointer<S>,
                                                dBeta: UnsafeMutablePointer<S>) {
        let n = S(d)
        for r in 0..<rows {
            var meanG: S = 0, meanGX: S = 0
            for j in 0..<d {
                let g = dy[r * d + j] * gamma[j]
                meanG += g
                meanGX += g * normalized[r * d + j]
                dGamma[j] += dy[r * d + j] * normalized[r * d + j]
                dBeta[j] += dy[r * d + j]
            }
            meanG /= n
            meanGX /= n
            let inv = inverseStd[r]
            for j in 0..<d {
                let g = dy[r * d + j] * gamma[j]
                dx[r * d + j] += inv * (g - meanG - normalized[r * d + j] * meanGX)
            }
        }
    }

    /// Exact GELU: x·Φ(x) = ½x(1 + erf(x/√2)).
    @inline(__always) static func gelu<S: NASScalar>(_ x: S) -> S { S(0.5) * x * (1 + S.erf(x * S(0.7071067811865476))) }

    /// d GELU/dx = Φ(x) + x·φ(x).
    @inline(__always) static func geluDerivative<S: NASScalar>(_ x: S) -> S {
        let cdf = S(0.5) * (1 + S.erf(x * S(0.7071067811865476)))
        let pdf = S.exp(-S(0.5) * x * x) * S(0.3989422804014327)
        return cdf + x * pdf
    }

    /// Adds bias (length n) to each of `rows` rows of stride n.
    static func addBias<S: NASScalar>(_ y: UnsafeMutablePointer<S>, rows: Int, n: Int, bias: UnsafePointer<S>) {
        for r in 0..<rows { for j in 0..<n { y[r * n + j] += bias[j] } }
    }

    /// db += column sums of dy (rows × n, stride n).
    static func addColumnSums<S: NASScalar>(_ dy: UnsafePointer<S>, rows: Int, n: Int, into db: UnsafeMutablePointer<S>) {
        for r in 0..<rows { for j in 0..<n { db[j] += dy[r * n + j] } }
    }
}

extension Supernet {
    /// Mean next-byte cross-entropy (nats) of `architecture` on `batch`.
    public func loss(_ architecture: NASArchitecture, on batch: TokenBatch) throws(ConfigurationError) -> Scalar {
        try check(architecture, batch)
        return forward(architecture, batch).loss
    }

    /// Next-byte probabilities (M×V, row-major) of `architecture` on `batch`.
    public func probabilities(_ architecture: NASArchitecture, on batch: TokenBatch) throws(ConfigurationError) -> [Scalar] {
        try check(architecture, batch)
        let cache = forward(architecture, batch)
        return Array(UnsafeBufferPointer(start: cache.probabilities.pointer, count: cache.probabilities.count))
    }

    /// The loss, with `scale` · ∂loss/∂parameters added into `gradient` (which must have `parameters.count`
    /// entries; entries the sub-network does not use are left as they are).
    public func lossAndGradient(_ architecture: NASArchitecture, on batch: TokenBatch, scale: Scalar = 1,
                                into gradient: inout [Scalar]) throws(ConfigurationError) -> Scalar {
        try check(architecture, batch)
        precondition(gradient.count == parameters.count, "gradient vector has the wrong size")
        return gradient.withUnsafeMutableBufferPointer { g in
            checkedLossAndGradient(architecture, on: batch, scale: scale, into: g.baseAddress!)
        }
    }

    /// ``lossAndGradient(_:on:scale:into:)`` into `parameters.count` floats at `gradient`, for an architecture
    /// and a batch already checked (the sandwich step runs it on several threads, one gradient vector each).
    func checkedLossAndGradient(_ architecture: NASArchitecture, on batch: TokenBatch, scale: Scalar,
                                into gradient: UnsafeMutablePointer<Scalar>) -> Scalar {
        let cache = forward(architecture, batch)
        backward(architecture, batch, cache, scale: scale, gradient: gradient)
        return cache.loss
    }

    func check(_ architecture: NASArchitecture, _ batch: TokenBatch) throws(ConfigurationError) {
        try shape.validate(architecture)
        try ConfigurationError.require(batch.length, in: 1...shape.context, field: "context")
        try ConfigurationError.require(batch.sequences, in: 1...1_000_000, field: "batchSize")
        if let bad = batch.inputs.first(where: { Int($0) >= shape.vocabulary }) ?? batch.targets.first(where: { Int($0) >= shape.vocabulary }) {
            throw ConfigurationError(field: "vocabulary", message: "byte \(bad) is outside the model's \(shape.vocabulary) symbols")
        }
    }

    func forward(_ arch: NASArchitecture, _ batch: TokenBatch) -> NASForwardCache<Scalar> {
        parameters.withUnsafeBufferPointer { buffer in forward(arch, batch, buffer.baseAddress!) }
    }

    // Specialised for Float: callers in other modules (chapters, benchmarks) would otherwise run the
    // unspecialised generic code, which is many times slower.
    @_specialize(where Scalar == Float)
    private func forward(_ arch: NASArchitecture, _ batch: TokenBatch, _ p: UnsafePointer<Scalar>) -> NASForwardCache<Scalar> {
        let T = batch.length, B = batch.sequences, M = B * T, d = arch.dModel
        let D = shape.maxDModel, A = shape.attentionWidth, F = shape.maxFFN, V = shape.vocabulary, hd = shape.headDimension
        let L = layout
        let scale = 1 / Scalar(hd).squareRoot()
        // Embedding: x = E[token] + P[position] over the first d channels.
        var x = NASBuffer<Scalar>(M * d)
        for m in 0..<M {
            let token = Int(batch.inputs[m]), position = m % T
            for j in 0..<d {
                x[m * d + j] = p[L.tokenEmbedding.offset + token * D + j] + p[L.positionEmbedding.offset + position * D + j]
            }
        }
        var layers: [NASForwardCache<Scalar>.Layer] = []
        for l in 0..<arch.layers {
            let w = L.layers[l], h = arch.heads[l], a = h * hd, f = arch.ffn[l]
            let n1 = NASBuffer<Scalar>(M * d), s1 = NASBuffer<Scalar>(M), u = NASBuffer<Scalar>(M * d)
            NASOps.layerNorm(x.pointer, rows: M, d: d, gamma: p + w.ln1Gamma.offset, beta: p + w.ln1Beta.offset,
                             normalized: n1.pointer, inverseStd: s1.pointer, output: u.pointer)
            let q = NASBuffer<Scalar>(M * a), k = NASBuffer<Scalar>(M * a), v = NASBuffer<Scalar>(M * a)
            for (out, weight, bias) in [(q, w.wq, w.bq), (k, w.wk, w.bk), (v, w.wv, w.bv)] {
                Scalar.gemm(transposeA: false, transposeB: false, m: M, n: a, k: d, alpha: 1, a: u.pointer, lda: d,
                            b: p + weight.offset, ldb: A, beta: 0, c: out.pointer, ldc: a)
                NASOps.addBias(out.pointer, rows: M, n: a, bias: p + bias.offset)
            }
            let probs = NASBuffer<Scalar>(B * h * T * T), ctx = NASBuffer<Scalar>(M * a)
            for b in 0..<B {
                for head in 0..<h {
                    let rowBase = b * T * a + head * hd
                    let s = probs.pointer + (b * h + head) * T * T
                    Scalar.gemm(transposeA: false, transposeB: true, m: T, n: T, k: hd, alpha: scale,
                                a: q.pointer + rowBase, lda: a, b: k.pointer + rowBase, ldb: a, beta: 0, c: s, ldc: T)
                    for i in 0..<T {
                        let row = s + i * T
                        var maximum = row[0]
                        for j in 0...i { maximum = Swift.max(maximum, row[j]) }
                        var sum: Scalar = 0
                        for j in 0...i { row[j] = Scalar.exp(row[j] - maximum); sum += row[j] }
                        let inv = 1 / sum
                        for j in 0...i { row[j] *= inv }
                        for j in (i + 1)..<T { row[j] = 0 }
                    }
                    Scalar.gemm(transposeA: false, transposeB: false, m: T, n: hd, k: T, alpha: 1, a: s, lda: T,
                                b: v.pointer + rowBase, ldb: a, beta: 0, c: ctx.pointer + rowBase, ldc: a)
                }
            }
            let middle = NASBuffer<Scalar>(M * d)
            middle.pointer.update(from: x.pointer, count: M * d)
            Scalar.gemm(transposeA: false, transposeB: false, m: M, n: d, k: a, alpha: 1, a: ctx.pointer, lda: a,
                        b: p + w.wo.offset, ldb: D, beta: 1, c: middle.pointer, ldc: d)
            NASOps.addBias(middle.pointer, rows: M, n: d, bias: p + w.bo.offset)
            let n2 = NASBuffer<Scalar>(M * d), s2 = NASBuffer<Scalar>(M), z = NASBuffer<Scalar>(M * d)
            NASOps.layerNorm(middle.pointer, rows: M, d: d, gamma: p + w.ln2Gamma.offset, beta: p + w.ln2Beta.offset,
                             normalized: n2.pointer, inverseStd: s2.pointer, output: z.pointer)
            let pre = NASBuffer<Scalar>(M * f), act = NASBuffer<Scalar>(M * f)
            Scalar.gemm(transposeA: false, transposeB: false, m: M, n: f, k: d, alpha: 1, a: z.pointer, lda: d,
                        b: p + w.w1.offset, ldb: F, beta: 0, c: pre.pointer, ldc: f)
            NASOps.addBias(pre.pointer, rows: M, n: f, bias: p + w.b1.offset)
            for i in 0..<(M * f) { act[i] = NASOps.gelu(pre[i]) }
            let next = NASBuffer<Scalar>(M * d)
            next.pointer.update(from: middle.pointer, count: M * d)
            Scalar.gemm(transposeA: false, transposeB: false, m: M, n: d, k: f, alpha: 1, a: act.pointer, lda: f,
                        b: p + w.w2.offset, ldb: D, beta: 1, c: next.pointer, ldc: d)
            NASOps.addBias(next.pointer, rows: M, n: d, bias: p + w.b2.offset)
            layers.append(.init(input: x, ln1Normalized: n1, ln1InverseStd: s1, ln1Output: u, q: q, k: k, v: v,
                                probabilities: probs, context: ctx, middle: middle, ln2Normalized: n2,
                                ln2InverseStd: s2, ln2Output: z, preActivation: pre, activation: act))
            x = next
        }
        let nf = NASBuffer<Scalar>(M * d), sf = NASBuffer<Scalar>(M), y = NASBuffer<Scalar>(M * d)
        NASOps.layerNorm(x.pointer, rows: M, d: d, gamma: p + L.finalGamma.offset, beta: p + L.finalBeta.offset,
                         normalized: nf.pointer, inverseStd: sf.pointer, output: y.pointer)
        let probs = NASBuffer<Scalar>(M * V)
        Scalar.gemm(transposeA: false, transposeB: false, m: M, n: V, k: d, alpha: 1, a: y.pointer, lda: d,
                    b: p + L.wOut.offset, ldb: V, beta: 0, c: probs.pointer, ldc: V)
        NASOps.addBias(probs.pointer, rows: M, n: V, bias: p + L.bOut.offset)
        var total: Double = 0
        for m in 0..<M {
            let row = probs.pointer + m * V
            var maximum = row[0]
            for j in 1..<V { maximum = Swift.max(maximum, row[j]) }
            var sum: Scalar = 0
            for j in 0..<V { row[j] = Scalar.exp(row[j] - maximum); sum += row[j] }
            let target = Int(batch.targets[m])
            // −log p(target) = log Σ exp(z − max) − (z_target − max), from the unnormalised exponentials.
            total += Double(Scalar.log(sum) - Scalar.log(row[target]))
            let inv = 1 / sum
            for j in 0..<V { row[j] *= inv }
        }
        return NASForwardCache(layers: layers, finalInput: x, finalNormalized: nf, finalInverseStd: sf, finalOutput: y,
                               probabilities: probs, loss: Scalar(total / Double(M)))
    }

    // Specialised for Float: callers in other modules (chapters, benchmarks) would otherwise run the
    // unspecialised generic code, which is many times slower.
    @_specialize(where Scalar == Float)
    private func backward(_ arch: NASArchitecture, _ batch: TokenBatch, _ cache: NASForwardCache<Scalar>,
                          scale lossScale: Scalar, gradient g: UnsafeMutablePointer<Scalar>) {
        parameters.withUnsafeBufferPointer { buffer in
            let p = buffer.baseAddress!
            let T = batch.length, B = batch.sequences, M = B * T, d = arch.dModel
            let D = shape.maxDModel, A = shape.attentionWidth, F = shape.maxFFN, V = shape.vocabulary, hd = shape.headDimension
            let L = layout
            let attentionScale = 1 / Scalar(hd).squareRoot()
            // Cross-entropy: d loss/d logits = (softmax − one-hot)/M, times the caller's scale.
            let dLogits = NASBuffer<Scalar>(M * V)
            let factor = lossScale / Scalar(M)
            for m in 0..<M {
                for j in 0..<V { dLogits[m * V + j] = cache.probabilities[m * V + j] * factor }
                dLogits[m * V + Int(batch.targets[m])] -= factor
            }
            Scalar.gemm(transposeA: true, transposeB: false, m: d, n: V, k: M, alpha: 1, a: cache.finalOutput.pointer, lda: d,
                        b: dLogits.pointer, ldb: V, beta: 1, c: g + L.wOut.offset, ldc: V)
            NASOps.addColumnSums(dLogits.pointer, rows: M, n: V, into: g + L.bOut.offset)
            let dy = NASBuffer<Scalar>(M * d)
            Scalar.gemm(transposeA: false, transposeB: true, m: M, n: d, k: V, alpha: 1, a: dLogits.pointer, lda: V,
                        b: p + L.wOut.offset, ldb: V, beta: 0, c: dy.pointer, ldc: d)
            var dx = NASBuffer<Scalar>(M * d)
            NASOps.layerNormBackward(dy.pointer, rows: M, d: d, gamma: p + L.finalGamma.offset,
                                     normalized: cache.finalNormalized.pointer, inverseStd: cache.finalInverseStd.pointer,
                                     dx: dx.pointer, dGamma: g + L.finalGamma.offset, dBeta: g + L.finalBeta.offset)
            for l in stride(from: arch.layers - 1, through: 0, by: -1) {
                let c = cache.layers[l], w = L.layers[l], h = arch.heads[l], a = h * hd, f = arch.ffn[l]
                // FFN: x'' = x' + act·W₂ + b₂, act = GELU(pre), pre = z·W₁ + b₁.
                Scalar.gemm(transposeA: true, transposeB: false, m: f, n: d, k: M, alpha: 1, a: c.activation.pointer, lda: f,
                            b: dx.pointer, ldb: d, beta: 1, c: g + w.w2.offset, ldc: D)
                NASOps.addColumnSums(dx.pointer, rows: M, n: d, into: g + w.b2.offset)
                let dPre = NASBuffer<Scalar>(M * f)
                Scalar.gemm(transposeA: false, transposeB: true, m: M, n: f, k: d, alpha: 1, a: dx.pointer, lda: d,
                            b: p + w.w2.offset, ldb: D, beta: 0, c: dPre.pointer, ldc: f)
                for i in 0..<(M * f) { dPre[i] *= NASOps.geluDerivative(c.preActivation[i]) }
                Scalar.gemm(transposeA: true, transposeB: false, m: d, n: f, k: M, alpha: 1, a: c.ln2Output.pointer, lda: d,
                            b: dPre.pointer, ldb: f, beta: 1, c: g + w.w1.offset, ldc: F)
                NASOps.addColumnSums(dPre.pointer, rows: M, n: f, into: g + w.b1.offset)
                let dz = NASBuffer<Scalar>(M * d)
                Scalar.gemm(transposeA: false, transposeB: true, m: M, n: d, k: f, alpha: 1, a: dPre.pointer, lda: f,
                            b: p + w.w1.offset, ldb: F, beta: 0, c: dz.pointer, ldc: d)
                // dx' = dx'' (residual) + LN₂ backward.
                NASOps.layerNormBackward(dz.pointer, rows: M, d: d, gamma: p + w.ln2Gamma.offset,
                                         normalized: c.ln2Normalized.pointer, inverseStd: c.ln2InverseStd.pointer,
                                         dx: dx.pointer, dGamma: g + w.ln2Gamma.offset, dBeta: g + w.ln2Beta.offset)
                // Attention output: x' = x + ctx·W_O + b_O.
                Scalar.gemm(transposeA: true, transposeB: false, m: a, n: d, k: M, alpha: 1, a: c.context.pointer, lda: a,
                            b: dx.pointer, ldb: d, beta: 1, c: g + w.wo.offset, ldc: D)
                NASOps.addColumnSums(dx.pointer, rows: M, n: d, into: g + w.bo.offset)
                let dCtx = NASBuffer<Scalar>(M * a)
                Scalar.gemm(transposeA: false, transposeB: true, m: M, n: a, k: d, alpha: 1, a: dx.pointer, lda: d,
                            b: p + w.wo.offset, ldb: D, beta: 0, c: dCtx.pointer, ldc: a)
                let dq = NASBuffer<Scalar>(M * a), dk = NASBuffer<Scalar>(M * a), dv = NASBuffer<Scalar>(M * a)
                let dS = NASBuffer<Scalar>(T * T)
                for b in 0..<B {
                    for head in 0..<h {
                        let rowBase = b * T * a + head * hd
                        let probs = c.probabilities.pointer + (b * h + head) * T * T
                        // dP = dC·Vᵀ; dV = Pᵀ·dC.
                        Scalar.gemm(transposeA: false, transposeB: true, m: T, n: T, k: hd, alpha: 1,
                                    a: dCtx.pointer + rowBase, lda: a, b: c.v.pointer + rowBase, ldb: a,
                                    beta: 0, c: dS.pointer, ldc: T)
                        Scalar.gemm(transposeA: true, transposeB: false, m: T, n: hd, k: T, alpha: 1, a: probs, lda: T,
                                    b: dCtx.pointer + rowBase, ldb: a, beta: 0, c: dv.pointer + rowBase, ldc: a)
                        // Softmax backward: dS = P ⊙ (dP − Σ_j P·dP), masked entries have P = 0.
                        for i in 0..<T {
                            var dot: Scalar = 0
                            for j in 0...i { dot += probs[i * T + j] * dS[i * T + j] }
                            for j in 0...i { dS[i * T + j] = probs[i * T + j] * (dS[i * T + j] - dot) }
                            for j in (i + 1)..<T { dS[i * T + j] = 0 }
                        }
                        // S = scale·Q·Kᵀ: dQ = scale·dS·K, dK = scale·dSᵀ·Q.
                        Scalar.gemm(transposeA: false, transposeB: false, m: T, n: hd, k: T, alpha: attentionScale,
                                    a: dS.pointer, lda: T, b: c.k.pointer + rowBase, ldb: a, beta: 0,
                                    c: dq.pointer + rowBase, ldc: a)
                        Scalar.gemm(transposeA: true, transposeB: false, m: T, n: hd, k: T, alpha: attentionScale,
                                    a: dS.pointer, lda: T, b: c.q.pointer + rowBase, ldb: a, beta: 0,
                                    c: dk.pointer + rowBase, ldc: a)
                    }
                }
                let du = NASBuffer<Scalar>(M * d)
                for (dOut, weight, bias) in [(dq, w.wq, w.bq), (dk, w.wk, w.bk), (dv, w.wv, w.bv)] {
                    Scalar.gemm(transposeA: true, transposeB: false, m: d, n: a, k: M, alpha: 1, a: c.ln1Output.pointer, lda: d,
                                b: dOut.pointer, ldb: a, beta: 1, c: g + weight.offset, ldc: A)
                    NASOps.addColumnSums(dOut.pointer, rows: M, n: a, into: g + bias.offset)
                    Scalar.gemm(transposeA: false, transposeB: true, m: M, n: d, k: a, alpha: 1, a: dOut.pointer, lda: a,
                                b: p + weight.offset, ldb: A, beta: 1, c: du.pointer, ldc: d)
                }
                let dInput = NASBuffer<Scalar>(M * d)
                dInput.pointer.update(from: dx.pointer, count: M * d)
                NASOps.layerNormBackward(du.pointer, rows: M, d: d, gamma: p + w.ln1Gamma.offset,
                                         normalized: c.ln1Normalized.pointer, inverseStd: c.ln1InverseStd.pointer,
                                         dx: dInput.pointer, dGamma: g + w.ln1Gamma.offset, dBeta: g + w.ln1Beta.offset)
                dx = dInput
            }
            // Embedding: scatter-add into the token and position rows.
            for m in 0..<M {
                let token = Int(batch.inputs[m]), position = m % T
                for j in 0..<d {
                    g[L.tokenEmbedding.offset + token * D + j] += dx[m * d + j]
                    g[L.positionEmbedding.offset + position * D + j] += dx[m * d + j]
                }
            }
        }
    }
}
