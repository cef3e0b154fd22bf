import Core
import Foundation
import Testing
@testable import NASChapter

/// Chapter 5's perplexities are functions of the committed checkpoint and corpus alone: the same bits whatever
/// OpenBLAS does, however many threads measure them and whichever ISA build of the kernels runs; and they agree
/// with the training path's BLAS forward pass up to rounding (a second derivation of the same numbers).
@Suite("Chapter5 deterministic evaluation", .serialized)
struct Chapter5DeterminismTests {
    static var net: Supernet<Float> { Chapter5Fixture.inputs.checkpoint.supernet }
    static var validation: [UInt8] { Chapter5Fixture.inputs.corpus.validation }
    /// The baseline, the smallest, and two from the space with widths that no vector width divides (d = 60, 84).
    static let architectures: [NASArchitecture] = [
        Chapter5Fixture.run.space.largest, Chapter5Fixture.run.space.smallest,
        NASArchitecture(dModel: 60, heads: [4, 12, 6], ffn: [320, 96, 144]),
        NASArchitecture(dModel: 84, heads: [10, 8, 4, 12], ffn: [112, 384, 208, 96]),
    ]

    static func bits(_ x: [Double]) -> [UInt64] { x.map(\.bitPattern) }

    @Test("OpenBLAS at 1 and at 2 threads: the same perplexities, bit for bit")
    func blasThreads() throws {
        TransformerRuntime.setThreads(1)
        let one = try SupernetEvaluator(Self.net, threads: 1).perplexities(Self.architectures, on: Self.validation, maxWindows: 4)
        TransformerRuntime.setThreads(2)
        let two = try SupernetEvaluator(Self.net, threads: 1).perplexities(Self.architectures, on: Self.validation, maxWindows: 4)
        TransformerRuntime.setThreads(1)
        #expect(Self.bits(one) == Self.bits(two))
        #expect(one.allSatisfy { $0 > 1 && $0 < 256 }, "\(one)")
    }

    @Test("1, 2 and 3 evaluation threads: the same perplexities, bit for bit")
    func evaluationThreads() throws {
        // 9 windows: three tasks per architecture, the last one short.
        let results = try [1, 2, 3].map {
            try SupernetEvaluator(Self.net, threads: $0).perplexities(Self.architectures, on: Self.validation, maxWindows: 9)
        }
        #expect(Self.bits(results[0]) == Self.bits(results[1]))
        #expect(Self.bits(results[0]) == Self.bits(results[2]))
        // The convenience API is the same computation.
        let single = try Self.net.perplexity(Self.architectures[2], on: Self.validation, maxWindows: 9, threads: 2)
        #expect(single.bitPattern == results[0][2].bitPattern)
    }

    @Test("every ISA build of the kernels this CPU runs gives the same token losses, bit for bit")
    func isaLevels() throws {
        for arch in Self.architectures.dropFirst(2) {
            let reference = try SupernetEvaluator(Self.net, threads: 1, isa: .baseline).tokenLosses(arch, on: Self.validation, maxWindows: 2)
            for isa in FixedOrderISA.supported {
                let losses = try SupernetEvaluator(Self.net, threads: 1, isa: isa).tokenLosses(arch, on: Self.validation, maxWindows: 2)
                #expect(Self.bits(losses) == Self.bits(reference), "\(isa), \(arch)")
            }
        }
    }

    @Test("the fixed-order forward agrees with the training path's BLAS forward: token losses within 5e-4 nats, perplexity within 1e-5 relative")
    func agreesWithBLAS() throws {
        // Stated before the first run. The two paths compute the same function in Float with other summation
        // orders and other exp/erf (each within ~2 ulp, erf within 1.5e-7): per-token differences of a few 1e-6
        // in logits of magnitude ~10, growing through six layers, stay far below 5e-4 nats, while a wrong
        // operation (a missed bias, a misplaced head) moves losses by 1e-2 or more. The perplexity averages
        // those differences over the tokens: 1e-5 relative is 100 times the Float rounding of one operation.
        let windows = 4, T = Self.net.shape.context
        for arch in [Self.architectures[0], Self.architectures[2]] {
            let ours = try SupernetEvaluator(Self.net, threads: 1).tokenLosses(arch, on: Self.validation, maxWindows: windows)
            let batch = TokenBatch.evaluationBatches(text: Self.validation, sequences: windows, length: T, maxWindows: windows)[0]
            let probabilities = try Self.net.probabilities(arch, on: batch)
            let blas = (0..<(windows * T)).map { -log(Double(probabilities[$0 * 256 + Int(batch.targets[$0])])) }
            let worst = zip(ours, blas).map { abs($0 - $1) }.max()!
            #expect(worst <= 5e-4, "\(arch): worst token difference \(worst) nats")
            let deterministic = try Self.net.perplexity(arch, on: Self.validation, maxWindows: windows)
            let reference = try Self.net.blasPerplexity(arch, on: Self.validation, maxWindows: windows)
            #expect(abs(deterministic / reference - 1) <= 1e-5, "\(arch): \(deterministic) vs BLAS \(reference)")
        }
    }
}
