import Testing
@testable import Core

@Suite("Gemmini model")
struct GemminiTests {
    static func random(_ count: Int, _ rng: inout SeededGenerator) -> [Int8] {
        (0..<count).map { _ in Int8(truncatingIfNeeded: rng.next()) }
    }

    /// A small Gemmini so that small matmuls already need many blocks: 8×8 mesh, 4 KiB scratchpad, 2 KiB accumulator.
    static let small: Accelerator = {
        var a = Accelerator.gemminiBaseline
        a.name = "small"
        a.meshRows = 8
        a.meshColumns = 8
        a.spCapacityBytes = 4096
        a.accCapacityBytes = 2048
        return a
    }()

    @Test("cycle counts past 2^53 are an error naming the bandwidth, not a trap; the flags' range refuses such bandwidths")
    func cycleOverflow() throws {
        let shape = GEMMShape(m: 512, n: 3072, k: 768)
        let tiling = try GemminiTiling(shape, accelerator: .gemminiBaseline)
        var starved = Accelerator.gemminiBaseline
        starved.l2BytesPerCycle = 1e-12
        for mode in GemminiMatmul.Mode.allCases {
            #expect { try GemminiMatmul.model(shape, tiling: tiling, accelerator: starved, outputBytes: 1, mode: mode) } throws: {
                ($0 as? ConfigurationError)?.field == "l2Bandwidth"
            }
        }
        #expect(throws: ConfigurationError.self) { try starved.validate() }
        starved.l2BytesPerCycle = Accelerator.bandwidthRange.lowerBound
        #expect(try GemminiMatmul.cycles(shape, accelerator: starved).totalCycles > 0)
    }

    @Test("results equal a plain integer GEMM bit for bit, including ragged sizes that do not divide the mesh",
          arguments: [Accelerator.gemminiBaseline, .gemminiRebalanced, small])
    func bitExact(accelerator: Accelerator) throws {
        var rng = SeededGenerator(seed: 6)
        for _ in 0..<5 {
            let s = GEMMShape(m: Int(rng.next() % 90) + 1, n: Int(rng.next() % 90) + 1, k: Int(rng.next() % 90) + 1)
            let a = Self.random(s.m * s.k, &rng), b = Self.random(s.k * s.n, &rng)
            let run = try GemminiMatmul.run(a: a, b: b, shape: s, accelerator: accelerator)
            #expect(run.output == SystolicSimulator.referenceGEMM(a: a, b: b, shape: s), "\(s) on \(accelerator.name)")
            #expect(run.stats == (try GemminiMatmul.cycles(s, accelerator: accelerator, outputBytes: 4)))
        }
    }

    @Test("single-buffered mode: each block's compute cycles equal the SCALE-Sim-style simulator's on that block")
    func blocksMatchRegisterLevel() throws {
        var rng = SeededGenerator(seed: 12)
        let a8 = try SystolicArray(rows: 8, columns: 8)
        for s in [GEMMShape(m: 37, n: 29, k: 45), GEMMShape(m: 8, n: 80, k: 8), GEMMShape(m: 70, n: 9, k: 17)] {
            let tiling = try GemminiTiling(s, accelerator: Self.small)
            let blocks = tiling.blocks(s)
            #expect(blocks.count > 1, "\(s) should need several blocks")
            var sum = 0
            for block in blocks {
                let bs = block.shape
                let a = Self.random(bs.m * bs.k, &rng), b = Self.random(bs.k * bs.n, &rng)
                let run = try SystolicSimulator.run(a: a, b: b, shape: bs, array: a8, dataflow: .weightStationary)
                #expect(run.output == SystolicSimulator.referenceGEMM(a: a, b: b, shape: bs))
                sum += run.cycles
            }
            #expect(sum == (try GemminiMatmul.cycles(s, accelerator: Self.small, mode: .singleBuffered)).computeCycles, "\(s)")
        }
    }

    @Test("single-buffered mode: a matmul that fits one block costs exactly the WS closed form plus its load and store")
    func singleBlock() throws {
        let s = GEMMShape(m: 48, n: 32, k: 64)
        let stats = try GemminiMatmul.cycles(s, accelerator: .gemminiBaseline, outputBytes: 1, mode: .singleBuffered)
        #expect(stats.blocks == 1)
        #expect(stats.computeCycles == SystolicArray.gemmini.closedFormCycles(s, .weightStationary))
        #expect(stats.totalCycles == stats.computeCycles + (48 * 64 + 64 * 32) / 16 + 48 * 32 / 16)
    }

    @Test("engine: a one-block matmul lies between the register-level mesh's cycles and loading, computing and storing in turn",
          arguments: [4, 8, 16])
    func engineSingleBlock(dim: Int) throws {
        var a = Accelerator.gemminiBaseline.withMesh(dim)
        var rng = SeededGenerator(seed: UInt64(dim))
        for _ in 0..<20 {
            let s = GEMMShape(m: Int(rng.next() % UInt64(3 * dim)) + 1, n: Int(rng.next() % UInt64(3 * dim)) + 1,
                              k: Int(rng.next() % UInt64(3 * dim)) + 1)
            let tiling = try GemminiTiling(s, accelerator: a)
            let x = Self.random(s.m * s.k, &rng), w = Self.random(s.k * s.n, &rng)
            let mesh = try GemminiMesh.simulate(a: x, b: w, rows: s.m, columns: s.n, depth: s.k, dim: dim, dataflow: .weightStationary)
            // Loads as fast as the accepted bandwidth allows (a row per cycle), measured by the moves themselves.
            a.l2BytesPerCycle = Accelerator.bandwidthRange.upperBound
            let engine = GemminiEngine(accelerator: a)
            let block = tiling.blocks(s)[0]
            let execution = try engine.execution(block.shape)
            let layout = GemminiEngine.layouts([block], tiling: tiling)[0]
            let moves = engine.loadMoves(block, execution, layout, inputBytes: 1)
            let stores = engine.storeMoves(block, execution, layout, outputBytes: 1)
            // The mesh's closed form assumes every operand is in and nothing waits to leave: the engine is never
            // faster than it plus the scratchpad read and one stored row, and never slower than loading
            // everything first, then computing, then storing everything.
            let stats = try GemminiMatmul.cycles(s, accelerator: a, outputBytes: 1)
            let loads = Int(moves.reduce(0) { $0 + $1.cycles }), storing = Int(stores.reduce(0) { $0 + $1.cycles })
            #expect(stats.totalCycles >= mesh.cycles + 4 + 1, "\(s) on \(dim)×\(dim)")
            #expect(stats.totalCycles <= loads + mesh.cycles + 4 + storing, "\(s) on \(dim)×\(dim)")
            a.l2BytesPerCycle = 16
        }
    }

    @Test("engine: large BERT matmuls keep the mesh busy, far above the single-buffered array")
    func engineDoubleBuffering() throws {
        for s in [GEMMShape(m: 512, n: 3072, k: 768), GEMMShape(m: 512, n: 768, k: 3072), GEMMShape(m: 512, n: 768, k: 768)] {
            for a in [Accelerator.gemminiBaseline, .gemminiRebalanced] {
                let engine = try GemminiMatmul.cycles(s, accelerator: a, outputBytes: 1)
                let old = try GemminiMatmul.cycles(s, accelerator: a, mode: .singleBuffered)
                #expect(Double(engine.totalCycles) >= SystolicArray.gemmini.idealCycles(s))
                #expect(engine.utilization > 0.97, "\(s) \(a.name): \(engine.utilization)")
                #expect(engine.utilization > old.utilization + 0.15, "\(s) \(a.name)")
                #expect(engine.bankSharingBlocks == 0, "\(s) \(a.name)")
            }
        }
    }

    @Test("engine: skipping repeated periods of blocks gives every total of running them all, on fused and greedy tilings",
          arguments: [4, 8, 16])
    func engineSkipsRepeatsExactly(dim: Int) throws {
        var a = Accelerator.gemminiTransformer.withMesh(dim)
        var compared = 0, skipped = 0
        for latency in [0.0, 77] {            // none; fractions of a cycle per request (nothing is skipped then)
            a.memoryLatencyCycles = latency
            let engine = GemminiEngine(accelerator: a)
            for l in [128, 200] {
                for pair in [FusionPair.queryKeySoftmax(.bertBase, sequenceLength: l), .outputProjectionLayerNorm(.bertBase, sequenceLength: l),
                             .secondFeedForwardLayerNorm(.bertBase, sequenceLength: l)] {
                    let candidates = try FusionSchedule.candidates(pair, accelerator: a)
                    var tilings = [(pair.shape, try GemminiTiling(pair.shape, accelerator: a))]
                    for c in stride(from: 0, to: candidates.count, by: max(1, candidates.count / 6)) {
                        tilings.append((candidates[c].shape, candidates[c].tiling))
                    }
                    for (shape, tiling) in tilings {
                        for bytes in [1, 4] {
                            let fast = try engine.run(shape, tiling: tiling, inputBytes: 1, outputBytes: bytes)
                            let full = try engine.run(shape, tiling: tiling, inputBytes: 1, outputBytes: bytes, skipRepeats: false)
                            #expect(fast == full, "\(shape) \(tiling.tileI)×\(tiling.tileJ)×\(tiling.tileK) on \(dim)×\(dim), latency \(latency)")
                            compared += 1
                            if tiling.blocks(shape).count >= 8 { skipped += 1 }
                        }
                    }
                }
            }
        }
        #expect(compared > 60 && skipped > 30, "\(compared) runs compared, \(skipped) with several periods")
    }

    @Test("the matmul's lower bound never exceeds its cycles and sits above MACs / PEs; block shapes and counts match the block list",
          arguments: [3, 4, 5, 8, 16])
    func meshLowerBound(dim: Int) throws {
        var a = Accelerator.gemminiTransformer.withMesh(dim)
        var g = SeededGenerator(seed: UInt64(dim))
        var bounds = 0, tighter = 0, compared = 0
        for _ in 0..<40 {
            let s = GEMMShape(m: Int(g.next() % 300) + 1, n: Int(g.next() % 300) + 1, k: Int(g.next() % 600) + 1)
            let greedy = try GemminiTiling(s, accelerator: a)
            let ceil = { (x: Int) in (x + dim - 1) / dim }
            var tilings = [greedy]
            if let t = try? GemminiTiling(s, accelerator: a, tileI: Int(g.next() % UInt64(ceil(s.m))) + 1,
                                          tileJ: Int(g.next() % UInt64(ceil(s.n))) + 1, tileK: 1) { tilings.append(t) }
            for t in tilings {
                let blocks = t.blocks(s)
                let shapes = t.blockShapes(s)
                #expect(shapes.map(\.count).reduce(0, +) == blocks.count)
                for (shape, count) in shapes { #expect(blocks.filter { $0.shape == shape }.count == count, "\(s) \(shape)") }
                #expect(t.lastBlockShape(s) == blocks.last!.shape)
                for mode in GemminiMatmul.Mode.allCases {
                    let bound = try GemminiMatmul.lowerBound(s, tiling: t, accelerator: a, mode: mode)
                    for latency in [0.0, 77] {
                        a.memoryLatencyCycles = latency
                        for bytes in [1, 4] {
                            let cycles = try GemminiMatmul.cycles(s, tiling: t, accelerator: a, outputBytes: bytes, mode: mode).totalCycles
                            #expect(bound <= Double(cycles), "\(s) \(t.tileI)×\(t.tileJ)×\(t.tileK) on \(dim)×\(dim), \(mode), latency \(latency)")
                            compared += 1
                        }
                    }
                    a.memoryLatencyCycles = 0
                    bounds += 1
                    if bound > Double(s.macs) / Double(dim * dim) { tighter += 1 }
                }
            }
        }
        #expect(compared > 300)
        // The 4-row floor and each weight tile's preload make the mesh slower than MACs / PEs on every block.
        #expect(tighter == bounds, "\(tighter) of \(bounds) bounds above MACs / PEs")
    }

    @Test("blocks beyond the register-level simulation's 4096 rows are priced by the closed form (a large accumulator at l = 8192)")
    func largeBlocks() throws {
        var a = Accelerator.gemminiTransformer
        a.spCapacityBytes = 64 << 20
        a.accCapacityBytes = 128 << 20
        let s = GEMMShape(m: 8192, n: 64, k: 64)
        let tiling = try GemminiTiling(s, accelerator: a)
        #expect(tiling.blocks(s).count == 1 && tiling.tileI * tiling.dim == 8192)
        let stats = try GemminiMatmul.cycles(s, tiling: tiling, accelerator: a)
        // One block: 4 × 4 weight tiles, each streaming all 512 row tiles of 16 rows past it, back to back.
        #expect(stats.computeCycles == 16 * 8192 + 16)
        #expect(try GemminiMatmul.lowerBound(s, tiling: tiling, accelerator: a) <= Double(stats.totalCycles))
        let x = [Int8](repeating: 1, count: 8192 * 64), w = [Int8](repeating: 1, count: 64 * 64)
        #expect { try GemminiMesh.simulate(a: x, b: w, rows: 8192, columns: 64, depth: 64, dim: 16, dataflow: .weightStationary) }
            throws: { ($0 as? ConfigurationError)?.field == "rows" }
    }

    @Test("engine: a memory round trip beyond what 16 requests of 64 B cover makes the DMA the bound")
    func engineMemoryLatency() throws {
        let s = GEMMShape(m: 512, n: 3072, k: 768)
        var a = Accelerator.gemminiBaseline
        let engine = GemminiEngine(accelerator: a)
        #expect(engine.busFullLatencyLimit == 64)
        let free = try GemminiMatmul.cycles(s, accelerator: a)
        a.memoryLatencyCycles = 16                      // even a 16 B request keeps 16 B/cycle
        #expect(try GemminiMatmul.cycles(s, accelerator: a).totalCycles == free.totalCycles)
        a.memoryLatencyCycles = 512                     // reads at 16 · 64 / 512 = 2 B/cycle
        let slow = try GemminiMatmul.cycles(s, accelerator: a)
        #expect(Double(slow.totalCycles) >= Double(slow.loadBytes) / 2)
        a.memoryLatencyCycles = -1
        #expect { try a.validate() } throws: { ($0 as? ConfigurationError)?.field == "memoryLatency" }
    }

    @Test("the tiling follows the accumulator: 80, 128 and 176 streamed rows for 64, 128 and 256 KiB")
    func tilingFollowsAccumulator() throws {
        let w1 = GEMMShape(m: 512, n: 3072, k: 768)
        for (kib, side) in [(64, 5), (128, 8), (256, 11)] {
            var a = Accelerator.gemminiBaseline
            a.accCapacityBytes = kib * 1024
            let t = try GemminiTiling(w1, accelerator: a)
            #expect(t.tileI == side && t.tileJ == side, "acc \(kib) KiB: \(t)")
            #expect(t.tileI * t.tileJ * 16 <= t.accumulatorRowsPerBlock)
            #expect((t.tileI * t.tileK + t.tileK * t.tileJ) * 16 <= t.scratchpadRowsPerBlock)
        }
    }

    @Test("single-buffered mode: cycles never beat the ideal, and on large GEMMs stay within the fill-and-drain bound of the ideal")
    func boundedByIdealAndFillDrain() throws {
        for s in [GEMMShape(m: 512, n: 3072, k: 768), GEMMShape(m: 4096, n: 768, k: 768), GEMMShape(m: 512, n: 512, k: 64)] {
            for a in [Accelerator.gemminiBaseline, .gemminiRebalanced] {
                let stats = try GemminiMatmul.cycles(s, accelerator: a, mode: .singleBuffered)
                let ideal = SystolicArray.gemmini.idealCycles(s)
                #expect(Double(stats.totalCycles) >= ideal)
                // Every fold streams at least its block's rows, and pays 2R + C − 2 = 46 more; DMA stalls aside,
                // cycles ≤ ideal · (rows + 46 + 16) / rows for rows = tileI · 16 (a partial last block adds the 16).
                let rows = Double(stats.tiling.tileI * 16)
                #expect(Double(stats.computeCycles) <= ideal * (rows + 46 + 16) / rows * 1.05, "\(s) \(a.name)")
            }
        }
    }

    @Test("bad accelerators and operands throw, naming the field")
    func errors() {
        var tiny = Accelerator.gemminiBaseline
        tiny.spCapacityBytes = 768
        #expect(throws: ConfigurationError.self) { _ = try GemminiTiling(GEMMShape(m: 4, n: 4, k: 4), accelerator: tiny) }
        var rect = Accelerator.gemminiBaseline
        rect.meshColumns = 8
        do {
            _ = try GemminiMatmul.cycles(GEMMShape(m: 4, n: 4, k: 4), accelerator: rect)
            Issue.record("accepted a rectangular mesh")
        } catch { #expect(error.field == "meshColumns") }
        #expect(throws: ConfigurationError.self) {
            _ = try GemminiMatmul.run(a: [1], b: [1], shape: GEMMShape(m: 2, n: 1, k: 1), accelerator: .gemminiBaseline)
        }
        #expect(throws: ConfigurationError.self) {
            _ = try GemminiMatmul.cycles(GEMMShape(m: 4, n: 4, k: 4), accelerator: .gemminiBaseline, outputBytes: 3 + 5)
        }
    }

    @Test("host CPU costs: every constant changes the cycles it should, and bad constants throw")
    func hostCPU() throws {
        let cpu = HostCPUCostModel.rocket
        for op in HostCPUCostModel.Operation.allCases { #expect(cpu.cyclesPerElement(op) > 0) }
        var slow = cpu
        slow.missPenalty *= 2
        #expect(slow.cyclesPerElement(.dequantize) - cpu.cyclesPerElement(.dequantize) == cpu.memoryCycles(cpu.mix(.dequantize)))
        var noLibm = cpu
        noLibm.libmScale = 0
        #expect(noLibm.cyclesPerElement(.softmax) < cpu.cyclesPerElement(.softmax))
        #expect(noLibm.cyclesPerElement(.quantize) == cpu.cyclesPerElement(.quantize))
        var bad = cpu
        bad.fpDivide = -1
        #expect(throws: ConfigurationError.self) { try bad.validate() }
    }

    @Test("an encoder layer's categories sum to its total, on the CPU and on the integer units")
    func layerSums() throws {
        for a in [Accelerator.gemminiBaseline, .gemminiTransformer] {
            let layer = try GemminiEncoderModel(.bertBase, sequenceLength: 128, accelerator: a)
            let sum = GemminiEncoderModel.Category.allCases.reduce(0) { $0 + layer.share($1) }
            #expect(abs(sum - 1) < 1e-12)
            let projections: Int = 4 * 128 * 768 * 768, ffn: Int = 2 * 128 * 768 * 3072, attention: Int = 2 * 12 * 128 * 128 * 64
            #expect(layer.macs == Double(projections + ffn + attention))
            #expect(layer.utilization < layer.matmulUtilization)
        }
        #expect(throws: ConfigurationError.self) { _ = try GemminiEncoderModel(.gpt2, sequenceLength: 128, accelerator: .gemminiBaseline) }
    }
}

@Suite("Gemmini engine: block rules against the command-level simulation")
struct GemminiCommandTests {
    /// BERT-Base's eight matmul shapes at one length.
    static func shapes(_ l: Int) -> [(GEMMShape, Int)] {
        [(GEMMShape(m: l, n: 768, k: 768), 1), (GEMMShape(m: l, n: l, k: 64), 4), (GEMMShape(m: l, n: 64, k: l), 1),
         (GEMMShape(m: l, n: 3072, k: 768), 4), (GEMMShape(m: l, n: 768, k: 3072), 4)]
    }

    @Test("the tile-level engine is within 2% of the command-level simulation on BERT-Base's matmuls, with and without a memory round trip",
          arguments: [0.0, 160.0])
    func agreement(latency: Double) throws {
        for l in [128, 512] {
            for var a in [Accelerator.gemminiBaseline, .gemminiRebalanced] {
                a.memoryLatencyCycles = latency
                for (s, outputBytes) in Self.shapes(l) {
                    let tiling = try GemminiTiling(s, accelerator: a)
                    let engine = try GemminiMatmul.cycles(s, tiling: tiling, accelerator: a, outputBytes: outputBytes)
                    let commands = try GemminiCommandSimulator.run(s, tiling: tiling, accelerator: a, outputBytes: outputBytes)
                    let ratio = Double(engine.totalCycles) / Double(commands.totalCycles)
                    #expect(abs(ratio - 1) <= 0.02, "\(s) on \(a.name), latency \(latency): engine \(engine.totalCycles), commands \(commands.totalCycles)")
                }
            }
        }
    }

    @Test("one block alone: the command-level simulation feeds exactly the mesh's closed-form rows")
    func fires() throws {
        var rng = SeededGenerator(seed: 3)
        for _ in 0..<30 {
            let s = GEMMShape(m: Int(rng.next() % 60) + 1, n: Int(rng.next() % 60) + 1, k: Int(rng.next() % 60) + 1)
            let tiling = try GemminiTiling(s, accelerator: .gemminiBaseline)
            let run = try GemminiCommandSimulator.run(s, tiling: tiling, accelerator: .gemminiBaseline)
            #expect(tiling.blocks(s).count == 1)
            // An unpaired weight preload feeds its 16 rows alone, and the compute before it streams only its own
            // rows (the last row tile's, max(r, 4)) instead of 16: together max(r, 4) more than when paired.
            let lastRows = s.m - (s.m - 1) / 16 * 16
            #expect(run.fires == (try GemminiMesh.blockFires(rows: s.m, columns: s.n, depth: s.k, dim: 16, dataflow: .weightStationary))
                    + max(lastRows, 4) * run.unpairedPreloads, "\(s)")
        }
    }
}

extension Accelerator {
    /// This accelerator with a `dim` × `dim` mesh (Gemmini's DIM), as the tests at several mesh sizes set it.
    func withMesh(_ dim: Int) -> Accelerator {
        var a = self
        a.meshRows = dim
        a.meshColumns = dim
        return a
    }
}
