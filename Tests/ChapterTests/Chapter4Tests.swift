import ArgumentParser
import ChapterSupport
import Core
import Testing
@testable import Scheduling

/// The default run of chapter 4 (100K mappings per operator), built once.
let chapter4: ChapterResult = try! SchedulingChapter.build()

/// A small run for the tests that build the chapter again.
let smallSettings = SchedulingSettings(operatorKeys: ["bert-base-qkv", "resnet-conv1", "equal-mac-mha"], samples: 2_000, seed: 5)

@Suite("Chapter4 claims")
struct Chapter4ClaimTests {
    @Test("every claim of chapter 4", arguments: chapter4.claims)
    func claim(_ claim: Claim) { check(claim) }

    @Test("claim ids are unique and every known deviation is used")
    func ids() {
        let ids = chapter4.claims.map(\.id)
        #expect(Set(ids).count == ids.count)
        for id in SchedulingChapter.knownDeviations.keys { #expect(ids.contains(id), "unused deviation \(id)") }
    }

    @Test("every §5.5.1 operator has 100K valid mappings, a best at or above the ideal cycles, and relative EDPs from 1")
    func study() {
        guard case let .object(top) = chapter4.results, case let .array(ops)? = top.first(where: { $0.0 == "operators" })?.1 else {
            Issue.record("no operators in results")
            return
        }
        #expect(ops.count == 10)
        for case let .object(fields) in ops {
            var v: [String: Double] = [:]
            for (k, x) in fields { if case let .number(n) = x { v[k] = n } }
            #expect(v["p10"]! >= 1 && v["median"]! >= v["p10"]! && v["worstOverBest"]! >= v["median"]!)
            #expect(v["within3x"]! > 0 && v["within3x"]! <= 1)
            #expect(v["bestCycles"]! >= v["macs"]! / 256)
        }
    }
}

@Suite("Chapter4 report and outputs")
struct Chapter4OutputTests {
    @Test("the committed report and figures are what the code generates (run `make` to refresh)")
    func freshness() {
        let stale = stalePaths(chapter4)
        #expect(stale.isEmpty, "stale: \(stale.joined(separator: ", "))")
    }

    @Test("same inputs, same bytes")
    func deterministic() throws {
        let a = try SchedulingChapter.build(smallSettings), b = try SchedulingChapter.build(smallSettings)
        #expect(a.files.count == b.files.count && zip(a.files, b.files).allSatisfy { $0 == $1 })
        #expect(a.json.serialized() != chapter4.json.serialized())
    }

    @Test("the report has its figures, tables, takeaways, summary and exercises")
    func shape() {
        let md = chapter4.report.markdown()
        for needle in ["figures/04-fig16-loop-nest.svg", "figures/04-fig17-loop-nest.svg", "figures/04-fig18-bert.svg",
                       "figures/04-fig18-resnet.svg", "figures/04-fig19-cdf.svg", "figures/04-fig20-equal-macs.svg",
                       "figures/04-fig21-left.svg", "figures/04-fig21-right.svg", "figures/04-fig22.svg",
                       "figures/04-fusion-qk-softmax.svg", "Tab. 6", "SCALE-Sim", "ZigZag", "**Takeaway:**", "## Summary", "## Exercises"] {
            #expect(md.contains(needle), "missing \(needle)")
        }
    }
}

@Suite("Chapter4 command line")
struct Chapter4CLITests {
    static let badInputs: [([String], String)] = [
        (["--samples", "0"], "samples"),
        (["--operators", "bert-huge"], "unknown operator 'bert-huge'"),
        (["--operators", "bert-base-qkv,"], "empty name"),
        (["--operators", "bert-base-qkv,bert-base-qkv"], "once"),
        (["--gemm", "512,0,512"], "gemm"),
        (["--gemm", "512,64"], "three sizes"),
        (["--gemm", "512,x,64"], "'x' is not an integer"),
        (["--seq-len", "0"], "seq-len"),
        (["--mesh-dim", "0"], "mesh-dim"),
        (["--scratchpad-kib", "0"], "scratchpad-kib"),
        (["--accumulator-kib", "-1"], "accumulator-kib"),
        (["--dataflow", "is"], "'is' is invalid for '--dataflow <dataflow>'. Please provide one of 'ws' and 'os'"),
        (["--dataflow", "diagonal"], "'diagonal' is invalid for '--dataflow"),
        (["--mesh-dim", "128", "--scratchpad-kib", "16"], "scratchpad"),
        (["--fusion-accumulator-kib", "128,128"], "fusion-accumulator-kib"),
        (["--fusion-accumulator-kib", "1"], "fusion-accumulator-kib"),
        (["--fusion-long-seq-len", "0"], "fusion-long-seq-len"),
        (["--fusion-scratchpad-kib", "16"], "invalid --fusion-scratchpad-kib: A and B blocks"),
        (["--mesh-dim", "128", "--scratchpad-kib", "16"], "invalid --scratchpad-kib"),
        (["--check", "--json"], "conflict"),
        (["--out", ""], "empty"),
    ]

    @Test("bad inputs give a message naming the field", arguments: badInputs)
    func badInput(arguments: [String], expected: String) {
        expectUsageError(SchedulingCommand.self, arguments, contains: expected)
    }

    @Test("the built executable exits non-zero on bad input and names the field")
    func executableExitCode() throws {
        let result = try runExecutable("scheduling", ["--check", "--samples", "0"])
        #expect(result.status != 0)
        #expect(result.err.contains("samples"))
    }

    @Test("--help explains every flag")
    func help() {
        let help = SchedulingCommand.helpMessage()
        for flag in ["--operators", "--gemm", "--seq-len", "--samples", "--seed", "--mesh-dim", "--scratchpad-kib", "--accumulator-kib",
                     "--l2-kib", "--dataflow", "--fusion-scratchpad-kib", "--fusion-accumulator-kib", "--fusion-long-seq-len",
                     "--json", "--out", "--check", "--quiet"] {
            #expect(help.contains(flag), "help lacks \(flag)")
        }
    }

    @Test("flags reach the model: a modified run names its accelerator and changes the numbers")
    func modified() throws {
        let command = try SchedulingCommand.parseAsRoot(["--operators", "bert-base-qkv", "--gemm", "256,64,256", "--samples", "500",
                                                         "--dataflow", "os", "--quiet"]) as! SchedulingCommand
        let settings = try command.settings()
        #expect(settings.accelerator.name == "gemmini-baseline (modified)")
        #expect(settings.command.contains("--dataflow os") && settings.command.contains("--gemm 256,64,256"))
        #expect(settings.progress == nil)
        let result = try SchedulingChapter.build(settings)
        #expect(result.report.markdown().contains("custom GEMM 256×64×256"))
    }
}
