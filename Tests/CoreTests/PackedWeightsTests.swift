import Testing
@testable import Core

/// The runtime's own products on packed weights (Sources/CRuntime) and the worker pool its parallel phases run on.
@Suite("Packed weight products and the runtime's pool", .serialized)
struct PackedWeightsTests {
    static let levels = [Int32(1), 2].filter(PackedWeights.supports)

    /// (m, n, k): single elements, every remainder of the row groups (6, 12), panels (16, 32) and k-blocks (256).
    static let shapes = [(1, 1, 1), (5, 17, 3), (13, 33, 257), (37, 45, 300), (128, 70, 520), (2, 768, 64)]

    /// A (m × k, row stride k + 3) · W (k × n) into C (row stride n + 5) through the packed kernel.
    static func product(_ m: Int, _ n: Int, _ k: Int, level: Int32, threads: Int) -> (a: [Float], w: [Float], c: [Float]) {
        var g = SeededGenerator(seed: UInt64(m * 1_000_003 + n * 1_009 + k))
        let a = (0..<(m * (k + 3))).map { _ in g.uniform(1) }, w = (0..<(k * n)).map { _ in g.uniform(1) }
        var c = [Float](repeating: .nan, count: m * (n + 5))
        let packed = PackedWeights.pack(w, k: k, n: n, level: level)!
        a.withUnsafeBufferPointer { ab in
            c.withUnsafeMutableBufferPointer { packed.multiply(m: m, a: ab.baseAddress!, lda: k + 3, c: $0.baseAddress!, ldc: n + 5, threads: threads) }
        }
        return (a, w, c)
    }

    @Test("every entry is within the rounding bound of its summation order of a Double loop, at every level",
          .enabled(if: !levels.isEmpty), arguments: shapes)
    func matchesDoubleLoop(shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        for level in Self.levels {
            let (a, w, c) = Self.product(m, n, k, level: level, threads: 1)
            // Sums of kc <= 256 fused products, then one addition per further block: an entry's error is at most
            // (256 + blocks) units of 2^-24 of the sum of its terms' magnitudes (Higham, Accuracy and Stability of
            // Numerical Algorithms, 2nd ed., eq. 3.5, for this order).
            let blocks = (k + 255) / 256, unit = Double(min(k, 256) + blocks) * 0x1p-24
            var worst = 0.0
            for i in 0..<m {
                for j in 0..<n {
                    var exact = 0.0, magnitude = 0.0
                    for p in 0..<k {
                        let term = Double(a[i * (k + 3) + p]) * Double(w[p * n + j])
                        exact += term
                        magnitude += abs(term)
                    }
                    worst = max(worst, abs(Double(c[i * (n + 5) + j]) - exact) / (unit * magnitude))
                }
                // The padding columns past n keep their NaN: the kernel writes C's m × n only.
                #expect((n..<(n + 5)).allSatisfy { c[i * (n + 5) + $0].isNaN }, "row \(i) written past n at level \(level)")
            }
            #expect(worst <= 1, "level \(level), \(m)×\(n)×\(k): worst error \(worst) of the bound")
        }
    }

    @Test("the bits do not depend on the level or on the threads the panels are split over",
          .enabled(if: !levels.isEmpty), arguments: shapes)
    func sameBits(shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        let reference = Self.product(m, n, k, level: Self.levels[0], threads: 1).c.map(\.bitPattern)
        for level in Self.levels {
            for threads in [1, 2, 3] {
                #expect(Self.product(m, n, k, level: level, threads: threads).c.map(\.bitPattern) == reference,
                        "level \(level), \(threads) threads, \(m)×\(n)×\(k)")
            }
        }
    }

    @Test("a product packed for one call (attention's) gives the bits of the weight path, B given as stored or transposed",
          .enabled(if: !levels.isEmpty), arguments: shapes)
    func perProductPacking(shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        let threads = Kernels.threads
        Kernels.setThreads(2)
        defer { Kernels.setThreads(threads) }
        for level in Self.levels {
            let (a, w, reference) = Self.product(m, n, k, level: level, threads: 1)
            // B inside a wider matrix (row stride n + 2), and Bᵀ (n × k) inside one of row stride k + 4.
            var wide = [Float](repeating: .nan, count: k * (n + 2)), transposed = [Float](repeating: .nan, count: n * (k + 4))
            for p in 0..<k {
                for j in 0..<n {
                    wide[p * (n + 2) + j] = w[p * n + j]
                    transposed[j * (k + 4) + p] = w[p * n + j]
                }
            }
            for (b, ldb, transposeB) in [(wide, n + 2, false), (transposed, k + 4, true)] {
                var c = [Float](repeating: .nan, count: m * (n + 5))
                Kernels.gemm(level: level, m: m, n: n, k: k, a: a, lda: k + 3, b: b, ldb: ldb, c: &c, ldc: n + 5,
                             transposeB: transposeB)
                #expect(c.map(\.bitPattern) == reference.map(\.bitPattern), "level \(level), transposed \(transposeB), \(m)×\(n)×\(k)")
            }
        }
    }

    @Test("a single row multiplied where B lies (pg_gemv, a decoding step's attention) gives the packed kernel's bits",
          .enabled(if: !levels.isEmpty), arguments: [(1, 1), (7, 3), (45, 300), (64, 520), (70, 257), (8, 64), (1_027, 64)])
    func singleRowUnpacked(shape: (Int, Int)) {
        let (n, k) = shape
        for level in Self.levels {
            let (a, w, reference) = Self.product(1, n, k, level: level, threads: 1)
            var transposed = [Float](repeating: .nan, count: n * (k + 4))
            for p in 0..<k { for j in 0..<n { transposed[j * (k + 4) + p] = w[p * n + j] } }
            for (b, ldb, transposeB) in [(w, n, false), (transposed, k + 4, true)] {
                var c = [Float](repeating: .nan, count: n)
                Kernels.gemm(level: level, m: 1, n: n, k: k, a: a, lda: k + 3, b: b, ldb: ldb, c: &c, ldc: n, transposeB: transposeB)
                #expect(c.map(\.bitPattern) == Array(reference.prefix(n)).map(\.bitPattern),
                        "level \(level), transposed \(transposeB), 1×\(n)×\(k)")
            }
        }
    }

    @Test("the runtime on the packed kernel gives the same bits at any thread count (encoder and cached decoding)",
          .enabled(if: !levels.isEmpty))
    func runtimeBitsIndependentOfThreads() throws {
        let encoder = TransformerConfig(name: "tiny", layers: 2, dModel: 64, heads: 4, dFFN: 256, architecture: .encoder)
        var decoder = encoder
        decoder.architecture = .decoder
        let threads = Kernels.threads
        defer { Kernels.setThreads(threads) }
        var outputs: [[UInt32]] = []
        for n in [1, 2, 3] {
            Kernels.setThreads(n)
            var times = OperationTimes()
            let tokens = (0..<96).map { ($0 * 13) % 64 }
            let encoded = try TransformerRuntime(encoder, maxSequenceLength: 96, vocabulary: 64, products: .packed)
                .encode(tokens: tokens, times: &times)
            let generated = try TransformerRuntime(decoder, maxSequenceLength: 24, vocabulary: 64, products: .packed)
                .generate(steps: 24, times: &times)
            outputs.append((encoded + generated).map(\.bitPattern))
        }
        #expect(outputs[1] == outputs[0] && outputs[2] == outputs[0])
    }

    @Test("the runtime's pool runs every index once, on up to the threads asked for; a nested region runs serially")
    func poolRunsEveryIndexOnce() {
        let count = 1_000, inner = 7
        let hits = UnsafeMutablePointer<Int>.allocate(capacity: count * inner)
        hits.initialize(repeating: 0, count: count * inner)
        defer { hits.deallocate() }
        let p = SendablePointer(hits)
        for threads in [1, 2, 3, 8] {
            runtimeForEach(count, threads: threads) { i in
                runtimeForEach(inner, threads: 2) { j in p.pointer[i * inner + j] += 1 }
            }
        }
        #expect((0..<(count * inner)).allSatisfy { hits[$0] == 4 })
        // Regions back to back with changing thread counts: a worker left out of one must not join the next
        // on the count it read for the previous one.
        let slots = UnsafeMutablePointer<Int>.allocate(capacity: 5)
        slots.initialize(repeating: 0, count: 5)
        defer { slots.deallocate() }
        let q = SendablePointer(slots)
        for round in 0..<3_000 { runtimeForEach(5, threads: [2, 8, 3][round % 3]) { i in q.pointer[i] += 1 } }
        #expect((0..<5).allSatisfy { slots[$0] == 3_000 })
    }

    @Test("the runtime on its packed products and on OpenBLAS's agree to rounding", .enabled(if: !levels.isEmpty))
    func packedRuntimeMatchesOpenBLAS() throws {
        let config = TransformerConfig(name: "tiny", layers: 2, dModel: 48, heads: 4, dFFN: 96, architecture: .encoder)
        let tokens = (0..<40).map { ($0 * 11) % 64 }
        var times = OperationTimes()
        let runtime = try TransformerRuntime(config, maxSequenceLength: 40, vocabulary: 64, products: .packed)
        #expect(runtime.level > 0 && runtime.layers.allSatisfy { w in [w.wq, w.wk, w.wv, w.wo, w.w1, w.w2].allSatisfy { $0.packed != nil } },
                "products: .packed left a layer's weights plain")
        let packed = try runtime.encode(tokens: tokens, times: &times)
        let plain = try TransformerRuntime(config, maxSequenceLength: 40, vocabulary: 64, products: .openBLAS)
            .encode(tokens: tokens, times: &times)
        let worst = zip(packed, plain).map { abs($0 - $1) }.max()!
        #expect(worst < 1e-4, "largest difference \(worst)")
    }

    @Test("the calibration keeps the fastest packed level unless OpenBLAS is more than the margin faster")
    func choice() {
        let margin = PackedWeights.openBLASMargin
        #expect(PackedWeights.choose([:]) == 0)
        #expect(PackedWeights.choose([0: 200]) == 0)
        #expect(PackedWeights.choose([1: 100, 2: 90, 0: 100 * margin]) == 1)
        #expect(PackedWeights.choose([1: 100, 2: 90, 0: 100 * margin + 1]) == 0)
        #expect(PackedWeights.choose([1: 90, 2: 100, 0: 95]) == 2)
        #expect(PackedWeights.choose([1: 100, 2: 100]) == 2)
        // What this process chose is what its timings pick, and only a level that runs here.
        let (level, rates) = PackedWeights.calibration
        #expect(level == PackedWeights.choose(rates))
        #expect(level == 0 || PackedWeights.supports(level))
    }
}
