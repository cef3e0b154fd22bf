import Testing
@testable import Core

@Suite("Non-ideal traffic (Tab. 5)")
struct NonIdealTrafficTests {
    @Test("closed-form chunk counts equal the enumerated loop nest")
    func twoDerivations() {
        var rng = SeededGenerator(seed: 5)
        for _ in 0..<200 {
            let m = Int(rng.next() % 5000) + 1, n = Int(rng.next() % 3000) + 1, k = Int(rng.next() % 5000) + 1
            let chunk = [64, 512, 1024][Int(rng.next() % 3)]
            let out: Double = Bool.random(using: &rng) ? 4 : 1, bias = Bool.random(using: &rng)
            #expect(NonIdealTraffic.matmulBytes(m: m, n: n, k: k, outputBytes: out, bias: bias, chunk: chunk)
                    == NonIdealTraffic.enumeratedMatmulBytes(m: m, n: n, k: k, outputBytes: out, bias: bias, chunk: chunk))
        }
    }

    @Test("the chunk side of a 2 MB L2 is 1,024 and the layer's FLOPs are the workload model's")
    func consistency() throws {
        #expect(NonIdealTraffic.chunkSide(.analyticalModel) == 1024)
        for l in [128, 4096] {
            let rows = try NonIdealTraffic.encoderLayer(.bertBase, sequenceLength: l, accelerator: .analyticalModel)
            let flops = rows.reduce(0) { $0 + $1.flops }
            let expected = try ModelWorkload(.bertBase, sequenceLength: l).total.flops / 12
            #expect(abs(flops - expected) < 1e-6 * expected)
        }
        #expect(throws: ConfigurationError.self) {
            _ = try NonIdealTraffic.encoderLayer(.gpt2, sequenceLength: 128, accelerator: .analyticalModel)
        }
    }
}
