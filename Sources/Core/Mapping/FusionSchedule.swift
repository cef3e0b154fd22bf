/// Fusing a matmul with the non-linear operation that consumes it (survey §5.5.2, Fig. 21-22) on a Gemmini with
/// I-BERT's units: Q×K with Softmax, W_out and W2 with LayerNorm.
///
/// - **Non-fused** (Gemmini's default): the matmul runs with Gemmini's greedy tiling (``GemminiTiling``) and writes
///   32-bit results out; then the non-linear operation streams them back in (4 B per element) and writes 8-bit
///   results (1 B), at the L2 port's bandwidth, overlapped with its own compute on the units
///   (``IntegerUnitModel``): cycles = matmul + max(unit compute, DMA).
/// - **Fusion-optimised**: complete rows of the output sit in the accumulator, and the units normalise one block of
///   rows while the array computes the next: cycles = max(matmul, unit compute + spill traffic, the DMA read
///   channel's bytes) + one row block's non-linear work (the last, which nothing hides; with chunks, its later
///   passes wait for its last chunk, so the whole row block is counted, a pass more than the least it could be).
///   The schedule is *searched* (``Search``): of every orientation and tiling that satisfies the full-row
///   constraint (``Candidate``), the cheapest under ``GemminiMatmul`` is kept. Candidates are priced in order
///   of a lower bound that needs no cycle model, and the search stops when the next bound reaches the best price,
///   so the result is that of pricing them all.
/// - **Spill**: when a block of complete rows does not fit half the accumulator (long sequences), each row is
///   produced in chunks; every chunk but the last leaves as 32-bit values and is read back for each of the
///   operation's two later passes (both Softmax and LayerNorm need a whole-row statistic before they can finish).
///   The read-backs travel on the DMA's read channel with the matmul's own loads (A and B blocks), so a schedule
///   that spills to save loads pays for both on that channel.
///
/// ```swift
/// let qk = FusionPair.queryKeySoftmax(.bertBase, sequenceLength: 512)
/// let a = try FusionSchedule(qk, accelerator: .gemminiTransformer)
/// a.fused.totalCycles / a.unfused.totalCycles      // < 1: the Softmax hides behind Q×K
/// a.candidatesTried                                 // the fused tilings and orientations considered
/// ```
public struct FusionPair: Sendable, Hashable {
    public enum Operation: String, Sendable, Hashable { case softmax = "Softmax", layerNorm = "LayerNorm" }
    public var name: String
    public var path: String
    public var shape: GEMMShape
    /// Independent copies (heads for Q×K).
    public var instances: Int
    public var operation: Operation
    /// The layer operation that produces the matmul's output, when the pair comes from a layer graph.
    public var producer: LayerOperationID?

    public init(name: String, path: String, shape: GEMMShape, instances: Int, operation: Operation,
                producer: LayerOperationID? = nil) {
        self.name = name
        self.path = path
        self.shape = shape
        self.instances = instances
        self.operation = operation
        self.producer = producer
    }

    /// `producer` followed by `consumer`, the non-linear operation that reads its output, as the encoder layer's
    /// graph has them (named from their identities: `Q×K + Softmax`, `mha/qk+softmax`).
    public init(_ layer: LayerGraph, producer: LayerOperationID, consumer: LayerOperationID) {
        let nodes = layer.nodes(producer)
        guard case let .matmul(shape) = nodes[0].shape else { preconditionFailure("\(producer.path) is not a matmul") }
        self.init(name: "\(producer.shortName) + \(consumer.shortName)", path: producer.path + "+" + consumer.pathComponent,
                  shape: shape, instances: nodes.count, operation: layer.nodes(consumer)[0].kind == .softmax ? .softmax : .layerNorm,
                  producer: producer)
    }

    /// Q×K per head (l × l × d/h) followed by Softmax over each row of scores.
    public static func queryKeySoftmax(_ m: TransformerConfig, sequenceLength l: Int) -> FusionPair {
        FusionPair(.encoder(m, sequenceLength: l), producer: .scores, consumer: .softmax)
    }

    /// W_out (l × d × d) followed by LayerNorm.
    public static func outputProjectionLayerNorm(_ m: TransformerConfig, sequenceLength l: Int) -> FusionPair {
        FusionPair(.encoder(m, sequenceLength: l), producer: .outputProjection, consumer: .attentionLayerNorm)
    }

    /// W2 (l × d × d_FFN) followed by LayerNorm.
    public static func secondFeedForwardLayerNorm(_ m: TransformerConfig, sequenceLength l: Int) -> FusionPair {
        FusionPair(.encoder(m, sequenceLength: l), producer: .ffnDown, consumer: .ffnLayerNorm)
    }
}

public struct FusionSchedule: Sendable {
    /// Which product the array computes for C = A·B (m × n, reduction k).
    ///
    /// - ``direct``: C = A·B, as the non-fused schedule does. A row of C runs along J, so a block holds
    ///   `tileI` complete rows when `tileJ` covers all of n.
    /// - ``transposed``: Cᵀ = Bᵀ·Aᵀ (n × m, same k): the weights Aᵀ stay in the mesh and Bᵀ streams. A row of C
    ///   is now a *column* of Cᵀ, so the whole I dimension of the transposed product (n of C) must be resident
    ///   and `tileJ` counts rows of C per block. Assumed costs: the DMA moves a transposed operand at the same
    ///   bytes per cycle (`tiled_matmul_auto`'s `transpose_A`/`transpose_B`); the normalisation unit reads
    ///   accumulator rows as before and keeps `DIM` column statistics (one per row of C) instead of one row
    ///   statistic, at the same cycles per element; the result leaves as Cᵀ, the same bytes, for a consumer
    ///   that reads it transposed. Because Gemmini's block order puts I outermost, no row of C completes
    ///   before the last I block when I is split, so this orientation is a candidate only without spilling.
    public enum Orientation: String, Sendable, Hashable, CaseIterable {
        case direct = "C = A·B"
        case transposed = "Cᵀ = Bᵀ·Aᵀ"
    }

    /// Which fused schedules ``FusionSchedule`` prices.
    public enum Search: String, Sendable, Hashable, CaseIterable {
        /// Every orientation, every `tileI` (direct) or `tileJ` (transposed) that fits, and every `tileK` that fits.
        /// The scratchpad half bounds `tileK` by ⌊tiles / (tileI + tileJ)⌋, so on the survey's Gemmini (256 kB
        /// scratchpad) even W2 at l = 4096, with 192 K tiles, has only 1,232 fused schedules; pricing them all takes
        /// about half a second in a release build, and the lower bounds (``lowerBound(_:)``) leave few to price.
        /// Trying only the depths where the number of K blocks changes (the smallest `tileK` for each count) would
        /// save little and is not exact: for a 64×200×720 Softmax with a 64 kB scratchpad and a 16 kB accumulator
        /// it misses the optimum by 0.5% (41,558 cycles against 41,350).
        case exhaustive
        /// One schedule, the fixed rule earlier versions used: direct orientation, as many complete rows as fit
        /// half the accumulator (and, with one K tile, half the scratchpad), or else one row tile in the largest
        /// chunk that fits; then the deepest K that fits the scratchpad.
        case fixed
    }

    /// One fused schedule: the orientation and the tiling of the product the array computes.
    public struct Candidate: Sendable, Hashable {
        public var orientation: Orientation
        /// The product's shape: the pair's shape, or with m and n swapped (``Orientation/transposed``).
        public var shape: GEMMShape
        public var tiling: GemminiTiling
        /// Pieces each row of C is produced in: 1 when complete rows fit (no spill).
        public var chunks: Int
        /// Blocks of rows of C, each complete once its last chunk is.
        public var rowBlocks: Int
        public var rowsFit: Bool { chunks == 1 }
        /// Rows of C in one block.
        public var rowsPerBlock: Int { (orientation == .direct ? tiling.tileI : tiling.tileJ) * tiling.dim }
    }

    /// One schedule of one pair, all instances.
    public struct Outcome: Sendable, Hashable {
        public var tiling: GemminiTiling
        public var matmulCycles: Double
        /// The non-linear operation's cycles on its own (compute, or DMA when that is slower).
        public var nonlinearCycles: Double
        /// Bytes spilled out and read back because complete rows did not fit (fused only).
        public var spillBytes: Double
        public var totalCycles: Double
        /// Cycles of the non-linear operation not hidden behind the matmul.
        public var exposedNonlinearCycles: Double { totalCycles - matmulCycles }
    }

    public var pair: FusionPair
    public var accelerator: Accelerator
    /// The cycle model that priced both schedules.
    public var mode: GemminiMatmul.Mode
    public var unfused: Outcome
    public var fused: Outcome
    /// The fused schedule the search kept.
    public var fusedCandidate: Candidate
    /// Fused schedules the search considered (its whole space).
    public var candidatesTried: Int
    /// Of those, the ones run through the cycle model; the others' lower bounds (``lowerBound(_:)``) showed they
    /// could not beat the best.
    public var candidatesPriced: Int
    /// Whether the kept schedule holds complete rows (no spill).
    public var rowsFit: Bool { fusedCandidate.rowsFit }

    /// Passes of both operations over a row (maximum, exp and sum, scale; mean, variance, normalise).
    public static let passes = 3

    public init(_ pair: FusionPair, accelerator a: Accelerator, mode: GemminiMatmul.Mode = .gemmini,
                search: Search = .exhaustive) throws(ConfigurationError) {
        guard a.sfuWidth > 0 else {
            throw ConfigurationError(field: "sfu-width", message: "the fusion study needs I-BERT's units (sfu-width above 0)")
        }
        self.pair = pair
        accelerator = a
        self.mode = mode
        let s = pair.shape, n = Double(pair.instances)
        let elements = Double(s.m * s.n)
        let compute = try Self.unitCycles(pair, accelerator: a)
        // Non-fused: 32-bit results out, back in, 8-bit results out.
        let heuristic = try GemminiTiling(s, accelerator: a)
        let unfusedMatmul = Double(try GemminiMatmul.cycles(s, tiling: heuristic, accelerator: a, outputBytes: 4, mode: mode).totalCycles)
        let unfusedDMA = elements * Double(4 + max(1, a.inputBits / 8)) / a.l2BytesPerCycle
        let unfusedNonlinear = max(compute, unfusedDMA)
        unfused = Outcome(tiling: heuristic, matmulCycles: n * unfusedMatmul, nonlinearCycles: n * unfusedNonlinear,
                          spillBytes: 0, totalCycles: n * (unfusedMatmul + unfusedNonlinear))
        // Fusion-optimised: the cheapest candidate, the first in enumeration order among equals, whatever the
        // bounds. Candidates are priced in order of their lower bound (ties in enumeration order); once the next
        // bound passes the best total, or reaches it from a later candidate, none left can beat it.
        let candidates = try Self.candidates(pair, accelerator: a, search: search)
        let bounds = try candidates.map { c throws(ConfigurationError) in
            try Self.lowerBound(c, pair: pair, accelerator: a, mode: mode, unitCycles: compute)
        }
        let order = candidates.indices.sorted { (bounds[$0], $0) < (bounds[$1], $1) }
        var best: (index: Int, outcome: Outcome)? = nil
        var priced = 0
        for i in order {
            if let b = best, (bounds[i], i) > (b.outcome.totalCycles, b.index) { break }
            let o = try Self.price(candidates[i], pair: pair, accelerator: a, mode: mode, unitCycles: compute)
            priced += 1
            if best == nil || (o.totalCycles, i) < (best!.outcome.totalCycles, best!.index) { best = (i, o) }
        }
        fusedCandidate = candidates[best!.index]
        fused = best!.outcome
        candidatesTried = candidates.count
        candidatesPriced = priced
    }

    /// What a candidate costs at least, without running the cycle model: the pricing rule of ``price(_:)`` with
    /// the matmul replaced by the mesh's own cycles (``GemminiMatmul/lowerBound(_:tiling:accelerator:mode:)``,
    /// never below MACs / PEs) and its loads by their closed form, k · (rows · column blocks + columns · row
    /// blocks) bytes. Never above the candidate's price, so the search can skip every candidate whose bound
    /// reaches the best price found.
    public func lowerBound(_ c: Candidate) throws(ConfigurationError) -> Double {
        try Self.lowerBound(c, pair: pair, accelerator: accelerator, mode: mode,
                            unitCycles: try Self.unitCycles(pair, accelerator: accelerator))
    }

    static func lowerBound(_ c: Candidate, pair: FusionPair, accelerator a: Accelerator, mode: GemminiMatmul.Mode,
                           unitCycles compute: Double) throws(ConfigurationError) -> Double {
        let s = c.shape, t = c.tiling
        func ceil(_ x: Int, _ y: Int) -> Int { (x + y - 1) / y }
        let loadBytes = max(1, a.inputBits / 8) * s.k * (s.m * ceil(s.n, t.tileJ * t.dim) + s.n * ceil(s.m, t.tileI * t.dim))
        let (nonlinear, spillBytes) = nonlinearWork(c, pair: pair, accelerator: a, unitCycles: compute)
        let arrayBound = max(Double(s.macs) / Double(a.meshRows * a.meshColumns),
                             try GemminiMatmul.lowerBound(s, tiling: t, accelerator: a, mode: mode))
        let readChannel = (Double(loadBytes) + spillBytes) / a.l2BytesPerCycle
        return Double(pair.instances) * (max(arrayBound, readChannel, nonlinear) + nonlinear / Double(c.rowBlocks))
    }

    /// The units' cycles on one instance, spill traffic included, and the bytes spilled and read back.
    static func nonlinearWork(_ c: Candidate, pair: FusionPair, accelerator a: Accelerator, unitCycles compute: Double)
        -> (cycles: Double, spillBytes: Double) {
        let elements = Double(pair.shape.m * pair.shape.n)
        let spilledFraction = Double(c.chunks - 1) / Double(c.chunks)
        let spillBytes = elements * spilledFraction * 4 * Double(passes - 1)
        return (compute + spillBytes / a.l2BytesPerCycle, spillBytes)
    }

    /// The units' cycles for one instance of the pair's non-linear operation.
    static func unitCycles(_ pair: FusionPair, accelerator a: Accelerator) throws(ConfigurationError) -> Double {
        let units = try IntegerUnitModel(accelerator: a)
        let elements = Double(pair.shape.m * pair.shape.n)
        switch pair.operation {
        case .softmax: return units.softmaxCycles(elements: elements)
        case .layerNorm: return units.layerNormCycles(rows: Double(pair.shape.m), elements: elements)
        }
    }

    /// Prices one fused schedule of `pair` (all instances) under this schedule's accelerator and cycle model.
    public func price(_ c: Candidate) throws(ConfigurationError) -> Outcome {
        try Self.price(c, pair: pair, accelerator: accelerator, mode: mode, unitCycles: try Self.unitCycles(pair, accelerator: accelerator))
    }

    static func price(_ c: Candidate, pair: FusionPair, accelerator a: Accelerator, mode: GemminiMatmul.Mode,
                      unitCycles compute: Double) throws(ConfigurationError) -> Outcome {
        let n = Double(pair.instances)
        // Complete rows leave normalised, as 8-bit values; spilled chunks leave as 32-bit values (the matmul model
        // stores them) and come back for the two later passes.
        let stats = try GemminiMatmul.cycles(c.shape, tiling: c.tiling, accelerator: a,
                                             outputBytes: c.rowsFit ? max(1, a.inputBits / 8) : 4, mode: mode)
        let matmul = Double(stats.totalCycles)
        let (nonlinear, spillBytes) = nonlinearWork(c, pair: pair, accelerator: a, unitCycles: compute)
        // The read-backs share the DMA's read channel with the matmul's own loads.
        let readChannel = (Double(stats.loadBytes) + spillBytes) / a.l2BytesPerCycle
        // The last block of rows finishes after the matmul: its later passes need its last chunk.
        let total = max(matmul, readChannel, nonlinear) + nonlinear / Double(c.rowBlocks)
        return Outcome(tiling: c.tiling, matmulCycles: n * matmul, nonlinearCycles: n * nonlinear,
                       spillBytes: n * spillBytes, totalCycles: n * total)
    }

    /// The fused schedules `search` prices, in a fixed order (direct before transposed, then `tileI` or `tileJ`,
    /// then `tileK`, each ascending). Sizes in tiles of `dim`, as ``GemminiTiling`` counts them: a block's A and B
    /// share half the scratchpad, its C block half the accumulator.
    ///
    /// - direct: for each `tileI`, `tileJ` = all of n when `tileI` complete rows fit, otherwise the largest chunk
    ///   that fits (`chunks` = ⌈tilesJ / tileJ⌉ > 1, a spill);
    /// - transposed: `tileI` = all of n (complete rows of C are columns of Cᵀ), each `tileJ` (rows of C) that fits;
    ///   none when all of n does not fit half the accumulator.
    public static func candidates(_ pair: FusionPair, accelerator a: Accelerator, search: Search = .exhaustive)
        throws(ConfigurationError) -> [Candidate] {
        let s = pair.shape
        let heuristic = try GemminiTiling(s, accelerator: a)
        let dim = heuristic.dim
        func ceil(_ x: Int, _ y: Int) -> Int { (x + y - 1) / y }
        let accTiles = heuristic.accumulatorRowsPerBlock / dim, spTiles = heuristic.scratchpadRowsPerBlock / dim
        let tilesK = ceil(s.k, dim)
        if search == .fixed {
            let tilesI = ceil(s.m, dim), tilesJ = ceil(s.n, dim)
            let rows = min(tilesI, accTiles / tilesJ, spTiles - tilesJ)
            let fits = rows >= 1
            let tileI = fits ? rows : 1
            let tileJ = fits ? tilesJ : min(tilesJ, accTiles, spTiles - 1)
            var tileK = 1
            while tileK < tilesK && (tileI + tileJ) * (tileK + 1) <= spTiles { tileK += 1 }
            let tiling = try GemminiTiling(s, accelerator: a, tileI: tileI, tileJ: tileJ, tileK: tileK)
            return [Candidate(orientation: .direct, shape: s, tiling: tiling, chunks: ceil(tilesJ, tileJ),
                              rowBlocks: ceil(tilesI, tileI))]
        }
        var out: [Candidate] = []
        for orientation in Orientation.allCases {
            let shape = orientation == .direct ? s : GEMMShape(m: s.n, n: s.m, k: s.k)
            let tilesI = ceil(shape.m, dim), tilesJ = ceil(shape.n, dim)
            // (tileI, tileJ, chunks, row blocks) of each block shape with complete (or largest-chunk) rows of C.
            var blockShapes: [(Int, Int, Int, Int)] = []
            switch orientation {
            case .direct:
                for tileI in 1...min(tilesI, accTiles) {
                    let tileJ = min(tilesJ, accTiles / tileI, spTiles - tileI)
                    guard tileJ >= 1 else { continue }
                    let chunks = ceil(tilesJ, tileJ)
                    blockShapes.append((tileI, tileJ, chunks, ceil(tilesI, tileI)))
                }
            case .transposed:
                guard tilesI <= accTiles else { continue }
                for tileJ in 1...tilesJ where tilesI * tileJ <= accTiles && tilesI + tileJ <= spTiles {
                    blockShapes.append((tilesI, tileJ, 1, ceil(tilesJ, tileJ)))
                }
            }
            for (tileI, tileJ, chunks, rowBlocks) in blockShapes {
                for tileK in 1...tilesK where (tileI + tileJ) * tileK <= spTiles {
                    let tiling = try GemminiTiling(shape, accelerator: a, tileI: tileI, tileJ: tileJ, tileK: tileK)
                    out.append(Candidate(orientation: orientation, shape: shape, tiling: tiling, chunks: chunks, rowBlocks: rowBlocks))
                }
            }
        }
        return out
    }

    /// (fused − non-fused) / non-fused: negative when fusion helps.
    public var relativeChange: Double { fused.totalCycles / unfused.totalCycles - 1 }
}

/// Multi-head attention of one encoder layer with and without fusion (survey Fig. 21): the Q/K/V projections and
/// score × value are the same either way; Q×K + Softmax and W_out + LayerNorm are scheduled as ``FusionSchedule``
/// says.
public struct AttentionFusion: Sendable {
    public var queryKey: FusionSchedule
    public var outputProjection: FusionSchedule
    /// Cycles of the matmuls that no non-linear operation follows (W_Q, W_K, W_V, score × value), Gemmini's tiling.
    public var otherMatmulCycles: Double

    public init(_ m: TransformerConfig, sequenceLength l: Int, accelerator a: Accelerator,
                mode: GemminiMatmul.Mode = .gemmini, search: FusionSchedule.Search = .exhaustive) throws(ConfigurationError) {
        queryKey = try FusionSchedule(.queryKeySoftmax(m, sequenceLength: l), accelerator: a, mode: mode, search: search)
        outputProjection = try FusionSchedule(.outputProjectionLayerNorm(m, sequenceLength: l), accelerator: a, mode: mode, search: search)
        let projection = Double(try GemminiMatmul.cycles(GEMMShape(m: l, n: m.dModel, k: m.dModel), accelerator: a, mode: mode).totalCycles)
        let scoreValue = Double(try GemminiMatmul.cycles(GEMMShape(m: l, n: m.headDimension, k: l), accelerator: a, mode: mode).totalCycles)
        otherMatmulCycles = 3 * projection + Double(m.heads) * scoreValue
    }

    public var unfusedCycles: Double { otherMatmulCycles + queryKey.unfused.totalCycles + outputProjection.unfused.totalCycles }
    public var fusedCycles: Double { otherMatmulCycles + queryKey.fused.totalCycles + outputProjection.fused.totalCycles }
    /// 1 − fused / non-fused.
    public var gain: Double { 1 - fusedCycles / unfusedCycles }
}
