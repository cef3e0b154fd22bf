import Foundation
import ArgumentParser
import ChapterSupport
import Core
import Render
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
                       "figures/04-fusion-qk-softmax.svg", "figures/04-fusion-hiding-l512-acc128.svg",
                       "figures/04-fusion-hiding-l512-acc256.svg", "figures/04-fusion-hiding-l4096-acc256.svg", "Tab. 6", "SCALE-Sim", "ZigZag", "**Takeaway:**", "## Summary", "## Exercises"] {
            #expect(md.contains(needle), "missing \(needle)")
        }
    }
}

@Suite("Chapter4 fusion study")
struct Chapter4FusionTests {
    static func accelerator(_ kib: Int) -> Accelerator { SchedulingSettings().fusionAccelerator(accumulatorKiB: kib) }

    @Test("the report's fused schedules, search sizes and old-beside-new numbers are the ones Core computes")
    func numbersFollowTheModel() throws {
        let md = chapter4.report.markdown()
        func change(_ x: Double) -> String { (x > 0 ? "+" : "") + NumberFormat.percent(x, decimals: 1) }
        let wout = FusionPair.outputProjectionLayerNorm(.bertBase, sequenceLength: 512)
        // The single-buffered array with the fixed tiling: the prose's worst case, recomputed here.
        let old = try FusionSchedule(wout, accelerator: Self.accelerator(128), mode: .singleBuffered, search: .fixed)
        #expect(old.relativeChange > 0)
        #expect(md.contains("fusing changed the pair by \(change(old.relativeChange))"))
        let searched = try FusionSchedule(wout, accelerator: Self.accelerator(128))
        #expect(md.contains("| 512 | 128 | W_out + LayerNorm |"))
        #expect(md.contains("the searched one \(change(searched.relativeChange))"))
        // The table records how many schedules each search priced.
        #expect(md.contains("| \(NumberFormat.grouped(searched.candidatesTried)) (\(NumberFormat.grouped(searched.candidatesPriced))) |"))
        guard case let .object(top) = chapter4.results, case let .array(runs)? = top.first(where: { $0.0 == "fusion" })?.1 else {
            Issue.record("no fusion results")
            return
        }
        #expect(runs.count == 3)
    }

    @Test("the takeaways and the summary follow the signs of the results")
    func takeawaysFollowSigns() throws {
        let md = chapter4.report.markdown()
        let w2 = try FusionSchedule(.secondFeedForwardLayerNorm(.bertBase, sequenceLength: 512), accelerator: Self.accelerator(256))
        #expect(md.contains("Fusing LayerNorm with W2 is " + (w2.relativeChange < 0 ? "faster" : "slower")))
        let qk = try FusionSchedule(.queryKeySoftmax(.bertBase, sequenceLength: 4096), accelerator: Self.accelerator(256))
        #expect(md.contains("(\((qk.relativeChange > 0 ? "+" : "") + NumberFormat.percent(qk.relativeChange, decimals: 1)) with 256 kB)"))
        #expect(!md.contains("what-if") && !md.contains("throughput bound"))
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
        (["--mesh-dim", "64"], "invalid --mesh-dim: 64 is out of range for the Gemmini model; allowed 1...32"),
        (["--scratchpad-kib", "0"], "scratchpad-kib"),
        (["--accumulator-kib", "-1"], "accumulator-kib"),
        (["--dataflow", "is"], "'is' is invalid for '--dataflow <dataflow>'. Please provide one of 'ws' and 'os'"),
        (["--dataflow", "diagonal"], "'diagonal' is invalid for '--dataflow"),
        (["--mesh-dim", "128", "--scratchpad-kib", "16"], "scratchpad"),
        (["--fusion-accumulator-kib", "128,128"], "fusion-accumulator-kib"),
        (["--fusion-accumulator-kib", "1"], "fusion-accumulator-kib"),
        (["--fusion-long-seq-len", "0"], "fusion-long-seq-len"),
        (["--mesh-dim", "64", "--fusion-scratchpad-kib", "8"], "invalid --fusion-scratchpad-kib: 8192 B cannot double-buffer"),
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

    @Test("--arch/--problem maps the shipped Gemmini spec: prints cycles, energy and EDP and writes the loop nest under --out")
    func specRun() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("spec-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? FileManager.default.removeItem(at: out) }
        func file(_ name: String) -> String { repositoryRoot.appendingPathComponent("data/arch/\(name).yaml").path }
        let result = try runExecutable("scheduling", ["--arch", file("gemmini"), "--problem", file("resnet50-conv5-3x3"),
                                                      "--constraints", file("gemmini-constraints"), "--mapper", file("random-mapper"),
                                                      "--out", out.path])
        #expect(result.status == 0, "\(result.err)")
        for needle in ["best mapping", "cycles: ", "energy: ", "EDP: ", "parallel_for"] { #expect(result.out.contains(needle), "missing \(needle)") }
        for ext in ["dot", "svg", "png"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("mapping/resnet-50-conv5-x-3x3-512.\(ext)").path), "no .\(ext)")
        }
    }

    @Test("a malformed spec: one line naming file, line and key, a non-zero exit, nothing written")
    func specMalformed() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("spec-bad-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: out) }
        let bad = out.appendingPathComponent("bad.yaml")
        try "problem:\n  version: 0.4\n  instance: {C: 8, M: 8, P: 8, Z: 1}\n".write(to: bad, atomically: true, encoding: .utf8)
        let result = try runExecutable("scheduling", ["--arch", repositoryRoot.appendingPathComponent("data/arch/gemmini.yaml").path,
                                                      "--problem", bad.path, "--out", out.path])
        #expect(result.status != 0)
        #expect(result.err.contains("\(bad.path):3: problem.instance.Z: unknown key"), "\(result.err)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path) == ["bad.yaml"])
    }

    @Test("--help explains every flag")
    func help() {
        let help = SchedulingCommand.helpMessage()
        for flag in ["--operators", "--gemm", "--seq-len", "--samples", "--seed", "--mesh-dim", "--scratchpad-kib", "--accumulator-kib",
                     "--l2-kib", "--dataflow", "--fusion-scratchpad-kib", "--fusion-accumulator-kib", "--fusion-long-seq-len",
                     "--json", "--out", "--check", "--quiet", "--arch", "--problem", "--constraints", "--mapper"] {
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

@Suite("Chapter4 peers on ZigZag's architecture")
struct Chapter4ZigZagPeerTests {
    @Test("our mapper's best peer GEMM on zigZagTPULike16, priced with ZigZag's table, lands within 10% of ZigZag's 337.8 µJ, level by level")
    func withinTenPercent() throws {
        let z = try PeerSection.readZigZag()
        var arch = MappingArchitecture.zigZagTPULike16
        arch.energy = z.table
        let best = try PeerSection.best(PeerSection.problem(partialSumBits: 16), arch, seed: 1, constraints: .noL2)
        #expect(abs(best.cost.energyPicojoules / 1e6 - z.totalMicrojoules) / z.totalMicrojoules < 0.10)
        // Every level but the output SRAM within 1% of ZigZag's part; partial sums reach the SRAM once per output.
        for level in [MappingArchitecture.Level.dram, .scratchpad, .registers] {
            let zz = PeerRemainder.zigZagPart(z, level)
            #expect(abs(best.cost.picojoules(level) / 1e6 - zz) <= 0.01 * zz, "\(level)")
        }
        #expect(best.cost.writes.accumulator.outputs == 128 * 3072)
        #expect(best.mapping.loops(.l2).isEmpty)
    }

    @Test("without Gemmini's constraints (OS) the mapspace rows do not claim Timeloop's constraints")
    func osLabel() {
        var a = Accelerator.gemminiBaseline
        a.dataflow = .outputStationary
        #expect(!MapspaceStudySection.Space.constrained.label(on: a).contains("Timeloop"))
        #expect(!MapspaceStudySection.Space.constrained.label(on: a, short: true).contains("Timeloop"))
        #expect(MapspaceStudySection.Space.constrained.label(on: .gemminiBaseline) == "Gemmini's Timeloop constraints")
    }
}
