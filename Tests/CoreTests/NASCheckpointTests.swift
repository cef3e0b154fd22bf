import Foundation
import Testing
@testable import Core

/// The supernet checkpoint format and a complete (tiny) training run written through it.
@Suite("NAS checkpoint and training run")
struct NASCheckpointTests {
    static func tiny() throws -> SupernetCheckpoint {
        let shape = try SupernetShape(space: try NASSearchSpace.scaled(widthDivisor: 32), context: 8)
        let info = SupernetCheckpoint.Training(seed: 5, steps: 12, sequencesPerStep: 3, peakLearningRate: 2e-3)
        return SupernetCheckpoint(supernet: Supernet<Float>(shape: shape, seed: 9), widthDivisor: 32, training: info)
    }

    @Test("encode then decode gives the same weights bit for bit, the shape and the training record")
    func roundTrip() throws {
        let c = try Self.tiny()
        let bytes = c.encoded()
        #expect(bytes.count == SupernetCheckpoint.headerBytes + 4 * c.supernet.parameters.count)
        let back = try SupernetCheckpoint.decode(bytes, expected: c.supernet.shape)
        #expect(back.supernet.shape == c.supernet.shape)
        #expect(back.supernet.parameters.map(\.bitPattern) == c.supernet.parameters.map(\.bitPattern))
        #expect(back.training == c.training && back.widthDivisor == 32)
        #expect(back.encoded() == bytes)
    }

    static func expectError(_ bytes: [UInt8], expected: SupernetShape? = nil, _ needle: String,
                            sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try SupernetCheckpoint.decode(bytes, expected: expected)
            Issue.record("decoded a malformed checkpoint (\(needle))", sourceLocation: sourceLocation)
        } catch {
            #expect(error.field == "checkpoint", sourceLocation: sourceLocation)
            #expect(error.message.contains(needle), "\(error.message)", sourceLocation: sourceLocation)
        }
    }

    @Test("malformed files are errors that say what is wrong")
    func malformed() throws {
        let c = try Self.tiny()
        let good = c.encoded()
        Self.expectError([], "shorter than")
        Self.expectError(Array(good.prefix(40)), "shorter than")
        var magic = good; magic[0] = UInt8(ascii: "X")
        Self.expectError(magic, "magic")
        var version = good; version[8] = 9
        Self.expectError(version, "format version 9")
        Self.expectError(Array(good.dropLast(4)), "truncated or padded")
        Self.expectError(good + [0, 0, 0, 0], "truncated or padded")
        var flipped = good; flipped[good.count - 3] ^= 0x40
        Self.expectError(flipped, "hash")
        var count = good; count[SupernetCheckpoint.headerBytes - 16] ^= 1
        Self.expectError(count, "parameters; its shape needs")
        var zeroWidth = good; for i in 0..<4 { zeroWidth[12 + 12 + i] = 0 }      // d = 0
        Self.expectError(zeroWidth, "stored shape is invalid")
        let other = try SupernetShape(space: try NASSearchSpace.scaled(widthDivisor: 32), context: 16)
        Self.expectError(good, expected: other, "does not match")
        // The hash covers the header: an edited step count (bytes 52-59) or seed is caught, not reported.
        var steps = good; steps[52] ^= 0xff
        Self.expectError(steps, "hash")
        var seed = good; seed[44] ^= 1
        Self.expectError(seed, "hash")
    }

    @Test("a training run is deterministic for its seed, lowers the loss, and survives the checkpoint")
    func trainingRun() throws {
        let corpus = try NASTrainingTests.corpus()
        let run = try SupernetTrainingRun(widthDivisor: 32, context: 16, sequencesPerStep: 4, steps: 30,
                                          peakLearningRate: 3e-3, seed: 4)
        var seen = 0
        let (a, log) = try run.train(on: corpus) { e in
            seen += 1
            #expect(e.step == seen && e.losses.count == 4)
        }
        let (b, _) = try run.train(on: corpus, threads: 2)
        // Same seed, same run. Bit-equal when the run has BLAS to itself; when other tests call OpenBLAS
        // concurrently its threading can change the last bits of a product, so allow rounding-sized drift.
        let drift = zip(a.supernet.parameters, b.supernet.parameters).map { abs($0 - $1) }.max()!
        #expect(drift <= 1e-4, "largest difference between two runs of one seed: \(drift)")
        #expect(log.count == 30 && seen == 30)
        let first = log.prefix(3).map { $0.losses[0] }.reduce(0, +) / 3
        let last = log.suffix(3).map { $0.losses[0] }.reduce(0, +) / 3
        #expect(last < first - 0.5, "largest sub-network's loss \(first) → \(last)")
        let back = try SupernetCheckpoint.decode(a.encoded(), expected: try run.shape())
        #expect(back.training.steps == 30 && back.training.seed == 4)
        let space = try run.space()
        let p1 = try a.supernet.perplexity(space.largest, on: corpus.validation, maxWindows: 8)
        let p2 = try back.supernet.perplexity(space.largest, on: corpus.validation, maxWindows: 8)
        #expect(p1 == p2)
    }

    @Test("the flattening rule ends the constant phase when the best validation loss stalls for its patience")
    func flatteningRule() throws {
        let rule = try SupernetTrainingRun.Flattening(patience: 1_000, minImprovement: 0.005)
        // Falling 0.01 per 250 steps: 0.04 per 1,000 steps, never flat.
        let falling = (1...12).map { (step: $0 * 250, loss: 3.0 - 0.01 * Double($0)) }
        #expect(!(1...12).contains { rule.holds(Array(falling.prefix($0))) })
        // Fewer than `patience` steps of checks: no earlier best to compare with.
        #expect(!rule.holds([(250, 2.0), (500, 2.0), (750, 2.0)]))
        // Stalled: 0.004 better than 1,000 steps before (flat), then a new low 0.006 below it (not flat).
        let stalled = [(step: 250, loss: 2.5), (500, 2.1), (750, 2.099), (1_000, 2.098), (1_250, 2.097), (1_500, 2.096)]
        #expect(!rule.holds(Array(stalled.prefix(4))))
        #expect(rule.holds(stalled))
        #expect(!rule.holds(stalled + [(1_750, 2.094)]))
        // A loss that rises again keeps the best: flat.
        #expect(rule.holds(stalled.prefix(2) + [(750, 2.2), (1_000, 2.3), (1_250, 2.4), (1_500, 2.5)]))
        #expect(throws: ConfigurationError.self) { try SupernetTrainingRun.Flattening(decayFraction: 0) }
    }

    @Test("a run until flat keeps the peak rate until the rule holds (or the cap), then decays over its fraction")
    func untilFlat() throws {
        let corpus = try NASTrainingTests.corpus()
        func run(minImprovement: Double) throws -> [SupernetTrainingRun.LogEntry] {
            let r = try SupernetTrainingRun(widthDivisor: 32, context: 16, sequencesPerStep: 4, steps: 60, warmupSteps: 5,
                                            peakLearningRate: 3e-3, seed: 4,
                                            validation: .init(interval: 10, windows: 16),
                                            flattening: .init(patience: 20, minImprovement: minImprovement, decayFraction: 0.2))
            let (checkpoint, log) = try r.train(on: corpus)
            #expect(checkpoint.training.steps == log.count)
            #expect(log.filter { $0.validation != nil }.map(\.step) == Array(stride(from: 10, to: log.count, by: 10)) + [log.count])
            return log
        }
        // Any change counts as flat: the rule holds at the first check with one 20 steps before (step 30),
        // and the decay lasts 0.2 × 30 = 6 steps.
        let early = try run(minImprovement: 100)
        // The decay's first step (31) still runs at the peak, as a linear decay from the warm-up does.
        #expect(early.count == 36)
        #expect(early[5...30].allSatisfy { $0.learningRate == 3e-3 })
        #expect(zip(early[30...], early[31...]).allSatisfy { $0.learningRate > $1.learningRate } && early.last!.learningRate > 0)
        // Only a rise counts as flat: the training loss falls all along, so the cap (60) ends the phase; 12 more decay.
        let capped = try run(minImprovement: 0)
        #expect(capped.count == 72 && capped[60].learningRate == 3e-3 && capped[61].learningRate < 3e-3)
    }

    @Test("bad training settings name the flag")
    func badRun() {
        func expectField(_ field: String, _ body: () throws -> Void) {
            do { try body(); Issue.record("accepted bad \(field)") }
            catch let error as ConfigurationError { #expect(error.field == field) }
            catch { Issue.record("unexpected \(error)") }
        }
        expectField("widthDivisor") { _ = try SupernetTrainingRun(widthDivisor: 3, context: 8, steps: 1) }
        expectField("context") { _ = try SupernetTrainingRun(widthDivisor: 8, context: 1, steps: 1) }
        expectField("trainSteps") { _ = try SupernetTrainingRun(widthDivisor: 8, context: 8, steps: 0) }
        expectField("learningRate") { _ = try SupernetTrainingRun(widthDivisor: 8, context: 8, steps: 5, peakLearningRate: -1) }
    }
}

@Suite("NAS records")
struct NASRecordTests {
    @Test("an architecture's description parses back; other text does not")
    func architectureText() {
        var g = SeededGenerator(seed: 2)
        for _ in 0..<20 {
            let a = NASSearchSpace.survey.randomArchitecture(using: &g)
            #expect(NASArchitecture(parsing: a.description) == a)
        }
        for bad in ["", "N=2 d=96 h=[4,4] f=[96]", "N=3 d=96 h=[4,4] f=[96,96]", "N=1 d=x h=[4] f=[96]", "N=1 d=96 h=[] f=[]",
                    "N=1 d=96 h=[4,] f=[96]"] {
            #expect(NASArchitecture(parsing: bad) == nil, "\(bad)")
        }
    }

    @Test("the result record round-trips and prices its architectures with the hardware cost")
    func resultRecord() throws {
        let s = try NASSearchSpace.scaled(widthDivisor: 8)
        let r = NASResultRecord(widthDivisor: 8, hardwareSequenceLength: 512, baseline: s.largest, baselinePerplexity: 4.12345,
                                found: s.smallest, foundPerplexity: 5.5)
        let back = try NASResultRecord(parsing: r.text)
        #expect(back.found == r.found && back.baseline == r.baseline && back.baselinePerplexity == 4.1235)
        let hw = try NASHardwareCost(sequenceLength: 512)
        #expect(try r.edpFactor() == hw.cost(NASSearchSpace.survey.largest).edp / hw.cost(NASSearchSpace.survey.smallest).edp)
        do { _ = try NASResultRecord(parsing: "width-divisor\t8\n"); Issue.record("accepted a partial record") }
        catch { #expect(error.field == "nasResult") }
    }
}
