import Testing
@testable import Core

/// The fused-schedule search of §5.5.2 (``FusionSchedule``): what it tries, that it keeps the cheapest, that it
/// never does worse than the fixed tiling it replaced, and that it misses no tiling a brute force finds.
@Suite("Chapter4 fusion search")
struct Chapter4FusionSearchTests {
    /// The study's Gemmini: I-BERT's units, a 256 kB scratchpad, the given accumulator.
    static func accelerator(accumulatorKiB: Int) -> Accelerator {
        var a = Accelerator.gemminiTransformer
        a.spCapacityBytes = 256 * 1024
        a.accCapacityBytes = accumulatorKiB * 1024
        return a
    }

    static func pairs(_ l: Int) -> [FusionPair] {
        [.queryKeySoftmax(.bertBase, sequenceLength: l), .outputProjectionLayerNorm(.bertBase, sequenceLength: l),
         .secondFeedForwardLayerNorm(.bertBase, sequenceLength: l)]
    }

    @Test("the kept schedule is the cheapest candidate, every candidate holds complete rows or spills, and all are counted (l = 256: every candidate is priced)",
          arguments: [128, 256])
    func cheapest(accumulatorKiB: Int) throws {
        let a = Self.accelerator(accumulatorKiB: accumulatorKiB)
        for pair in Self.pairs(256) {
            let f = try FusionSchedule(pair, accelerator: a)
            let candidates = try FusionSchedule.candidates(pair, accelerator: a)
            #expect(f.candidatesTried == candidates.count && candidates.count > 1)
            let prices = try candidates.map { c throws(ConfigurationError) in try f.price(c).totalCycles }
            #expect(f.fused.totalCycles == prices.min()!)
            // The bounds that let the search skip candidates never exceed a price, and do skip some.
            for (c, price) in zip(candidates, prices) { #expect(try f.lowerBound(c) <= price) }
            #expect(f.candidatesPriced >= 1 && f.candidatesPriced <= f.candidatesTried)
            #expect(candidates.contains(f.fusedCandidate))
            let dim = a.meshRows
            for c in candidates {
                let t = c.tiling
                // Every block fits its half of each memory.
                #expect((t.tileI * t.tileK + t.tileK * t.tileJ) * dim <= t.scratchpadRowsPerBlock)
                #expect(t.tileI * t.tileJ * dim <= t.accumulatorRowsPerBlock)
                // A block covers all of n (complete rows of C), or the rows come in chunks that spill.
                let columnsOfC = c.orientation == .direct ? t.tileJ * dim : t.tileI * dim
                #expect(c.rowsFit == (columnsOfC >= pair.shape.n))
                #expect(c.chunks == (pair.shape.n + columnsOfC - 1) / columnsOfC)
            }
        }
    }

    @Test("the search is never worse than the fixed tiling of earlier versions, on either cycle model",
          arguments: GemminiMatmul.Mode.allCases)
    func neverWorseThanFixed(mode: GemminiMatmul.Mode) throws {
        for kib in [128, 256] {
            let a = Self.accelerator(accumulatorKiB: kib)
            for pair in Self.pairs(512) + [.queryKeySoftmax(.bertBase, sequenceLength: 2048)] {
                let searched = try FusionSchedule(pair, accelerator: a, mode: mode)
                let fixed = try FusionSchedule(pair, accelerator: a, mode: mode, search: .fixed)
                #expect(fixed.candidatesTried == 1)
                #expect(searched.fused.totalCycles <= fixed.fused.totalCycles,
                        "\(pair.name) \(kib) kB \(mode): searched \(searched.fused.totalCycles), fixed \(fixed.fused.totalCycles)")
                // Both price the same non-fused schedule.
                #expect(searched.unfused == fixed.unfused)
                // The fixed tiling is one of the searched candidates.
                #expect(try FusionSchedule.candidates(pair, accelerator: a).contains(fixed.fusedCandidate))
            }
        }
    }

    @Test("the fixed tiling is the rule earlier versions used: most complete rows, deepest K")
    func fixedRule() throws {
        let a = Self.accelerator(accumulatorKiB: 128)
        // W_out at l = 512: 48 column tiles; half of 128 kB of 32-bit sums holds 64 tiles, so one row tile of
        // complete rows; K grows while (1 + 48)·tileK ≤ 512 scratchpad tiles: 10.
        let f = try FusionSchedule(.outputProjectionLayerNorm(.bertBase, sequenceLength: 512), accelerator: a, search: .fixed)
        #expect((f.fused.tiling.tileI, f.fused.tiling.tileJ, f.fused.tiling.tileK) == (1, 48, 10))
        #expect(f.fusedCandidate.orientation == .direct && f.rowsFit)
    }

    @Test("both orientations are searched: Cᵀ = Bᵀ·Aᵀ keeps all of n resident, and wins where rows per weight tile matter")
    func orientation() throws {
        let a = Self.accelerator(accumulatorKiB: 128)
        let wout = FusionPair.outputProjectionLayerNorm(.bertBase, sequenceLength: 512)
        let candidates = try FusionSchedule.candidates(wout, accelerator: a)
        let transposed = candidates.filter { $0.orientation == .transposed }
        #expect(!transposed.isEmpty && candidates.contains { $0.orientation == .direct })
        for c in transposed {
            #expect(c.shape == GEMMShape(m: 768, n: 512, k: 768))
            #expect(c.tiling.tileI * c.tiling.dim == 768 && c.rowsFit)
            #expect(c.rowBlocks == (512 + c.rowsPerBlock - 1) / c.rowsPerBlock)
        }
        // On the single-buffered array every weight fold pays preload, fill and drain, so the transposed product,
        // which streams all 768 rows of Bᵀ past each weight tile, beats every direct schedule.
        let single = try FusionSchedule(wout, accelerator: a, mode: .singleBuffered)
        #expect(single.fusedCandidate.orientation == .transposed)
        let bestDirect = try candidates.filter { $0.orientation == .direct }.map { c throws(ConfigurationError) in try single.price(c).totalCycles }.min()!
        #expect(single.fused.totalCycles < bestDirect)
        // When all of n does not fit half the accumulator (4096 scores per row), only chunked direct schedules remain.
        let long = try FusionSchedule.candidates(.queryKeySoftmax(.bertBase, sequenceLength: 4096), accelerator: Self.accelerator(accumulatorKiB: 256))
        #expect(long.allSatisfy { $0.orientation == .direct && !$0.rowsFit })
    }

    @Test("the lower bounds leave few of the long sequences' schedules to price, and the pick is unchanged")
    func pruning() throws {
        let a = Self.accelerator(accumulatorKiB: 256)
        for pair in Self.pairs(4096) {
            let f = try FusionSchedule(pair, accelerator: a)
            #expect(f.candidatesPriced * 4 < f.candidatesTried, "\(pair.name): \(f.candidatesPriced) of \(f.candidatesTried)")
        }
        // W2 at l = 1024 on the single-buffered array (quicker to price all): the pruned pick is the cheapest of all.
        let w2 = FusionPair.secondFeedForwardLayerNorm(.bertBase, sequenceLength: 1024)
        let f = try FusionSchedule(w2, accelerator: a, mode: .singleBuffered)
        let prices = try FusionSchedule.candidates(w2, accelerator: a).map { c throws(ConfigurationError) in try f.price(c).totalCycles }
        #expect(f.fused.totalCycles == prices.min()!)
        for price in prices where price < f.fused.totalCycles { Issue.record("a cheaper schedule was skipped: \(price)") }
    }

    @Test("spilled read-backs share the DMA's read channel with the matmul's loads")
    func spillOnReadChannel() throws {
        let a = Self.accelerator(accumulatorKiB: 256)
        let f = try FusionSchedule(.queryKeySoftmax(.bertBase, sequenceLength: 4096), accelerator: a)
        #expect(!f.rowsFit && f.fused.spillBytes > 0)
        let c = f.fusedCandidate
        let stats = try GemminiMatmul.cycles(c.shape, tiling: c.tiling, accelerator: a, outputBytes: 4)
        let perInstance = (Double(stats.loadBytes) + f.fused.spillBytes / Double(f.pair.instances)) / a.l2BytesPerCycle
        #expect(f.fused.totalCycles >= Double(f.pair.instances) * perInstance)
        // Spill = all chunks but the last, 32-bit, read back for the two later passes.
        let elements = Double(4096 * 4096 * 12)
        #expect(f.fused.spillBytes == elements * Double(c.chunks - 1) / Double(c.chunks) * 4 * 2)
    }

    @Test("on a small case the search prices exactly the tilings a brute force over every (tileI, tileJ, tileK) keeps")
    func bruteForce() throws {
        // Small memories and a deep reduction: every block of complete rows fits the accumulator (no chunks), and
        // the scratchpad lets many depths fit.
        var a = Accelerator.gemminiTransformer
        a.spCapacityBytes = 16 * 1024
        a.accCapacityBytes = 64 * 1024
        for (shape, op) in [(GEMMShape(m: 64, n: 48, k: 320), FusionPair.Operation.layerNorm), (GEMMShape(m: 40, n: 70, k: 200), .softmax)] {
            let pair = FusionPair(name: "small", path: "test/small", shape: shape, instances: 2, operation: op)
            var kept: [FusionSchedule.Candidate] = []
            for orientation in FusionSchedule.Orientation.allCases {
                let product = orientation == .direct ? shape : GEMMShape(m: shape.n, n: shape.m, k: shape.k)
                let tilesI = (product.m + 15) / 16, tilesJ = (product.n + 15) / 16, tilesK = (product.k + 15) / 16
                for i in 1...tilesI {
                    for j in 1...tilesJ {
                        // Complete rows of C: all of n is in the block (J for C = A·B, I for Cᵀ = Bᵀ·Aᵀ).
                        guard orientation == .direct ? j == tilesJ : i == tilesI else { continue }
                        for k in 1...tilesK {
                            guard let t = try? GemminiTiling(product, accelerator: a, tileI: i, tileJ: j, tileK: k) else { continue }
                            let rowTiles = orientation == .direct ? i : j
                            kept.append(.init(orientation: orientation, shape: product, tiling: t, chunks: 1,
                                              rowBlocks: ((orientation == .direct ? tilesI : tilesJ) + rowTiles - 1) / rowTiles))
                        }
                    }
                }
            }
            let searched = try FusionSchedule.candidates(pair, accelerator: a)
            #expect(Set(searched) == Set(kept) && searched.count == kept.count, "\(shape): searched \(searched.count), brute force \(kept.count)")
            for mode in GemminiMatmul.Mode.allCases {
                let f = try FusionSchedule(pair, accelerator: a, mode: mode)
                let prices = try kept.map { c throws(ConfigurationError) in try f.price(c).totalCycles }
                #expect(f.fused.totalCycles == prices.min()! && f.candidatesTried == kept.count)
                for (c, price) in zip(kept, prices) { #expect(try f.lowerBound(c) <= price, "\(shape) \(mode) \(c.tiling)") }
            }
        }
    }

    @Test("on small meshes the search keeps the cheapest schedule, the first in enumeration order among equals, and no bound exceeds a price",
          arguments: [3, 4, 5])
    func smallMeshes(dim: Int) throws {
        var a = Self.accelerator(accumulatorKiB: 16).withMesh(dim)
        a.spCapacityBytes = 16 * 1024
        for (shape, op) in [(GEMMShape(m: 48, n: 40, k: 96), FusionPair.Operation.layerNorm), (GEMMShape(m: 30, n: 50, k: 64), .softmax)] {
            let pair = FusionPair(name: "small", path: "test/small", shape: shape, instances: 2, operation: op)
            let candidates = try FusionSchedule.candidates(pair, accelerator: a)
            for mode in GemminiMatmul.Mode.allCases {
                let f = try FusionSchedule(pair, accelerator: a, mode: mode)
                let prices = try candidates.map { c throws(ConfigurationError) in try f.price(c).totalCycles }
                let first = prices.indices.min { (prices[$0], $0) < (prices[$1], $1) }!
                #expect(f.fusedCandidate == candidates[first] && f.fused.totalCycles == prices[first], "\(shape) on \(dim)×\(dim), \(mode)")
                for (c, price) in zip(candidates, prices) { #expect(try f.lowerBound(c) <= price, "\(shape) \(mode) \(c.tiling)") }
                #expect(f.candidatesPriced < candidates.count, "\(shape) on \(dim)×\(dim), \(mode): \(f.candidatesPriced) of \(candidates.count) priced")
            }
        }
    }

    @Test("attention's fused total is the sum of its parts under either model and search")
    func attention() throws {
        let a = Self.accelerator(accumulatorKiB: 256)
        for mode in GemminiMatmul.Mode.allCases {
            let mha = try AttentionFusion(.bertBase, sequenceLength: 512, accelerator: a, mode: mode, search: .fixed)
            #expect(mha.fusedCycles == mha.otherMatmulCycles + mha.queryKey.fused.totalCycles + mha.outputProjection.fused.totalCycles)
            #expect(mha.queryKey.mode == mode && mha.outputProjection.mode == mode)
        }
    }
}
