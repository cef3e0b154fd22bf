/// Fusing a matmul with the non-linear operation that consumes it (survey §5.5.2, Fig. 21-22) on a Gemmini with
/// I-BERT's units: Q×K with Softmax, W_out and W2 with LayerNorm.
///
/// - **Non-fused** (Gemmini's default): the matmul runs with Gemmini's greedy tiling (``GemminiTiling``) and writes
///   32-bit results out; then the non-linear operation streams them back in (4 B per element) and writes 8-bit
///   results (1 B), at the L2 port's bandwidth, overlapped with its own compute on the units
///   (``IntegerUnitModel``): cycles = matmul + max(unit compute, DMA).
/// - **Fusion-optimised**: one output dimension is tiled whole (every column tile of a row block), so complete rows
///   sit in the accumulator and the units normalise a row block while the array computes the next one:
///   cycles = max(matmul, unit compute + spill traffic) + one row block of unit compute (the last, which nothing
///   hides). The forced tiling has fewer rows per block, so the array refills weights more often and amortises its
///   fill and drain over fewer rows (``GemminiMatmul``'s model charges both).
/// - **Spill**: when one row block of complete rows no longer fits half the accumulator (long sequences), each row
///   is produced in chunks; every chunk but the last leaves as 32-bit values and is read back for each of the
///   operation's two later passes (both Softmax and LayerNorm need a whole-row statistic before they can finish).
///
/// ```swift
/// let qk = FusionPair.queryKeySoftmax(.bertBase, sequenceLength: 512)
/// let a = try FusionSchedule(qk, accelerator: .gemminiTransformer)
/// a.fused.totalCycles / a.unfused.totalCycles      // < 1: the Softmax hides behind Q×K
/// ```
public struct FusionPair: Sendable, Hashable {
    public enum Operation: String, Sendable, Hashable { case softmax = "Softmax", layerNorm = "LayerNorm" }
    public var name: String
    public var path: String
    public var shape: GEMMShape
    /// Independent copies (heads for Q×K).
    public var instances: Int
    public var operation: Operation

    public init(name: String, path: String, shape: GEMMShape, instances: Int, operation: Operation) {
        self.name = name
        self.path = path
        self.shape = shape
        self.instances = instances
        self.operation = operation
    }

    /// Q×K per head (l × l × d/h) followed by Softmax over each row of scores.
    public static func queryKeySoftmax(_ m: TransformerConfig, sequenceLength l: Int) -> FusionPair {
        FusionPair(name: "Q×K + Softmax", path: "mha/qk+softmax", shape: GEMMShape(m: l, n: l, k: m.headDimension),
                   instances: m.heads, operation: .softmax)
    }

    /// W_out (l × d × d) followed by LayerNorm.
    public static func outputProjectionLayerNorm(_ m: TransformerConfig, sequenceLength l: Int) -> FusionPair {
        FusionPair(name: "W_out + LayerNorm", path: "mha/wout+layernorm", shape: GEMMShape(m: l, n: m.dModel, k: m.dModel),
                   instances: 1, operation: .layerNorm)
    }

    /// W2 (l × d × d_FFN) followed by LayerNorm.
    public static func secondFeedForwardLayerNorm(_ m: TransformerConfig, sequenceLength l: Int) -> FusionPair {
        FusionPair(name: "W2 + LayerNorm", path: "ffn/w2+layernorm", shape: GEMMShape(m: l, n: m.dModel, k: m.dFFN),
                   instances: 1, operation: .layerNorm)
    }
}

/// How a fusion study prices a matmul under a given tiling.
public enum MatmulCycleModel: String, Sendable, Hashable, CaseIterable {
    /// ``GemminiMatmul``'s tile-level model: a weight preload plus the array's fill and drain on every weight fold,
    /// double-buffered DMA.
    case gemminiTiles
    /// A throughput bound on the same tiling: max(MACs / PEs, DMA cycles). No per-fold preload, fill or drain
    /// (what an analytical model such as Timeloop's or ZigZag's charges); the tiling still sets the traffic.
    case throughput

    public func cycles(_ s: GemminiMatmulStats) -> Double {
        switch self {
        case .gemminiTiles: return Double(s.totalCycles)
        case .throughput: return max(Double(s.shape.macs) / Double(s.peakMACsPerCycle), Double(s.dmaCycles))
        }
    }
}

public struct FusionSchedule: Sendable {
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
    public var unfused: Outcome
    public var fused: Outcome
    /// Whether complete rows of one row block fit half the accumulator.
    public var rowsFit: Bool

    /// Passes of both operations over a row (maximum, exp and sum, scale; mean, variance, normalise).
    public static let passes = 3

    public init(_ pair: FusionPair, accelerator a: Accelerator, matmulModel: MatmulCycleModel = .gemminiTiles) throws(ConfigurationError) {
        guard a.sfuWidth > 0 else {
            throw ConfigurationError(field: "sfu-width", message: "the fusion study needs I-BERT's units (sfu-width above 0)")
        }
        self.pair = pair
        accelerator = a
        let units = try IntegerUnitModel(accelerator: a)
        let s = pair.shape, n = Double(pair.instances)
        let elements = Double(s.m * s.n)
        let compute: Double
        switch pair.operation {
        case .softmax: compute = units.softmaxCycles(elements: elements)
        case .layerNorm: compute = units.layerNormCycles(rows: Double(s.m), elements: elements)
        }
        // Non-fused: 32-bit results out, back in, 8-bit results out.
        let heuristic = try GemminiTiling(s, accelerator: a)
        let unfusedMatmul = matmulModel.cycles(try GemminiMatmul.cycles(s, tiling: heuristic, accelerator: a, outputBytes: 4))
        let unfusedDMA = elements * Double(4 + max(1, a.inputBits / 8)) / a.l2BytesPerCycle
        let unfusedNonlinear = max(compute, unfusedDMA)
        unfused = Outcome(tiling: heuristic, matmulCycles: n * unfusedMatmul, nonlinearCycles: n * unfusedNonlinear,
                          spillBytes: 0, totalCycles: n * (unfusedMatmul + unfusedNonlinear))
        // Fusion-optimised: every column tile of a row block in the accumulator.
        let dim = heuristic.dim
        func ceil(_ x: Int, _ y: Int) -> Int { (x + y - 1) / y }
        let tilesI = ceil(s.m, dim), tilesJ = ceil(s.n, dim), tilesK = ceil(s.k, dim)
        let accTiles = heuristic.accumulatorRowsPerBlock / dim
        let rowBlocks = accTiles / tilesJ
        rowsFit = rowBlocks >= 1
        let tileI = rowsFit ? min(tilesI, rowBlocks) : 1
        let tileJ = rowsFit ? tilesJ : min(tilesJ, accTiles)
        var tileK = 1
        while tileK < tilesK && ((tileI * (tileK + 1) + (tileK + 1) * tileJ) * dim <= heuristic.scratchpadRowsPerBlock) { tileK += 1 }
        let forced = try GemminiTiling(s, accelerator: a, tileI: tileI, tileJ: tileJ, tileK: tileK)
        let chunks = ceil(tilesJ, tileJ)
        let spilledFraction = Double(chunks - 1) / Double(chunks)
        // Spilled chunks leave as 32-bit values (the matmul model stores them) and come back for the two later passes.
        let fusedMatmul = matmulModel.cycles(try GemminiMatmul.cycles(s, tiling: forced, accelerator: a,
                                                                      outputBytes: rowsFit ? max(1, a.inputBits / 8) : 4))
        let spillBytes = rowsFit ? 0 : elements * spilledFraction * 4 * Double(Self.passes - 1)
        let fusedNonlinear = compute + spillBytes / a.l2BytesPerCycle
        let blocks = Double(ceil(tilesI, tileI) * chunks)
        let fusedTotal = max(fusedMatmul, fusedNonlinear) + fusedNonlinear / blocks
        fused = Outcome(tiling: forced, matmulCycles: n * fusedMatmul, nonlinearCycles: n * fusedNonlinear,
                        spillBytes: n * spillBytes, totalCycles: n * fusedTotal)
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
                matmulModel: MatmulCycleModel = .gemminiTiles) throws(ConfigurationError) {
        queryKey = try FusionSchedule(.queryKeySoftmax(m, sequenceLength: l), accelerator: a, matmulModel: matmulModel)
        outputProjection = try FusionSchedule(.outputProjectionLayerNorm(m, sequenceLength: l), accelerator: a, matmulModel: matmulModel)
        let projection = matmulModel.cycles(try GemminiMatmul.cycles(GEMMShape(m: l, n: m.dModel, k: m.dModel), accelerator: a))
        let scoreValue = matmulModel.cycles(try GemminiMatmul.cycles(GEMMShape(m: l, n: m.headDimension, k: l), accelerator: a))
        otherMatmulCycles = 3 * projection + Double(m.heads) * scoreValue
    }

    public var unfusedCycles: Double { otherMatmulCycles + queryKey.unfused.totalCycles + outputProjection.unfused.totalCycles }
    public var fusedCycles: Double { otherMatmulCycles + queryKey.fused.totalCycles + outputProjection.fused.totalCycles }
    /// 1 − fused / non-fused.
    public var gain: Double { 1 - fusedCycles / unfusedCycles }
}
