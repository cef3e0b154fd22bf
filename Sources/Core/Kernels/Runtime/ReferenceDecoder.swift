#if canImport(Glibc)
import Glibc
#endif

/// A plain, obviously-correct Llama-style decoder over the same weights as a ``DecoderRuntime``: one token at a
/// time, plain loops, `Double` arithmetic and its own `Double` key/value cache, no BLAS, no vector kernels. Rotary
/// angles are recomputed in `Double` from θ_i = base^(−2i/dh). It exists to check the runtime and is far too slow
/// for profiling.
public struct ReferenceDecoder {
    let runtime: DecoderRuntime

    public init(_ runtime: DecoderRuntime) { self.runtime = runtime }

    /// The logits after each of `tokens` (tokens.count × vocabulary), starting from an empty cache.
    public func logits(tokens: [Int]) -> [[Double]] {
        let m = runtime.config, d = m.dModel, f = m.dFFN, h = m.heads, dh = m.headDimension, half = dh / 2
        let kvHeads = m.kvHeads, kvWidth = kvHeads * dh, group = h / kvHeads, vocabulary = runtime.vocabulary
        let window = m.block.slidingWindow ?? Int.max
        func linear(_ input: [Double], _ w: [Float], inner: Int, out: Int) -> [Double] {
            (0..<out).map { j in
                var acc = 0.0
                for i in 0..<inner { acc += input[i] * Double(w[i * out + j]) }
                return acc
            }
        }
        func rmsNorm(_ x: [Double], _ gamma: [Float]) -> [Double] {
            let meanSquare = x.map { $0 * $0 }.reduce(0, +) / Double(x.count)
            return x.indices.map { x[$0] / (meanSquare + 1e-5).squareRoot() * Double(gamma[$0]) }
        }
        func rotate(_ v: inout [Double], heads: Int, position p: Int) {
            for head in 0..<heads {
                for i in 0..<half {
                    let angle = Double(p) * RotaryTable.frequency(i, headDimension: dh, base: runtime.ropeBase)
                    let a = v[head * dh + i], b = v[head * dh + i + half]
                    v[head * dh + i] = a * cos(angle) - b * sin(angle)
                    v[head * dh + i + half] = b * cos(angle) + a * sin(angle)
                }
            }
        }
        var keys = [[[Double]]](repeating: [], count: runtime.layers.count)     // layer, position, kvWidth
        var values = keys
        var result: [[Double]] = []
        for (p, token) in tokens.enumerated() {
            var x = (0..<d).map { Double(runtime.tokenEmbedding[token * d + $0]) }
            for (layer, w) in runtime.layers.enumerated() {
                let normed = rmsNorm(x, w.attentionNorm)
                var q = linear(normed, w.wq.values, inner: d, out: d)
                var k = linear(normed, w.wk.values, inner: d, out: kvWidth)
                let v = linear(normed, w.wv.values, inner: d, out: kvWidth)
                rotate(&q, heads: h, position: p)
                rotate(&k, heads: kvHeads, position: p)
                keys[layer].append(k)
                values[layer].append(v)
                let first = p + 1 > window ? p + 1 - window : 0
                var attention = [Double](repeating: 0, count: d)
                for head in 0..<h {
                    let kvHead = head / group
                    var s = (first...p).map { j -> Double in
                        var dot = 0.0
                        for c in 0..<dh { dot += q[head * dh + c] * keys[layer][j][kvHead * dh + c] }
                        return dot / Double(dh).squareRoot()
                    }
                    let maximum = s.max()!
                    s = s.map { exp($0 - maximum) }
                    let total = s.reduce(0, +)
                    for c in 0..<dh {
                        var acc = 0.0
                        for (index, j) in (first...p).enumerated() { acc += s[index] / total * values[layer][j][kvHead * dh + c] }
                        attention[head * dh + c] = acc
                    }
                }
                let projected = linear(attention, w.wo.values, inner: d, out: d)
                for j in 0..<d { x[j] += projected[j] }
                let normed2 = rmsNorm(x, w.ffnNorm)
                let gate = linear(normed2, w.wGate.values, inner: d, out: f), up = linear(normed2, w.wUp.values, inner: d, out: f)
                let hidden = (0..<f).map { gate[$0] / (1 + exp(-gate[$0])) * up[$0] }
                let down = linear(hidden, w.wDown.values, inner: f, out: d)
                for j in 0..<d { x[j] += down[j] }
            }
            result.append(linear(rmsNorm(x, runtime.finalNorm), runtime.lmHead.values, inner: d, out: vocabulary))
        }
        return result
    }
}
