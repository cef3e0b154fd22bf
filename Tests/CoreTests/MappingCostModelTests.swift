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
    @Test("closed-form access counts equal the walked loop nest, WS and OS", arguments: [Dataflow.weightStationary, .outputStationary])
    func twoDerivations(dataflow: Dataflow) throws {
        var a = MappingFixtures.tinyAccelerator
        a.dataflow = dataflow
        let arch = try MappingArchitecture(accelerator: a)
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
