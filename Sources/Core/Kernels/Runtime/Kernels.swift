import CBLAS
import CKernels
import CRuntime
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The fp32 building blocks of the runtime: matrix products on its packed kernel (``PackedWeights``) or through
/// CBLAS, as the runtime was built to run them (``RuntimeProducts``); softmax, LayerNorm and GELU on the
/// fixed-order C kernels (`Sources/CKernels`, the CPU's widest build), split over rows on the runtime's pool at
/// several threads; the decoder's RMSNorm, RoPE and SwiGLU as Swift loops over contiguous rows
/// (`DecoderKernels.swift`).
enum Kernels {
    /// C (m×n) = A (m×k) · B (k×n), row-major with leading dimensions; `transposeB` uses Bᵀ (B stored n×k): a
    /// product whose right operand serves it alone (``RightOperand``), on the runtime's kernel at a packed `level`
    /// (1 or 2), on OpenBLAS at level 0.
    static func gemm(level: Int32, m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>,
                     ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int, transposeB: Bool = false) {
        RightOperand(level: level, k: k, n: n, b, ldb: ldb, transposed: transposeB, rows: m)
            .multiply(m: m, a: a, lda: lda, c: c, ldc: ldc)
    }

    /// The right operand B (k × n) of one or more products C = A · B (a head's keys or values for all its blocks
    /// of query rows). At a packed level, for products of several rows it is packed once (``PackedWeights``); for
    /// single rows (a decoding step's attention, whose operands change with every token and would cost more to pack
    /// than to multiply) `pg_gemv` multiplies B where it lies, with the same bits. At level 0 OpenBLAS reads it
    /// where it lies.
    struct RightOperand {
        let level: Int32, k: Int, n: Int
        let b: UnsafePointer<Float>, ldb: Int, transposed: Bool
        let packed: PackedWeights?

        /// `b` holds B (k × n) with row stride `ldb`, or with `transposed` Bᵀ (n × k); `rows`: the most rows of
        /// the products it will serve.
        init(level: Int32, k: Int, n: Int, _ b: UnsafePointer<Float>, ldb: Int, transposed: Bool, rows: Int) {
            self.level = level
            self.k = k
            self.n = n
            self.b = b
            self.ldb = ldb
            self.transposed = transposed
            packed = level > 0 && rows > 1 ? PackedWeights(level: level, k: k, n: n, b, ldb: ldb, transposed: transposed) : nil
        }

        /// C (m × n, row stride ldc) = A (m × k, row stride lda) · B, at the BLAS thread count.
        func multiply(m: Int, a: UnsafePointer<Float>, lda: Int, c: UnsafeMutablePointer<Float>, ldc: Int) {
            if let packed {
                packed.multiply(m: m, a: a, lda: lda, c: c, ldc: ldc, threads: Kernels.threads)
            } else if level > 0 {
                for i in 0..<m { pg_gemv(Int32(n), Int32(k), a + i * lda, b, Int32(ldb), transposed ? 1 : 0, c + i * ldc) }
            } else if m == 1 {
                // A single row (a decoding step): a matrix-vector product, which OpenBLAS runs faster as gemv.
                // y = a·B reads B (k×n) transposed; y = a·Bᵀ reads B (n×k) as stored.
                if transposed {
                    cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(n), Int32(k), 1, b, Int32(ldb), a, 1, 0, c, 1)
                } else {
                    cblas_sgemv(CblasRowMajor, CblasTrans, Int32(k), Int32(n), 1, b, Int32(ldb), a, 1, 0, c, 1)
                }
            } else {
                cblas_sgemm(CblasRowMajor, CblasNoTrans, transposed ? CblasTrans : CblasNoTrans, Int32(m), Int32(n),
                            Int32(k), 1, a, Int32(lda), b, Int32(ldb), 0, c, Int32(ldc))
            }
        }
    }

    /// Adds `bias` (length n) to every row of an m×n matrix.
    static func addBias(_ x: UnsafeMutablePointer<Float>, rows m: Int, columns n: Int, bias: UnsafePointer<Float>) {
        for r in 0..<m {
            let row = x + r * n
            for j in 0..<n { row[j] += bias[j] }
        }
    }

    /// Row-wise softmax of `scale`·x over `n` columns, with the row maximum subtracted first
    /// (`fok_softmax_rows` on this CPU's widest fixed-order build, rows split over the BLAS threads).
    static func softmax(_ x: UnsafeMutablePointer<Float>, rows m: Int, columns n: Int, stride: Int, scale: Float,
                        parallel: Bool = true) {
        let p = SendablePointer(x)
        forRowChunks(m, work: parallel ? m * n : 0) { r in
            fok_softmax_rows(isa, Int32(r.count), Int32(n), Int32(stride), scale, p.pointer + r.lowerBound * stride)
        }
    }

    /// The workers ``forHeads(_:_:)`` runs `heads` heads on: one per BLAS thread, at most one per head.
    static func headWorkers(_ heads: Int) -> Int { max(1, min(threads, heads)) }

    /// Runs `body(head, worker)` for every head on `workers` parallel workers (``headWorkers(_:)``, read once by the
    /// caller with the scratch it sizes: the thread count is process-wide and may change meanwhile) with one BLAS
    /// thread each (the heads' products are too small to share out), restoring the thread count after. Worker w
    /// (0 ..< workers) takes heads w, w + workers, …, so a worker's scratch can be reused head after head.
    static func forHeads(_ heads: Int, workers: Int, _ body: @Sendable (_ head: Int, _ worker: Int) -> Void) {
        let threads = Self.threads
        guard workers > 1 else {
            for head in 0..<heads { body(head, 0) }
            return
        }
        setThreads(1)
        runtimeForEach(workers, threads: workers) { w in
            for head in stride(from: w, to: heads, by: workers) { body(head, w) }
        }
        setThreads(threads)
    }

    /// The widest fixed-order kernel build this CPU runs.
    static let isa = fok_isa_best()

    /// Runs `body` on `rows` split into one contiguous range per BLAS thread, in parallel when there are
    /// several threads and `work` (elements touched) is large enough to pay for waking them. Row-wise kernels
    /// give the same bits for any split.
    static func forRowChunks(_ rows: Int, work: Int, _ body: @Sendable (Range<Int>) -> Void) {
        let threads = min(Self.threads, rows)
        guard threads > 1, work >= 16_384 else { return body(0..<rows) }
        runtimeForEach(threads, threads: threads) { t in body(rows * t / threads ..< rows * (t + 1) / threads) }
    }

    @inline(__always) static func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always) static func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
    }

    /// In place: x = LayerNorm(x + residual) with γ, β, per row of n values (ε = 1e-5; `fok_layernorm`).
    static func addLayerNorm(_ x: UnsafeMutablePointer<Float>, residual: UnsafePointer<Float>, rows m: Int,
                             columns n: Int, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>) {
        let p = SendablePointer(x), skip = SendablePointer(residual), g = SendablePointer(gamma), b = SendablePointer(beta)
        forRowChunks(m, work: m * n) { r in
            let row = p.pointer + r.lowerBound * n
            add(row, skip.pointer + r.lowerBound * n, count: r.count * n)
            fok_layernorm(isa, Int32(r.count), Int32(n), row, g.pointer, b.pointer, 1e-5, row)
        }
    }

    /// In place: GELU, x·Φ(x) = ½x(1 + erf(x/√2)), erf by Abramowitz and Stegun 7.1.26 (`fok_gelu_array`).
    static func gelu(_ x: UnsafeMutablePointer<Float>, count: Int) {
        let p = SendablePointer(x), chunk = 4_096
        forRowChunks((count + chunk - 1) / chunk, work: count) { r in
            let start = r.lowerBound * chunk, end = min(count, r.upperBound * chunk)
            fok_gelu_array(isa, end - start, p.pointer + start, p.pointer + start)
        }
    }

    /// Sets the number of threads OpenBLAS uses for the following calls.
    static func setThreads(_ n: Int) { openblas_set_num_threads(Int32(n)) }
    /// The thread count OpenBLAS uses now: the runtime's parallel phases and packed products use as many.
    static var threads: Int { Int(openblas_get_num_threads()) }
}

/// Timing of the runtime's matrix products on their own, for benchmarks: C = A·B (or A·Bᵀ) in fp32, on the
/// runtime's packed kernel or on OpenBLAS.
public enum GEMMTiming {
    /// Which code computes the product: the runtime's, as it multiplies on this CPU (the packed kernel, or
    /// OpenBLAS: see ``products``), or OpenBLAS's `sgemm` on the plain matrices.
    public enum Product: Sendable { case runtime, openBLAS }

    /// The runtime's packed kernel on this CPU and the timings that chose it ("AVX2+FMA, 6×16 tiles; chosen by
    /// timing …"), or nil where the runtime's products are OpenBLAS's (``products`` says why).
    public static var packedKernel: String? {
        PackedWeights.level > 0 ? products : nil
    }

    /// What runs the runtime's matrix products on this CPU, and why.
    public static var products: String {
        let (level, rates) = PackedWeights.calibration
        guard !rates.isEmpty else { return "OpenBLAS (no packed kernel runs on this CPU)" }
        func name(_ l: Int32) -> String { l == 2 ? "AVX-512F" : l == 1 ? "AVX2+FMA" : "OpenBLAS sgemm" }
        let chosen = level == 0 ? "OpenBLAS's sgemm" : "\(name(level)), \(level == 2 ? "12×32" : "6×16") tiles"
        let rule = level == 0 ? ", more than \(Int((PackedWeights.openBLASMargin - 1) * 100 + 0.5))% above the fastest packed level" : ""
        let (m, k, n) = PackedWeights.calibrationShape
        let timings = rates.keys.sorted(by: >).map { "\(name($0)) \(String(format: "%.1f", rates[$0] ?? 0))" }
        return "\(chosen); chosen by timing once per process (\(m)×\(k)·\(k)×\(n), one thread, best of "
            + "\(PackedWeights.calibrationRuns))\(rule): \(timings.joined(separator: ", ")) GFLOP/s"
    }

    /// Median seconds of `repeats` products of an m×k by k×n matrix, after one warm-up; the runtime's product
    /// takes the right operand packed (not timed: the runtime packs its weights once, when it is built).
    public static func seconds(m: Int, n: Int, k: Int, repeats: Int = 5, threads: Int = 2, product: Product = .runtime) -> Double {
        Kernels.setThreads(threads)
        var g = SeededGenerator(seed: UInt64(m * 31 + n * 7 + k))
        let a = (0..<(m * k)).map { _ in g.uniform(1) }, b = (0..<(k * n)).map { _ in g.uniform(1) }
        var c = [Float](repeating: 0, count: m * n)
        if product == .runtime, let packed = PackedWeights.pack(b, k: k, n: n) {
            return a.withUnsafeBufferPointer { ab in
                c.withUnsafeMutableBufferPointer { cb in
                    median(repeats: repeats) {
                        packed.multiply(m: m, a: ab.baseAddress!, lda: k, c: cb.baseAddress!, ldc: n, threads: threads)
                    }
                }
            }
        }
        return median(repeats: repeats) { Kernels.gemm(level: 0, m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, c: &c, ldc: n) }
    }

    /// Median seconds of `repeats` runs of every head's scores q·kᵀ (l×dh by dh×l per head, q and k of row
    /// stride heads·dh), after one warm-up, the way the runtime's attention runs them: heads spread over the
    /// BLAS threads, one BLAS thread each (``Kernels/forHeads(_:workers:_:)``), each product on the runtime's kernel (k
    /// packed for it) or on OpenBLAS.
    public static func headsSeconds(heads: Int, l: Int, headDimension dh: Int, repeats: Int = 5, threads: Int = 2,
                                    product: Product = .runtime) -> Double {
        Kernels.setThreads(threads)
        let level = product == .runtime ? PackedWeights.level : 0
        let d = heads * dh
        var g = SeededGenerator(seed: UInt64(heads * 31 + l * 7 + dh))
        let q = (0..<(l * d)).map { _ in g.uniform(1) }, k = (0..<(l * d)).map { _ in g.uniform(1) }
        let workers = Kernels.headWorkers(heads)
        let scores = UnsafeMutablePointer<Float>.allocate(capacity: workers * l * l)
        defer { scores.deallocate() }
        return q.withUnsafeBufferPointer { qb in
            k.withUnsafeBufferPointer { kb in
                let qp = SendablePointer(qb.baseAddress!), kp = SendablePointer(kb.baseAddress!), sp = SendablePointer(scores)
                return median(repeats: repeats) {
                    Kernels.forHeads(heads, workers: workers) { head, worker in
                        Kernels.gemm(level: level, m: l, n: l, k: dh, a: qp.pointer + head * dh, lda: d, b: kp.pointer + head * dh,
                                     ldb: d, c: sp.pointer + worker * l * l, ldc: l, transposeB: true)
                    }
                }
            }
        }
    }

    private static func median(repeats: Int, _ body: () -> Void) -> Double {
        let clock = ContinuousClock()
        var samples: [Double] = []
        for r in 0...repeats {
            let start = clock.now
            body()
            let elapsed = clock.now - start
            if r > 0 { samples.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18) }
        }
        return samples.sorted()[samples.count / 2]
    }
}
