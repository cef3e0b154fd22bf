/// Gemmini's matmul command by command: the second derivation of ``GemminiEngine``'s block-level rules.
///
/// Every `mvin`, PRELOAD/COMPUTE pair and `mvout` that the hardware loop unroller issues (`LoopMatmul.scala`) is
/// timed on the unit that runs it, in program order per unit, and waits for exactly the commands whose
/// scratchpad or accumulator rows it reads or overwrites, as Gemmini's reservation station tracks them
/// (`ReservationStation.scala`: dependencies by local address):
/// - **addresses**: loop slot s (blocks alternate between the two slots of `concurrent_loops = 2`) keeps its A
///   tiles from row s·half of the scratchpad, A(i, k) at tile (i·K + k), and its B tiles ending at row
///   (s + 1)·half, B(k, j) at tile (end − K·J + k·J + j) (`LoopMatmul.scala`); C(i, j) sits at tile (i·J + j) of
///   the accumulator half that the unroller switches after every block that stores its C;
/// - **loads**: `LoopMatmulLdA` moves A in groups of `tilesPerMove` tiles along k (i inner, k outer),
///   `LoopMatmulLdB` B in groups along j (j inner, k outer); the two alternate on the in-order load unit and
///   stream over the DMA's read channel; a move waits until every compute that read its rows before has fed them
///   (write after read);
/// - **execute**: order k, j, i; a compute starts once its A tile has arrived and, on the first k, once the
///   `mvout` that read its C tile before has finished; it feeds DIM rows when the PRELOAD after it carries new
///   weights *and those weights have arrived by then* (the execute controller pairs them), otherwise max(rows, 4)
///   rows, and an unpaired weight PRELOAD then feeds its DIM rows alone; a compute's result is written
///   `scratchpadReadDelay` + ``GemminiMesh/latencyCycles(dim:)`` cycles after its last real row enters;
/// - **stores**: `LoopMatmulStC` moves C row tile by row tile in groups along j, each once its last reduction
///   has been written, over the DMA's write channel.
///
/// The reservation station's capacities (`reservation_station_entries_ld/ex/st` = 8/16/4, `Configs.scala`) never
/// bind here: each unit runs its commands in order and a command leaves the station when it completes, so at
/// most one more than the unit's own work is waiting (said, not modelled).
///
/// ```swift
/// let shape = GEMMShape(m: 512, n: 3072, k: 768)
/// let t = try GemminiTiling(shape, accelerator: .gemminiBaseline)
/// let sim = try GemminiCommandSimulator.run(shape, tiling: t, accelerator: .gemminiBaseline)
/// sim.totalCycles      // within a fraction of a percent of GemminiMatmul.cycles(shape, ...)
/// ```
public enum GemminiCommandSimulator {
    public struct Result: Sendable, Hashable {
        public var totalCycles: Int
        /// Rows fed into the mesh, padding included.
        public var fires: Int
        public var loads: Int, computes: Int, stores: Int
        /// Weight PRELOADs that ran alone because their weights had not arrived when the compute before them started.
        public var unpairedPreloads: Int
    }

    public static func run(_ s: GEMMShape, tiling: GemminiTiling, accelerator a: Accelerator, outputBytes: Int = 1)
        throws(ConfigurationError) -> Result {
        try ConfigurationError.require(outputBytes, in: 1...4, field: "outputBytes")
        let engine = GemminiEngine(accelerator: a)
        let dim = engine.dim, inBytes = max(1, a.inputBits / 8)
        let floorRows = GemminiMesh.rowsFloorWithoutWeights
        let latency = Double(engine.pipelineLatency)
        let blocks = tiling.blocks(s)
        let layouts = GemminiEngine.layouts(blocks, tiling: tiling)
        var spLastRead = [Double](repeating: 0, count: 2 * tiling.scratchpadRowsPerBlock / dim), spReady = spLastRead
        var accLastRead = [Double](repeating: 0, count: 2 * tiling.accumulatorRowsPerBlock / dim), accReady = accLastRead
        var readFree = 0.0, writeFree = 0.0, executeFree = 0.0, end = 0.0
        var fires = 0, loads = 0, computes = 0, stores = 0, unpaired = 0
        var weightsLoaded = false                // the first weight tile of the current block is in the PEs
        func tiles(_ x: Int) -> Int { (x + dim - 1) / dim }

        // The command stream's moves are the engine's (`loadMoves`, `storeMoves`); their timing here is per command.
        func load(_ index: Int) throws(ConfigurationError) {
            let x = try engine.execution(blocks[index].shape)
            for m in engine.loadMoves(blocks[index], x, layouts[index], inputBytes: inBytes) {
                readFree = max(readFree, GemminiEngine.latest(spLastRead, m.tiles)) + m.cycles
                for tile in m.tiles { spReady[tile] = readFree }
                loads += 1
            }
        }

        func execute(_ index: Int) {
            let block = blocks[index], l = layouts[index]
            let ti = tiles(block.rows.count), tj = tiles(block.columns.count), tk = tiles(block.depth.count)
            func weights(_ k: Int, _ j: Int) -> Int { l.b + k * tj + j }
            if !weightsLoaded {                              // a PRELOAD alone: the block's first weights
                let start = max(executeFree, spReady[weights(0, 0)])
                executeFree = start + Double(dim)
                spLastRead[weights(0, 0)] = executeFree
                fires += dim
            }
            weightsLoaded = false
            for k in 0..<tk {
                for j in 0..<tj {
                    for i in 0..<ti {
                        let rows = engine.tileSize(block.rows, i)
                        let aSlot = l.a + i * tk + k, cSlot = l.c + i * tj + j
                        var start = max(executeFree, spReady[aSlot])
                        if k == 0 { start = max(start, accLastRead[cSlot]) }
                        // The PRELOAD after this compute: the next weight tile of this block, or of the next block.
                        var next: Int? = nil
                        let lastOfBlock = i == ti - 1 && j == tj - 1 && k == tk - 1
                        if i == ti - 1 {
                            if j + 1 < tj { next = weights(k, j + 1) }
                            else if k + 1 < tk { next = weights(k + 1, 0) }
                            else if index + 1 < blocks.count { next = layouts[index + 1].b }
                        }
                        var fed = Double(max(rows, floorRows))
                        if let next {
                            if spReady[next] <= start {
                                fed = Double(dim)               // mul_pre: the next weights stream in alongside
                                spLastRead[next] = start + fed
                                if lastOfBlock { weightsLoaded = true }
                            } else {
                                unpaired += 1
                            }
                        }
                        executeFree = start + fed
                        fires += Int(fed)
                        spLastRead[aSlot] = max(spLastRead[aSlot], executeFree)
                        accReady[cSlot] = start + Double(rows) + latency
                        end = max(end, accReady[cSlot])
                        computes += 1
                        if let next, spReady[next] > start, !lastOfBlock {
                            // The unpaired PRELOAD runs alone once its weights arrive.
                            let preload = max(executeFree, spReady[next])
                            executeFree = preload + Double(dim)
                            spLastRead[next] = executeFree
                            fires += dim
                        }
                    }
                }
            }
        }

        func store(_ index: Int) throws(ConfigurationError) {
            guard blocks[index].last else { return }
            let x = try engine.execution(blocks[index].shape)
            for m in engine.storeMoves(blocks[index], x, layouts[index], outputBytes: outputBytes) {
                writeFree = max(writeFree, GemminiEngine.latest(accReady, m.tiles)) + m.cycles
                for tile in m.tiles { accLastRead[tile] = writeFree }
                end = max(end, writeFree)
                stores += 1
            }
        }

        try load(0)
        for index in blocks.indices {
            if index + 1 < blocks.count { try load(index + 1) }
            execute(index)
            try store(index)
        }
        guard end < GemminiMatmul.cycleLimit else {
            throw ConfigurationError(field: "l2Bandwidth", message: "the matmul \(s.m)×\(s.n)×\(s.k) takes more than 2^53 cycles")
        }
        return Result(totalCycles: Int(end.rounded(.up)), fires: fires, loads: loads, computes: computes, stores: stores,
                      unpairedPreloads: unpaired)
    }
}
