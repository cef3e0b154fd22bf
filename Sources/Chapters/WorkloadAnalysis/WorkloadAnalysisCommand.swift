import ArgumentParser
import ChapterSupport
import Core

/// `swift run -c release workload-analysis`: regenerates chapters/01-workload-analysis.md and its figures.
@main
struct WorkloadAnalysisCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workload-analysis",
        abstract: "Chapter 1 (§2, App. A.1-A.4): FLOPs, memory operations and arithmetic intensity of Transformers and ResNet-50.",
        discussion: """
            Writes chapters/01-workload-analysis.md and figures/01-*.{svg,dot,png} under --out and prints one \
            line per claim of the survey (✔ holds, ✘ does not, with the reason). The paper's own tables are always \
            computed at the paper's settings; --model and --seq-lens choose what the sweeps, graphs and the \
            per-operation detail show.

            Examples:
              workload-analysis --seq-lens 128,1024,8192
              workload-analysis --model bert-base,custom --layers 6 --d-model 768 --heads 12 --d-ffn 3072
              workload-analysis --json | jq '.claims[] | select(.holds == false)'
            """)

    @OptionGroup var common: ChapterOptions
    @OptionGroup var options: Options

    /// The flags that shape the report; its first line names those that differ from their defaults (``RerunLine``).
    struct Options: ParsableArguments {
        static let defaults = WorkloadAnalysisSettings()

        @Option(name: .long, help: ArgumentHelp(
            "Models for the sweeps and detail tables, comma-separated: \(TransformerConfig.allValueStrings.joined(separator: ", ")), resnet50 (its sections are always included) or custom.",
            valueName: "names"))
        var model: String = Options.defaults.models.map(\.name).joined(separator: ",")

        @Option(name: .long, parsing: .unconditional, help: ArgumentHelp(
            "Sequence lengths for the sweeps, comma-separated, each in \(TransformerConfig.sequenceLengthRange.lowerBound)...\(TransformerConfig.sequenceLengthRange.upperBound).",
            valueName: "list"))
        var seqLens: String = Options.defaults.sequenceLengths.commaSeparated

        @Option(name: .long, parsing: .unconditional, help: "Custom model: number of layers N.")
        var layers: Int?
        @Option(name: .long, parsing: .unconditional, help: "Custom model: model dimension d.")
        var dModel: Int?
        @Option(name: .long, parsing: .unconditional, help: "Custom model: attention heads h (must divide d).")
        var heads: Int?
        @Option(name: .long, parsing: .unconditional, help: "Custom model: FFN hidden width d_FFN (default 4d).")
        var dFFN: Int?
        @Flag(name: .long, help: "Custom model: run it as a decoder (token by token with a KV cache) instead of an encoder.")
        var decoder = false

        @Option(name: .long, help: ArgumentHelp(
            "Counting convention: survey (reproduces the paper's tables), itemised (every operand read and written once, exact causal triangle) or llm-viewer (LLM-Viewer's counts, chapter 7).",
            valueName: "name"))
        var convention: CountingConvention = Options.defaults.convention

        /// The models `--model` names, in order; `resnet50` adds none (its sections are always there).
        func models() throws -> [TransformerConfig] {
            let names = model.split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            let models = try names.compactMap { name -> TransformerConfig? in
                switch name {
                case "resnet50": return nil
                case "":
                    throw ValidationError("invalid --model: empty name in '\(model)'")
                case "custom":
                    guard let layers, let dModel, let heads else {
                        throw ValidationError("invalid --model: 'custom' needs --layers, --d-model and --heads (and optionally --d-ffn, --decoder)")
                    }
                    return TransformerConfig(name: "custom", displayName: "Custom", layers: layers, dModel: dModel, heads: heads,
                                             dFFN: dFFN ?? 4 * dModel, architecture: decoder ? .decoder : .encoder)
                default:
                    return try naming { try TransformerConfig.preset(named: name) }
                }
            }
            if !names.contains("custom"), layers != nil || dModel != nil || heads != nil || dFFN != nil || decoder {
                throw ValidationError("invalid --layers/--d-model/--heads/--d-ffn/--decoder: they describe a custom model; add 'custom' to --model")
            }
            return models
        }
    }

    @Option(name: .long, help: ArgumentHelp("The recorded CPU profile for §2.2.2 (Fig. 7-9), relative to the current folder.", valueName: "path"))
    var profile: String = Profiling.defaultPath

    @Flag(name: .long, help: "Measure the CPU profile afresh on this machine (about 2.5 minutes on 2 cores; progress on stderr) and write it to --profile before rendering.")
    var measure = false

    @Option(name: .long, parsing: .unconditional, help: "BLAS threads for --measure.")
    var threads: Int = 2

    /// The settings these flags describe, or an error naming the bad flag.
    func settings() throws -> WorkloadAnalysisSettings {
        let settings = WorkloadAnalysisSettings(models: try options.models(), sequenceLengths: try parseIntegerList(options.seqLens, flag: "seq-lens"),
                                                convention: options.convention, command: RerunLine.render(Self.self, options))
        try naming { try settings.validate() }
        return settings
    }

    func validate() throws {
        _ = try settings()
        guard (1...256).contains(threads) else {
            throw ValidationError("invalid --threads: \(threads) is out of range; allowed 1...256")
        }
        if !measure { _ = try Profiling.load(try RepositoryData.locate(profile, default: Profiling.defaultPath, flag: "profile").path) }
        if measure && common.check {
            throw ValidationError("--measure and --check conflict: --check writes nothing, --measure rewrites --profile; drop one")
        }
    }

    func run() throws {
        var s = try settings()
        if measure {
            BLASRestart.ifGeneric()       // a generic OpenBLAS kernel would time the wrong machine
            try BLASKernel.verify()
            let fresh = try Profiling.measure(threads: threads, command: "swift run -c release workload-analysis --measure --threads \(threads)")
            if !common.check && !common.json {
                try Profiling.save(fresh, to: profile)
            }
            s.profile = fresh
        } else {
            s.profile = try Profiling.load(try RepositoryData.locate(profile, default: Profiling.defaultPath, flag: "profile").path)
        }
        try common.emit(try WorkloadAnalysisChapter.build(s))
    }
}
