/// Cycles and traffic of one matmul on the Gemmini model (see ``GemminiMatmul``).
public struct GemminiMatmulStats: Sendable, Hashable {
    public var mode: GemminiMatmul.Mode = .gemmini
    public var shape: GEMMShape
    public var tiling: GemminiTiling
    public var blocks: Int
    /// Weight folds: one weight tile preloaded and a block's rows streamed past it.
    public var folds: Int
    /// Cycles the array is busy: Σ over blocks of the register-level WS count of that block.
    public var computeCycles: Int
    /// Bytes the DMA moves in (A and B blocks) and out (C blocks).
    public var loadBytes: Int, storeBytes: Int
    /// Cycles the DMA is busy: bytes / DMA bandwidth, rounded up per transfer.
    public var dmaCycles: Int
    /// End to end, with loads double-buffered against compute.
    public var totalCycles: Int
    public var peakMACsPerCycle: Int
    /// Blocks whose A or B region outgrows one scratchpad bank, so that A and the weights could share a bank
    /// (``GemminiEngine``; not priced). 0 in the single-buffered mode, which has no banks.
    public var bankSharingBlocks: Int = 0

    /// MACs per PE per cycle over the whole matmul.
    public var utilization: Double { Double(shape.macs) / (Double(totalCycles) * Double(peakMACsPerCycle)) }
    /// Cycles the array waits for the DMA.
    public var stallCycles: Int { totalCycles - computeCycles }
}

/// A Gemmini matmul (survey §3.4.1, Fig. 12): a weight-stationary `dim × dim` mesh, a scratchpad for `Int8`
/// operands, an accumulator for `Int32` partial sums, and a DMA between them and L2/DRAM. Three levels:
///
/// - **Functional** (``run(a:b:shape:accelerator:outputBytes:mode:)``): moves each A and B block into a scratchpad
///   array, multiplies tile by tile into an accumulator array, and moves C out. Its results equal a plain integer
///   GEMM bit for bit.
/// - **Register level** (``GemminiMesh/simulate(a:b:rows:columns:depth:dim:dataflow:meshOutputBits:)``): one block on
///   Gemmini's mesh, register by register, with double-buffered weights.
/// - **Tile level** (``cycles(_:accelerator:outputBytes:mode:)``), in O(blocks), with two modes:
///   - ``Mode/gemmini`` (the default): ``GemminiEngine``, whose block cycles are ``GemminiMesh``'s closed form
///     (equal to the register-level count) composed with Gemmini's two loops in flight and its DMA;
///   - ``Mode/singleBuffered``: each block costs what the SCALE-Sim-style ``SystolicSimulator`` needs for it
///     (⌈K/R⌉·⌈N/C⌉·(2R + C + rows − 2), no overlap between weight folds), with block b's compute overlapping the
///     load of block b + 1 and the store of block b − 1 on one 16 B/cycle channel. Kept so the reports can show
///     what double-buffered weights change.
///
/// ```swift
/// let s = try GemminiMatmul.cycles(GEMMShape(m: 512, n: 3072, k: 768), accelerator: .gemminiBaseline)
/// s.utilization          // ≈ 0.99: the next weights load while the current ones compute
/// let old = try GemminiMatmul.cycles(GEMMShape(m: 512, n: 3072, k: 768), accelerator: .gemminiBaseline,
///                                    mode: .singleBuffered)
/// old.utilization        // ≈ 0.63: 80 rows per weight fold against 46 cycles of preload, fill and drain
/// ```
public enum GemminiMatmul {
    /// Which cycle model prices the blocks.
    public enum Mode: String, Sendable, Hashable, CaseIterable {
        /// Gemmini as its RTL and software run a matmul (``GemminiEngine``): double-buffered weights, computes
        /// back to back, two loops in flight.
        case gemmini
        /// The SCALE-Sim-style array of ``SystolicArray``: every weight fold pays its preload, fill and drain with
        /// no overlap, and each block overlaps only with the next block's loads. Kept to show what double
        /// buffering buys; its per-block cycles equal SCALE-Sim's.
        case singleBuffered = "single-buffered"
    }

    /// The cycle model alone (no data), in O(blocks).
    public static func cycles(_ s: GEMMShape, accelerator a: Accelerator, outputBytes: Int = 1, mode: Mode = .gemmini)
        throws(ConfigurationError) -> GemminiMatmulStats {
        try ConfigurationError.require(outputBytes, in: 1...4, field: "outputBytes")
        let tiling = try GemminiTiling(s, accelerator: a)
        return try model(s, tiling: tiling, accelerator: a, outputBytes: outputBytes, mode: mode)
    }

    /// The cycle model with a given tiling (e.g. a fusion-optimised one, ``GemminiTiling/init(_:accelerator:tileI:tileJ:tileK:)``).
    public static func cycles(_ s: GEMMShape, tiling: GemminiTiling, accelerator a: Accelerator, outputBytes: Int = 1,
                              mode: Mode = .gemmini) throws(ConfigurationError) -> GemminiMatmulStats {
        try ConfigurationError.require(outputBytes, in: 1...4, field: "outputBytes")
        return try model(s, tiling: tiling, accelerator: a, outputBytes: outputBytes, mode: mode)
    }

    /// A lower bound on ``cycles(_:tiling:accelerator:outputBytes:mode:)``'s `totalCycles` for any `outputBytes`,
    /// in O(1): the mesh's own cycles over every block (``GemminiEngine``: each block's fed rows less the pairing
    /// of its last compute, plus the pipeline latency; single-buffered: each block's closed-form cycles, which
    /// nothing overlaps). A search can skip a tiling whose bound cannot beat the best price found.
    public static func lowerBound(_ s: GEMMShape, tiling: GemminiTiling, accelerator a: Accelerator, mode: Mode = .gemmini)
        throws(ConfigurationError) -> Double {
        switch mode {
        case .gemmini:
            return try GemminiEngine(accelerator: a).meshBound(s, tiling: tiling)
        case .singleBuffered:
            let array = try SystolicArray(rows: a.meshRows, columns: a.meshColumns)
            return tiling.blockShapes(s).reduce(0.0) { $0 + Double($1.count) * Double(array.closedFormCycles($1.shape, .weightStationary)) }
        }
    }

    /// Cycle counts stay below 2⁵³, where `Double` still counts every cycle and sums of them cannot overflow `Int`.
    static let cycleLimit = 9_007_199_254_740_992.0

    static func model(_ s: GEMMShape, tiling: GemminiTiling, accelerator a: Accelerator, outputBytes: Int, mode: Mode = .gemmini)
        throws(ConfigurationError) -> GemminiMatmulStats {
        switch mode {
        case .gemmini:
            return try GemminiEngine(accelerator: a).run(s, tiling: tiling, inputBytes: max(1, a.inputBits / 8), outputBytes: outputBytes)
        case .singleBuffered:
            return try singleBuffered(s, tiling: tiling, accelerator: a, outputBytes: outputBytes)
        }
    }

    static func singleBuffered(_ s: GEMMShape, tiling: GemminiTiling, accelerator a: Accelerator, outputBytes: Int)
        throws(ConfigurationError) -> GemminiMatmulStats {
        let array = try! SystolicArray(rows: a.meshRows, columns: a.meshColumns)
        let blocks = tiling.blocks(s)
        let bandwidth = a.l2BytesPerCycle, inBytes = max(1, a.inputBits / 8)
        func dma(_ bytes: Int) throws(ConfigurationError) -> Int {
            let cycles = (Double(bytes) / bandwidth).rounded(.up)
            guard cycles < cycleLimit else {
                throw ConfigurationError(field: "l2Bandwidth", message: "moving \(bytes) B at \(bandwidth) B/cycle takes more than 2^53 cycles; the bandwidth is too small for this model")
            }
            return Int(cycles)
        }
        var compute = 0, folds = 0, loadBytes = 0, storeBytes = 0, dmaCycles = 0, total = 0
        var loads: [Int] = [], stores: [Int] = [], computes: [Int] = []
        for block in blocks {
            let shape = block.shape
            let c = array.closedFormCycles(shape, .weightStationary)
            folds += ((shape.k + array.rows - 1) / array.rows) * ((shape.n + array.columns - 1) / array.columns)
            let load = (shape.m * shape.k + shape.k * shape.n) * inBytes
            let store = block.last ? shape.m * shape.n * outputBytes : 0
            loadBytes += load
            storeBytes += store
            loads.append(try dma(load))
            stores.append(try dma(store))
            computes.append(c)
            compute += c
        }
        // Each term is below 2⁵³; a sum that passes it is refused rather than left to overflow.
        func sum(_ terms: [Int]) throws(ConfigurationError) -> Int {
            var running = 0.0
            for t in terms { running += Double(t) }
            guard running < cycleLimit else {
                throw ConfigurationError(field: "l2Bandwidth", message: "the matmul \(s.m)×\(s.n)×\(s.k) takes more than 2^53 cycles at \(bandwidth) B/cycle")
            }
            return terms.reduce(0, +)
        }
        dmaCycles = try sum(loads + stores)
        var overlapped = [loads.first ?? 0, stores.last ?? 0]
        for b in computes.indices {
            let nextLoad = b + 1 < loads.count ? loads[b + 1] : 0
            let previousStore = b > 0 ? stores[b - 1] : 0
            overlapped.append(max(computes[b], nextLoad + previousStore))
        }
        total = try sum(overlapped)
        return GemminiMatmulStats(mode: .singleBuffered, shape: s, tiling: tiling, blocks: blocks.count, folds: folds,
                                  computeCycles: compute, loadBytes: loadBytes, storeBytes: storeBytes, dmaCycles: dmaCycles,
                                  totalCycles: total, peakMACsPerCycle: a.peakMACsPerCycle)
    }

    /// Runs the matmul on data: C (m×n, `Int32`, row-major) = A (m×k) · B (k×n), block by block through the
    /// scratchpad and the accumulator, with the cycle model's statistics. Sums wrap as the hardware's 32-bit
    /// accumulator does.
    public static func run(a: [Int8], b: [Int8], shape s: GEMMShape, accelerator acc: Accelerator,
                           outputBytes: Int = 4, mode: Mode = .gemmini) throws(ConfigurationError) -> (output: [Int32], stats: GemminiMatmulStats) {
        try ConfigurationError.require(outputBytes, in: 1...4, field: "outputBytes")
        let tiling = try GemminiTiling(s, accelerator: acc)
        guard a.count == s.m * s.k else { throw ConfigurationError(field: "a", message: "\(a.count) values for \(s.m)×\(s.k)") }
        guard b.count == s.k * s.n else { throw ConfigurationError(field: "b", message: "\(b.count) values for \(s.k)×\(s.n)") }
        let dim = tiling.dim
        // Each block gets one half of each memory (double buffering): the halves alternate block by block.
        let spHalf = tiling.scratchpadRowsPerBlock * dim, accHalf = tiling.accumulatorRowsPerBlock * dim
        var scratchpad = [Int8](repeating: 0, count: 2 * spHalf)
        var accumulator = [Int32](repeating: 0, count: 2 * accHalf)
        var output = [Int32](repeating: 0, count: s.m * s.n)
        var half = 0
        for (index, block) in tiling.blocks(s).enumerated() {
            let r = block.rows.count, c = block.columns.count, d = block.depth.count
            if block.first { half ^= 1 }                  // a new C block takes the other accumulator half
            let spBase = (index % 2) * spHalf             // operands alternate halves block by block
            let aBase = spBase, bBase = spBase + r * d
            precondition(r * d + d * c <= spHalf && r * c <= accHalf, "tiling exceeds a memory half")
            // mvin A and B (DMA: DRAM/L2 → scratchpad).
            for i in 0..<r {
                let src = (block.rows.lowerBound + i) * s.k + block.depth.lowerBound
                for p in 0..<d { scratchpad[aBase + i * d + p] = a[src + p] }
            }
            for p in 0..<d {
                let src = (block.depth.lowerBound + p) * s.n + block.columns.lowerBound
                for j in 0..<c { scratchpad[bBase + p * c + j] = b[src + j] }
            }
            // Compute: every weight tile (dim rows of B × dim columns) stays while the block's rows stream past.
            let accBase = half * accHalf
            if block.first { for x in 0..<(r * c) { accumulator[accBase + x] = 0 } }
            scratchpad.withUnsafeBufferPointer { sp in
                accumulator.withUnsafeMutableBufferPointer { acc in
                    for p0 in stride(from: 0, to: d, by: dim) {
                        let p1 = min(d, p0 + dim)
                        for j0 in stride(from: 0, to: c, by: dim) {
                            let j1 = min(c, j0 + dim)
                            for i in 0..<r {
                                let row = accBase + i * c
                                for p in p0..<p1 {
                                    let x = Int32(sp[aBase + i * d + p])
                                    if x == 0 { continue }
                                    let w = bBase + p * c
                                    for j in j0..<j1 { acc[row + j] &+= x &* Int32(sp[w + j]) }
                                }
                            }
                        }
                    }
                }
            }
            // mvout C once its reduction is complete.
            if block.last {
                for i in 0..<r {
                    let dst = (block.rows.lowerBound + i) * s.n + block.columns.lowerBound
                    for j in 0..<c { output[dst + j] = accumulator[accBase + i * c + j] }
                }
            }
        }
        return (output, try model(s, tiling: tiling, accelerator: acc, outputBytes: outputBytes, mode: mode))
    }
}
