/// Gemmini's DIM×DIM mesh running one block of a matmul, two ways: a register-level simulation that keeps every
/// register of the RTL's mesh and steps it clock by clock, and a closed form that gives the same cycle count.
///
/// Sources (the RTL at ucb-bar/gemmini, `src/main/scala/gemmini/`, and ucb-bar/gemmini-rocc-tests'
/// `include/gemmini.h`), restated in our own words:
/// - **software**: weight stationary follows the hardware loop unroller (`LoopMatmul.scala`, class
///   `LoopMatmulExecute`): loops k (outer), j, i (inner); each step issues a PRELOAD (the weight tile B(k, j) when
///   i = 0, otherwise the garbage address, plus the C(i, j) accumulator address, accumulating when k ≠ 0) and a
///   COMPUTE of A(i, k) (`COMPUTE_AND_FLIP` when i = 0, otherwise `COMPUTE_AND_STAY`). Output stationary follows
///   `sp_tiled_matmul_os` in `gemmini.h`: loops i, j, k (inner); each step a PRELOAD of zeros (garbage D) that
///   names C(i, j) only on the last k, then a COMPUTE of A(i, k) with B(k, j) (flip on k = 0).
/// - **execute controller** (`ExecuteController.scala`): the head of the command queue decides each mesh request:
///   a PRELOAD at the head is a *single preload*; a COMPUTE followed by a PRELOAD (and a third command) is a
///   *mul_pre*, the compute's rows streaming while the next preload's rows stream in; a COMPUTE alone is a
///   *single mul*; in OS an empty queue with results still in the mesh issues a *flush*. A request feeds
///   `total_rows` rows, one per cycle (a *fire*): DIM, except in WS when the request brings no new weights, where it
///   is max(rows of A, rows of B, 4) with a garbage operand counting 1 (the floor of 4 keeps writes to one
///   accumulator row 4 cycles apart).
/// - **mesh** (`MeshWithDelays.scala`, `Mesh.scala`, `Tile.scala`, `PE.scala`): see ``simulate(a:b:rows:columns:depth:dim:dataflow:meshOutputBits:)``.
///
/// ```swift
/// let run = try GemminiMesh.simulate(a: a, b: b, rows: 32, columns: 32, depth: 32, dim: 16,
///                                    dataflow: .weightStationary)
/// run.cycles      // 176 = 16·(1 + 2·2·2) fires + 2·16 cycles of fill and drain
/// try GemminiMesh.blockCycles(rows: 32, columns: 32, depth: 32, dim: 16, dataflow: .weightStationary)  // 176
/// ```
public enum GemminiMesh {
    /// The smallest `total_rows` of a WS request that brings no new weights (`ExecuteController.scala`: two writes to
    /// one accumulator address must be at least 4 cycles apart).
    public static let rowsFloorWithoutWeights = 4
    /// Width of the values leaving a PE: Gemmini's default `spatialArrayOutputType = SInt(20.W)` (`Configs.scala`).
    /// The PE's multiply-add result is assigned to a signal of this width, so it wraps there (`PE.scala`, `MacUnit`).
    public static let defaultMeshOutputBits = 20
    /// Matmul ids in flight: `max_simultaneous_matmuls = 5 · latency_per_pe` with `latency_per_pe = 1`
    /// (`MeshWithDelays.scala`, `tile_latency = 0`, `tileRows = tileColumns = 1`).
    static let matmulIDCount = 5
    /// Entries of the tag queue and of the total-rows queue: `max_simultaneous_matmuls + 1` (`MeshWithDelays.scala`).
    static let tagQueueEntries = 6
    /// The largest mesh side accepted.
    public static let dimRange = 1...32
    /// The largest block side the register-level simulation accepts (rows, columns or depth): it steps every PE
    /// every cycle.
    public static let blockSideRange = 1...4096
    /// The largest block side the closed forms accept: a whole matrix's block under a large accumulator (all of
    /// l = 8192 in one block) is priced in O(1), and every count stays far below 2⁶³.
    public static let closedFormSideRange = 1...(1 << 20)

    /// What the execute controller made of the head of its queue.
    public enum RequestKind: String, Sendable, Hashable, CaseIterable {
        case singlePreload = "single preload"
        case mulPre = "mul_pre"
        case singleMul = "single mul"
        case flush
    }

    /// One request to the mesh: its kind, the rows it feeds, and whether it flips the PEs' register roles.
    public struct Request: Sendable, Hashable {
        public var kind: RequestKind
        public var totalRows: Int
        public var flips: Bool
    }

    /// What a block produced on the register-level mesh.
    public struct BlockRun: Sendable, Equatable {
        /// C (rows × columns, row-major), as the accumulator holds it after the block.
        public var c: [Int32]
        /// Clock cycles from the first fire to the cycle the last result row is handed to the accumulator, both
        /// counted (a block whose first fire and last write fall in the same cycle takes 1 cycle).
        public var cycles: Int
        /// Cycles in which a row entered the mesh.
        public var fires: Int
        /// Cycles between the first and the last fire in which no row entered (a full tag queue would cause them).
        public var stallCycles: Int
        /// The requests in issue order.
        public var requests: [Request]

        /// How many requests of one kind the block needed.
        public func count(_ kind: RequestKind) -> Int { requests.filter { $0.kind == kind }.count }
    }

    // MARK: - Closed form

    /// Cycles of one block, in O(1): what ``simulate(a:b:rows:columns:depth:dim:dataflow:meshOutputBits:)`` counts,
    /// from the structure of the command stream and the mesh's fill and drain.
    ///
    /// Let I = ⌈rows/DIM⌉, J = ⌈columns/DIM⌉, K = ⌈depth/DIM⌉, and L = 2·DIM the latency from a row's fire to the
    /// cycle its result row reaches the accumulator (see ``latencyCycles(dim:)``).
    ///
    /// **Weight stationary.** There are G = J·K weight tiles, each streamed past by I A tiles. The 2·I·G commands
    /// become one single preload, I·G − 1 mul_pre and one single mul. Fires:
    /// - the single preload brings the first weights: DIM;
    /// - the last compute of each of the first G − 1 groups is overlapped with the preload of the next weights:
    ///   DIM each, G − 1 of them;
    /// - every other compute except the very last brings no weights: max(rows of its A tile, 4). These are the
    ///   computes i = 0 … I − 2 of every group, whose A tiles are full (only i = I − 1 can be ragged), so each costs
    ///   F = max(DIM, 4), G·(I − 1) of them;
    /// - the single mul at the end: max(r, 4), r = rows − (I − 1)·DIM the rows of the last A tile.
    ///
    /// The last result row written is row r − 1 of the single mul (its rows r … max(r, 4) − 1 are padding that is
    /// not written), so the block ends L cycles after that row's fire:
    ///
    ///     cycles_WS = DIM + (G − 1)·DIM + G·(I − 1)·F + r + L = G·DIM + G·(I − 1)·F + r + 2·DIM.
    ///
    /// With full tiles and DIM ≥ 4 this is DIM·(1 + I·J·K) + 2·DIM: after the first weight tile the mesh takes a row
    /// every cycle, because the next weights stream into the second register of every PE while the current ones
    /// compute (double buffering).
    ///
    /// **Output stationary.** I·J·K computes, each with its own preload; the controller makes a single preload,
    /// I·J·K − 1 mul_pre, a single mul and, once the queue is empty, a flush. OS never shortens a request, so every
    /// one feeds DIM rows: DIM·(I·J·K + 2) fires. The last tile's sums leave the PEs during the flush (its flip turns
    /// the accumulating register into the shift chain); row DIM − 1 − m of the tile reaches the accumulator L cycles
    /// after the flush's fire m, and row 0 (always a real row) comes last:
    ///
    ///     cycles_OS = DIM·(I·J·K + 2) + 2·DIM = DIM·(I·J·K + 4),
    ///
    /// the same for ragged and full edges.
    ///
    /// ```swift
    /// try GemminiMesh.blockCycles(rows: 1, columns: 16, depth: 16, dim: 16, dataflow: .weightStationary)  // 49
    /// try GemminiMesh.blockCycles(rows: 1, columns: 16, depth: 16, dim: 16, dataflow: .outputStationary)  // 80
    /// ```
    public static func blockCycles(rows: Int, columns: Int, depth: Int, dim: Int, dataflow: Dataflow)
        throws(ConfigurationError) -> Int {
        let fires = try blockFires(rows: rows, columns: columns, depth: depth, dim: dim, dataflow: dataflow)
        guard dataflow == .weightStationary else { return fires + latencyCycles(dim: dim) }
        // The single mul's padding rows (up to the floor of 4) are fed but not written.
        let lastRows = Tiles(rows: rows, columns: columns, depth: depth, dim: dim).lastRows
        return fires - max(lastRows, rowsFloorWithoutWeights) + lastRows + latencyCycles(dim: dim)
    }

    /// Rows fed into the mesh for one block (fires), in O(1); the derivation is in
    /// ``blockCycles(rows:columns:depth:dim:dataflow:)``.
    ///
    /// ```swift
    /// try GemminiMesh.blockFires(rows: 1, columns: 16, depth: 16, dim: 16, dataflow: .weightStationary)  // 20
    /// ```
    public static func blockFires(rows: Int, columns: Int, depth: Int, dim: Int, dataflow: Dataflow)
        throws(ConfigurationError) -> Int {
        try validate(rows: rows, columns: columns, depth: depth, dim: dim, dataflow: dataflow)
        let t = Tiles(rows: rows, columns: columns, depth: depth, dim: dim)
        switch dataflow {
        case .weightStationary:
            let groups = t.j * t.k, fullRows = max(dim, rowsFloorWithoutWeights)
            return groups * dim + groups * (t.i - 1) * fullRows + max(t.lastRows, rowsFloorWithoutWeights)
        default:
            return dim * (t.i * t.j * t.k + 2)
        }
    }

    /// Cycles from a row's fire to the cycle its result row is handed to the accumulator: 2·DIM.
    ///
    /// Follow output column c (0 ≤ c < DIM) of a result: the partial-sum input of column c is delayed c registers by
    /// the input skew (`MeshWithDelays.scala`, `shifted`), then passes one pipeline register in front of each of the
    /// DIM PE rows (`Mesh.scala`, `tile_latency + 1` = 1 register per PE), one output register at the bottom
    /// (`mesh_output_delay` = 1), and DIM − 1 − c de-skew registers (`shifted(…, reverse = true)`):
    /// c + DIM + 1 + (DIM − 1 − c) = 2·DIM for every column. The A path agrees: row p of the mesh is delayed p
    /// cycles, and the value crosses c + 1 registers to reach PE (p, c). The execute controller hands the row to the
    /// accumulator in the cycle it leaves the de-skew registers; the accumulator's own read-add-write pipeline
    /// (`AccumulatorMem.scala`) comes after that and is not counted.
    ///
    /// ```swift
    /// GemminiMesh.latencyCycles(dim: 16)   // 32
    /// ```
    public static func latencyCycles(dim: Int) -> Int { 2 * dim }

    // MARK: - Register-level simulation

    /// Runs one block, C = A·B, on a register-level model of a DIM×DIM Gemmini mesh, and counts its cycles.
    ///
    /// A is `rows × depth`, B is `depth × columns`, both `Int8`, row-major; none of the sizes needs to be a multiple
    /// of `dim`. The command stream is the one Gemmini's software issues for the dataflow (see ``GemminiMesh``), the
    /// execute controller turns it into mesh requests, and every register between the scratchpad read and the
    /// accumulator write is kept and stepped once per clock:
    /// - the input buffers `a_buf`, `b_buf`, `d_buf` (`MeshWithDelays.scala`), the A transposer of OS
    ///   (`Transposer.scala`, `AlwaysOutTransposer`: DIM×DIM registers, a counter and a direction), and the input
    ///   skew: row p of A delayed p cycles, column c of B, D, propagate, valid, id and last delayed c cycles;
    /// - in front of every PE one register for each of a, b, d, propagate, valid, id and last (`Mesh.scala`:
    ///   `tile_latency + 1` = 1; b, d and propagate only load while the PE above is valid, a and valid always shift);
    /// - every PE's two registers c1 and c2 (`PE.scala`). WS: the propagate bit selects the register that computes
    ///   (set: c2 computes, c1 loads d and drives the output down; clear: the other way round), and the partial sum
    ///   b + a·w flows down. OS: the selected register accumulates a·b, the other one loads d and drives its old value
    ///   down, so a flip turns the finished sums into a shift chain that empties through the bottom of the mesh
    ///   while the zeros loaded before the flip become the new accumulator. Registers load only when valid;
    /// - at the bottom one output register per column (`mesh_output_delay` = 1) and the de-skew registers
    ///   (column c delayed DIM − 1 − c; valid, id and last of column 0 delayed DIM − 1);
    /// - after the mesh, the tag and total-rows queues that match result rows to the C address of the preload that
    ///   named them (WS: the outputs of the next request; OS: of the request after that), and the write counter.
    ///
    /// The sums a PE emits wrap at `meshOutputBits` (Gemmini's 20 by default). In WS this bounds one column's sum of
    /// DIM products, which with 20 bits can only wrap at DIM = 32 with every operand −128; in OS it bounds a PE's
    /// whole reduction over the block's depth, so deep OS reductions wrap where WS, which adds the tiles in the
    /// 32-bit accumulator, does not. Pass 32 for
    /// a plain `Int32` GEMM. The accumulator adds with wrapping 32-bit arithmetic.
    ///
    /// Simplified: commands are always ready (no DMA or reservation-station stalls); A, B and the weights sit in
    /// different scratchpad banks, so the controller never holds a read back for a bank conflict; the scratchpad
    /// read latency and the controller's queue before the mesh are not stepped, since they only shift the first
    /// fire; the PE's `shift` is 0, so the rounding shift of OS results and the `last_s` register it uses are left
    /// out, and the `dataflow` and `shift` control bits, constant within a block, are not stored per PE; values that the hardware takes from unused command slots (the D rows of a single mul) are zeros; in OS the
    /// block starts with `in_prop_flush` clear (as after any WS work: a block that follows another OS block starts
    /// with it set, which changes neither the timing nor the results). The accumulator's read-add-write pipeline
    /// is not stepped: a row counts as written in the cycle the controller hands it over. Gemmini itself requires
    /// DIM to be a power of two (the transposer checks it); the model accepts any DIM in 1...32.
    ///
    /// ```swift
    /// let run = try GemminiMesh.simulate(a: a, b: b, rows: 1, columns: 16, depth: 16, dim: 16,
    ///                                    dataflow: .weightStationary)
    /// run.cycles                    // 49: 16 weight rows, then A's one row, written 2·16 cycles after it enters
    /// run.fires                     // 20: the single mul still feeds 4 rows (the floor)
    /// run.count(.singlePreload)     // 1
    /// ```
    public static func simulate(a: [Int8], b: [Int8], rows: Int, columns: Int, depth: Int, dim: Int,
                                dataflow: Dataflow, meshOutputBits: Int = defaultMeshOutputBits)
        throws(ConfigurationError) -> BlockRun {
        try validate(rows: rows, columns: columns, depth: depth, dim: dim, dataflow: dataflow, sides: blockSideRange)
        try ConfigurationError.require(meshOutputBits, in: 16...32, field: "meshOutputBits")
        guard a.count == rows * depth else {
            throw ConfigurationError(field: "a", message: "\(a.count) values for \(rows)×\(depth)")
        }
        guard b.count == depth * columns else {
            throw ConfigurationError(field: "b", message: "\(b.count) values for \(depth)×\(columns)")
        }
        let block = Block(a: a, b: b, rows: rows, columns: columns, depth: depth, dim: dim)
        let commands = dataflow == .weightStationary ? block.weightStationaryCommands() : block.outputStationaryCommands()
        let requests = controllerRequests(commands, dim: dim, dataflow: dataflow)
        var mesh = MeshRegisters(block: block, dataflow: dataflow, outputBits: meshOutputBits)
        let result = try mesh.run(requests)
        return BlockRun(c: result.c, cycles: result.cycles, fires: result.fires, stallCycles: result.stallCycles,
                        requests: requests.map { Request(kind: $0.kind, totalRows: $0.totalRows, flips: $0.propagate) })
    }

    /// The plain triple loop the simulation must equal when no PE sum wraps: C (rows × columns) = A · B in `Int32`.
    public static func referenceGEMM(a: [Int8], b: [Int8], rows: Int, columns: Int, depth: Int) -> [Int32] {
        var c = [Int32](repeating: 0, count: rows * columns)
        for i in 0..<rows {
            for p in 0..<depth {
                let x = Int32(a[i * depth + p])
                for j in 0..<columns { c[i * columns + j] &+= x &* Int32(b[p * columns + j]) }
            }
        }
        return c
    }

    static func validate(rows: Int, columns: Int, depth: Int, dim: Int, dataflow: Dataflow,
                         sides: ClosedRange<Int> = closedFormSideRange) throws(ConfigurationError) {
        try ConfigurationError.require(dim, in: dimRange, field: "dim")
        try ConfigurationError.require(rows, in: sides, field: "rows")
        try ConfigurationError.require(columns, in: sides, field: "columns")
        try ConfigurationError.require(depth, in: sides, field: "depth")
        guard dataflow != .inputStationary else {
            throw ConfigurationError(field: "dataflow", message: "Gemmini's mesh runs ws or os, not is")
        }
    }
}

// MARK: - The block, its tiles and the command stream

extension GemminiMesh {
    /// Tile counts of a block along each dimension.
    struct Tiles {
        var i: Int, j: Int, k: Int
        /// Rows of A in the last row tile (1…DIM).
        var lastRows: Int

        init(rows: Int, columns: Int, depth: Int, dim: Int) {
            i = (rows + dim - 1) / dim
            j = (columns + dim - 1) / dim
            k = (depth + dim - 1) / dim
            lastRows = rows - (i - 1) * dim
        }
    }

    /// A window of A or B in the scratchpad: its first row and column, and how many rows and columns are real
    /// (the rest of the DIM×DIM tile reads as zeros: `a_rows`, `a_cols`, … in `ExecuteController.scala`).
    struct Operand: Hashable {
        var row0: Int, col0: Int, rows: Int, cols: Int
    }

    /// The accumulator address a PRELOAD names for the results of the compute it is paired with.
    struct OutputTile: Hashable {
        var row0: Int, col0: Int, rows: Int, cols: Int
        /// Add to what the accumulator holds (set), or overwrite it.
        var accumulate: Bool
    }

    enum Command {
        /// `d` nil: the garbage address (zeros); `c` nil: no result is kept.
        case preload(d: Operand?, c: OutputTile?)
        /// `b` nil: the garbage address (zeros).
        case compute(flip: Bool, a: Operand, b: Operand?)
    }

    /// One block's operands and sizes.
    struct Block {
        var a: [Int8], b: [Int8]
        var rows: Int, columns: Int, depth: Int, dim: Int

        var tiles: Tiles { Tiles(rows: rows, columns: columns, depth: depth, dim: dim) }
        func extent(_ index: Int, _ size: Int) -> Int { min(dim, size - index * dim) }
        func aTile(_ i: Int, _ k: Int) -> Operand {
            Operand(row0: i * dim, col0: k * dim, rows: extent(i, rows), cols: extent(k, depth))
        }
        func bTile(_ k: Int, _ j: Int) -> Operand {
            Operand(row0: k * dim, col0: j * dim, rows: extent(k, depth), cols: extent(j, columns))
        }
        func cTile(_ i: Int, _ j: Int, accumulate: Bool) -> OutputTile {
            OutputTile(row0: i * dim, col0: j * dim, rows: extent(i, rows), cols: extent(j, columns), accumulate: accumulate)
        }

        /// `LoopMatmulExecute`: k, j, i; weights preloaded on i = 0; the first k overwrites the accumulator.
        func weightStationaryCommands() -> [Command] {
            let t = tiles
            var commands: [Command] = []
            for k in 0..<t.k {
                for j in 0..<t.j {
                    for i in 0..<t.i {
                        commands.append(.preload(d: i == 0 ? bTile(k, j) : nil, c: cTile(i, j, accumulate: k != 0)))
                        commands.append(.compute(flip: i == 0, a: aTile(i, k), b: nil))
                    }
                }
            }
            return commands
        }

        /// `sp_tiled_matmul_os`: i, j, k; a preload of zeros before every compute, naming C only on the last k;
        /// C addresses carry the accumulate bit (`C_sp_addr_start`), so results add to the accumulator.
        func outputStationaryCommands() -> [Command] {
            let t = tiles
            var commands: [Command] = []
            for i in 0..<t.i {
                for j in 0..<t.j {
                    for k in 0..<t.k {
                        commands.append(.preload(d: nil, c: k == t.k - 1 ? cTile(i, j, accumulate: true) : nil))
                        commands.append(.compute(flip: k == 0, a: aTile(i, k), b: bTile(k, j)))
                    }
                }
            }
            return commands
        }

        /// Row `s` of an A operand (DIM values, zeros past its real rows and columns).
        func aRow(_ o: Operand?, _ s: Int, into row: inout [Int32]) {
            for p in 0..<dim { row[p] = 0 }
            guard let o, s < o.rows else { return }
            let base = (o.row0 + s) * depth + o.col0
            for p in 0..<o.cols { row[p] = Int32(a[base + p]) }
        }

        /// Row `r` of a B operand (DIM values, zeros past its real rows and columns).
        func bRow(_ o: Operand?, _ r: Int, into row: inout [Int32]) {
            for q in 0..<dim { row[q] = 0 }
            guard let o, r >= 0, r < o.rows else { return }
            let base = (o.row0 + r) * columns + o.col0
            for q in 0..<o.cols { row[q] = Int32(b[base + q]) }
        }
    }

    /// One mesh request with the operands its fires read.
    struct MeshRequest {
        var kind: RequestKind
        /// The request's propagate bit: it flips the PEs' register roles (`in_prop ^= propagate`).
        var propagate: Bool
        var totalRows: Int
        /// Rows fed as A: into the mesh (WS) or into the transposer (OS).
        var a: Operand?
        /// Rows fed on the mesh's b input: OS weights; WS partial-sum inputs (the garbage address in our streams).
        var b: Operand?
        /// Rows fed on the mesh's d input, last row first (`d_address = base + DIM − 1 − counter`).
        var d: Operand?
        /// The C address that the results of a later request go to (nil: garbage, nothing written).
        var tag: OutputTile?
    }

    /// The execute controller's decisions, head of queue first (`ExecuteController.scala`, state `waiting_for_cmd`).
    static func controllerRequests(_ commands: [Command], dim: Int, dataflow: Dataflow) -> [MeshRequest] {
        let ws = dataflow == .weightStationary
        var requests: [MeshRequest] = []
        var inPropFlush = false      // WS clears it; OS sets it when a preload names a real C address
        var head = 0
        func total(a: Operand?, b: Operand?, d: Operand?) -> Int {
            // WS with garbage D: max(rows_a, rows_b, 4), a garbage operand counting 1. Otherwise block_size.
            guard ws, d == nil else { return dim }
            return max(a?.rows ?? 1, b?.rows ?? 1, rowsFloorWithoutWeights)
        }
        while head < commands.count {
            switch commands[head] {
            case let .preload(d, c):
                // Single preload. In OS the next compute's A already enters the transposer.
                var a: Operand? = nil
                if !ws, head + 1 < commands.count, case let .compute(_, nextA, _) = commands[head + 1] { a = nextA }
                requests.append(MeshRequest(kind: .singlePreload, propagate: inPropFlush, totalRows: total(a: nil, b: nil, d: d),
                                            a: a, b: nil, d: d, tag: c))
                if !ws { inPropFlush = c != nil }
                head += 1
            case let .compute(flip, a, b):
                if head + 2 < commands.count, case let .preload(d, c) = commands[head + 1] {
                    // mul_pre. In OS the A entering the transposer is the compute after the preload's.
                    var fedA: Operand? = a
                    if !ws {
                        fedA = nil
                        if case let .compute(_, nextA, _) = commands[head + 2] { fedA = nextA }
                    }
                    requests.append(MeshRequest(kind: .mulPre, propagate: flip, totalRows: total(a: a, b: b, d: d),
                                                a: fedA, b: b, d: d, tag: c))
                    if !ws { inPropFlush = c != nil }
                    head += 2
                } else {
                    // Single mul: in OS its A is already in the transposer; zeros go in behind it.
                    requests.append(MeshRequest(kind: .singleMul, propagate: flip, totalRows: total(a: a, b: b, d: nil),
                                                a: ws ? a : nil, b: b, d: nil, tag: nil))
                    head += 1
                }
            }
        }
        if !ws {
            // The queue is empty and sums are still in the PEs: flush with the last preload's flip.
            requests.append(MeshRequest(kind: .flush, propagate: inPropFlush, totalRows: dim, a: nil, b: nil, d: nil, tag: nil))
        }
        return requests
    }
}
