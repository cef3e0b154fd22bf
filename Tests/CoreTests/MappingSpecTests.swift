import Foundation
import Testing
@testable import Core

/// The repository root (for the shipped specs in data/arch/ and data/peers/).
private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

private func shipped(_ path: String) throws -> (text: String, file: String) {
    (try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8), path)
}

@Suite("Chapter4 mapspace constraints and halo reuse")
struct Chapter4MapspaceConstraintTests {
    @Test("the halo overlap of input rows equals counting the rows", arguments: [1, 2, 3])
    func windowOverlap(stride: Int) {
        for outputs in 1...5 {
            for taps in 1...4 {
                let rows = Set((0..<outputs).flatMap { p in (0..<taps).map { p * stride + $0 } })
                for shift in -12...12 {
                    let moved = Set(rows.map { $0 + shift })
                    #expect(MappingCostModel.windowOverlap(outputs: outputs, taps: taps, stride: stride, shift: shift) == rows.intersection(moved).count,
                            "outputs \(outputs) taps \(taps) stride \(stride) shift \(shift)")
                }
            }
        }
    }

    @Test("halo reuse: a 1-D convolution split in two along P fetches its input once (worked example of haloFills)")
    func haloExample() throws {
        let p = MappingProblem(name: "1-D", kind: .convolution, sizes: [1, 1, 1, 4, 1, 3, 1], stride: 1)
        let arch = try MappingArchitecture(accelerator: .gemminiBaseline)
        let model = try MappingCostModel(p, architecture: arch)
        var m = Mapping.allAtDRAM(p)
        m.setFactor(.dram, .p, 2); m.setFactor(.l2, .p, 2)
        m.setFactor(.dram, .r, 1); m.setFactor(.local, .r, 3)
        let cost = try model.evaluate(m)
        #expect(cost.reads.dram.inputs == 6)   // 4 rows, then the 2 new ones; 8 without halo reuse
        let walked = try MappingLoopNest.counts(p, m, architecture: arch)
        #expect(walked.reads == cost.reads && walked.writes == cost.writes)
    }

    @Test("Gemmini's Timeloop constraints: sampled mappings respect every factor bound and pinned order, and the closed form equals the walk")
    func constrainedSampling() throws {
        var a = MappingFixtures.tinyAccelerator
        a.meshRows = 2; a.meshColumns = 2
        let arch = try MappingArchitecture(accelerator: a)
        let constraints = MapspaceConstraints.gemminiTimeloop(meshRows: 2, meshColumns: 2)
        for p in MappingFixtures.problems {
            let model = try MappingCostModel(p, architecture: arch)
            let space = try Mapspace(model, constraints: constraints)
            #expect(space.orderChoices == 1 && space.freeOrderLevels.isEmpty)
            for m in MappingFixtures.randomValid(space, count: 20, seed: 4) {
                for (slot, bounds) in constraints.factors { for (d, c) in bounds { #expect(c.admits(m.factor(slot, d)), "\(p.name) \(slot) \(d)") } }
                #expect(m.order(.local) == constraints.permutation(.local) && m.order(.dram) == constraints.permutation(.dram))
                let cost = try model.evaluate(m)
                let walked = try MappingLoopNest.counts(p, m, architecture: arch)
                #expect(walked.reads == cost.reads && walked.writes == cost.writes, "\(p.name)")
            }
        }
    }

    @Test("the constrained space's size is Π T_d (orders pinned) and the constrained space lies inside the unconstrained one")
    func constrainedSize() throws {
        let arch = try MappingArchitecture(accelerator: .gemminiBaseline)
        let p = MappingProblem.gemm(name: "g", m: 512, n: 768, k: 768)
        let model = try MappingCostModel(p, architecture: arch)
        let space = try Mapspace(model, constraints: .gemminiTimeloop(meshRows: 16, meshColumns: 16))
        // M = 2^9 over DRAM and the accumulator's loops: 10; N = 768 = 2^8·3 over DRAM, local, columns ≤ 16; K likewise on rows.
        #expect(space.tilingChoices[LoopDimension.p.rawValue] == 10)
        #expect(space.size == space.tilingChoices.reduce(1.0) { $0 * Double($1) })
        let free = try Mapspace(model)
        #expect(free.size > space.size * 1e5)
    }

    @Test("Timeloop's permutation strings are innermost first, and index 0…5039 decode to the 7! distinct orders")
    func permutations() {
        #expect(MapspaceConstraints.order(timeloopPermutation: "QPNCSRK") == [.k, .r, .s, .c, .n, .p, .q])
        #expect(MapspaceConstraints.order(timeloopPermutation: "CK") == [.s, .r, .q, .p, .n, .k, .c])
        #expect(MapspaceConstraints.order(timeloopPermutation: "CC") == nil)
        var seen = Set<[UInt8]>()
        var buffer = [UInt8](repeating: 0, count: 7)
        for code in 0..<Mapspace.ordersPerLevel {
            buffer.withUnsafeMutableBufferPointer { Mapspace.decodeOrder(code, into: $0.baseAddress!) }
            #expect(Set(buffer) == Set(0..<7))
            seen.insert(buffer)
        }
        #expect(seen.count == 5040)
    }
}

@Suite("Chapter4 YAML specs")
struct Chapter4SpecTests {
    @Test("round trip: the shipped Gemmini files read back as the built-in gemmini-baseline and Gemmini's Timeloop constraints")
    func shippedGemmini() throws {
        let spec = try MappingSpec.read(architecture: try shipped("data/arch/gemmini.yaml"), problem: try shipped("data/arch/bert-base-ffn-w1.yaml"),
                                        constraints: try shipped("data/arch/gemmini-constraints.yaml"), mapper: try shipped("data/arch/random-mapper.yaml"))
        let built = try MappingArchitecture(accelerator: .gemminiBaseline)
        let read = spec.architecture.architecture
        #expect(read.meshRows == built.meshRows && read.meshColumns == built.meshColumns && read.dataflow == built.dataflow)
        #expect(read.scratchpadBytes == built.scratchpadBytes && read.accumulatorBytes == built.accumulatorBytes && read.l2Bytes == built.l2Bytes)
        #expect(read.bytesPerCycle == built.bytesPerCycle)
        #expect(read.energy.entries.map(\.readPicojoules) == built.energy.entries.map(\.readPicojoules))
        #expect(read.energy.macPicojoules == built.energy.macPicojoules)
        #expect(spec.problem.sizes == MappingProblem.gemm(name: "", m: 512, n: 3072, k: 768).sizes)
        let preset = MapspaceConstraints.gemminiTimeloop(meshRows: 16, meshColumns: 16)
        #expect(spec.constraints.factors == preset.factors)
        #expect(spec.constraints.permutations[.local] == preset.permutations[.local] && spec.constraints.permutations[.dram] == preset.permutations[.dram])
        #expect(spec.constraints.keep == preset.keep)
        #expect(spec.space.size == (try Mapspace(spec.space.model, constraints: preset)).size)
        #expect(spec.mapper == MapperSettings(algorithm: .random, metric: .edp, searchSize: 10_000, seed: 1))
        // The search finds a mapping the full validity check accepts.
        let found = try #require(spec.search())
        #expect(spec.problem.infeasibility(of: found.mapping, on: read) == nil)
    }

    @Test("ZigZag's energies read as facts: 700 pJ per 64-bit DRAM read, nothing where tpu_like keeps nothing")
    func zigZagTable() throws {
        let text = try shipped("data/peers/zigzag-energy.yaml")
        let z = try ZigZagEnergyRecord(yaml: text.text, file: text.file)
        #expect(z.table.picojoules(.dram, .weights, elementBits: 8, write: false) == 87.5)
        #expect(z.table.picojoules(.l2, .inputs, elementBits: 8, write: false) == 0)
        #expect(z.table.picojoules(.scratchpad, .weights, elementBits: 8, write: false) == 0)
        #expect(z.table.picojoules(.registers, .inputs, elementBits: 8, write: false) == 0)
        #expect(z.table.macPicojoules == 0.04)
        #expect(abs(z.breakdown.map(\.microjoules).reduce(0, +) - z.totalMicrojoules) < 0.01)
    }

    @Test("round trip: data/arch/zigzag-tpu-like.yaml reads back as MappingArchitecture.zigZagTPULike16, priced as ZigZag's recorded table")
    func shippedZigZag() throws {
        let spec = try MappingSpec.read(architecture: try shipped("data/arch/zigzag-tpu-like.yaml"), problem: try shipped("data/arch/bert-base-ffn-w1.yaml"))
        let read = spec.architecture.architecture, built = MappingArchitecture.zigZagTPULike16
        #expect(read.meshRows == 16 && read.meshColumns == 16 && read.dataflow == .weightStationary && !spec.architecture.hasL2)
        #expect(read.scratchpadBytes == built.scratchpadBytes && read.accumulatorBytes == built.accumulatorBytes)
        #expect(read.bytesPerCycle == built.bytesPerCycle)
        #expect(read.weightRegisterWords == 128 && read.outputRegister && built.weightRegisterWords == 128 && built.outputRegister)
        #expect(read.accelerator.accumulatorBits == 16 && built.accelerator.accumulatorBits == 16)
        #expect(spec.constraints.isEmpty(.l2))
        let text = try shipped("data/peers/zigzag-energy.yaml")
        let z = try ZigZagEnergyRecord(yaml: text.text, file: text.file)
        for level in MappingArchitecture.Level.allCases {
            for t in MappedTensor.allCases {
                // The widths that occur: 8-bit operands and final outputs, 16-bit partial sums (registers: partial sums only).
                for bits in t != .outputs ? [8] : level == .registers ? [16] : [8, 16] {
                    for write in [false, true] {
                        let mine = read.energy.picojoules(level, t, elementBits: bits, write: write)
                        let theirs = z.table.picojoules(level, t, elementBits: bits, write: write)
                        #expect(abs(mine - theirs) <= 1e-9 * max(1, theirs), "\(level) \(t) \(bits)-bit write \(write): \(mine) vs \(theirs)")
                    }
                }
            }
        }
        #expect(read.energy.macPicojoules == z.table.macPicojoules)
        let found = try #require(spec.search())
        #expect(spec.problem.infeasibility(of: found.mapping, on: read) == nil)
    }

    static let arch = """
        architecture:
          version: 0.4
          nodes:
          - !Component {name: DRAM, class: DRAM, attributes: {width: 64, datawidth: 8}}
          - !Component {name: Scratchpad, class: SRAM, attributes: {depth: 4096, width: 128, datawidth: 8, n_banks: 4}}
          - !Container {name: Cols, spatial: {meshX: 16}}
          - !Component {name: Accumulator, class: SRAM, attributes: {depth: 512, width: 32, datawidth: 32}}
          - !Container {name: Rows, spatial: {meshY: 16}}
          - !Component {name: Registers, class: regfile, attributes: {depth: 1, width: 8, datawidth: 8}}
          - !Component {name: MAC, class: intmac, attributes: {datawidth: 8}}
        """
    static let problem = """
        problem:
          version: 0.4
          instance: {C: 64, M: 64, P: 32}
        """

    /// (what the case breaks, arch, problem, constraints, mapper, the file the message names, its line, key and words).
    static let malformed: [(String, String, String, String?, String?, String, Int, String, String)] = [
        ("YAML syntax", arch.replacingOccurrences(of: "version: 0.4\n", with: "version: [0.4\n"), problem, nil, nil, "a.yaml", 3, "(YAML syntax)", "malformed YAML"),
        ("unknown top key", arch.replacingOccurrences(of: "architecture:", with: "architecture:\n  colour: red"), problem, nil, nil, "a.yaml", 2, "architecture.colour", "unknown key"),
        ("unknown attribute", arch.replacingOccurrences(of: "depth: 4096", with: "depht: 4096"), problem, nil, nil, "a.yaml", 5, "architecture.nodes[1].attributes.depht", "unknown key"),
        ("wrong version", arch.replacingOccurrences(of: "version: 0.4", with: "version: 0.3"), problem, nil, nil, "a.yaml", 2, "architecture.version", "0.4"),
        ("unknown class", arch.replacingOccurrences(of: "class: regfile", with: "class: flipflop"), problem, nil, nil, "a.yaml", 9, "architecture.nodes[5].class", "unknown class"),
        ("missing tag", arch.replacingOccurrences(of: "- !Component {name: MAC", with: "- {name: MAC"), problem, nil, nil, "a.yaml", 10, "architecture.nodes[6]", "!Component"),
        ("nodes out of order", arch.replacingOccurrences(of: "meshY: 16", with: "meshX: 16"), problem, nil, nil, "a.yaml", 8, "architecture.nodes[4]", "second meshX"),
        ("not a number", arch.replacingOccurrences(of: "depth: 512", with: "depth: lots"), problem, nil, nil, "a.yaml", 7, "architecture.nodes[3].attributes.depth", "integer"),
        ("scratchpad too small", arch.replacingOccurrences(of: "depth: 4096", with: "depth: 8"), problem, nil, nil, "a.yaml", 5, "architecture.nodes[1]", "scratchpad"),
        ("registers keep two tensors", arch.replacingOccurrences(of: "{depth: 1, width: 8, datawidth: 8}}", with: "{depth: 1, width: 8, datawidth: 8}, constraints: {dataspace: {keep: [Inputs, Weights]}}}"), problem, nil, nil, "a.yaml", 9, "architecture.nodes[5].constraints.dataspace.keep[0]", "[Weights, Outputs] (a TPU-like PE)"),
        ("output register energy without one", arch.replacingOccurrences(of: "{depth: 1, width: 8, datawidth: 8}", with: "{depth: 1, width: 8, datawidth: 8, output_read_energy: 0.02}"), problem, nil, nil, "a.yaml", 9, "architecture.nodes[5].attributes.output_read_energy", "needs the registers to keep [Weights, Outputs]"),
        ("unknown problem key", arch, problem.replacingOccurrences(of: "P: 32", with: "P: 32, X: 2"), nil, nil, "p.yaml", 3, "problem.instance.X", "unknown key"),
        ("zero size", arch, problem.replacingOccurrences(of: "P: 32", with: "P: 0"), nil, nil, "p.yaml", 3, "problem.instance.P", "out of range"),
        ("strides differ", arch, problem.replacingOccurrences(of: "P: 32", with: "P: 32, Hstride: 2"), nil, nil, "p.yaml", 3, "problem.instance", "Hstride 2 and Wstride 1"),
        ("unknown target", arch, problem, "constraints:\n  version: 0.4\n  targets:\n  - {target: Buffer, type: temporal, factors: K=1}\n", nil, "c.yaml", 4, "constraints.targets[0].target", "unknown target 'Buffer'"),
        ("bad factor", arch, problem, "constraints:\n  version: 0.4\n  targets:\n  - {target: DRAM, type: temporal, factors: K<16}\n", nil, "c.yaml", 4, "constraints.targets[0].factors", "not a factor constraint"),
        ("impossible factor", arch, problem, "constraints:\n  version: 0.4\n  targets:\n  - {target: Scratchpad, type: spatial, factors: K=48}\n", nil, "c.yaml", 4, "constraints.targets[0].factors", "impossible constraints"),
        ("keep contradicts", arch, problem, "constraints:\n  version: 0.4\n  targets:\n  - {target: Accumulator, type: dataspace, keep: [Inputs]}\n", nil, "c.yaml", 4, "constraints.targets[0].keep", "impossible constraints"),
        ("unknown algorithm", arch, problem, nil, "mapper:\n  version: 0.4\n  algorithm: genetic\n", "m.yaml", 3, "mapper.algorithm", "unknown algorithm"),
        ("annealing on energy", arch, problem, nil, "mapper:\n  version: 0.4\n  algorithm: annealing\n  optimization_metrics: [energy]\n", "m.yaml", 4, "mapper.optimization_metrics[0]", "annealing minimises EDP"),
    ]

    @Test("malformed files: one message naming the file, the line and the key", arguments: malformed.indices)
    func malformedFile(_ i: Int) {
        let (what, a, p, c, m, file, line, key, words) = Self.malformed[i]
        do {
            _ = try MappingSpec.read(architecture: (a, "a.yaml"), problem: (p, "p.yaml"), constraints: c.map { ($0, "c.yaml") },
                                     mapper: m.map { ($0, "m.yaml") })
            Issue.record("\(what): accepted")
        } catch {
            #expect(error.file == file && error.line == line && error.key == key, "\(what): \(error)")
            #expect(error.message.contains(words), "\(what): \(error)")
            #expect(error.description.hasPrefix("\(file):\(line): \(key): "), "\(what): \(error)")
        }
    }

    @Test("a file without constraints searches the whole wired space and still finds a valid mapping")
    func unconstrainedSpec() throws {
        let spec = try MappingSpec.read(architecture: (Self.arch, "a.yaml"), problem: (Self.problem, "p.yaml"))
        #expect(!spec.architecture.hasL2 && spec.constraints.isEmpty(.l2))
        let found = try #require(spec.search())
        #expect(spec.problem.infeasibility(of: found.mapping, on: spec.architecture.architecture) == nil)
        #expect(found.mapping.loops(.l2).isEmpty)
    }
}
