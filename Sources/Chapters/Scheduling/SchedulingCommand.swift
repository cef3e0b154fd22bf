import ArgumentParser
import ChapterSupport
import Core
import Render

/// `swift run -c release scheduling`: regenerates chapters/04-scheduling.md and its figures.
@main
struct SchedulingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scheduling",
        abstract: "Chapter 4 (§5): loop nests, mapspace size, 100K random mappings per operator, peers, and the Softmax/LayerNorm fusion study.",
        discussion: """
            Writes chapters/04-scheduling.md and figures/04-*.{svg,dot,png} under --out and prints one line per claim \
            (✔ holds, ✘ does not, with the reason). The accelerator flags start from gemmini-baseline (16×16 WS, \
            256 KiB scratchpad, 64 KiB accumulator) and shape the mapspace study and the peer comparison; the fusion \
            flags shape §5.5.2's Gemmini with I-BERT units.

            Operators: \(StudyOperator.presets(sequenceLength: 512).map(\.key).joined(separator: ", ")).

            Examples:
              scheduling --samples 10000 --seed 2
              scheduling --operators bert-base-ffn-w1,resnet-conv1 --dataflow os
              scheduling --gemm 512,64,512 --operators bert-base-qkv
            """)

    @OptionGroup var common: ChapterOptions

    @Option(name: .long, help: ArgumentHelp("Operators to sample, comma-separated (see the list above).", valueName: "list"))
    var operators: String = SchedulingSettings.defaultOperatorKeys.joined(separator: ",")
    @Option(name: .long, help: ArgumentHelp("An extra GEMM to sample: M,N,K.", valueName: "m,n,k"))
    var gemm: String?
    @Option(name: .customLong("seq-len"), help: "BERT sequence length of the mapspace and fusion studies (the survey: 512).")
    var seqLen: Int = 512
    @Option(name: .long, help: "Valid mappings sampled per operator (the survey: 100000).")
    var samples: Int = 100_000
    @Option(name: .long, help: "Seed of the sampler and the annealing search.")
    var seed: UInt64 = 1
    @Option(name: .customLong("mesh-dim"), help: "PE array side W (W×W).")
    var meshDim: Int?
    @Option(name: .customLong("scratchpad-kib"), help: "Scratchpad capacity in KiB (mapspace study).")
    var scratchpadKiB: Int?
    @Option(name: .customLong("accumulator-kib"), help: "Accumulator capacity in KiB (mapspace study).")
    var accumulatorKiB: Int?
    @Option(name: .customLong("l2-kib"), help: "Shared L2 capacity in KiB.")
    var l2KiB: Int?
    @Option(name: .long, help: ArgumentHelp("PE array dataflow: ws or os.", valueName: "ws|os"))
    var dataflow: String?
    @Option(name: .customLong("fusion-scratchpad-kib"), help: "Scratchpad of the fusion study's Gemmini in KiB (the survey: 256).")
    var fusionScratchpadKiB: Int = 256
    @Option(name: .customLong("fusion-accumulator-kib"), help: ArgumentHelp("Accumulator sizes of the fusion study in KiB, comma-separated (the survey: 128,256).", valueName: "list"))
    var fusionAccumulatorKiB: String = "128,256"
    @Option(name: .customLong("fusion-long-seq-len"), help: "Long sequence length of the fusion study (the survey: 4096).")
    var fusionLongSeqLen: Int = 4096

    func settings() throws -> SchedulingSettings {
        var a = Accelerator.gemminiBaseline
        if let meshDim {
            guard (1...256).contains(meshDim) else { throw ValidationError("invalid --mesh-dim: \(meshDim) is out of range; allowed 1...256") }
            a.meshRows = meshDim
            a.meshColumns = meshDim
        }
        if let bytes = try kibibytes(scratchpadKiB, flag: "scratchpad-kib") { a.spCapacityBytes = bytes }
        if let bytes = try kibibytes(accumulatorKiB, flag: "accumulator-kib") { a.accCapacityBytes = bytes }
        if let bytes = try kibibytes(l2KiB, flag: "l2-kib") { a.l2Bytes = bytes }
        if let dataflow {
            guard let d = Dataflow(rawValue: dataflow.lowercased()), d != .inputStationary else {
                throw ValidationError("invalid --dataflow: '\(dataflow)'; choose ws or os")
            }
            a.dataflow = d
        }
        if a != .gemminiBaseline { a.name += " (modified)" }
        let keys = operators.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        if keys.contains("") && !(keys == [""] && gemm != nil) {
            throw ValidationError("invalid --operators: empty name in '\(operators)'")
        }
        var custom: GEMMShape? = nil
        if let gemm {
            let sizes = try parseIntegerList(gemm, flag: "gemm")
            guard sizes.count == 3 else { throw ValidationError("invalid --gemm: give M,N,K (three sizes), got \(sizes.count)") }
            for (name, v) in zip(["M", "N", "K"], sizes) where !(1...(1 << 20)).contains(v) {
                throw ValidationError("invalid --gemm: \(name) = \(v) is out of range; allowed 1...\(1 << 20)")
            }
            custom = GEMMShape(m: sizes[0], n: sizes[1], k: sizes[2])
        }
        let accs = try parseIntegerList(fusionAccumulatorKiB, flag: "fusion-accumulator-kib")
        var s = SchedulingSettings(accelerator: a, operatorKeys: keys == [""] ? [] : keys, customGEMM: custom, sequenceLength: seqLen,
                                   samples: samples, seed: seed, fusionScratchpadKiB: fusionScratchpadKiB,
                                   fusionAccumulatorKiB: accs, fusionLongSequenceLength: fusionLongSeqLen, command: commandLine())
        try naming(["scratchpad-bytes": "scratchpad-kib", "accumulator-bytes": "accumulator-kib", "l2-bytes": "l2-kib",
                    "mesh-rows": "mesh-dim", "mesh-columns": "mesh-dim"]) { try s.validate() }
        if !common.quiet && !common.json && !common.check {
            s.progress = { line in
                var err = StandardError()
                print(line, to: &err)
            }
        }
        return s
    }

    func commandLine() -> String {
        var parts = ["swift run -c release scheduling"]
        if operators != SchedulingSettings.defaultOperatorKeys.joined(separator: ",") { parts.append("--operators \(operators)") }
        if let gemm { parts.append("--gemm \(gemm)") }
        if seqLen != 512 { parts.append("--seq-len \(seqLen)") }
        if samples != 100_000 { parts.append("--samples \(samples)") }
        if seed != 1 { parts.append("--seed \(seed)") }
        if let meshDim { parts.append("--mesh-dim \(meshDim)") }
        if let scratchpadKiB { parts.append("--scratchpad-kib \(scratchpadKiB)") }
        if let accumulatorKiB { parts.append("--accumulator-kib \(accumulatorKiB)") }
        if let l2KiB { parts.append("--l2-kib \(l2KiB)") }
        if let dataflow { parts.append("--dataflow \(dataflow)") }
        if fusionScratchpadKiB != 256 { parts.append("--fusion-scratchpad-kib \(fusionScratchpadKiB)") }
        if fusionAccumulatorKiB != "128,256" { parts.append("--fusion-accumulator-kib \(fusionAccumulatorKiB)") }
        if fusionLongSeqLen != 4096 { parts.append("--fusion-long-seq-len \(fusionLongSeqLen)") }
        return parts.joined(separator: " ")
    }

    func validate() throws { _ = try settings() }

    func run() throws { try common.emit(try SchedulingChapter.build(try settings())) }
}
