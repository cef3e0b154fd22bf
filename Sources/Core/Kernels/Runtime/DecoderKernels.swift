#if canImport(Glibc)
import Glibc
#endif

/// The element-wise kernels of a Llama-style block (chapter 7): RMSNorm, rotary position embedding and the SwiGLU
/// gate, beside the survey's Softmax, LayerNorm and GELU in ``Kernels``.
///
/// Each is a fixed sequence of IEEE operations on eight lanes, with no BLAS and no libm call (Swift never fuses a
/// multiply and an add): the result depends only on the inputs, never on the thread count or the CPU. Reductions
/// keep eight partial sums (lane i takes the elements i, i + 8, ...) and combine them as
/// ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)).
extension Kernels {
    /// The eight partial sums combined in the fixed order above.
    @inline(__always) static func pairwiseSum(_ s: SIMD8<Float>) -> Float {
        ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]))
    }

    /// Up to eight floats from `p` (the rest of the lanes 0).
    @inline(__always) static func loadPartial(_ p: UnsafePointer<Float>, count: Int) -> SIMD8<Float> {
        var v = SIMD8<Float>(repeating: 0)
        for i in 0..<count { v[i] = p[i] }
        return v
    }

    @inline(__always) static func storePartial(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { p[i] = v[i] }
    }

    /// y = x / √(mean(x²) + ε) ⊙ γ per row of n values (Zhang & Sennrich 2019; Llama's ε = 1e-5). `y` may be `x`.
    ///
    /// For x = (3, 4) and γ = (1, 1): mean(x²) = 12.5, so y ≈ (0.8485, 1.1314).
    static func rmsNorm(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, rows m: Int, columns n: Int,
                        gamma: UnsafePointer<Float>, epsilon: Float = 1e-5) {
        for r in 0..<m {
            let row = x + r * n, out = y + r * n
            var partial = SIMD8<Float>(repeating: 0)
            var j = 0
            while j + 8 <= n {
                let v = load8(row + j)
                partial += v * v
                j += 8
            }
            if j < n {
                let v = loadPartial(row + j, count: n - j)
                partial += v * v
            }
            let inverseRMS = 1 / (pairwiseSum(partial) / Float(n) + epsilon).squareRoot()
            let factor = SIMD8<Float>(repeating: inverseRMS)
            j = 0
            while j + 8 <= n {
                store8(load8(row + j) * factor * load8(gamma + j), out + j)
                j += 8
            }
            while j < n {
                out[j] = row[j] * inverseRMS * gamma[j]
                j += 1
            }
        }
    }

    /// In place: the rotary position embedding of `rows` rows of `heads` heads each, in the rotate-half convention
    /// of Llama's Hugging Face port: within a head of width dh, element i pairs with i + dh/2, and at position p
    /// the pair turns by the angle p·θ_i, θ_i = base^(−2i/dh):
    /// (a, b) → (a·cos − b·sin, b·cos + a·sin). Row r is at position `firstPosition + r`; `table` holds the
    /// cosines and sines. A pair keeps its length (up to rounding); position 0 is the identity.
    static func rope(_ x: UnsafeMutablePointer<Float>, rows m: Int, heads: Int, headDimension dh: Int, stride: Int,
                     firstPosition: Int, table: RotaryTable) {
        let half = dh / 2
        table.cosines.withUnsafeBufferPointer { cosines in table.sines.withUnsafeBufferPointer { sines in
            for r in 0..<m {
                let c = cosines.baseAddress! + (firstPosition + r) * half, s = sines.baseAddress! + (firstPosition + r) * half
                for head in 0..<heads {
                    let first = x + r * stride + head * dh, second = first + half
                    var i = 0
                    while i + 8 <= half {
                        let a = load8(first + i), b = load8(second + i), cv = load8(c + i), sv = load8(s + i)
                        store8(a * cv - b * sv, first + i)
                        store8(b * cv + a * sv, second + i)
                        i += 8
                    }
                    while i < half {
                        let a = first[i], b = second[i]
                        first[i] = a * c[i] - b * s[i]
                        second[i] = b * c[i] + a * s[i]
                        i += 1
                    }
                }
            }
        } }
    }

    /// In place: gate = SiLU(gate) ⊙ up = gate / (1 + e^−gate) · up, SwiGLU's product (Shazeer 2020), with
    /// e^x from ``VectorMath/exp(_:)`` on every element, the last partial group of eight included.
    ///
    /// For gate = 1 and up = 2: SiLU(1) = 1 / (1 + e^−1) ≈ 0.7311, so the result is ≈ 1.4621.
    static func siluGate(_ gate: UnsafeMutablePointer<Float>, up: UnsafePointer<Float>, count: Int) {
        @inline(__always) func silu(_ g: SIMD8<Float>, _ u: SIMD8<Float>) -> SIMD8<Float> {
            g / (1 + VectorMath.exp(-g)) * u
        }
        var i = 0
        while i + 8 <= count {
            store8(silu(load8(gate + i), load8(up + i)), gate + i)
            i += 8
        }
        if i < count {
            let rest = count - i
            storePartial(silu(loadPartial(gate + i, count: rest), loadPartial(up + i, count: rest)), gate + i, count: rest)
        }
    }

    /// In place: x += y over `count` values (a residual connection).
    static func add(_ x: UnsafeMutablePointer<Float>, _ y: UnsafePointer<Float>, count: Int) {
        for i in 0..<count { x[i] += y[i] }
    }
}

/// cos(p·θ_i) and sin(p·θ_i) for positions 0..<positions and i in 0..<dh/2, θ_i = base^(−2i/dh), computed in
/// `Double` and rounded once to `Float`, so the runtime and ``ReferenceDecoder`` turn by the same angles.
///
/// For dh = 64 and base 10000: θ_0 = 1 and θ_31 = 10000^(−62/64) ≈ 1.33e-4 radians per position.
struct RotaryTable {
    let headDimension: Int
    let base: Double
    let cosines: [Float]
    let sines: [Float]

    /// θ_i, in `Double`.
    static func frequency(_ i: Int, headDimension dh: Int, base: Double) -> Double {
        pow(base, -2 * Double(i) / Double(dh))
    }

    init(positions: Int, headDimension dh: Int, base: Double) {
        headDimension = dh
        self.base = base
        let half = dh / 2
        var cosines = [Float](repeating: 0, count: positions * half), sines = cosines
        for p in 0..<positions {
            for i in 0..<half {
                let angle = Double(p) * Self.frequency(i, headDimension: dh, base: base)
                cosines[p * half + i] = Float(cos(angle))
                sines[p * half + i] = Float(sin(angle))
            }
        }
        self.cosines = cosines
        self.sines = sines
    }
}
