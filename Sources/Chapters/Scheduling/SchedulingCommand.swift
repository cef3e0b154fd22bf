import ArgumentParser
import ChapterSupport
import Core

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

            With --arch and --problem (YAML files in a subset of Timeloop's v0.4 format; README, "Your own \
            architecture"; data/arch/ holds the survey's Gemmini) it maps that problem instead: it prints the best \
            mapping, cycles, energy and EDP and writes the loop nest to mapping/<problem>.{dot,svg,png} under --out.

            Examples:
              scheduling --samples 10000 --seed 2
              scheduling --arch data/arch/gemmini.yaml --problem data/arch/bert-base-ffn-w1.yaml --constraints data/arch/gemmini-constraints.yaml --mapper data/arch/random-mapper.yaml
              scheduling --operators bert-base-ffn-w1,resnet-conv1 --dataflow os
              scheduling --gemm 512,64,512 --operators bert-base-qkv
            """)

    @OptionGroup var common: ChapterOptions
    @OptionGroup var options: Options
    @OptionGroup(title: "Your own architecture (maps one problem instead of writing the chapter)") var spec: SpecOptions

    /// The flags that shape the report; its first line names those that differ from their defaults (``RerunLine``).
    struct Options: ParsableArguments {
        static let defaults = SchedulingSettings()

        @Option(name: .long, help: ArgumentHelp("Operators to sample, comma-separated (see the list above).", valueName: "list"))
        var operators: String = Options.defaults.operatorKeys.commaSeparated
        @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("An extra GEMM to sample: M,N,K.", valueName: "m,n,k"))
        var gemm: String?
        @Option(name: .long, parsing: .unconditional, help: "BERT sequence length of the mapspace and fusion studies (the survey: 512).")
        var seqLen: Int = Options.defaults.sequenceLength
        @Option(name: .long, parsing: .unconditional, help: "Valid mappings sampled per operator (the survey: 100000).")
        var samples: Int = Options.defaults.samples
        @Option(name: .long, parsing: .unconditional, help: "Seed of the sampler and the annealing search.")
        var seed: UInt64 = Options.defaults.seed
        @OptionGroup var mesh: MeshDimOption
        @OptionGroup var memory: MemoryOptions
        @Option(name: .long, help: ArgumentHelp("PE array dataflow.", valueName: "dataflow"))
        var dataflow: MapperDataflow?
        @Option(name: .long, parsing: .unconditional, help: "Scratchpad of the fusion study's Gemmini in KiB (the survey: 256).")
        var fusionScratchpadKib: Int = Options.defaults.fusionScratchpadKiB
        @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Accumulator sizes of the fusion study in KiB, comma-separated (the survey: 128,256).", valueName: "list"))
        var fusionAccumulatorKib: String = Options.defaults.fusionAccumulatorKiB.commaSeparated
        @Option(name: .long, parsing: .unconditional, help: "Long sequence length of the fusion study (the survey: 4096).")
        var fusionLongSeqLen: Int = Options.defaults.fusionLongSequenceLength

        /// The mapspace study's accelerator: gemmini-baseline with the fields these flags override.
        func accelerator() throws -> Accelerator {
            var a = Accelerator.gemminiBaseline
            try mesh.apply(to: &a)
            try memory.apply(to: &a)
            if let dataflow { a.dataflow = dataflow.dataflow }
            return a.marked(against: .gemminiBaseline)
        }

        /// The extra GEMM of --gemm, if any.
        func customGEMM() throws -> GEMMShape? {
            guard let gemm else { return nil }
            let sizes = try parseIntegerList(gemm, flag: "gemm")
            guard sizes.count == 3 else { throw ValidationError("invalid --gemm: give M,N,K (three sizes), got \(sizes.count)") }
            for (name, v) in zip(["M", "N", "K"], sizes) where !(1...(1 << 20)).contains(v) {
                throw ValidationError("invalid --gemm: \(name) = \(v) is out of range; allowed 1...\(1 << 20)")
            }
            return GEMMShape(m: sizes[0], n: sizes[1], k: sizes[2])
        }
    }

    /// A dataflow the mapper models: ws or os (`MappingArchitecture` has no input-stationary mapping).
    struct MapperDataflow: ExpressibleByArgument, ArgumentSpelling {
        var dataflow: Dataflow

        init?(argument: String) {
            guard let d = Dataflow(argument: argument), Self.allValueStrings.contains(d.rawValue) else { return nil }
            dataflow = d
        }

        static var allValueStrings: [String] { Dataflow.allValueStrings.filter { $0 != Dataflow.inputStationary.rawValue } }
        var argumentSpelling: String? { dataflow.argumentSpelling }
    }

    /// Core's field names that differ from this command's flags.
    static let flags = MemoryOptions.coreFields.merging(MeshDimOption.coreFields) { a, _ in a }

    func settings() throws -> SchedulingSettings {
        let a = try options.accelerator()
        let keys = options.operators.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        if keys.contains("") && !(keys == [""] && options.gemm != nil) {
            throw ValidationError("invalid --operators: empty name in '\(options.operators)'")
        }
        let custom = try options.customGEMM()
        let accs = try parseIntegerList(options.fusionAccumulatorKib, flag: "fusion-accumulator-kib")
        var s = SchedulingSettings(accelerator: a, operatorKeys: keys == [""] ? [] : keys, customGEMM: custom, sequenceLength: options.seqLen,
                                   samples: options.samples, seed: options.seed, fusionScratchpadKiB: options.fusionScratchpadKib,
                                   fusionAccumulatorKiB: accs, fusionLongSequenceLength: options.fusionLongSeqLen,
                                   command: RerunLine.render(Self.self, options))
        try naming(Self.flags) { try s.validate() }
        if !common.quiet && !common.json && !common.check {
            s.progress = { line in
                var err = StandardError()
                print(line, to: &err)
            }
        }
        return s
    }

    func validate() throws {
        if spec.isSpecRun {
            guard !common.check && !common.json else { throw ValidationError("--arch maps one problem; it takes neither --check nor --json") }
            return
        }
        _ = try settings()
    }

    func run() throws {
        guard spec.isSpecRun else { return try common.emit(try SchedulingChapter.build(try settings())) }
        var err = StandardError()
        let found: SpecRun
        let files: [GeneratedFile]
        do {
            found = try SpecRun.run(try spec.read())
            files = try found.files()
        } catch let error as MappingSpecError {
            print("scheduling: \(error)", to: &err)
            throw ExitCode.failure
        }
        try OutputFolder.write(files, into: common.out, flag: "out")
        for line in found.lines { print(line) }
        print("wrote \(files.map(\.path).joined(separator: ", ")) under \(common.out)")
    }
}
