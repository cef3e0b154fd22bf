import ArgumentParser
import ChapterSupport
import Core
import Foundation
import Testing
@testable import NASChapter

/// Chapter 5's inputs: the committed corpus, checkpoint and training log, and the perplexities that the last
/// measured run recorded (a debug build would need several minutes to measure the ~800 sub-networks again;
/// `Chapter5 record` re-measures some of them, and `make check` re-measures all of them in release).
enum Chapter5Fixture {
    static let settings = NASSettings()
    static let inputs: NASInputs = {
        let corpus = try! settings.corpus(try! NASData.read(NASData.corpusPath, root: repositoryRoot))
        return try! NASInputs.load(settings: settings, corpus: corpus, root: repositoryRoot)
    }()
    static let record: [NASArchitecture: Double] = try! NASRecord.parse(
        String(decoding: try! NASData.read(NASRecord.path, root: repositoryRoot), as: UTF8.self))
    static let chapter: ChapterResult = try! NASChapter.build(settings, inputs: inputs, source: .recorded(record))
    static let run: NASRun = try! NASRun.run(settings, inputs: inputs, source: .recorded(record))
}

@Suite("Chapter5 claims")
struct Chapter5ClaimTests {
    @Test("every claim of chapter 5", arguments: Chapter5Fixture.chapter.claims)
    func claim(_ claim: Claim) { check(claim) }

    @Test("claim ids are unique and every known deviation is used")
    func ids() {
        let ids = Chapter5Fixture.chapter.claims.map(\.id)
        #expect(Set(ids).count == ids.count)
        for id in NASChapter.knownDeviations(Chapter5Fixture.run).keys { #expect(ids.contains(id), "unused deviation \(id)") }
    }

    @Test("the found architecture is the lowest-EDP evaluated one within +0.1, and the baseline is the largest")
    func found() throws {
        let run = Chapter5Fixture.run
        let gains = run.gains(NASRun.budgets[0])
        let within = run.evaluated.filter { $0.perplexity <= gains.threshold }
        #expect(within.allSatisfy { $0.cost.edp >= gains.lowestEDP.cost.edp })
        #expect(run.baseline.architecture == run.space.largest)
        #expect(run.evaluated.allSatisfy { $0.cost.edp <= run.baseline.cost.edp })
        #expect(Set(run.evaluated.map(\.architecture)).count == run.evaluated.count, "each architecture evaluated once")
    }
}

@Suite("Chapter5 measurement", .serialized)
struct Chapter5MeasurementTests {
    @Test("the recorded perplexities are what running the committed supernet gives (baseline, smallest, found)")
    func recordMatchesMeasurement() throws {
        let run = Chapter5Fixture.run, s = Chapter5Fixture.settings
        let net = Chapter5Fixture.inputs.checkpoint.supernet
        for e in [run.baseline, run.smallest, run.gains(NASRun.budgets[0]).lowestEDP] {
            let measured = try net.perplexity(e.architecture, on: Chapter5Fixture.inputs.corpus.validation,
                                              maxWindows: s.validationWindows)
            // The fixed-order kernels give the same bits on every CPU: the record is the measurement, rounded.
            #expect(roundedPerplexity(measured) == e.perplexity, "\(e.architecture): measured \(measured), recorded \(e.perplexity)")
        }
    }

    @Test("the found and the smallest sub-network, extracted into their own weights, compute what the trained supernet's slices compute")
    func extractedNetworks() throws {
        let net = Chapter5Fixture.inputs.checkpoint.supernet
        let batch = TokenBatch.evaluationBatches(text: Chapter5Fixture.inputs.corpus.validation, sequences: 2,
                                                 length: net.shape.context, maxWindows: 2)[0]
        for arch in [Chapter5Fixture.run.gains(NASRun.budgets[0]).lowestEDP.architecture, Chapter5Fixture.run.space.smallest] {
            let standalone = try net.extract(arch)
            let a = try net.probabilities(arch, on: batch), b = try standalone.probabilities(arch, on: batch)
            // Float through BLAS with other leading dimensions: equal up to rounding.
            let worst = zip(a, b).map { abs($0 - $1) }.max()!
            #expect(worst <= 1e-6, "\(arch): largest difference \(worst)")
        }
        #expect(try net.extract(Chapter5Fixture.run.space.smallest).parameters.count < net.parameters.count / 4)
    }

    @Test("the committed checkpoint matches its README: shape, divisor and training record")
    func checkpoint() throws {
        let c = Chapter5Fixture.inputs.checkpoint
        #expect(c.widthDivisor == 8 && c.supernet.shape.context == 64)
        #expect(c.training.seed == 1 && Chapter5Fixture.inputs.log.count == c.training.steps)
        // Trained until flat: a warm-up, the peak rate up to the check where the rule held, then a decay over a
        // fifth of the steps so far, checked against the log's own learning rates and validation checks.
        let s = Chapter5Fixture.settings.training, log = Chapter5Fixture.inputs.log
        let rule = try #require(s.flattening)
        let phases = TrainingPhases(log, peak: c.training.peakLearningRate)
        let end = try #require(phases.constantEnd)
        #expect(phases.warmup == s.warmupSteps && end <= s.steps)
        #expect(phases.decay == Int((Double(end) * rule.decayFraction).rounded()))
        let checks = log.compactMap { e in e.validation.map { (step: e.step, loss: ($0[0] + $0[1]) / 2) } }
        #expect(checks.map(\.step) == Array(stride(from: s.validation.interval, through: log.count, by: s.validation.interval))
                + (log.count % s.validation.interval == 0 ? [] : [log.count]))
        // The rule, recomputed from the logged (4-decimal) losses, first holds where the run stopped its constant
        // phase, or never when the cap stopped it.
        let first = checks.indices.first { rule.holds(Array(checks[...$0])) }.map { checks[$0].step }
        #expect(first == (end < s.steps ? end : nil) || (first == nil && end == s.steps))
    }
}

@Suite("Chapter5 report and outputs")
struct Chapter5OutputTests {
    @Test("the committed report, figures and search record are what the code generates (run `make` to refresh)")
    func freshness() {
        let stale = stalePaths(Chapter5Fixture.chapter)
        #expect(stale.isEmpty, "stale: \(stale.joined(separator: ", "))")
    }

    @Test("same inputs, same bytes")
    func deterministic() throws {
        let again = try NASChapter.build(Chapter5Fixture.settings, inputs: Chapter5Fixture.inputs,
                                         source: .recorded(Chapter5Fixture.record))
        #expect(again.files.count == Chapter5Fixture.chapter.files.count)
        #expect(zip(again.files, Chapter5Fixture.chapter.files).allSatisfy { $0 == $1 })
    }

    @Test("the report has its tables, figures, claims, takeaways, summary and exercises")
    func shape() {
        let md = Chapter5Fixture.chapter.report.markdown()
        for needle in ["figures/05-fig23-framework.svg", "figures/05-fig25-latency.svg", "figures/05-fig25-energy.svg",
                       "figures/05-fig26-edp.svg", "figures/05-evolution.svg", "figures/05-found-architecture.svg",
                       "figures/05-training.svg", "Tab. 7", "Tab. 8", "Tab. 9", "**Takeaway:**", "## Summary", "## Exercises",
                       "--seed", "--population", "--mutation-probability", "--validation-windows", "--hw-seq-len", "--train"] {
            #expect(md.contains(needle), "missing \(needle)")
        }
    }

    @Test("a record that lacks an architecture is an error naming the record, not a silent number")
    func incompleteRecord() {
        var partial = Chapter5Fixture.record
        partial[Chapter5Fixture.run.space.largest] = nil
        do {
            _ = try NASRun.run(Chapter5Fixture.settings, inputs: Chapter5Fixture.inputs, source: .recorded(partial))
            Issue.record("ran without the baseline's perplexity")
        } catch let error as ConfigurationError {
            #expect(error.field == "search-record")
        } catch { Issue.record("unexpected \(error)") }
    }
}

@Suite("Chapter5 command line")
struct Chapter5CLITests {
    static let badInputs: [([String], String)] = [
        (["--population", "1"], "population"),
        (["--iterations", "0"], "iterations"),
        (["--mutation-probability", "1.5"], "mutation-probability"),
        (["--mutation-probability", "-0.1"], "mutation-probability"),
        (["--validation-windows", "0"], "validation-windows"),
        (["--hw-seq-len", "0"], "hw-seq-len"),
        (["--split-period", "2"], "split-period"),
        (["--train-steps", "0"], "train-steps"),
        (["--blas-threads", "0"], "blas-threads"),
        (["--train", "--checkpoint", "data/nas/supernet.bin"], "--train and --checkpoint conflict"),
        (["--train", "--json"], "--train and --json conflict"),
        (["--train", "--check"], "--train and --check conflict"),
        (["--population", "10000", "--iterations", "10000"], "window evaluations, more than"),
        (["--corpus", "/nonexistent/corpus.txt"], "invalid --corpus: cannot read"),
        (["--checkpoint", "/nonexistent/supernet.bin"], "invalid --checkpoint: cannot read"),
        (["--split-block-size", "0"], "invalid --split-block-size"),
        (["--check", "--json"], "conflict"),
        (["--threads", "0"], "threads"),
    ]

    @Test("bad settings give a message naming the flag", arguments: badInputs)
    func badInput(arguments: [String], expected: String) {
        expectUsageError(NASCommand.self, arguments, contains: expected)
    }

    @Test("the built executable exits non-zero on bad settings and on a missing or malformed checkpoint")
    func executable() throws {
        let bad = try runExecutable("nas", ["--check", "--population", "1"])
        #expect(bad.status != 0 && bad.err.contains("population"), "\(bad.err)")
        let missing = try runExecutable("nas", ["--check", "--checkpoint", "/nonexistent/supernet.bin"])
        #expect(missing.status != 0 && missing.err.contains("checkpoint"), "\(missing.err)")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nas-malformed-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("supernet.bin")
        try Data(String(repeating: "not a checkpoint, just text. ", count: 8).utf8).write(to: file)   // 232 bytes
        let malformed = try runExecutable("nas", ["--check", "--checkpoint", file.path])
        #expect(malformed.status != 0 && malformed.err.contains("magic"), "\(malformed.err)")
    }

    @Test("--help explains every flag")
    func help() {
        let help = NASCommand.helpMessage()
        for flag in ["--seed", "--population", "--iterations", "--mutation-probability", "--validation-windows", "--hw-seq-len",
                     "--split-block-size", "--split-period", "--validation-residue", "--test-residue", "--checkpoint", "--blas-threads", "--threads",
                     "--train", "--train-steps", "--train-seed", "--json", "--out", "--check", "--quiet"] {
            #expect(help.contains(flag), "help lacks \(flag)")
        }
    }
}

/// The recorded seed spread (data/nas/seed-spread.tsv) is read strictly, and the committed report shows it, which
/// `make check` keeps true only while its seed-1 row equals the default run's gains.
struct Chapter5SeedSpreadTests {
    @Test func theCommittedRecordParsesAndTheReportShowsIt() throws {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent(NASSeedSpread.path), encoding: .utf8)
        let spread = try NASSeedSpread.parse(text)
        #expect(spread.rows.map(\.seed) == Array(1...8))
        let report = try String(contentsOf: repositoryRoot.appendingPathComponent("chapters/05-nas.md"), encoding: .utf8)
        #expect(report.contains("How much the gains themselves move"))
    }

    @Test func aMalformedRecordNamesItsLine() {
        let header = NASSeedSpread.header
        #expect(throws: ConfigurationError.self) { try NASSeedSpread.parse("seed\tgain\n1\t2\n") }
        do {
            _ = try NASSeedSpread.parse(header + "\n1\t1\t1\t1\t1\t1\t1\n2\t1\t1\tx\t1\t1\t1\n", file: "f.tsv")
            Issue.record("accepted a malformed line")
        } catch {
            #expect("\(error)".contains("line 3 of f.tsv"))
        }
    }
}
