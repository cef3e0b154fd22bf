#if canImport(Glibc)
import Glibc
#endif

/// A plain, obviously-correct forward pass over the same weights as a ``TransformerRuntime``: triple loops,
/// `Double` accumulation, no BLAS, no cache. It exists to check the runtime and is far too slow for profiling.
public struct ReferenceTransformer {
    let runtime: TransformerRuntime

    public init(_ runtime: TransformerRuntime) { self.runtime = runtime }

    /// Full (bidirectional) attention over all tokens, or causal attention when `causal`.
    public func forward(tokens: [Int], causal: Bool) -> [Double] {
        let m = runtime.config, d = m.dModel, f = m.dFFN, h = m.heads, dh = m.headDimension, l = tokens.count
        var x = runtime.embed(tokens, firstPosition: 0).map(Double.init)
        func linear(_ input: [Double], rows: Int, inner: Int, out: Int, _ w: [Float], _ b: [Float]) -> [Double] {
            var y = [Double](repeating: 0, count: rows * out)
            for r in 0..<rows {
                for j in 0..<out {
                    var acc = Double(b[j])
                    for i in 0..<inner { acc += input[r * inner + i] * Double(w[i * out + j]) }
                    y[r * out + j] = acc
                }
            }
            return y
        }
        func layerNorm(_ a: [Double], _ residual: [Double], _ gamma: [Float], _ beta: [Float]) -> [Double] {
            var y = [Double](repeating: 0, count: a.count)
            for r in 0..<l {
                let row = (0..<d).map { a[r * d + $0] + residual[r * d + $0] }
                let mean = row.reduce(0, +) / Double(d)
                let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(d)
                for j in 0..<d {
                    y[r * d + j] = (row[j] - mean) / (variance + 1e-5).squareRoot() * Double(gamma[j]) + Double(beta[j])
                }
            }
            return y
        }
        for w in runtime.layers {
            let q = linear(x, rows: l, inner: d, out: d, w.wq.values, w.bq)
            let k = linear(x, rows: l, inner: d, out: d, w.wk.values, w.bk)
            let v = linear(x, rows: l, inner: d, out: d, w.wv.values, w.bv)
            var attention = [Double](repeating: 0, count: l * d)
            for head in 0..<h {
                for i in 0..<l {
                    let visible = causal ? i + 1 : l
                    var s = (0..<visible).map { j -> Double in
                        var dot = 0.0
                        for c in 0..<dh { dot += q[i * d + head * dh + c] * k[j * d + head * dh + c] }
                        return dot / Double(dh).squareRoot()
                    }
                    let maximum = s.max()!
                    s = s.map { exp($0 - maximum) }
                    let total = s.reduce(0, +)
                    for c in 0..<dh {
                        var acc = 0.0
                        for j in 0..<visible { acc += s[j] / total * v[j * d + head * dh + c] }
                        attention[i * d + head * dh + c] = acc
                    }
                }
            }
            let projected = linear(attention, rows: l, inner: d, out: d, w.wo.values, w.bo)
            let y = layerNorm(projected, x, w.ln1Gamma, w.ln1Beta)
            var hidden = linear(y, rows: l, inner: d, out: f, w.w1.values, w.b1)
            hidden = hidden.map { 0.5 * $0 * (1 + erf($0 / 2.0.squareRoot())) }
            let z = linear(hidden, rows: l, inner: f, out: d, w.w2.values, w.b2)
            x = layerNorm(z, y, w.ln2Gamma, w.ln2Beta)
        }
        return x
    }
}
