import Testing
@testable import Core

@Suite("Analytical latency model (§3.3, App. A.5)")
struct AnalyticalLatencyTests {
    @Test("closed-form PE cycles and L2 ↔ local bytes equal the enumerated tile loop nest, for every dataflow")
    func twoDerivations() throws {
        var rng = SeededGenerator(seed: 11)
        for _ in 0..<150 {
            var a = Accelerator.analyticalModel
            a.dataflow = Dataflow.allCases[Int(rng.next() % 3)]
            a.meshRows = [4, 8, 16][Int(rng.next() % 3)]
            a.meshColumns = [4, 8, 16][Int(rng.next() % 3)]
            let shape = GEMMShape(m: Int(rng.next() % 700) + 1, n: Int(rng.next() % 700) + 1, k: Int(rng.next() % 700) + 1)
            let tile = [16, 48, 176][Int(rng.next() % 3)]
            let out: Double = Bool.random(using: &rng) ? 4 : 1, bias = Bool.random(using: &rng)
            let walked = AnalyticalLatency.enumeratedMatmul(shape, tile: tile, accelerator: a, inputBytes: 1,
                                                             outputBytes: out, bias: bias)
            #expect(AnalyticalLatency.matmulComputeCycles(shape, tile: tile, accelerator: a) == walked.cycles, "\(shape) \(a.dataflow)")
            #expect(AnalyticalLatency.matmulLocalBytes(shape, tile: tile, inputBytes: 1, outputBytes: out, bias: bias) == walked.localBytes)
        }
    }

    @Test("the tile side is the largest multiple of W whose buffers fit: 176 on Fig. 11's accelerator")
    func tileSide() throws {
        let a = Accelerator.analyticalModel
        let t = try AnalyticalLatency.tileSide(a)
        #expect(t == 176)
        let next = t + 16
        #expect(4 * next * next > a.spCapacityBytes || 4 * next * next > a.accCapacityBytes)
    }

    @Test("a large matmul runs near the array's peak; a matrix-vector product is limited by memory")
    func bounds() throws {
        let a = Accelerator.analyticalModel
        let big = AcceleratorOperation(path: "x", name: "x", flops: 0,
                                       work: .matmul(shape: GEMMShape(m: 1024, n: 1024, k: 1024), copies: 1, output: .narrow, bias: false))
        let e = try AnalyticalLatency.estimate(big, accelerator: a)
        #expect(e.bound == .peArray)
        #expect(big.macs / 256 / e.cycles > 0.95)
        let gemv = AcceleratorOperation(path: "y", name: "y", flops: 0,
                                        work: .matmul(shape: GEMMShape(m: 1, n: 768, k: 768), copies: 1, output: .narrow, bias: true))
        #expect(try AnalyticalLatency.estimate(gemv, accelerator: a).bound == .local)
    }

    @Test("the model's DRAM bytes are Tab. 5's traffic, and its per-layer rows sum over the layers")
    func consistentWithTab5() throws {
        let a = Accelerator.analyticalModel
        let latency = try AnalyticalLatency.model(.bertBase, sequenceLength: 512, accelerator: a)
        let traffic = try NonIdealTraffic.encoderLayer(.bertBase, sequenceLength: 512, accelerator: a)
        #expect(latency.rows.map(\.path) == traffic.map(\.path))
        for (row, t) in zip(latency.rows, traffic) {
            #expect(abs(row.dramBytes - 12 * t.bytes) <= 1e-9 * row.dramBytes)
            #expect(row.cycles >= max(row.computeCycles, row.dramCycles, row.localCycles))
        }
    }

    @Test("precisions: the survey's 8/32 bits are 1- and 4-byte values; 16-bit inputs double every operand's bytes; 32-bit ones shrink the tile")
    func precisions() throws {
        #expect(AcceleratorOperation.Widths(.analyticalModel) == .survey)
        var wide = Accelerator.analyticalModel
        wide.inputBits = 16
        let op = AcceleratorOperation(path: "p", name: "p", flops: 0,
                                      work: .matmul(shape: GEMMShape(m: 128, n: 768, k: 768), copies: 1, output: .narrow, bias: false))
        let chunk = NonIdealTraffic.chunkSide(.analyticalModel)
        #expect(op.dramBytes(chunk: chunk, widths: .init(wide)) == 2 * op.dramBytes(chunk: chunk))
        // The accumulator limits Fig. 11's tile (176); 32-bit inputs make the scratchpad the limit (128).
        #expect(try AnalyticalLatency.tileSide(wide) == 176)
        wide.inputBits = 32
        #expect(try AnalyticalLatency.tileSide(wide) == 128)
    }

    @Test("bad accelerators and a missing SFU are errors naming the field")
    func errors() throws {
        var a = Accelerator.analyticalModel
        a.spCapacityBytes = 3 * 256          // holds one input and one weight tile, not two buffers of them
        #expect { try AnalyticalLatency.tileSide(a) } throws: { ($0 as? ConfigurationError)?.field == "scratchpadBytes" }
        var b = Accelerator.analyticalModel
        b.dramBytesPerCycle = 0
        #expect { try AnalyticalLatency.model(.bertBase, sequenceLength: 128, accelerator: b) } throws: {
            ($0 as? ConfigurationError)?.field == "dramBandwidth"
        }
        #expect { try AnalyticalLatency.model(.bertBase, sequenceLength: 128, accelerator: .gemminiBaseline) } throws: {
            ($0 as? ConfigurationError)?.field == "sfuWidth"
        }
    }
}
