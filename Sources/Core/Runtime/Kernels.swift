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
