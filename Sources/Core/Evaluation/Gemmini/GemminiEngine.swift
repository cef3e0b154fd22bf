/// The parts of Gemmini around the mesh that set how busy it is: the execute controller's command pairing, the
/// hardware loop unroller's two loops in flight, and the DMA. Constants come from Gemmini's own source, cited by
/// file; none is fitted to the survey.
///
/// | constant | value | source |
/// |---|---|---|
/// | DMA bus | 16 B per beat | `Configs.scala` `defaultConfig.dma_buswidth = 128` (bits) |
/// | largest DMA request | 64 B | `Configs.scala` `dma_maxbytes = 64` |
/// | requests in flight | 16 | `Configs.scala` `max_in_flight_mem_reqs = 16` |
/// | loops in flight | 2 | `LoopMatmul.scala` `concurrent_loops = 2` |
/// | tiles per `mvin` | 4 | `LoopMatmul.scala` `max_block_len = dma_maxbytes / (DIM · 1 B)` |
/// | rows of a compute without new weights | max(rows, 4) | `ExecuteController.scala` (`total_rows` floor) |
/// | scratchpad read latency | 4 cycles | `GemminiConfigs.scala` `spad_read_delay = 4` |
///
/// How a block runs (the loop unroller's `LoopMatmulExecute`, order k, j, i): for every weight tile B(k, j) a
/// PRELOAD puts it into the PEs' shadow registers while the previous tile still computes (the double-buffered
/// weights of ``GemminiMesh``), then I computes stream the A tiles past it. The execute controller overlaps a
/// COMPUTE with the PRELOAD that follows it, so the only compute that costs a full DIM rows regardless of its own
/// rows is the last one of each weight tile (it carries the next tile's weights); the others cost max(rows, 4).
///
/// How blocks overlap: `tiled_matmul_auto` halves the scratchpad and the accumulator, and `LoopMatmul` keeps two
/// loops in flight, so block b's loads run while block b − 1 computes, and block b's results leave while block
/// b + 1 computes. The engine follows every tile's address (``Layout``) the way Gemmini's reservation station
/// tracks dependencies, in Gemmini's (i, j, k) block order:
/// - moves in (``loadMoves(_:_:_:inputBytes:)``, the loop unroller's order) stream on the read channel, each once
///   the mesh has last read the tiles it overwrites; the block's requests cannot end before a move arrives plus
///   all the work from the first request that needs it;
/// - the block's first compute waits for its first weights and A tile; on a fresh C block, a compute waits for
///   the store that last read its accumulator tile; the block's first preload pairs with the previous block's
///   last compute when its weights are in by then;
/// - moves out (``storeMoves(_:_:_:outputBytes:)``) stream on the write channel, each once its tiles' last
///   reduction has left the mesh;
/// - reads and writes use separate TileLink channels (reads return on D, writes carry data on A; `DMA.scala`'s
///   `StreamReader` and `StreamWriter` are separate clients).
///
/// The one simplification against ``GemminiCommandSimulator``, which times every command on its own: a block's
/// requests are taken to run back to back, with any stall placed before them. On BERT's matmuls the two agree to
/// within 2% (a test); they part where a weight tile arrives after the compute it would pair with has started.
///
/// Left out by default, and said so in the reports: L2 misses and DRAM latency (``Accelerator/memoryLatencyCycles``
/// = 0; with 16 requests of 64 B in flight the bus stays full while a round trip takes ≤ 64 cycles, see
/// ``busFullLatencyLimit``), TLB misses (`tlb_size = 4`),
/// the read-request beats on channel A, scratchpad bank conflicts between DMA writes and mesh reads (the two loops
/// use different halves, so different banks with `sp_banks = 4`), and the host CPU's time to issue commands. A
/// and the weights of one loop share a bank only when either region outgrows one bank (A fills its half from the
/// start, B from the end; `LoopMatmul.scala`); the engine does not price that case but counts the blocks where it
/// could happen (``GemminiMatmulStats/bankSharingBlocks``), and BERT's matmuls have none.
///
/// ```swift
/// let s = try GemminiMatmul.cycles(GEMMShape(m: 512, n: 3072, k: 768), accelerator: .gemminiBaseline)
/// s.utilization      // close to 1: the weights are double-buffered and the loads hide behind compute
/// ```
public struct GemminiEngine: Sendable, Hashable {
    /// Bytes per beat of the DMA bus (`dma_buswidth / 8`).
    public var busBytes: Double
    /// Largest single DMA request (`dma_maxbytes`).
    public var maxRequestBytes: Int = 64
    /// Requests the DMA keeps in flight (`max_in_flight_mem_reqs`).
    public var requestsInFlight: Int = 16
    /// Tiles one `mvin` covers along a row (`max_block_len`).
    public var tilesPerMove: Int
    /// A compute streams at least this many rows (`ExecuteController`'s `total_rows` floor).
    public var minimumRows: Int = 4
    /// Cycles from a scratchpad read request to the data at the mesh (`spad_read_delay`).
    public var scratchpadReadDelay: Int = 4
    /// Scratchpad banks (`Configs.scala` `sp_banks = 4`).
    public var scratchpadBanks: Int = 4
    /// Rows of `DIM` inputs in one scratchpad bank.
    public var bankRows: Int
    public var dim: Int
    /// Cycles from a read request to its data (``Accelerator/memoryLatencyCycles``); 0 = not modelled.
    public var memoryLatency: Double

    public init(accelerator a: Accelerator) {
        dim = a.meshRows
        bankRows = a.spCapacityBytes / (a.meshRows * max(1, a.inputBits / 8)) / scratchpadBanks
        busBytes = a.l2BytesPerCycle
        memoryLatency = a.memoryLatencyCycles
        tilesPerMove = max(1, maxRequestBytes / (a.meshRows * max(1, a.inputBits / 8)))
    }

    /// The longest memory round trip, in cycles, for which `requestsInFlight` requests of `maxRequestBytes` keep
    /// the bus busy: beyond it the DMA is latency-bound.
    public var busFullLatencyLimit: Double { Double(requestsInFlight * maxRequestBytes) / busBytes }

    /// Cycles from the first row fed into the mesh to the last result written, beyond the rows themselves: the
    /// scratchpad read, then the mesh's fill and drain (``GemminiMesh/latency(dim:)``).
    public var pipelineLatency: Int { scratchpadReadDelay + GemminiMesh.latencyCycles(dim: dim) }

    /// One block on the mesh, from ``GemminiMesh``'s closed form: the rows it feeds when it runs alone (a single
    /// preload of the first weights, then every compute, the last one a single compute of max(r, 4) rows) and r,
    /// the rows of its last A tile. In a stream of blocks the last compute of one block and the first preload of
    /// the next pair up into one DIM-row request, saving the max(r, 4) rows of the single compute.
    ///
    /// `before(k, j, i)` is the number of rows fed before compute (k, j, i) starts, in the loop unroller's order
    /// (k, j, i), counting the block's first weight preload: DIM + (k·J + j)·W + i·F, with F = max(DIM, 4) for a
    /// compute without new weights and W = (I − 1)·F + DIM for one weight tile.
    struct Execution {
        var fires: Int, finalCompute: Int, lastRows: Int
        var tilesI: Int, tilesJ: Int, tilesK: Int, plain: Int, weightTile: Int, dim: Int
        func before(_ k: Int, _ j: Int, _ i: Int) -> Int { dim + (k * tilesJ + j) * weightTile + i * plain }
    }

    func execution(_ s: GEMMShape) throws(ConfigurationError) -> Execution {
        let fires = try GemminiMesh.blockFires(rows: s.m, columns: s.n, depth: s.k, dim: dim, dataflow: .weightStationary)
        let tilesI = (s.m + dim - 1) / dim, tilesJ = (s.n + dim - 1) / dim, tilesK = (s.k + dim - 1) / dim
        let lastRows = s.m - (tilesI - 1) * dim
        let plain = max(dim, GemminiMesh.rowsFloorWithoutWeights)
        return Execution(fires: fires, finalCompute: max(lastRows, GemminiMesh.rowsFloorWithoutWeights), lastRows: lastRows,
                         tilesI: tilesI, tilesJ: tilesJ, tilesK: tilesK, plain: plain, weightTile: (tilesI - 1) * plain + dim,
                         dim: dim)
    }

    /// A lower bound on ``run(_:tiling:inputBytes:outputBytes:skipRepeats:)``'s total cycles from the mesh alone, in
    /// O(1): every block feeds its rows (``execution(_:)``'s `fires`), less the single compute that pairs with the
    /// next block's first preload (at most `finalCompute` rows, and none after the last block, whose padding rows
    /// are not written), plus the pipeline latency. The engine's `executeEnd` never runs ahead of that: each block
    /// ends at least its fires after the previous block's end, less the rows it paired away.
    func meshBound(_ s: GEMMShape, tiling: GemminiTiling) throws(ConfigurationError) -> Double {
        let shapes = tiling.blockShapes(s)
        var total = 0.0
        for (shape, count) in shapes {
            let x = try execution(shape)
            total += Double(count) * Double(x.fires - x.finalCompute)
        }
        return total + Double(try execution(shapes.last!.shape).lastRows + pipelineLatency)
    }

    /// The latest of `times` over `tiles` (no allocation: the engine runs this per move).
    static func latest(_ times: [Double], _ tiles: Range<Int>) -> Double {
        var t = 0.0
        for i in tiles where times[i] > t { t = times[i] }
        return t
    }

    /// The rows of tile t of a range cut into DIM-wide tiles.
    func tileSize(_ range: Range<Int>, _ t: Int) -> Int { min(range.count, (t + 1) * dim) - t * dim }

    /// Where a block's tiles live (`LoopMatmul.scala`): loop slot s = b mod 2 keeps A(i, k) at scratchpad tile
    /// s·half + i·K + k and B(k, j) at tile (s + 1)·half − K·J + k·J + j; C(i, j) sits at tile i·J + j of the
    /// accumulator half that the unroller switches after every block that stores its C. Tiles are DIM rows.
    struct Layout: Equatable { var a: Int, b: Int, c: Int }

    static func layouts(_ blocks: [GemminiTiling.Block], tiling: GemminiTiling) -> [Layout] {
        let d = tiling.dim, half = tiling.scratchpadRowsPerBlock / d, accHalf = tiling.accumulatorRowsPerBlock / d
        var cHalf = -1
        return blocks.enumerated().map { index, block in
            if block.first { cHalf += 1 }
            let tk = (block.depth.count + d - 1) / d, tj = (block.columns.count + d - 1) / d
            let slot = index % 2
            return Layout(a: slot * half, b: (slot + 1) * half - tk * tj, c: (cHalf % 2) * accHalf)
        }
    }

    /// One `mvin` or `mvout`: the tiles it covers, its transfer cycles, and (for moves in) the rows the mesh feeds
    /// before the first request that needs it.
    struct Move { var tiles: Range<Int>; var cycles: Double; var before: Int; var row: Int = 0; var lastColumn: Int = 0 }

    /// The block's moves in, in the load unit's order: A's and B's moves alternate; A by groups of `tilesPerMove`
    /// along k with i inner (`LoopMatmulLdA`), B by groups along j with j inner (`LoopMatmulLdB`).
    func loadMoves(_ block: GemminiTiling.Block, _ x: Execution, _ l: Layout, inputBytes: Int) -> [Move] {
        var a: [Move] = [], b: [Move] = []
        let move = tilesPerMove
        for g in stride(from: 0, to: x.tilesK, by: move) {
            let count = min(move, x.tilesK - g), columns = min(block.depth.count, (g + move) * dim) - g * dim
            for i in 0..<x.tilesI {
                let first = l.a + i * x.tilesK + g
                a.append(Move(tiles: first..<(first + count),
                              cycles: transferCycles(rows: tileSize(block.rows, i), columns: columns, bytes: inputBytes),
                              before: x.before(g, 0, i)))
            }
        }
        for k in 0..<x.tilesK {
            for g in stride(from: 0, to: x.tilesJ, by: move) {
                let count = min(move, x.tilesJ - g), columns = min(block.columns.count, (g + move) * dim) - g * dim
                let first = l.b + k * x.tilesJ + g
                // Weights B(k, g) ride on the request before compute (k, g, 0); the block's first on the first preload.
                b.append(Move(tiles: first..<(first + count),
                              cycles: transferCycles(rows: tileSize(block.depth, k), columns: columns, bytes: inputBytes),
                              before: k == 0 && g == 0 ? 0 : x.before(k, g, 0) - dim))
            }
        }
        var order: [Move] = []
        for n in 0..<max(a.count, b.count) {
            if n < a.count { order.append(a[n]) }
            if n < b.count { order.append(b[n]) }
        }
        return order
    }

    /// The block's moves out (`LoopMatmulStC`): row tile by row tile, groups of `tilesPerMove` along j.
    func storeMoves(_ block: GemminiTiling.Block, _ x: Execution, _ l: Layout, outputBytes: Int) -> [Move] {
        var out: [Move] = []
        for i in 0..<x.tilesI {
            for g in stride(from: 0, to: x.tilesJ, by: tilesPerMove) {
                let count = min(tilesPerMove, x.tilesJ - g), columns = min(block.columns.count, (g + tilesPerMove) * dim) - g * dim
                let first = l.c + i * x.tilesJ + g
                out.append(Move(tiles: first..<(first + count),
                                cycles: transferCycles(rows: tileSize(block.rows, i), columns: columns, bytes: outputBytes),
                                before: 0, row: i, lastColumn: g + count - 1))
            }
        }
        return out
    }

    /// Cycles to move a `rows × columns` block of `bytes`-byte values: the loop unroller moves up to
    /// `tilesPerMove` tiles of a row per `mvin`/`mvout`; each row of a move is split into requests of at most
    /// `maxRequestBytes` and rounded up to whole beats. With a memory round trip of L cycles, no more than
    /// `requestsInFlight` requests per L cycles can be issued: reads wait for their data, writes for their
    /// acknowledgements (`DMA.scala`: `StreamReader` and `StreamWriter` both track `max_in_flight_mem_reqs`
    /// transactions).
    func transferCycles(rows: Int, columns: Int, bytes: Int) -> Double {
        let width = tilesPerMove * dim
        func row(_ columns: Int) -> Double {
            let rowBytes = Double(columns * bytes)
            let beats = (rowBytes / busBytes).rounded(.up)
            guard memoryLatency > 0 else { return beats }
            let requests = (rowBytes / Double(maxRequestBytes)).rounded(.up)
            return max(beats, requests * memoryLatency / Double(requestsInFlight))
        }
        let full = columns / width, rest = columns % width
        return Double(rows) * (Double(full) * row(width) + (rest > 0 ? row(rest) : 0))
    }

    /// The engine's state between blocks: when each scratchpad tile was last read by the mesh and each accumulator
    /// tile by a store, when the channels and the mesh are free, and the totals so far.
    struct State {
        var spLastRead: [Double], accLastRead: [Double]
        var readFree = 0.0, writeFree = 0.0, executeFree = 0.0, executeEnd = 0.0, storeEnd = 0.0
        /// The rows of the previous block's single compute.
        var previousFinal = 0.0
        var busy = 0.0, loadCycles = 0.0, storeCycles = 0.0
        var loadBytes = 0, storeBytes = 0, folds = 0, sharing = 0
        /// Whether every move so far took a whole number of cycles: then every time is a whole number of cycles
        /// (exact in a Double), and shifting them all by the same whole number is exact too.
        var whole = true

        /// The channels' and the mesh's times, which a skipped repeat moves (with the times of the tiles it wrote).
        var clocks: [Double] { [readFree, writeFree, executeFree, executeEnd, storeEnd] }
        /// The totals a repeat of blocks adds to.
        var totals: [Double] {
            [busy, loadCycles, storeCycles, Double(loadBytes), Double(storeBytes), Double(folds), Double(sharing)]
        }
    }

    /// The block pipeline (see the type's documentation) over Gemmini's blocks of `s` under `tiling`.
    ///
    /// Blocks of the same shapes and layouts repeat with a period of two C blocks (the two loop slots and the two
    /// accumulator halves), or of a row of C blocks when its last one is narrower. Where, one period after another,
    /// every time the period wrote has moved by the same whole number of cycles and nothing else has changed, the
    /// next identical period does the same again: every decision compares times the period itself wrote, and whole
    /// numbers of cycles add exactly. `skipRepeats` then adds the period's shift and totals once per repeat instead
    /// of running it, with the same result (a test compares both ways); a fused schedule's hundreds of thousands of
    /// blocks on a small mesh take a few periods.
    func run(_ s: GEMMShape, tiling: GemminiTiling, inputBytes: Int, outputBytes: Int, skipRepeats: Bool = true)
        throws(ConfigurationError) -> GemminiMatmulStats {
        let blocks = tiling.blocks(s)
        let layouts = Self.layouts(blocks, tiling: tiling)
        var state = State(spLastRead: [Double](repeating: 0, count: 2 * tiling.scratchpadRowsPerBlock / dim),
                          accLastRead: [Double](repeating: 0, count: 2 * tiling.accumulatorRowsPerBlock / dim))
        // The blocks repeat every two C blocks (every C block has the same number of K blocks); where the last C
        // block of a row of them is narrower, also every row of C blocks (every two rows when a row has an odd number).
        let perC = (blocks.firstIndex { $0.last } ?? blocks.count - 1) + 1, width = tiling.tileJ * dim
        let perRow = (s.n + width - 1) / width
        let row = perC * perRow * (perRow % 2 == 0 ? 1 : 2)
        let periods = s.n % width == 0 || row == 2 * perC ? [2 * perC] : [2 * perC, row]
        var snapshots: [Int: Snapshot] = [:]   // by period: the state one period ago
        var b = 0
        pipeline: while b < blocks.count {
            for period in periods where skipRepeats && b % period == 0 && b >= period {
                let skipped = repeats(of: period, at: b, blocks: blocks, layouts: layouts, &state, &snapshots)
                if skipped > 0 {
                    b += skipped
                    continue pipeline
                }
            }
            try step(blocks[b], layout: layouts[b], isFirst: b == 0, isLast: b == blocks.count - 1, inputBytes: inputBytes,
                     outputBytes: outputBytes, &state)
            b += 1
        }
        let total = max(state.executeEnd + Double(pipelineLatency), state.storeEnd)
        for value in [total, state.loadCycles + state.storeCycles] where !(value < GemminiMatmul.cycleLimit) {
            throw ConfigurationError(field: "l2Bandwidth", message: "the matmul \(s.m)×\(s.n)×\(s.k) takes more than 2^53 cycles at \(busBytes) B/cycle")
        }
        return GemminiMatmulStats(shape: s, tiling: tiling, blocks: blocks.count, folds: state.folds,
                                  computeCycles: Int(state.busy), loadBytes: state.loadBytes, storeBytes: state.storeBytes,
                                  dmaCycles: Int(state.loadCycles + state.storeCycles), totalCycles: Int(total),
                                  peakMACsPerCycle: dim * dim, bankSharingBlocks: state.sharing)
    }

    /// The state at the start of a block, as far as a repeat of blocks needs it.
    struct Snapshot { var at: Int; var clocks: [Double], totals: [Double], tiles: [Double] }

    /// At block `b`, a boundary of `period`: when the period just run matches the one before it block by block, and
    /// every clock and every tile time it wrote moved by the same whole, positive number of cycles, adds that shift
    /// and the period's totals for each further period that matches (up to the block before the last, which ends
    /// the pipeline differently). Returns the blocks skipped (0: none; `snapshots` then holds this state).
    func repeats(of period: Int, at b: Int, blocks: [GemminiTiling.Block], layouts: [Layout], _ state: inout State,
                 _ snapshots: inout [Int: Snapshot]) -> Int {
        func same(_ t: Int) -> Bool {
            layouts[t] == layouts[t - period] && blocks[t].shape == blocks[t - period].shape
                && blocks[t].first == blocks[t - period].first && blocks[t].last == blocks[t - period].last
        }
        let written = Self.written(blocks[(b - period)..<b], layouts[(b - period)..<b], dim: dim)
        let now = Snapshot(at: b, clocks: state.clocks, totals: state.totals,
                           tiles: written.sp.flatMap { state.spLastRead[$0] } + written.acc.flatMap { state.accLastRead[$0] })
        let previous = snapshots[period]
        snapshots[period] = now
        // The period before must have run from its start (not been skipped into) and match this one block by
        // block, so that the two wrote the same tiles.
        guard let before = previous, before.at == b - period, (b - period..<b).allSatisfy(same) else { return 0 }
        let shift = now.clocks[2] - before.clocks[2]
        guard state.whole, shift > 0, shift == shift.rounded(),
              zip(now.clocks + now.tiles, before.clocks + before.tiles).allSatisfy({ $0 == $1 + shift }),
              zip(now.totals, before.totals).allSatisfy({ $0 - $1 == ($0 - $1).rounded() }) else { return 0 }
        var count = 0
        while b + (count + 1) * period < blocks.count && (b + count * period..<b + (count + 1) * period).allSatisfy(same) {
            count += 1
        }
        guard count > 0 else { return 0 }
        state.shift(by: Double(count) * shift, written: written)
        state.add(zip(now.totals, before.totals).map { Double(count) * ($0 - $1) })
        snapshots = [:]
        return count * period
    }

    /// The scratchpad and accumulator tiles `blocks` write times into (A's and B's tiles; C's of blocks that store),
    /// as disjoint ranges in ascending order.
    static func written(_ blocks: ArraySlice<GemminiTiling.Block>, _ layouts: ArraySlice<Layout>, dim: Int)
        -> (sp: [Range<Int>], acc: [Range<Int>]) {
        var sp: [Range<Int>] = [], acc: [Range<Int>] = []
        for (block, l) in zip(blocks, layouts) {
            let ti = (block.rows.count + dim - 1) / dim, tj = (block.columns.count + dim - 1) / dim
            let tk = (block.depth.count + dim - 1) / dim
            sp += [l.a..<(l.a + ti * tk), l.b..<(l.b + tk * tj)]
            if block.last { acc.append(l.c..<(l.c + ti * tj)) }
        }
        return (disjoint(sp), disjoint(acc))
    }

    /// The union of `ranges` as disjoint ranges in ascending order.
    static func disjoint(_ ranges: [Range<Int>]) -> [Range<Int>] {
        var out: [Range<Int>] = []
        for r in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) where !r.isEmpty {
            if let last = out.last, r.lowerBound <= last.upperBound {
                out[out.count - 1] = last.lowerBound..<max(last.upperBound, r.upperBound)
            } else {
                out.append(r)
            }
        }
        return out
    }

    /// One block through the pipeline (see the type's documentation).
    func step(_ block: GemminiTiling.Block, layout l: Layout, isFirst: Bool, isLast: Bool, inputBytes: Int, outputBytes: Int,
              _ state: inout State) throws(ConfigurationError) {
        let r = block.rows.count, c = block.columns.count, d = block.depth.count
        let x = try execution(block.shape)
        if x.tilesI * x.tilesK * dim > bankRows || x.tilesK * x.tilesJ * dim > bankRows { state.sharing += 1 }
        let work = Double(x.fires)
        // Moves in stream on the read channel in order, each once the mesh has read what it overwrites. The
        // block cannot end before a move arrives plus all the work from the first request that needs it.
        var arrived = state.readFree, loadBound = 0.0, ready = 0.0
        for m in loadMoves(block, x, l, inputBytes: inputBytes) {
            arrived = max(arrived, Self.latest(state.spLastRead, m.tiles)) + m.cycles
            loadBound = max(loadBound, arrived + work - Double(m.before))
            if m.before == 0 { ready = max(ready, arrived) }
            state.loadCycles += m.cycles
            if m.cycles != m.cycles.rounded() { state.whole = false }
        }
        state.readFree = arrived
        // Nor before a C tile's last store (of an earlier block in this accumulator half) plus the work from
        // the first compute that overwrites it.
        var accumulatorBound = 0.0
        if block.first {
            for i in 0..<x.tilesI {
                for j in 0..<x.tilesJ {
                    let free = state.accLastRead[l.c + i * x.tilesJ + j]
                    accumulatorBound = max(accumulatorBound, free + work - Double(x.before(0, j, i)))
                    if i == 0 && j == 0 { ready = max(ready, free) }
                }
            }
        }
        // The first weight preload pairs with the previous block's last compute when it is ready in time.
        let paired = !isFirst && ready <= state.executeFree - state.previousFinal
        let start = paired ? state.executeFree - state.previousFinal : max(state.executeFree, ready)
        state.executeEnd = max(start + work, loadBound, accumulatorBound)
        state.busy += paired ? work - state.previousFinal : work
        state.executeFree = state.executeEnd
        state.previousFinal = Double(x.finalCompute)
        // The block's requests run back to back up to executeEnd; record when the mesh last read each tile.
        let begin = state.executeEnd - work
        for k in 0..<x.tilesK {
            for i in 0..<x.tilesI {
                let fed = i == x.tilesI - 1 ? dim : x.plain
                state.spLastRead[l.a + i * x.tilesK + k] = begin + Double(x.before(k, x.tilesJ - 1, i) + fed)
            }
            for j in 0..<x.tilesJ { state.spLastRead[l.b + k * x.tilesJ + j] = begin + Double(x.before(k, j, 0)) }
        }
        if isLast {
            // Nothing follows: the last result row is the r-th of the single compute (its padding rows are not written).
            state.executeEnd -= Double(x.finalCompute - x.lastRows)
        }
        state.folds += x.tilesK * x.tilesJ
        state.loadBytes += (r * d + d * c) * inputBytes
        if block.last {
            // Moves out on the write channel in order, each once its tiles' last reduction is written.
            for m in storeMoves(block, x, l, outputBytes: outputBytes) {
                let written = begin + Double(x.before(x.tilesK - 1, m.lastColumn, m.row) + tileSize(block.rows, m.row))
                    + Double(pipelineLatency)
                state.writeFree = max(state.writeFree, written) + m.cycles
                for tile in m.tiles { state.accLastRead[tile] = state.writeFree }
                state.storeCycles += m.cycles
                if m.cycles != m.cycles.rounded() { state.whole = false }
            }
            state.storeEnd = max(state.storeEnd, state.writeFree)
            state.storeBytes += r * c * outputBytes
        }
    }
}

extension GemminiEngine.State {
    /// Moves every clock, and every tile time in `written`, `shift` cycles later.
    mutating func shift(by shift: Double, written: (sp: [Range<Int>], acc: [Range<Int>])) {
        readFree += shift; writeFree += shift; executeFree += shift; executeEnd += shift; storeEnd += shift
        for range in written.sp { for t in range { spLastRead[t] += shift } }
        for range in written.acc { for t in range { accLastRead[t] += shift } }
    }

    /// Adds `totals` (as ``totals`` lists them).
    mutating func add(_ totals: [Double]) {
        busy += totals[0]; loadCycles += totals[1]; storeCycles += totals[2]
        loadBytes += Int(totals[3]); storeBytes += Int(totals[4]); folds += Int(totals[5]); sharing += Int(totals[6])
    }
}
