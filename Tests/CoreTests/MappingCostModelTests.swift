import Testing
@testable import Core

/// Small problems on a small array where every capacity binds: the setting of the two-derivation checks.
enum MappingFixtures {
    static let tinyAccelerator = Accelerator.mappingCheck

    static let problems: [MappingProblem] = [
        .gemm(name: "g844", m: 8, n: 4, k: 4),
        .gemm(name: "g642", m: 6, n: 4, k: 2),
        MappingProblem(name: "conv", kind: .convolution, sizes: [1, 2, 2, 4, 3, 2, 2], stride: 2),
        MappingProblem(name: "conv-batch", kind: .convolution, sizes: [2, 2, 3, 2, 2, 3, 1], stride: 1),
        // Sliding windows: taps above the stride (halo), and taps below it (gaps between windows).
        MappingProblem(name: "conv-halo", kind: .convolution, sizes: [1, 1, 2, 6, 4, 3, 2], stride: 1),
        MappingProblem(name: "conv-halo-stride2", kind: .convolution, sizes: [1, 1, 1, 5, 3, 3, 3], stride: 2),
        MappingProblem(name: "conv-gaps-stride3", kind: .convolution, sizes: [1, 2, 1, 4, 2, 2, 1], stride: 3),
    ]

    static func randomValid(_ space: Mapspace, count: Int, seed: UInt64) -> [Mapping] {
        var rng = SeededGenerator(seed: seed)
        var out: [Mapping] = []
        var m = Mapping.trivial, cost = MappingCost()
        while out.count < count {
            space.randomMapping(into: &m, using: &rng)
            if space.model.costIfFits(m, into: &cost) { out.append(m) }
        }
        return out
    }
}

@Suite("Chapter4 mapping cost model")
struct Chapter4MappingCostModelTests {
    /// WS and OS on Gemmini's one-word PE, and WS on a TPU-like PE (ZigZag's tpu_like: a weight register file, here
    /// of 4 words so that it binds, and a partial-sum register).
    @Test("closed-form access counts equal the walked loop nest, WS, OS and a TPU-like PE", arguments: ["ws", "os", "tpu-like"])
    func twoDerivations(pe: String) throws {
        var a = MappingFixtures.tinyAccelerator
        a.dataflow = pe == "os" ? .outputStationary : .weightStationary
        var arch = try MappingArchitecture(accelerator: a)
        if pe == "tpu-like" { try arch.setPERegisters(weightWords: 4, outputRegister: true) }
        for p in MappingFixtures.problems {
            let model = try MappingCostModel(p, architecture: arch)
            let space = try Mapspace(model)
            for m in MappingFixtures.randomValid(space, count: 30, seed: 11) {
                let cost = try model.evaluate(m)
                let walked = try MappingLoopNest.counts(p, m, architecture: arch)
                for level in MappingArchitecture.Level.allCases {
                    #expect(walked.reads[level] == cost.reads[level], "\(p.name) \(level) reads: walk \(walked.reads[level]) closed \(cost.reads[level]) \(m)")
                    #expect(walked.writes[level] == cost.writes[level], "\(p.name) \(level) writes: walk \(walked.writes[level]) closed \(cost.writes[level]) \(m)")
                }
            }
        }
    }
}

@Suite("Chapter4 mapping on ZigZag's TPU-like PE")
struct Chapter4TPULikeTests {
    /// The peer GEMM's mapping as ZigZag's PE runs it: 48 C steps accumulate in each PE's partial-sum register, so
    /// each output reaches the SRAM once; each PE's 48 weights are loaded once and read at every MAC.
    @Test("a TPU-like PE accumulates the C loop in place: one accumulator update per output, one drain read per PE and output")
    func accumulatesInPlace() throws {
        var p = MappingProblem.gemm(name: "W1", m: 128, n: 3072, k: 768)
        p.partialSumBits = 16
        let arch = MappingArchitecture.zigZagTPULike16
        var m = Mapping.trivial
        m.setFactor(.dram, .k, 192)
        m.setFactor(.rows, .c, 16); m.setFactor(.columns, .k, 16)
        m.setFactor(.registers, .p, 128); m.setFactor(.registers, .c, 48)
        m.setOrder(.registers, [.p, .c])
        let cost = try MappingCostModel(p, architecture: arch).evaluate(m)
        let outputs = 128.0 * 3072, macs = Double(p.macs)
        #expect(cost.writes.accumulator.outputs == outputs)
        #expect(cost.reads.registers.outputs == macs + outputs * 16)
        #expect(cost.writes.registers.weights == 768.0 * 3072)
        #expect(cost.reads.dram.weights == 768.0 * 3072)
        // On Gemmini's one-word PE the same tiling cannot keep 48 weights in a PE.
        var c = m
        c.setFactor(.registers, .c, 1); c.setFactor(.local, .c, 48)
        c.setOrder(.local, [.c])
        let gemmini = try MappingCostModel(p, architecture: try MappingArchitecture(accelerator: .gemminiBaseline)).evaluate(c)
        #expect(gemmini.writes.accumulator.outputs == outputs * 48)
        // 129 weights do not fit the 128-word register file.
        var big = m
        big.setFactor(.registers, .c, 48); big.setFactor(.registers, .k, 3); big.setFactor(.dram, .k, 64)
        #expect(p.infeasibility(of: big, on: arch) == .capacityExceeded(level: .registers, neededBytes: 144, capacityBytes: 128))
    }

    @Test("the partial-sum register needs the ws dataflow")
    func outputRegisterNeedsWS() throws {
        var a = Accelerator.gemminiBaseline
        a.dataflow = .outputStationary
        var arch = try MappingArchitecture(accelerator: a)
        #expect(throws: ConfigurationError.self) { try arch.setPERegisters(weightWords: 128, outputRegister: true) }
    }
}
