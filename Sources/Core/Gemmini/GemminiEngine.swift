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
/// b + 1 computes. The tile-level rules, per block in Gemmini's (i, j, k) block order:
/// - loads start when the read channel is free and the scratchpad half is free (block b − 2 has finished
///   computing); they stream at the bus rate, each row rounded up to whole 16 B beats;
/// - computing starts when the execute unit is free, the first weight tile and the first A tiles have arrived
///   (the loop unroller's `ld_ahead`), and the accumulator half has been emptied by the store of the C block
///   that last used it; it cannot end before the last load plus the work of the last reduction tile;
/// - stores (only when the block completes its C block) start once the last reduction tile is under way and
///   end no sooner than the last result leaves the mesh plus one row's transfer;
/// - reads and writes use separate TileLink channels (reads return on D, writes carry data on A; `DMA.scala`'s
///   `StreamReader` and `StreamWriter` are separate clients).
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
    /// preload of the first weights, then every compute, the last one a single compute of max(r, 4) rows), the
    /// fires of its last reduction tile (J weight tiles, each streamed past by I A tiles), and r, the rows of its
    /// last A tile. In a stream of blocks the last compute of one block and the first preload of the next pair
    /// up into one DIM-row request, saving the max(r, 4) rows of the single compute.
    func execution(_ block: GemminiTiling.Block) throws(ConfigurationError)
        -> (fires: Int, lastReduction: Int, finalCompute: Int, lastRows: Int) {
        let s = block.shape
        let fires = try GemminiMesh.blockFires(rows: s.m, columns: s.n, depth: s.k, dim: dim, dataflow: .weightStationary)
        let tilesI = (s.m + dim - 1) / dim, tilesJ = (s.n + dim - 1) / dim
        let lastRows = s.m - (tilesI - 1) * dim
        let lastReduction = tilesJ * ((tilesI - 1) * max(dim, GemminiMesh.rowsFloorWithoutWeights) + dim)
        return (fires, lastReduction, max(lastRows, GemminiMesh.rowsFloorWithoutWeights), lastRows)
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

    /// The block pipeline (see the type's documentation) over Gemmini's blocks of `s` under `tiling`.
    func run(_ s: GEMMShape, tiling: GemminiTiling, inputBytes: Int, outputBytes: Int)
        throws(ConfigurationError) -> GemminiMatmulStats {
        let blocks = tiling.blocks(s)
        let latency = Double(pipelineLatency)
        var readFree = 0.0, writeFree = 0.0, executeFree = 0.0
        var previousFinal = 0.0                          // the rows of the previous block's single compute
        var scratchpadFree = [0.0, 0.0], accumulatorFree = [0.0, 0.0]
        var cBlock = -1, executeEnd = 0.0, storeEnd = 0.0
        var busy = 0.0, loadCycles = 0.0, storeCycles = 0.0, loadBytes = 0, storeBytes = 0, folds = 0, sharing = 0
        for (b, block) in blocks.enumerated() {
            let r = block.rows.count, c = block.columns.count, d = block.depth.count
            if block.first { cBlock += 1 }
            let tiles = { (x: Int) in (x + self.dim - 1) / self.dim }
            if tiles(r) * tiles(d) * dim > bankRows || tiles(d) * tiles(c) * dim > bankRows { sharing += 1 }
            // Loads: A (r × d) and B (d × c), streamed at the bus rate once the scratchpad half is free.
            let loadA = transferCycles(rows: r, columns: d, bytes: inputBytes)
            let loadB = transferCycles(rows: d, columns: c, bytes: inputBytes)
            let load = loadA + loadB
            let loadStart = max(readFree, scratchpadFree[b % 2])
            let loadEnd = loadStart + load
            readFree = loadEnd
            // The first weight tile and the first row of A tiles (one mvin wide) must be in before computing.
            let firstDepth = min(d, tilesPerMove * dim)
            let firstLoad = transferCycles(rows: r, columns: firstDepth, bytes: inputBytes)
                + transferCycles(rows: min(d, dim), columns: min(c, tilesPerMove * dim), bytes: inputBytes)
            let x = try execution(block)
            let ready = max(loadStart + firstLoad, block.first ? accumulatorFree[cBlock % 2] : 0)
            // The first weight preload pairs with the previous block's last compute when it is ready in time.
            let paired = b > 0 && ready <= executeFree - previousFinal
            let start = paired ? executeFree - previousFinal : max(executeFree, ready)
            let work = Double(x.fires)
            executeEnd = max(start + work, loadEnd + Double(x.lastReduction))
            busy += paired ? work - previousFinal : work
            executeFree = executeEnd
            previousFinal = Double(x.finalCompute)
            if b == blocks.count - 1 {
                // Nothing follows: the last result row is the r-th of the single compute (its padding rows are not written).
                executeEnd -= Double(x.finalCompute - x.lastRows)
            }
            scratchpadFree[b % 2] = executeEnd
            folds += ((d + dim - 1) / dim) * ((c + dim - 1) / dim)
            loadCycles += load
            loadBytes += (r * d + d * c) * inputBytes
            if block.last {
                let store = transferCycles(rows: r, columns: c, bytes: outputBytes)
                let oneRow = transferCycles(rows: 1, columns: c, bytes: outputBytes)
                let storeStart = max(writeFree, executeEnd - Double(x.lastReduction) + latency)
                storeEnd = max(storeStart + store, executeEnd + latency + oneRow)
                writeFree = storeEnd
                accumulatorFree[cBlock % 2] = storeEnd
                storeCycles += store
                storeBytes += r * c * outputBytes
            }
        }
        let total = max(executeEnd + latency, storeEnd)
        for value in [total, loadCycles + storeCycles] where !(value < GemminiMatmul.cycleLimit) {
            throw ConfigurationError(field: "l2-bandwidth", message: "the matmul \(s.m)×\(s.n)×\(s.k) takes more than 2^53 cycles at \(busBytes) B/cycle")
        }
        return GemminiMatmulStats(shape: s, tiling: tiling, blocks: blocks.count, folds: folds, computeCycles: Int(busy),
                                  loadBytes: loadBytes, storeBytes: storeBytes, dmaCycles: Int(loadCycles + storeCycles),
                                  totalCycles: Int(total), peakMACsPerCycle: dim * dim, bankSharingBlocks: sharing)
    }
}
