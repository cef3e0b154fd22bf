import ArgumentParser
import ChapterSupport
import Core
import Foundation
import Testing
@testable import GemminiCaseStudy

/// The default run of chapter 6 (with chapter 5's recorded NAS result, as the command reads it), built once.
let chapter6Settings: GemminiCaseStudySettings = {
    var s = GemminiCaseStudySettings()
    s.nasResult = try! GemminiCaseStudySettings.loadNASResult(
        repositoryRoot.appendingPathComponent(GemminiCaseStudySettings.nasResultPath).path, required: true)
    s.host.mixSource = .counted(try! GemminiCaseStudySettings.loadCPUMixes(
        repositoryRoot.appendingPathComponent(GemminiCaseStudySettings.cpuMixesPath).path))
    return s
}()
let chapter6: ChapterResult = try! GemminiCaseStudyChapter.build(chapter6Settings)

@Suite("Chapter6 claims")
struct Chapter6ClaimTests {
    @Test("every claim of chapter 6", arguments: chapter6.claims)
    func claim(_ claim: Claim) { check(claim) }

    @Test("claim ids are unique and every known deviation is used")
    func ids() {
        let ids = chapter6.claims.map(\.id)
        #expect(Set(ids).count == ids.count)
        for id in GemminiCaseStudyChapter.knownDeviations.keys { #expect(ids.contains(id), "unused deviation \(id)") }
    }

    @Test("the ladder: rebalancing changes the matmuls little with the DMA at its bus rate and speeds them up once it is latency-bound; the integer units speed up the whole layer")
    func ladder() throws {
        let s = GemminiCaseStudySettings()
        let base = try GemminiCaseStudyChapter.layers(s, s.baseline, 512)
        let rebalanced = try GemminiCaseStudyChapter.layers(s, s.rebalanced, 512)
        let transformer = try GemminiCaseStudyChapter.layers(s, s.transformer, 512)
        #expect(abs(rebalanced.matmulCycles / base.matmulCycles - 1) < 0.01)
        var slowBase = s.baseline, slowRebalanced = s.rebalanced
        slowBase.memoryLatencyCycles = 160
        slowRebalanced.memoryLatencyCycles = 160
        #expect(try GemminiCaseStudyChapter.layers(s, slowRebalanced, 512).matmulCycles
                < 0.9 * GemminiCaseStudyChapter.layers(s, slowBase, 512).matmulCycles)
        #expect(transformer.totalCycles < rebalanced.totalCycles)
        #expect(transformer.share(.quantization) == 0)
        // The CPU path and the units path account for the same MACs.
        #expect(base.macs == transformer.macs)
    }
}

@Suite("Chapter6 report and outputs")
struct Chapter6OutputTests {
    @Test("the committed report and figures are what the code generates (run `make` to refresh)")
    func freshness() {
        let stale = stalePaths(chapter6)
        #expect(stale.isEmpty, "stale: \(stale.joined(separator: ", "))")
    }

    @Test("same inputs, same bytes")
    func deterministic() throws {
        let again = try GemminiCaseStudyChapter.build(chapter6Settings)
        #expect(zip(again.files, chapter6.files).allSatisfy { $0 == $1 } && again.files.count == chapter6.files.count)
    }

    @Test("the report has its figures, the side-by-side table with the analytical hook, and the cited NAS factor")
    func shape() {
        let md = chapter6.report.markdown()
        for needle in ["figures/06-fig12-gemmini.svg", "figures/06-layer-dataflow.svg", "figures/06-fig13-utilisation.svg",
                       "figures/06-fig13-memory-latency.svg", "figures/06-fig14-left.svg", "figures/06-fig14-middle.svg", "figures/06-fig14-right.svg",
                       "figures/06-cpu-sensitivity.svg", "ch. 2 analytical", "cited from the", "## Exercises", "**Takeaway:**"] {
            #expect(md.contains(needle), "missing \(needle)")
        }
    }
}

@Suite("Chapter6 command line")
struct Chapter6CLITests {
    static let badInputs: [([String], String)] = [
        (["--seq-len", "0"], "seq-len"),
        (["--seq-len", "9000"], "seq-len"),
        (["--compare-seq-len", "-1"], "compare-seq-len"),
        (["--breakdown-seq-lens", "128,128"], "each once"),
        (["--breakdown-seq-lens", "128,x"], "'x' is not an integer"),
        (["--model", "gpt2"], "decoder"),
        (["--model", "t5"], "'t5' is invalid for '--model"),
        (["--mesh-dim", "0"], "mesh-dim"),
        (["--mesh-dim", "64"], "invalid --mesh-dim: 64 is out of range for the Gemmini model; allowed 1...32"),
        (["--scratchpad-kib", "0"], "scratchpad-kib"),
        (["--accumulator-kib", "-3"], "accumulator-kib"),
        (["--rebalanced-accumulator-kib", "0"], "rebalanced-accumulator-kib"),
        (["--mesh-dim", "64", "--scratchpad-kib", "8"], "invalid --scratchpad-kib"),
        (["--sfu-width", "0"], "sfu-width"),
        (["--dma-bytes-per-cycle", "0"], "dma-bytes-per-cycle"),
        (["--cpu-miss-penalty", "-5"], "cpu-miss-penalty"),
        (["--cpu-libm-scale", "nan"], "cpu-libm-scale"),
        (["--nas-result", "/nonexistent/nas-result.tsv"], "nas-result"),
        (["--cpu-mixes", "/nonexistent/rv64-mix.tsv"], "invalid --cpu-mixes: cannot read '/nonexistent/rv64-mix.tsv'"),
        (["--dma-bytes-per-cycle", "1e-12"], "invalid --dma-bytes-per-cycle: 1e-12 is out of range"),
        (["--dma-bytes-per-cycle", "1e-10", "--model", "bert-large", "--seq-len", "8192", "--breakdown-seq-lens", "8192"], "invalid --dma-bytes-per-cycle"),
        (["--cpu-miss-penalty", "1000000"], "invalid --cpu-miss-penalty: 1000000.0 is out of range; allowed a number in 0...500000"),
        (["--cpu-fma-latency=-1"], "invalid --cpu-fma-latency"),
        (["--mesh-dim", "32", "--rebalanced-scratchpad-kib", "2"], "invalid --rebalanced-scratchpad-kib"),
        (["--check", "--json"], "conflict"),
        (["--memory-latency=-1"], "invalid --memory-latency"),
        (["--memory-latency", "1e9"], "invalid --memory-latency"),
    ]

    @Test("bad inputs give a message naming the field", arguments: badInputs)
    func badInput(arguments: [String], expected: String) {
        expectUsageError(GemminiCaseStudyCommand.self, arguments, contains: expected)
    }

    @Test("the built executable exits non-zero on bad input and names the field")
    func executableExitCode() throws {
        let result = try runExecutable("gemmini-case-study", ["--check", "--sfu-width", "0"])
        #expect(result.status != 0)
        #expect(result.err.contains("sfu-width"))
    }

    @Test("--help explains every flag")
    func help() {
        let help = GemminiCaseStudyCommand.helpMessage()
        for flag in ["--model", "--seq-len", "--breakdown-seq-lens", "--compare-seq-len", "--mesh-dim", "--scratchpad-kib",
                     "--accumulator-kib", "--rebalanced-scratchpad-kib", "--rebalanced-accumulator-kib", "--sfu-width",
                     "--dma-bytes-per-cycle", "--memory-latency", "--cpu-miss-penalty", "--cpu-fma-latency", "--cpu-convert-latency",
                     "--cpu-divide-latency", "--cpu-load-latency", "--cpu-libm-scale", "--cpu-mixes", "--nas-result", "--json", "--out", "--check"] {
            #expect(help.contains(flag), "help lacks \(flag)")
        }
    }

    @Test("--memory-latency reaches the engine: a long round trip lowers the baseline's matmul utilisation")
    func memoryLatency() throws {
        let command = try GemminiCaseStudyCommand.parseAsRoot(["--memory-latency", "256"]) as! GemminiCaseStudyCommand
        let settings = try command.settings()
        #expect(settings.baseline.memoryLatencyCycles == 256 && settings.transformer.memoryLatencyCycles == 256)
        let slow = try GemminiEncoderModel(.bertBase, sequenceLength: 512, accelerator: settings.baseline)
        let fast = try GemminiEncoderModel(.bertBase, sequenceLength: 512, accelerator: .gemminiBaseline)
        #expect(slow.matmulUtilization < fast.matmulUtilization - 0.2)
    }

    @Test("a malformed --cpu-mixes file is refused with the flag, the file and the line")
    func malformedCPUMixes() throws {
        let recorded = try String(contentsOf: repositoryRoot.appendingPathComponent(GemminiCaseStudySettings.cpuMixesPath), encoding: .utf8)
        var lines = recorded.components(separatedBy: "\n")
        let gelu = try #require(lines.firstIndex { $0.hasPrefix("gelu\telement\t") })
        lines[gelu] = "gelu\telement\tmany"
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("chapter6-bad-mix-\(getpid()).tsv").path
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        expectUsageError(GemminiCaseStudyCommand.self, ["--cpu-mixes", path], contains: "invalid --cpu-mixes: '\(path)' line \(gelu + 1): 3 fields")
    }

    @Test("the chapter refuses a host CPU without counted mixes, naming the field")
    func handOnly() {
        var settings = chapter6Settings
        settings.host.mixSource = .hand
        #expect(throws: ConfigurationError.self) { _ = try GemminiCaseStudyChapter.build(settings) }
        do {
            _ = try GemminiCaseStudyChapter.build(settings)
        } catch let error as ConfigurationError {
            #expect(error.field == "cpu-mixes")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test("the counted mixes price the claims; the hand ones are set beside them and give other shares")
    func countedAgainstHand() throws {
        var hand = chapter6Settings
        hand.host.mixSource = .hand
        let counted = try GemminiCaseStudyChapter.layers(chapter6Settings, chapter6Settings.baseline, 512)
        let handLayer = try GemminiCaseStudyChapter.layers(hand, hand.baseline, 512)
        #expect(counted.matmulCycles == handLayer.matmulCycles)
        #expect(counted.cycles[.gelu] != handLayer.cycles[.gelu])
        let claim = try #require(chapter6.claims.first { $0.id == "fig14.left.gelu" })
        #expect(claim.observed.number == counted.share(.gelu) * 100)
        let md = chapter6.report.markdown()
        for needle in ["gelu: hand estimate and counted instructions", "counted erff, per call", "verdict on the hand share",
                       chapter6Settings.host.mixes.provenance("source-sha256").map { String($0.prefix(12)) } ?? "no sha"] {
            #expect(md.contains(needle), "missing \(needle)")
        }
    }

    @Test("flags reach the model: a modified run names its variants and changes the numbers")
    func modified() throws {
        let command = try GemminiCaseStudyCommand.parseAsRoot(["--accumulator-kib", "256", "--seq-len", "128", "--cpu-miss-penalty", "200"])
            as! GemminiCaseStudyCommand
        let settings = try command.settings()
        #expect(settings.baseline.name == "gemmini-baseline (modified)")
        #expect(settings.command.contains("--accumulator-kib 256"))
        let result = try GemminiCaseStudyChapter.build(settings)
        #expect(result.json.serialized() != chapter6.json.serialized())
    }
}

@Suite("Chapter6 cycle model against chapter 2's analytical model")
struct Chapter6AnalyticalTests {
    /// The side-by-side rows of the default run's results.
    static var rows: [[String: Double]] {
        guard case let .object(top) = chapter6.results,
              case let .object(side)? = top.first(where: { $0.0 == "matmulsSideBySide" })?.1,
              case let .array(items)? = side.first(where: { $0.0 == "matmuls" })?.1 else { return [] }
        return items.compactMap { item -> [String: Double]? in
            guard case let .object(fields) = item else { return nil }
            var out: [String: Double] = [:]
            for (k, v) in fields { if case let .number(x) = v { out[k] = x } }
            return out
        }
    }

    @Test("for every BERT-Base matmul: ideal ≤ analytical ≤ 1.3 × roofline; the engine and the single-buffered array never beat the roofline, and double buffering never loses")
    func bounds() {
        let rows = Self.rows
        #expect(rows.count == 8)
        for r in rows {
            guard let ideal = r["ideal"], let roofline = r["roofline"], let analytical = r["analytical"],
                  let gemmini = r["gemminiCycles"], let single = r["singleBufferedCycles"] else {
                Issue.record("missing column in \(r)")
                continue
            }
            // The analytical model adds W cycles per square tile to the larger of compute and port time.
            #expect(analytical >= ideal && analytical >= roofline * 0.999 && analytical <= 1.3 * roofline, "\(r)")
            #expect(gemmini >= roofline && single >= roofline, "\(r)")
            #expect(gemmini <= single, "\(r)")
        }
    }
}
