import CRuntime

/// A right operand (k × n, row-major) packed for the runtime's own products (`Sources/CRuntime`). A weight matrix
/// (y = x · W) is packed once, when its runtime is built: a general BLAS copies its right operand into panels on
/// every call, which at l = 128 costs OpenBLAS a tenth or more of a BERT-Base FFN product (README, "The runtime's
/// own matrix products"); packed at load time, the copy is gone. Attention's operands change with every product
/// and are packed for it (``Kernels/RightOperand``).
///
/// Packing happens only where a packed kernel runs (AVX-512F or AVX2 with FMA); elsewhere ``pack(_:k:n:level:)``
/// returns nil and the runtime keeps OpenBLAS, as it does where OpenBLAS was timed clearly faster
/// (``calibration``). The products' bits do not depend on the kernel level, the thread count or the number of rows
/// (CRuntime.h); they differ from OpenBLAS's in the last bits (the sums run in another order).
final class PackedWeights: @unchecked Sendable {
    let level: Int32, k: Int, n: Int
    let storage: UnsafeMutablePointer<Float>

    /// The kernel level products run on in this process (0: OpenBLAS runs them): the choice of ``calibration``.
    /// Both packed levels give the same bits, so a choice between them, which can vary with the machine's load,
    /// changes only the speed.
    static var level: Int32 { calibration.level }

    /// The faster packed level on this CPU whatever OpenBLAS's timing (0 where none runs): what
    /// ``RuntimeProducts/packed`` runs on.
    static var packedLevel: Int32 { choose(calibration.gflops.filter { $0.key > 0 }) }

    /// The level chosen, and the GFLOP/s each candidate reached (key 0: OpenBLAS's `sgemm` on the plain matrix,
    /// packing its operands as it always does), on BERT-Base's l = 128 query product (128×768·768×768), one
    /// thread, best of 7 alternating runs. The row count matters: 128 rows are ten full 12-row groups and one of 8
    /// for the AVX-512F tiles, 21 of 6 and one of 2 for the AVX2 ones. On a 2-core AMD Zen 4 VM (whose AVX-512
    /// units split each 512-bit operation in two), 20 processes in a row (`benchmarks --machine`) picked AVX-512F 19
    /// times, at a median 105.6 GFLOP/s against AVX2's 99; before the 8-row remainder kernel kept its accumulators
    /// in registers (packed_gemm.c), AVX-512F reached a median 89.9 and won 7 times in 20.
    /// On cores with two full 512-bit FMA units the wider one should win by more (not measured here).
    /// A level whose products disagree with a plain loop (``BLASKernel/verifyPacked(level:)``) is not used; where
    /// none runs, nothing is timed.
    static let calibration: (level: Int32, gflops: [Int32: Double]) = {
        let levels = [Int32(2), 1].filter { supports($0) && (try? BLASKernel.verifyPacked(level: $0)) != nil }
        guard !levels.isEmpty else { return (0, [:]) }
        let (m, k, n) = calibrationShape
        var g = SeededGenerator(seed: 128_768)
        let a = (0..<(m * k)).map { _ in g.uniform(1) }, w = (0..<(k * n)).map { _ in g.uniform(1) }
        var c = [Float](repeating: 0, count: m * n)
        let packed = levels.compactMap { PackedWeights.pack(w, k: k, n: n, level: $0) }
        let threads = Kernels.threads
        Kernels.setThreads(1)
        defer { Kernels.setThreads(threads) }
        var best: [Int32: Double] = [:]
        func time(_ level: Int32, _ body: () -> Void) {
            best[level] = max(best[level] ?? 0, 2 * Double(m * n * k) / OperationTimes.seconds(body) / 1e9)
        }
        for _ in 0..<calibrationRuns {
            for p in packed {
                time(p.level) {
                    a.withUnsafeBufferPointer { ab in
                        c.withUnsafeMutableBufferPointer { p.multiply(m: m, a: ab.baseAddress!, lda: k, c: $0.baseAddress!, ldc: n, threads: 1) }
                    }
                }
            }
            time(0) { Kernels.gemm(level: 0, m: m, n: n, k: k, a: a, lda: k, b: w, ldb: n, c: &c, ldc: n) }
        }
        return (choose(best), best)
    }()

    /// The product the calibration times (m, k, n) and how many times each candidate runs it.
    static let calibrationShape = (m: 128, k: 768, n: 768), calibrationRuns = 7

    /// How much faster than the fastest packed level OpenBLAS must be for the runtime to multiply on it instead:
    /// 10%, set before any machine where OpenBLAS won was seen. A choice between two kernels within the machine's
    /// noise would flip from process to process, and with it the runtime's bits (OpenBLAS sums in its own order);
    /// on the 2-core AMD Zen 4 VM the two measured 0.80-1.20× of each other over ten benchmark runs, around 1.0.
    /// The guard is for CPUs the packed kernel was never measured on, such as the Intel Xeons whose `SkylakeX`
    /// OpenBLAS kernels reached 254 GFLOP/s on one product (issue 18).
    static let openBLASMargin = 1.1

    /// The level `rates` (GFLOP/s per level, 0 for OpenBLAS) pick: the fastest packed level, the wider on a tie,
    /// unless OpenBLAS beats it by more than ``openBLASMargin``; 0 when no packed level was timed.
    static func choose(_ rates: [Int32: Double]) -> Int32 {
        let packed = rates.filter { $0.key > 0 }
        guard let fastest = packed.max(by: { ($0.value, $0.key) < ($1.value, $1.key) }) else { return 0 }
        if let blas = rates[0], blas > openBLASMargin * fastest.value { return 0 }
        return fastest.key
    }

    /// Panels of the packed matrix (columns in groups of the kernel's width): what the threads split.
    var panels: Int { (n + Int(pg_panel_width(level)) - 1) / Int(pg_panel_width(level)) }

    /// Packs B (k × n) for `level` (which this CPU must run): `b` holds B row-major with row stride `ldb`, or with
    /// `transposed`, Bᵀ (n × k) with row stride `ldb`.
    init(level: Int32, k: Int, n: Int, _ b: UnsafePointer<Float>, ldb: Int, transposed: Bool = false) {
        self.level = level
        self.k = k
        self.n = n
        storage = Self.alignedFloats(pg_packed_count(level, Int32(k), Int32(n)))
        if transposed {
            pg_pack_transposed(level, Int32(k), Int32(n), b, Int32(ldb), storage)
        } else {
            pg_pack(level, Int32(k), Int32(n), b, Int32(ldb), storage)
        }
    }

    deinit { storage.deallocate() }

    /// `count` floats, 64-byte aligned: a packed row of 16 or 32 floats then never straddles two cache lines.
    private static func alignedFloats(_ count: Int) -> UnsafeMutablePointer<Float> {
        UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Float>.stride, alignment: 64)
            .bindMemory(to: Float.self, capacity: count)
    }

    /// `w` (k × n) packed for this CPU's level, or nil where no packed kernel runs.
    static func pack(_ w: [Float], k: Int, n: Int, level: Int32 = level) -> PackedWeights? {
        precondition(w.count == k * n, "a \(k)×\(n) weight matrix needs \(k * n) values")
        guard level > 0, supports(level) else { return nil }
        return w.withUnsafeBufferPointer { PackedWeights(level: level, k: k, n: n, $0.baseAddress!, ldb: n) }
    }

    /// Whether this CPU runs the packed kernel at `level` (1: AVX2 with FMA, 2: AVX-512F).
    static func supports(_ level: Int32) -> Bool { pg_level_supported(level) != 0 }

    /// Floats a k × n matrix takes packed for `level` (0 for level 0: nothing is packed), for memory estimates.
    static func packedCount(k: Int, n: Int, level: Int32) -> Int { pg_packed_count(level, Int32(k), Int32(n)) }

    /// C (m × n, row stride ldc) = A (m × k, row stride lda) · W: A packed once (its row groups split over
    /// `threads` workers), then the panels split over them.
    func multiply(m: Int, a: UnsafePointer<Float>, lda: Int, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int) {
        let rows = Self.alignedFloats(pg_packed_rows_count(level, Int32(m), Int32(k)))
        defer { rows.deallocate() }
        let groups = Int(pg_row_groups(level, Int32(m))), packers = min(groups, max(1, threads))
        let source = SendablePointer(a), ap = SendablePointer(rows), cp = SendablePointer(c)
        runtimeForEach(packers, threads: threads) { t in
            pg_pack_rows(self.level, Int32(m), Int32(self.k), source.pointer, Int32(lda), ap.pointer,
                         Int32(groups * t / packers), Int32(groups * (t + 1) / packers))
        }
        let total = panels, chunks = min(total, max(1, threads))
        // One contiguous run of panels per thread: each reads the packed A once per 512 columns.
        runtimeForEach(chunks, threads: threads) { chunk in
            pg_gemm(self.level, Int32(m), Int32(self.n), Int32(self.k), ap.pointer, self.storage,
                    cp.pointer, Int32(ldc), Int32(total * chunk / chunks), Int32(total * (chunk + 1) / chunks))
        }
    }
}
