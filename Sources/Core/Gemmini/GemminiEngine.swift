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
/// Left out, and said so in the reports: L2 misses and DRAM latency (with 16 requests of 64 B in flight the bus
/// stays full while a round trip takes ≤ 64 cycles; see ``busFullLatencyLimit``), TLB misses (`tlb_size = 4`),
/// the read-request beats on channel A, scratchpad bank conflicts between DMA writes and mesh reads (the two loops
/// use different halves, so different banks with `sp_banks = 4`), and the host CPU's time to issue commands.
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
    public var dim: Int
    /// Cycles from a read request to its data (``Accelerator/memoryLatencyCycles``); 0 = not modelled.
    public var memoryLatency: Double

    public init(accelerator a: Accelerator) {
        dim = a.meshRows
        busBytes = a.l2BytesPerCycle
        memoryLatency = a.memoryLatencyCycles
        tilesPerMove = max(1, maxRequestBytes / (a.meshRows * max(1, a.inputBits / 8)))
    }

    /// The longest memory round trip, in cycles, for which `requestsInFlight` requests of `maxRequestBytes` keep
    /// the bus busy: beyond it the DMA is latency-bound.
    public var busFullLatencyLimit: Double { Double(requestsInFlight * maxRequestBytes) / busBytes }

    /// Cycles from the first row fed into the mesh to the last result written, beyond the rows themselves: the
    /// scratchpad read, then the mesh's fill and drain (``GemminiMesh/latency(dim:)``).
    public var pipelineLatency: Int { scratchpadReadDelay + 2 * dim + 2 }  // TODO(mesh): GemminiMesh's latency

    /// Cycles the execute unit spends on one block's computes, without the first weight preload and the pipeline
    /// latency. Only the last row tile of a block can be ragged, and it is the one that carries the next weight
    /// tile, so: per weight tile, I − 1 computes of max(DIM, 4) rows and one of DIM rows. `finalCompute` is what
    /// the block's very last compute costs instead of DIM when no weight tile follows it (a single compute:
    /// max(rows, 4)).
    func execution(_ block: GemminiTiling.Block) -> (cycles: Int, lastReduction: Int, finalCompute: Int) {
        let d = dim
        let tilesI = (block.rows.count + d - 1) / d
        let tilesJ = (block.columns.count + d - 1) / d
        let tilesK = (block.depth.count + d - 1) / d
        let lastRows = block.rows.count - (tilesI - 1) * d
        let weightTile = (tilesI - 1) * max(d, minimumRows) + d
        return (tilesK * tilesJ * weightTile, tilesJ * weightTile, max(lastRows, minimumRows))
    }

    /// Cycles to move a `rows × columns` block of `bytes`-byte values: the loop unroller moves up to
    /// `tilesPerMove` tiles of a row per `mvin`/`mvout`; each row of a move is split into requests of at most
    /// `maxRequestBytes` and rounded up to whole beats. With a memory latency L, no more than `requestsInFlight`
    /// requests per L cycles can be issued (`inRead` only: writes are posted).
    func transferCycles(rows: Int, columns: Int, bytes: Int, read: Bool = true) -> Double {
        let width = tilesPerMove * dim
        func row(_ columns: Int) -> Double {
            let rowBytes = Double(columns * bytes)
            let beats = (rowBytes / busBytes).rounded(.up)
            guard read && memoryLatency > 0 else { return beats }
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
        var previousFinal = 0.0                          // the last compute of the block before, if it could pair
        var scratchpadFree = [0.0, 0.0], accumulatorFree = [0.0, 0.0]
        var cBlock = -1, executeEnd = 0.0, storeEnd = 0.0
        var busy = 0.0, loadCycles = 0.0, storeCycles = 0.0, loadBytes = 0, storeBytes = 0, folds = 0
        for (b, block) in blocks.enumerated() {
            let r = block.rows.count, c = block.columns.count, d = block.depth.count
            if block.first { cBlock += 1 }
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
            let x = execution(block)
            let ready = max(loadStart + firstLoad, block.first ? accumulatorFree[cBlock % 2] : 0)
            // The first weight preload pairs with the previous block's last compute when it is ready in time.
            let paired = b > 0 && ready <= executeFree - previousFinal
            let start = paired ? executeFree - previousFinal : max(executeFree, ready)
            // Nothing follows the matmul's last compute: it streams its own rows only.
            let trim = b == blocks.count - 1 ? Double(dim - x.finalCompute) : 0
            let work = Double(dim) + Double(x.cycles) - trim
            executeEnd = max(start + work, loadEnd + Double(x.lastReduction))
            busy += paired ? work - previousFinal : work
            executeFree = executeEnd
            previousFinal = Double(dim)
            scratchpadFree[b % 2] = executeEnd
            folds += ((d + dim - 1) / dim) * ((c + dim - 1) / dim)
            loadCycles += load
            loadBytes += (r * d + d * c) * inputBytes
            if block.last {
                let store = transferCycles(rows: r, columns: c, bytes: outputBytes, read: false)
                let oneRow = transferCycles(rows: 1, columns: c, bytes: outputBytes, read: false)
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
                                  totalCycles: Int(total), peakMACsPerCycle: dim * dim)
    }
}
