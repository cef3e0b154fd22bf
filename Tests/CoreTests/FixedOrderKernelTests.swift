import CKernels
import Testing
@testable import Core
#if canImport(Glibc)
import Glibc
#endif

/// The fixed-order kernels (`Sources/CKernels`) against Swift loops written from the definitions in
/// `CKernels.h`, in the same order, bit for bit, for every ISA build this CPU can run; and the accuracy of the
/// elementary functions against double-precision libm.
///
/// Swift never contracts a*b + c into a fused multiply-add, so a Swift loop is the reference for the order of
/// the operations, and any fused operation in a kernel build would show as a difference.
@Suite("Fixed-order kernels")
struct FixedOrderKernelTests {
    static let levels = FixedOrderISA.supported

    /// Uniform values in ±scale with varied exponents, so that sums round at many positions.
    static func values(_ count: Int, _ g: inout SeededGenerator, scale: Float = 1) -> [Float] {
        (0..<count).map { _ in
            let u = Float(2 * g.unitDouble() - 1) * scale
            return u * Float(1 << g.index(6))
        }
    }

    // MARK: reference definitions

    static func sum8(_ x: [Float]) -> Float {
        var s = [Float](repeating: 0, count: 8)
        for (i, v) in x.enumerated() { s[i % 8] = s[i % 8] + v }
        return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]))
    }

    static func max2(_ a: Float, _ b: Float) -> Float { b > a ? b : a }

    static func max8(_ x: [Float]) -> Float {
        var s = [Float](repeating: -.infinity, count: 8)
        for (i, v) in x.enumerated() { s[i % 8] = max2(s[i % 8], v) }
        return max2(max2(max2(s[0], s[1]), max2(s[2], s[3])), max2(max2(s[4], s[5]), max2(s[6], s[7])))
    }

    /// C as fok_gemm defines it; entries of `c` outside the m×n block are left as they are.
    static func gemm(m: Int, n: Int, k: Int, a: [Float], lda: Int, b: [Float], ldb: Int, transposeB: Bool,
                     bias: [Float]?, c: inout [Float], ldc: Int, accumulate: Bool) {
        for i in 0..<m {
            for j in 0..<n {
                var acc: Float = accumulate ? c[i * ldc + j] : 0
                for p in 0..<k {
                    let bv = transposeB ? b[j * ldb + p] : b[p * ldb + j]
                    let t = a[i * lda + p] * bv
                    acc = acc + t
                }
                if let bias { acc = acc + bias[j] }
                c[i * ldc + j] = acc
            }
        }
    }

    static func bits(_ x: [Float]) -> [UInt32] { x.map(\.bitPattern) }

    static func runGemm(_ isa: FixedOrderISA, m: Int, n: Int, k: Int, a: [Float], lda: Int, b: [Float], ldb: Int,
                        transposeB: Bool, bias: [Float]?, c: inout [Float], ldc: Int, accumulate: Bool) {
        var workspace = [Float](repeating: .nan, count: fok_gemm_workspace(Int32(k)))
        let biasValues = bias ?? [0]
        biasValues.withUnsafeBufferPointer { biasBuffer in
            fok_gemm(isa.rawValue, Int32(m), Int32(n), Int32(k), a, Int32(lda), b, Int32(ldb), transposeB ? 1 : 0,
                     bias == nil ? nil : biasBuffer.baseAddress, &c, Int32(ldc), accumulate ? 1 : 0, &workspace)
        }
    }

    // MARK: GEMM

    @Test("GEMM: every ISA build equals the Swift loop bit for bit on ragged shapes, strides, transposes, bias and accumulation")
    func gemmMatchesLoop() {
        var g = SeededGenerator(seed: 2_024)
        // The shapes chapter 5 runs (rows × {d, a, d_FFN, T, hd, V} by depth) and random ragged ones.
        var shapes: [(Int, Int, Int)] = [(64, 8, 64), (64, 64, 8), (37, 96, 60), (13, 384, 96), (19, 60, 384),
                                         (7, 256, 84), (6, 32, 48), (12, 16, 0), (1, 1, 1)]
        for _ in 0..<30 { shapes.append((1 + g.index(30), 1 + g.index(100), g.index(70))) }
        for (trial, (m, n, k)) in shapes.enumerated() {
            let transposeB = trial % 3 == 1, accumulate = trial % 2 == 1, withBias = trial % 4 < 2
            let lda = k + g.index(3), ldb = (transposeB ? k : n) + g.index(3), ldc = n + g.index(3)
            let a = Self.values(m * max(lda, 1), &g), b = Self.values((transposeB ? n : max(k, 1)) * max(ldb, 1), &g, scale: 0.5)
            let bias = withBias ? Self.values(n, &g) : nil
            let start = Self.values(m * ldc, &g, scale: 4)
            var expected = start
            Self.gemm(m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, transposeB: transposeB, bias: bias,
                      c: &expected, ldc: ldc, accumulate: accumulate)
            for isa in Self.levels {
                var c = start
                Self.runGemm(isa, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, transposeB: transposeB, bias: bias,
                             c: &c, ldc: ldc, accumulate: accumulate)
                #expect(Self.bits(c) == Self.bits(expected),
                        "\(isa): m \(m) n \(n) k \(k) transposeB \(transposeB) accumulate \(accumulate) bias \(withBias)")
            }
        }
    }

    @Test("GEMM: no fused multiply-add (a case where fusing changes the result)")
    func noFusedMultiplyAdd() {
        // Row [-1, x], column [1 + 2⁻¹¹, x] with x = 1 + 2⁻¹²: x·x = 1 + 2⁻¹¹ + 2⁻²⁴ rounds (ties to even) to
        // 1 + 2⁻¹¹, so rounded products give exactly 0; a fused step would give 2⁻²⁴.
        let x = Float(1) + Float(1) / 4_096, y = Float(1) + Float(1) / 2_048
        #expect(x * x == y)
        let n = 40
        let a: [Float] = [-1, x]
        let b = [Float](repeating: y, count: n) + [Float](repeating: x, count: n)
        for isa in Self.levels {
            var c = [Float](repeating: 7, count: n)
            Self.runGemm(isa, m: 1, n: n, k: 2, a: a, lda: 2, b: b, ldb: n, transposeB: false, bias: nil, c: &c,
                         ldc: n, accumulate: false)
            #expect(c.allSatisfy { $0 == 0 }, "\(isa): \(c.first!)")
        }
    }

    // MARK: reductions and row operations

    @Test("fixed-order sum and maximum: every ISA build equals the eight-lane definition")
    func reductions() {
        var g = SeededGenerator(seed: 5)
        for n in 0..<45 {
            let x = Self.values(n, &g)
            for isa in Self.levels {
                #expect(fok_sum(isa.rawValue, n, x).bitPattern == Self.sum8(x).bitPattern, "\(isa) sum n \(n)")
                #expect(fok_max(isa.rawValue, n, x).bitPattern == Self.max8(x).bitPattern, "\(isa) max n \(n)")
            }
        }
    }

    @Test("LayerNorm: every ISA build equals the definition")
    func layerNorm() {
        var g = SeededGenerator(seed: 6)
        for d in [1, 5, 8, 48, 60, 84, 96] {
            let rows = 3
            let x = Self.values(rows * d, &g, scale: 3), gamma = Self.values(d, &g), beta = Self.values(d, &g)
            let epsilon = Float(1e-5)
            var expected = [Float](repeating: 0, count: rows * d)
            for r in 0..<rows {
                let row = Array(x[(r * d)..<((r + 1) * d)])
                let mean = Self.sum8(row) / Float(d)
                let variance = Self.sum8(row.map { ($0 - mean) * ($0 - mean) }) / Float(d)
                let inv = 1 / (variance + epsilon).squareRoot()
                for j in 0..<d { expected[r * d + j] = ((row[j] - mean) * inv) * gamma[j] + beta[j] }
            }
            for isa in Self.levels {
                var y = [Float](repeating: .nan, count: rows * d)
                fok_layernorm(isa.rawValue, Int32(rows), Int32(d), x, gamma, beta, epsilon, &y)
                #expect(Self.bits(y) == Self.bits(expected), "\(isa) d \(d)")
            }
        }
    }

    @Test("softmax rows: every ISA build equals the definition, on ragged widths and a row stride")
    func softmaxRows() {
        var g = SeededGenerator(seed: 9)
        for n in [1, 5, 8, 13, 64, 100] {
            let rows = 3, stride = n + 2, scale: Float = 0.125
            let x = Self.values(rows * stride, &g, scale: 6)
            var expected = x
            for r in 0..<rows {
                let z = (0..<n).map { x[r * stride + $0] * scale }
                let m = Self.max8(z)
                let e = z.map { fok_expf($0 - m) }
                let inv = 1 / Self.sum8(e)
                for j in 0..<n { expected[r * stride + j] = e[j] * inv }
            }
            for isa in Self.levels {
                var y = x
                fok_softmax_rows(isa.rawValue, Int32(rows), Int32(n), Int32(stride), scale, &y)
                #expect(Self.bits(y) == Self.bits(expected), "\(isa) n \(n)")
            }
        }
    }

    @Test("causal attention: every ISA build equals the definition (full sums, masked products included)")
    func attention() {
        var g = SeededGenerator(seed: 7)
        for (t, heads, hd) in [(1, 1, 8), (5, 2, 8), (13, 3, 5), (64, 2, 8), (20, 1, 16)] {
            let ld = heads * hd + 3
            let q = Self.values(t * ld, &g), k = Self.values(t * ld, &g), v = Self.values(t * ld, &g)
            let scale = 1 / Float(hd).squareRoot()
            var expected = [Float](repeating: -5, count: t * ld)
            for h in 0..<heads {
                let col = h * hd
                for i in 0..<t {
                    var z: [Float] = []
                    for j in 0...i {
                        var s: Float = 0
                        for p in 0..<hd { s = s + q[i * ld + col + p] * k[j * ld + col + p] }
                        z.append(s * scale)
                    }
                    let m = Self.max8(z)
                    let e = z.map { fok_expf($0 - m) }
                    let inv = 1 / Self.sum8(e)
                    let probabilities = e.map { $0 * inv } + [Float](repeating: 0, count: t - i - 1)
                    for c in 0..<hd {
                        var acc: Float = 0
                        for j in 0..<t { acc = acc + probabilities[j] * v[j * ld + col + c] }
                        expected[i * ld + col + c] = acc
                    }
                }
            }
            for isa in Self.levels {
                var ctx = [Float](repeating: -5, count: t * ld)
                var workspace = [Float](repeating: .nan, count: fok_attention_workspace(Int32(t), Int32(hd)))
                fok_causal_attention(isa.rawValue, Int32(t), Int32(heads), Int32(hd), q, k, v, Int32(ld), scale, &ctx,
                                     &workspace)
                #expect(Self.bits(ctx) == Self.bits(expected), "\(isa) t \(t) heads \(heads) hd \(hd)")
            }
        }
    }

    @Test("next-symbol losses: every ISA build equals the definition")
    func losses() {
        var g = SeededGenerator(seed: 8)
        for vocabulary in [2, 7, 256] {
            let rows = 5
            let logits = Self.values(rows * vocabulary, &g, scale: 4)
            let targets = (0..<rows).map { _ in UInt8(g.index(vocabulary)) }
            let expected = (0..<rows).map { r -> Double in
                let z = Array(logits[(r * vocabulary)..<((r + 1) * vocabulary)])
                let m = Self.max8(z)
                let s = Self.sum8(z.map { fok_expf($0 - m) })
                return fok_log(Double(s)) - Double(z[Int(targets[r])] - m)
            }
            for isa in Self.levels {
                var out = [Double](repeating: .nan, count: rows)
                fok_next_symbol_losses(isa.rawValue, Int32(rows), Int32(vocabulary), logits, targets, &out)
                #expect(out.map(\.bitPattern) == expected.map(\.bitPattern), "\(isa) V \(vocabulary)")
            }
        }
    }

    // MARK: elementary functions

    /// Inputs for the elementwise checks: a sweep, special values, and a length that leaves a tail.
    static let specials: [Float] = [0, -0, 1, -1, 0.5, -0.5, 1e-30, -1e-30, 88.7, 88.8, -87.3, -103, -104, -200, 200,
                                    .infinity, -.infinity, .nan, .greatestFiniteMagnitude, -.greatestFiniteMagnitude]

    @Test("exp and GELU over arrays: every ISA build gives the scalar function's bits, element by element")
    func arraysMatchScalar() {
        var g = SeededGenerator(seed: 9)
        let x = Self.specials + (0..<1_017).map { _ in Float(40 * (2 * g.unitDouble() - 1)) }
        func same(_ a: Float, _ b: Float) -> Bool { a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN) }
        for isa in Self.levels {
            var y = [Float](repeating: 0, count: x.count)
            fok_expf_array(isa.rawValue, x.count, x, &y)
            #expect(zip(x, y).allSatisfy { same(fok_expf($0), $1) }, "\(isa) exp")
            fok_gelu_array(isa.rawValue, x.count, x, &y)
            #expect(zip(x, y).allSatisfy { same(fok_gelu($0), $1) }, "\(isa) gelu")
        }
    }

    @Test("exp (float) is within 2⁻²² relative of e^x over the normal range, within one subnormal step below it, exact at 0")
    func expAccuracy() {
        // Stated before the first run: the reduction and degree-7 Taylor polynomial (truncation 5.2e-9) with
        // seven Horner roundings give about one ulp; 2⁻²² relative is two ulps at the top of a binade.
        var worst = 0.0
        var x = -87.0
        while x <= 88.5 {
            let f = Float(x), exact = exp(Double(f))
            worst = max(worst, abs(Double(fok_expf(f)) - exact) / exact)
            x += 0.000_91
        }
        #expect(worst <= 0x1p-22, "worst relative error \(worst)")
        var tiny = 0.0
        for f in stride(from: Float(-103.5), through: -87.4, by: 0.013) {
            tiny = max(tiny, abs(Double(fok_expf(f)) - exp(Double(f))))
        }
        #expect(tiny <= 0x1p-149, "worst absolute error below the normal range \(tiny)")
        #expect(fok_expf(0) == 1 && fok_expf(-110) == 0 && fok_expf(-.infinity) == 0)
        #expect(fok_expf(89) == .infinity && fok_expf(.infinity) == .infinity && fok_expf(.nan).isNaN)
    }

    @Test("erf (float) is within 5e-7 of erf; GELU within 4e-7·|x| of x·Φ(x)")
    func erfAndGELUAccuracy() {
        // Stated before the first run: Abramowitz & Stegun 7.1.26 guarantee 1.5e-7; float rounding of the
        // five-step Horner sum of terms below 2 adds at most 5 half-ulps of 1..2 (3e-7), the product with
        // e^(-z²) and 1 - erfc one more half-ulp each: 5e-7 in all. Φ = 1 - erfc/2 carries half of that
        // (2.5e-7) plus the subtraction's rounding, and x·Φ one more relative half-ulp: under 4e-7·|x|.
        var worstErf = 0.0, worstGELU = 0.0
        var x = -6.0
        while x <= 6.0 {
            let f = Float(x), d = Double(f)
            worstErf = max(worstErf, abs(Double(fok_erff(f)) - erf(d)))
            let exact = d * 0.5 * erfc(-d / 2.0.squareRoot())
            if d != 0 { worstGELU = max(worstGELU, abs(Double(fok_gelu(f)) - exact) / abs(d)) }
            x += 0.000_37
        }
        #expect(worstErf <= 5e-7, "worst erf error \(worstErf)")
        #expect(worstGELU <= 4e-7, "worst GELU error / |x| \(worstGELU)")
        #expect(fok_gelu(0) == 0 && fok_gelu(-30) == 0 && fok_gelu(30) == 30)
    }

    @Test("exp and log (double) are within 1e-15 relative of libm's")
    func doubleAccuracy() {
        // Stated before the first run: Cody-Waite reduction and a degree-13 Taylor polynomial for exp, the
        // atanh series to f²⁵ for log, each a few roundings of 2⁻⁵³: within 1e-15 (about 4.5 ulps).
        var g = SeededGenerator(seed: 10)
        var worstExp = 0.0, worstLog = 0.0
        for _ in 0..<20_000 {
            let x = 1_400 * g.unitDouble() - 700
            worstExp = max(worstExp, abs(fok_exp(x) - exp(x)) / exp(x))
            let y = exp(1_400 * g.unitDouble() - 700)
            let l = log(y)
            worstLog = max(worstLog, abs(fok_log(y) - l) / max(abs(l), 1e-300))
        }
        for y in [Double.leastNonzeroMagnitude, Double.leastNonzeroMagnitude * 7_919, Double.leastNormalMagnitude / 3, Double.leastNormalMagnitude, 2.5e300, Double.greatestFiniteMagnitude] {
            worstLog = max(worstLog, abs(fok_log(y) - log(y)) / abs(log(y)))
        }
        for y in stride(from: 0.5, through: 300.0, by: 0.0137) {
            worstLog = max(worstLog, abs(fok_log(y) - log(y)) / max(abs(log(y)), 1e-300))
        }
        #expect(worstExp <= 1e-15, "worst exp error \(worstExp)")
        #expect(worstLog <= 1e-15, "worst log error \(worstLog)")
        #expect(fok_exp(0) == 1 && fok_log(1) == 0 && fok_log(0) == -.infinity && fok_log(-1).isNaN)
        #expect(fok_exp(-746) == 0 && fok_exp(710) == .infinity && fok_log(.infinity) == .infinity)
    }
}
