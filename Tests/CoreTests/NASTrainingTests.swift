import Foundation
import Testing
@testable import Core

/// The committed corpus and a few dozen sandwich steps of a tiny supernet on it (CI's smoke training).
@Suite("NAS corpus and smoke training", .serialized)
struct NASTrainingTests {
    static let corpusURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("data/nas/corpus/jargon-4.4.7.txt")

    static func corpus() throws -> ByteCorpus {
        try ByteCorpus.split(Array(try Data(contentsOf: corpusURL)))
    }

    @Test("the split has the sizes data/nas/corpus/README.md states and covers every byte once")
    func split() throws {
        let bytes = Array(try Data(contentsOf: Self.corpusURL))
        #expect(bytes.count == 1_681_817)
        let c = try ByteCorpus.split(bytes)
        #expect(c.train.count == 1_354_137 && c.validation.count == 163_840 && c.test.count == 163_840)
        #expect(Array(c.validation.prefix(16)) == Array(bytes[(8 * 16_384)..<(8 * 16_384 + 16)]))
        #expect(Array(c.test.suffix(16)) == Array(bytes[(99 * 16_384 + 16_368)..<(100 * 16_384)]))
        do {
            _ = try ByteCorpus.split(bytes, validationResidue: 3, testResidue: 3)
            Issue.record("equal residues accepted")
        } catch { #expect(error.field == "testResidue") }
    }

    @Test("40 sandwich steps lower the training loss and the largest sub-network's validation perplexity")
    func smokeTraining() throws {
        let corpus = try Self.corpus()
        let space = try NASSearchSpace.scaled(widthDivisor: 32)      // d 12...24, head width 2, d_FFN 24...96
        let shape = try SupernetShape(space: space, context: 16)
        let schedule = try LinearSchedule(peak: 3e-3, warmupSteps: 4, totalSteps: 40)
        var trainer = try SandwichTrainer(supernet: Supernet<Float>(shape: shape, seed: 1), space: space,
                                          schedule: schedule, seed: 2)
        let before = try trainer.supernet.perplexity(space.largest, on: corpus.validation, maxWindows: 64)
        var sampler = SeededGenerator(seed: 3)
        var losses: [[Float]] = []
        for _ in 0..<40 {
            let batch = TokenBatch.random(text: corpus.train, sequences: 4, length: 16, using: &sampler)
            losses.append(try trainer.step(on: batch))
        }
        let after = try trainer.supernet.perplexity(space.largest, on: corpus.validation, maxWindows: 64)
        let first = losses.prefix(5).map { $0[0] }.reduce(0, +) / 5, last = losses.suffix(5).map { $0[0] }.reduce(0, +) / 5
        #expect(losses.allSatisfy { $0.count == 4 && $0.allSatisfy(\.isFinite) })
        #expect(abs(Double(losses[0][0]) - log(256)) < 0.1, "an untrained byte model starts near ln 256")
        #expect(last < first - 1, "largest sub-network's loss \(first) → \(last)")
        #expect(after < before / 4, "validation perplexity \(before) → \(after)")
    }

    @Test("the linear schedule warms up, peaks and decays to 0")
    func schedule() throws {
        let s = try LinearSchedule(peak: 1e-3, warmupSteps: 10, totalSteps: 110)
        #expect(abs(s.rate(at: 0) - 1e-4) < 1e-15 && abs(s.rate(at: 9) - 1e-3) < 1e-15)
        #expect(abs(s.rate(at: 60) - 5e-4) < 1e-15 && s.rate(at: 110) == 0)
        #expect(throws: ConfigurationError.self) { try LinearSchedule(peak: 0, warmupSteps: 0, totalSteps: 1) }
        // Warm-up, a constant phase to step 60, then the decay to 0 at 110.
        let wsd = try LinearSchedule(peak: 1e-3, warmupSteps: 10, totalSteps: 110, decayStart: 60)
        #expect(wsd.rate(at: 9) == 1e-3 && wsd.rate(at: 59) == 1e-3 && abs(wsd.rate(at: 85) - 5e-4) < 1e-15 && wsd.rate(at: 110) == 0)
        #expect(throws: ConfigurationError.self) { try LinearSchedule(peak: 1e-3, warmupSteps: 10, totalSteps: 110, decayStart: 5) }
    }
}
