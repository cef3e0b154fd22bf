import Testing
import Core

/// The README's "Using Core from your own code" block, line by line, with the values its comments state.
@Suite("README's Core examples")
struct ReadmeExampleTests {
    @Test("workload, integer kernel and traffic examples")
    func workload() throws {
        let w = try ModelWorkload(.bertBase, sequenceLength: 512)
        #expect((w.total.flops / 1e9 * 100).rounded() / 100 == 97.02)
        #expect((w.classTotals[.actToAct]!.intensity * 100).rounded() / 100 == 101.95)
        _ = try IBERT.gelu(ScaledInteger(32, scale: 4.0 / 127))
        _ = try NonIdealTraffic.encoderLayer(.bertBase, sequenceLength: 512, accelerator: .analyticalModel)
    }

    @Test("the mapper's annealing reaches MACs / 256 on FFN W1 at 128 tokens")
    func mapper() throws {
        let model = try MappingCostModel(.gemm(name: "W1", m: 128, n: 3072, k: 768),
                                         architecture: MappingArchitecture(accelerator: .gemminiBaseline))
        let space = try Mapspace(model)
        var rng = SeededGenerator(seed: 1)
        let best = try #require(MappingSearch.anneal(space, steps: 30_000, using: &rng))
        #expect(best.cost.cycles == Double(128 * 3072 * 768 / 256))
    }

    @Test("the NAS hardware cost prices the baseline")
    func nasCost() throws {
        let cost = try NASHardwareCost(sequenceLength: 512).cost(NASSearchSpace.survey.largest)
        // Six BERT-Base-wide layers at l = 512 can never beat their MACs on 256 PEs.
        let layer = try GemminiEncoderModel(.bertBase, sequenceLength: 512, accelerator: .gemminiTransformer)
        #expect(cost.edp > 0 && cost.cycles >= 6 * layer.macs / 256)
    }
}
