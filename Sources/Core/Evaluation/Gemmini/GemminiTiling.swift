/// How a Gemmini-style software stack cuts a matmul into blocks that fit the scratchpad and the accumulator
/// (survey §3.4; Gemmini's `tiled_matmul_auto` in `gemmini.h`, restated in our own words).
///
/// Sizes are counted in `dim × dim` tiles (`dim` = the mesh side). With double buffering each memory is split in
/// two halves, one being filled by the DMA while the array works on the other:
/// - scratchpad rows = `spCapacityBytes / (dim · inputBits/8)`, half of them usable per block; the A block
///   (`tileI × tileK` tiles) and the B block (`tileK × tileJ` tiles) share that half;
/// - accumulator rows = `accCapacityBytes / (dim · accumulatorBits/8)`, half usable; the C block
///   (`tileI × tileJ` tiles) must fit.
/// The start is square in I and J: `⌊√(accumulator tiles per half)⌋`, and K fills half of the scratchpad half; then
/// J, I and K grow in turn, one tile at a time, while everything still fits and no block exceeds the matrix.
///
/// ```swift
/// let t = try GemminiTiling(GEMMShape(m: 512, n: 3072, k: 768), accelerator: .gemminiBaseline)
/// (t.tileI, t.tileJ, t.tileK)    // (5, 5, 48): 80 streamed rows per weight tile with a 64 KiB accumulator
/// ```
public struct GemminiTiling: Sendable, Hashable {
    /// Block sizes in tiles: rows of A and C (I), columns of B and C (J), reduction depth (K).
    public var tileI: Int, tileJ: Int, tileK: Int
    /// The mesh side (Gemmini's DIM).
    public var dim: Int
    /// Rows (of `dim` elements) available to one block in the scratchpad and the accumulator.
    public var scratchpadRowsPerBlock: Int, accumulatorRowsPerBlock: Int

    public init(_ s: GEMMShape, accelerator a: Accelerator) throws(ConfigurationError) {
        try a.validate()
        try s.validate()
        guard a.meshRows == a.meshColumns else {
            throw ConfigurationError(field: "meshColumns",
                                     message: "the Gemmini model needs a square mesh (Gemmini's DIM); got \(a.meshRows)×\(a.meshColumns)")
        }
        let dim = a.meshRows
        let spRows = a.spCapacityBytes / (dim * max(1, a.inputBits / 8))
        let accRows = a.accCapacityBytes / (dim * max(1, a.accumulatorBits / 8))
        let maxSp = spRows / 2, maxAcc = accRows / 2
        guard 2 * dim <= maxSp else {
            throw ConfigurationError(field: "scratchpadBytes",
                                     message: "\(a.spCapacityBytes) B cannot double-buffer one \(dim)×\(dim) A tile and one B tile (needs \(4 * dim * dim * max(1, a.inputBits / 8)) B)")
        }
        guard dim <= maxAcc else {
            throw ConfigurationError(field: "accumulatorBytes",
                                     message: "\(a.accCapacityBytes) B cannot double-buffer one \(dim)×\(dim) tile of \(a.accumulatorBits)-bit sums (needs \(2 * dim * dim * max(1, a.accumulatorBits / 8)) B)")
        }
        // The cycle model's mesh (``GemminiMesh/dimRange``): refused here, where every Gemmini model starts, rather
        // than when the first block is priced.
        guard GemminiMesh.dimRange.contains(dim) else {
            throw ConfigurationError(field: "meshRows", message: "\(dim) is out of range for the Gemmini model; allowed \(GemminiMesh.dimRange.lowerBound)...\(GemminiMesh.dimRange.upperBound) (Gemmini's DIM)")
        }
        func ceil(_ x: Int, _ y: Int) -> Int { (x + y - 1) / y }
        let tilesI = ceil(s.m, dim), tilesJ = ceil(s.n, dim), tilesK = ceil(s.k, dim)
        let accTiles = maxAcc / dim, partitionTiles = maxSp / 2 / dim
        var side = 1
        while (side + 1) * (side + 1) <= accTiles { side += 1 }
        var i = min(tilesI, side), j = min(tilesJ, side), k = min(tilesK, max(1, partitionTiles / side))
        func fits(_ i: Int, _ j: Int, _ k: Int) -> Bool { (i * k + k * j) * dim <= maxSp && i * j * dim <= maxAcc }
        if !fits(i, j, k) { (i, j, k) = (1, 1, 1) }
        while true {
            var grew = false
            if j < tilesJ && fits(i, j + 1, k) { j += 1; grew = true }
            if i < tilesI && fits(i + 1, j, k) { i += 1; grew = true }
            if k < tilesK && fits(i, j, k + 1) { k += 1; grew = true }
            if !grew { break }
        }
        tileI = i
        tileJ = j
        tileK = k
        self.dim = dim
        scratchpadRowsPerBlock = maxSp
        accumulatorRowsPerBlock = maxAcc
    }

    /// An explicit tiling (a scheduler's choice rather than Gemmini's heuristic), in tiles of `dim`; throws when a
    /// block does not fit its half of the scratchpad or the accumulator, or exceeds the matrix.
    public init(_ s: GEMMShape, accelerator a: Accelerator, tileI: Int, tileJ: Int, tileK: Int) throws(ConfigurationError) {
        let heuristic = try GemminiTiling(s, accelerator: a)
        let dim = heuristic.dim
        func ceil(_ x: Int, _ y: Int) -> Int { (x + y - 1) / y }
        try ConfigurationError.require(tileI, in: 1...ceil(s.m, dim), field: "tileI")
        try ConfigurationError.require(tileJ, in: 1...ceil(s.n, dim), field: "tileJ")
        try ConfigurationError.require(tileK, in: 1...ceil(s.k, dim), field: "tileK")
        guard (tileI * tileK + tileK * tileJ) * dim <= heuristic.scratchpadRowsPerBlock else {
            throw ConfigurationError(field: "scratchpadBytes", message: "A and B blocks of \(tileI)×\(tileK) and \(tileK)×\(tileJ) tiles exceed half the scratchpad")
        }
        guard tileI * tileJ * dim <= heuristic.accumulatorRowsPerBlock else {
            throw ConfigurationError(field: "accumulatorBytes", message: "a C block of \(tileI)×\(tileJ) tiles exceeds half the accumulator")
        }
        self = heuristic
        self.tileI = tileI
        self.tileJ = tileJ
        self.tileK = tileK
    }

    /// One block of the loop nest: the element ranges of A's rows, B's columns and the reduction it covers.
    public struct Block: Sendable, Hashable {
        public var rows: Range<Int>, columns: Range<Int>, depth: Range<Int>
        /// Whether this block starts (first K block) or finishes (last K block) its C block.
        public var first: Bool, last: Bool
        public var shape: GEMMShape { GEMMShape(m: rows.count, n: columns.count, k: depth.count) }
    }

    /// The distinct shapes among ``blocks(_:)`` with how many blocks have each: whole blocks, and the narrower ones
    /// at the matrix's edges (at most eight shapes), whole before narrower in each dimension, so the last is the
    /// last block's.
    public func blockShapes(_ s: GEMMShape) -> [(shape: GEMMShape, count: Int)] {
        func extents(_ size: Int, _ block: Int) -> [(Int, Int)] {
            [(block, size / block), (size % block, size % block > 0 ? 1 : 0)].filter { $0.1 > 0 }
        }
        var out: [(shape: GEMMShape, count: Int)] = []
        for (m, ci) in extents(s.m, tileI * dim) {
            for (n, cj) in extents(s.n, tileJ * dim) {
                for (k, ck) in extents(s.k, tileK * dim) { out.append((GEMMShape(m: m, n: n, k: k), ci * cj * ck)) }
            }
        }
        return out
    }

    /// The shape of the last of ``blocks(_:)``: the edge block in every dimension the blocks do not divide.
    public func lastBlockShape(_ s: GEMMShape) -> GEMMShape { blockShapes(s).last!.shape }

    /// The blocks in Gemmini's order: I outermost, then J, then K innermost (partial sums stay in the accumulator).
    public func blocks(_ s: GEMMShape) -> [Block] {
        var out: [Block] = []
        let bi = tileI * dim, bj = tileJ * dim, bk = tileK * dim
        for i0 in stride(from: 0, to: s.m, by: bi) {
            for j0 in stride(from: 0, to: s.n, by: bj) {
                for k0 in stride(from: 0, to: s.k, by: bk) {
                    out.append(Block(rows: i0..<min(s.m, i0 + bi), columns: j0..<min(s.n, j0 + bj),
                                     depth: k0..<min(s.k, k0 + bk), first: k0 == 0, last: k0 + bk >= s.k))
                }
            }
        }
        return out
    }
}
