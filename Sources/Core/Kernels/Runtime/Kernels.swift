import CBLAS
#if canImport(Glibc)
import Glibc
#endif

/// The fp32 building blocks of the runtime: matrix products through CBLAS, and the non-linear operations as
/// tight loops over contiguous rows (LLVM vectorises the reductions and element-wise arithmetic).
enum Kernels {
    /// C (m×n) = A (m×k) · B (k×n) + C·beta, row-major with leading dimensions; `transposeB` uses Bᵀ (n×k).
    static func gemm(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                     c: UnsafeMutablePointer<Float>, ldc: Int, transposeB: Bool = false, beta: Float = 0) {
        if m == 1 {
            // A single row (a decoding step): a matrix-vector product, which OpenBLAS runs faster as gemv.
            // y = a·B reads B (k×n) transposed; y = a·Bᵀ reads B (n×k) as stored.
            if transposeB {
                cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(n), Int32(k), 1, b, Int32(ldb), a, 1, beta, c, 1)
            } else {
                cblas_sgemv(CblasRowMajor, CblasTrans, Int32(k), Int32(n), 1, b, Int32(ldb), a, 1, beta, c, 1)
            }
            return
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans, Int32(m), Int32(n), Int32(k),
                    1, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// Adds `bias` (length n) to every row of an m×n matrix.
    static func addBias(_ x: UnsafeMutablePointer<Float>, rows m: Int, columns n: Int, bias: UnsafePointer<Float>) {
        for r in 0..<m {
            let row = x + r * n
            for j in 0..<n { row[j] += bias[j] }
        }
    }

    /// Row-wise softmax of `scale`·x over `n` columns, with the row maximum subtracted first.
    static func softmax(_ x: UnsafeMutablePointer<Float>, rows m: Int, columns n: Int, stride: Int, scale: Float) {
        for r in 0..<m {
            let row = x + r * stride
            var maximum = -Float.infinity
            for j in 0..<n { maximum = max(maximum, row[j]) }
            var sum: Float = 0
            var j = 0
            let shift = SIMD8<Float>(repeating: maximum), factor = SIMD8<Float>(repeating: scale)
            var partial = SIMD8<Float>(repeating: 0)
            while j + 8 <= n {
                let e = VectorMath.exp((load8(row + j) - shift) * factor)
                store8(e, row + j)
                partial += e
                j += 8
            }
            sum = partial.sum()
            while j < n {
                let e = expf((row[j] - maximum) * scale)
                row[j] = e
                sum += e
                j += 1
            }
            let inverse = 1 / sum
            for j in 0..<n { row[j] *= inverse }
        }
    }

    @inline(__always) static func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always) static func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
    }

    /// In place: x = LayerNorm(x + residual) with γ, β, per row of n values (ε = 1e-5).
    static func addLayerNorm(_ x: UnsafeMutablePointer<Float>, residual: UnsafePointer<Float>, rows m: Int,
                             columns n: Int, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>) {
        let count = Float(n)
        for r in 0..<m {
            let row = x + r * n, skip = residual + r * n
            var sum: Float = 0
            for j in 0..<n {
                row[j] += skip[j]
                sum += row[j]
            }
            let mean = sum / count
            var squares: Float = 0
            for j in 0..<n {
                let centred = row[j] - mean
                squares += centred * centred
            }
            let inverseStd = 1 / (squares / count + 1e-5).squareRoot()
            for j in 0..<n { row[j] = (row[j] - mean) * inverseStd * gamma[j] + beta[j] }
        }
    }

    /// In place: GELU, x·Φ(x) = ½x(1 + erf(x/√2)), with erf from ``VectorMath/erf(_:)`` (error below 1.5e-7).
    static func gelu(_ x: UnsafeMutablePointer<Float>, count: Int) {
        let invSqrt2 = SIMD8<Float>(repeating: 0.70710678118654752), half = SIMD8<Float>(repeating: 0.5)
        var i = 0
        while i + 8 <= count {
            let v = load8(x + i)
            store8(half * v * (1 + VectorMath.erf(v * invSqrt2)), x + i)
            i += 8
        }
        while i < count {
            let v = x[i]
            x[i] = 0.5 * v * (1 + erff(v * 0.70710678118654752))
            i += 1
        }
    }

    /// Sets the number of threads OpenBLAS uses for the following calls.
    static func setThreads(_ n: Int) { openblas_set_num_threads(Int32(n)) }
}

/// Timing of the runtime's matrix product on its own, for benchmarks: C = A·B in fp32 through OpenBLAS.
public enum GEMMTiming {
    /// Median seconds of `repeats` products of an m×k by k×n matrix, after one warm-up.
    public static func seconds(m: Int, n: Int, k: Int, repeats: Int = 5, threads: Int = 2) -> Double {
        Kernels.setThreads(threads)
        var g = SeededGenerator(seed: UInt64(m * 31 + n * 7 + k))
        let a = (0..<(m * k)).map { _ in g.uniform(1) }, b = (0..<(k * n)).map { _ in g.uniform(1) }
        var c = [Float](repeating: 0, count: m * n)
        let clock = ContinuousClock()
        var samples: [Double] = []
        for r in 0...repeats {
            let start = clock.now
            Kernels.gemm(m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, c: &c, ldc: n)
            let elapsed = clock.now - start
            if r > 0 { samples.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18) }
        }
        return samples.sorted()[samples.count / 2]
    }
}
