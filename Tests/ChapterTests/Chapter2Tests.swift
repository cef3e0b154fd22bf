import ArgumentParser
import ChapterSupport
import Core
import Testing
@testable import NonlinearHardware

/// The default run of chapter 2 (what `make` writes: default flags and chapter 1's recorded CPU profile), built once.
let chapter2: ChapterResult = try! NonlinearHardwareChapter.build(
    NonlinearHardwareSettings(profile: try! RecordedProfile.load(repositoryRoot.appendingPathComponent(RecordedProfile.defaultPath).path)))

@Suite("Chapter2 claims")
struct Chapter2ClaimTests {
    @Test("every claim of chapter 2", arguments: chapter2.claims)
    func claim(_ claim: Claim) { check(claim) }

    @Test("claim ids are unique and every known deviation is used")
    func ids() {
        let ids = chapter2.claims.map(\.id)
        #expect(Set(ids).count == ids.count)
        for id in Array(IBERTSection.knownDeviations.keys) + Array(Table5Section.knownDeviations.keys)
            + Array(LatencySection.knownDeviations.keys) {
            #expect(ids.contains(id), "unused deviation \(id)")
        }
    }
}

@Suite("Chapter2 report and outputs")
struct Chapter2OutputTests {
    @Test("the committed report and figures are what the code generates (run `make` to refresh)")
    func freshness() {
        let stale = stalePaths(chapter2)
        #expect(stale.isEmpty, "stale: \(stale.joined(separator: ", "))")
    }

    @Test("same inputs, same bytes")
    func deterministic() throws {
        let again = try NonlinearHardwareChapter.build(
            NonlinearHardwareSettings(profile: try RecordedProfile.load(repositoryRoot.appendingPathComponent(RecordedProfile.defaultPath).path)))
        #expect(zip(again.files, chapter2.files).allSatisfy { $0 == $1 } && again.files.count == chapter2.files.count)
    }

    @Test("the report has its figures, the latency model, ResNet-50, the CPU comparison and the I-BERT tables")
    func shape() {
        let md = chapter2.report.markdown()
        for needle in ["figures/02-passes.svg", "figures/02-fig10-accelerator.svg", "figures/02-fig11-analytical-model.svg",
                       "figures/02-fig30-bert-base-breakdown.svg", "figures/02-fig31-gpt2-breakdown.svg",
                       "figures/02-fig32-normalised-latency.svg", "ResNet-50 under the same model", "chapter 1's CPU",
                       "I-BERT Tab. 1", "Tab. 5", "## Exercises", "**Takeaway:**"] {
            #expect(md.contains(needle), "missing \(needle)")
        }
    }
}

@Suite("Chapter2 command line")
struct Chapter2CLITests {
    static let badInputs: [([String], String)] = [
        (["--accelerator", "tpu"], "'tpu' is invalid for '--accelerator"),
        (["--mesh-rows", "0"], "mesh-rows"),
        (["--sfu-width", "-2"], "sfu-width"),
        (["--scratchpad-kib", "0"], "scratchpad-kib"),
        (["--accumulator-kib", "0"], "accumulator-kib"),
        (["--model", "t5"], "'t5' is invalid for '--model"),
        (["--seq-lens", "0"], "seq-lens"),
        (["--seq-lens", "64,64"], "each once"),
        (["--mesh-rows", "128", "--mesh-columns", "128", "--scratchpad-kib", "4"], "invalid --scratchpad-kib: 4096 B cannot hold"),
        (["--mesh-rows", "32", "--mesh-columns", "32", "--scratchpad-kib", "3"], "two buffers"),
        (["--dataflow", "rs"], "'rs' is invalid for '--dataflow"),
        (["--dram-bandwidth", "0"], "dram-bandwidth"),
        (["--l2-bandwidth", "-1"], "l2-bandwidth"),
        (["--clock-ghz", "0"], "invalid --clock-ghz"),
        (["--l2-kib", "0"], "l2-kib"),
        (["--input-bits", "0"], "input-bits"),
        (["--input-bits", "16", "--accumulator-bits", "8"], "accumulator-bits"),
        (["--profile", "no/such/profile.csv"], "cannot read 'no/such/profile.csv'"),
        (["--dram-bandwidth", "1e-300"], "invalid --dram-bandwidth: 1e-300 is out of range"),
        (["--l2-bandwidth", "inf"], "invalid --l2-bandwidth"),
        (["--l2-bandwidth", "nan"], "invalid --l2-bandwidth"),
        (["--clock-ghz", "1e-300"], "invalid --clock-ghz: 1e-300 is out of range"),
        (["--clock-ghz", "1000"], "invalid --clock-ghz"),
        (["--check", "--json"], "conflict"),
        (["--out", existingFile], "is a file"),
    ]

    @Test("bad inputs give a message naming the field", arguments: badInputs)
    func badInput(arguments: [String], expected: String) {
        expectUsageError(NonlinearHardwareCommand.self, arguments, contains: expected)
    }

    @Test("--help explains every flag")
    func help() {
        let help = NonlinearHardwareCommand.helpMessage()
        for flag in ["--accelerator", "--mesh-rows", "--mesh-columns", "--sfu-width", "--scratchpad-kib",
                     "--accumulator-kib", "--l2-kib", "--dram-bandwidth", "--l2-bandwidth", "--dataflow", "--clock-ghz",
                     "--input-bits", "--accumulator-bits", "--profile", "--model", "--seq-lens", "--json", "--out", "--check"] {
            #expect(help.contains(flag), "help lacks \(flag)")
        }
    }

    @Test("an accelerator without an SFU still renders, and modified presets are named as such")
    func hostCPU() throws {
        let command = try NonlinearHardwareCommand.parseAsRoot(["--accelerator", "gemmini-baseline", "--mesh-rows", "8"])
            as! NonlinearHardwareCommand
        let settings = try command.settings()
        #expect(settings.accelerator.name == "gemmini-baseline (modified)")
        let result = try NonlinearHardwareChapter.build(settings)
        #expect(result.report.markdown().contains("has no special function unit"))
    }

    @Test("the accelerator flags reach the latency model: a 4x wider DRAM port leaves compute-bound layers as they were")
    func flagsReachTheModel() throws {
        func cycles(_ args: [String]) throws -> Double {
            let command = try NonlinearHardwareCommand.parseAsRoot(args + ["--profile", "none", "--seq-lens", "512"]) as! NonlinearHardwareCommand
            let s = try command.settings()
            return try AnalyticalLatency.model(s.model, sequenceLength: 512, accelerator: s.accelerator).totalCycles
        }
        let base = try cycles([])
        #expect(try cycles(["--l2-bandwidth", "64"]) < base)
        #expect(try cycles(["--mesh-rows", "32", "--mesh-columns", "32"]) < base)
        #expect(try cycles(["--dram-bandwidth", "256"]) == base)
        #expect(try cycles(["--input-bits", "16"]) > base)
    }
}
