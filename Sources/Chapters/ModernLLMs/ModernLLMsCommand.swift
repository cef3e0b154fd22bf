import ArgumentParser
import ChapterSupport
import Core

/// `swift run -c release modern-llms`: regenerates chapters/07-modern-llms.md and its figures.
@main
struct ModernLLMsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "modern-llms",
        abstract: "Chapter 7 (beyond the survey): §2's counts, §3's analytical model and §3.4's Gemmini on today's decoders (GQA, SwiGLU, RMSNorm, RoPE; prefill and decode; batching).",
        discussion: """
            Writes chapters/07-modern-llms.md and figures/07-*.{svg,dot,png} under --out and prints one line per \
            claim (✔ holds, ✘ does not, with the reason). The LLM-Viewer cross-check always runs at its recorded \
            setting; --model, --seq-lens and --batch-sizes choose what the tables, charts and --json rows show.

            Examples:
              modern-llms --model llama-2-7b,llama-3-8b --seq-lens 512,4096
              modern-llms --model custom --layers 32 --d-model 4096 --heads 32 --kv-heads 1 --d-ffn 14336
              modern-llms --json | jq '.results.operations[] | select(.phase == "decode")'
            """)

    @OptionGroup var common: ChapterOptions
    @OptionGroup var options: Options

    /// The flags that shape the report; its first line names those that differ from their defaults (``RerunLine``).
    struct Options: ParsableArguments {
        static let defaults = ModernLLMsSettings()

        @Option(name: .long, help: ArgumentHelp(
            "Decoders, comma-separated: \(TransformerConfig.modernPresets.map(\.name).joined(separator: ", ")) or custom.",
            valueName: "names"))
        var model: String = Options.defaults.models.map(\.name).joined(separator: ",")

        @Option(name: .long, parsing: .unconditional, help: ArgumentHelp(
            "Prompt lengths (prefill) and generated tokens (decode), comma-separated, each in \(TransformerConfig.sequenceLengthRange.lowerBound)...\(TransformerConfig.sequenceLengthRange.upperBound).",
            valueName: "list"))
        var seqLens: String = Options.defaults.sequenceLengths.commaSeparated

        @Option(name: .long, parsing: .unconditional, help: ArgumentHelp(
            "Batch sizes of the decode-intensity study, comma-separated, each in \(ModelWorkload.batchRange.lowerBound)...\(ModelWorkload.batchRange.upperBound).",
            valueName: "list"))
        var batchSizes: String = Options.defaults.batchSizes.commaSeparated

        @Option(name: .long, parsing: .unconditional, help: "Custom model: number of layers N.")
        var layers: Int?
        @Option(name: .long, parsing: .unconditional, help: "Custom model: model dimension d.")
        var dModel: Int?
        @Option(name: .long, parsing: .unconditional, help: "Custom model: query heads h (must divide d).")
        var heads: Int?
        @Option(name: .long, parsing: .unconditional, help: "Custom model: key/value heads (must divide h; default h, multi-head attention; 1 is multi-query).")
        var kvHeads: Int?
        @Option(name: .long, parsing: .unconditional, help: "Custom model: FFN hidden width d_FFN (default: Llama's rule for SwiGLU, 8d/3 rounded up to a multiple of 256; 4d for GELU).")
        var dFFN: Int?
        @Option(name: .long, help: ArgumentHelp("Custom model: the FFN, swiglu (three matrices) or gelu (two).", valueName: "kind"))
        var ffn: BlockStyle.FeedForward = .swiglu
        @Option(name: .long, help: ArgumentHelp("Custom model: the normalisation, rms (pre-RMSNorm) or layer (post-LayerNorm, the survey's).", valueName: "kind"))
        var norm: BlockStyle.Normalization = .rmsNorm
        @Option(name: .long, parsing: .unconditional, help: "Custom model: vocabulary of its untied LM head.")
        var vocab: Int = 32_000
        @Option(name: .long, parsing: .unconditional, help: "Custom model: sliding-window attention over this many positions (at most the longest --seq-lens).")
        var window: Int?

        @Option(name: .long, help: ArgumentHelp(
            "Counting convention: survey (8-bit, the survey's rules; our own counts for RMSNorm, RoPE and SwiGLU), itemised or llm-viewer.",
            valueName: "name"))
        var convention: CountingConvention = Options.defaults.convention

        /// The custom model these flags describe.
        func customModel() throws -> TransformerConfig {
            guard let layers, let dModel, let heads else {
                throw ValidationError("invalid --model: 'custom' needs --layers, --d-model and --heads (and optionally --kv-heads, --d-ffn, --ffn, --norm, --vocab, --window)")
            }
            let llamaWidth = ((8 * dModel / 3) + 255) / 256 * 256
            return TransformerConfig(
                name: "custom", displayName: "Custom", layers: layers, dModel: dModel, heads: heads,
                dFFN: dFFN ?? (ffn == .swiglu ? llamaWidth : 4 * dModel), architecture: .decoder,
                block: BlockStyle(kvHeads: kvHeads, ffn: ffn, norm: norm, rotary: true, slidingWindow: window,
                                  vocabulary: vocab, biases: false),
                source: "the command line")
        }

        /// The models `--model` names, in order.
        func models() throws -> [TransformerConfig] {
            let names = model.split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            let models = try names.map { name -> TransformerConfig in
                switch name {
                case "": throw ValidationError("invalid --model: empty name in '\(model)'")
                case "custom": return try customModel()
                default:
                    guard let found = TransformerConfig.modernPresets.first(where: { $0.name == name }) else {
                        throw ValidationError("invalid --model: unknown model '\(name)'; choose one of \(TransformerConfig.modernPresets.map(\.name).joined(separator: ", ")) or custom")
                    }
                    return found
                }
            }
            let customFlags = [layers, dModel, heads, kvHeads, dFFN, window].contains { $0 != nil }
                || ffn != .swiglu || norm != .rmsNorm || vocab != 32_000
            if !names.contains("custom"), customFlags {
                throw ValidationError("invalid --layers/--d-model/--heads/--kv-heads/--d-ffn/--ffn/--norm/--vocab/--window: they describe a custom model; add 'custom' to --model")
            }
            return models
        }
    }

    @Option(name: .long, help: ArgumentHelp("LLM-Viewer's recorded rows for the cross-check, relative to the current folder.", valueName: "path"))
    var peer: String = LLMViewerRecord.defaultPath

    /// The settings these flags describe, or an error naming the bad flag.
    func settings() throws -> ModernLLMsSettings {
        let lengths = try parseIntegerList(options.seqLens, flag: "seq-lens")
        let settings = ModernLLMsSettings(models: try naming(Self.flags) { try options.models() }, sequenceLengths: lengths,
                                          batchSizes: try parseIntegerList(options.batchSizes, flag: "batch-sizes"),
                                          convention: options.convention, command: RerunLine.render(Self.self, options))
        try naming(Self.flags) { try settings.validate() }
        if let window = options.window, let longest = lengths.max(), window > longest {
            throw ValidationError("invalid --window: \(window) positions is longer than every --seq-lens length (the longest is \(longest)), so it would never apply; choose at most \(longest) or leave --window out")
        }
        return settings
    }

    /// Core's field names whose flag is not their kebab-case spelling.
    static let flags = ["slidingWindow": "window", "vocabulary": "vocab", "batchSizes": "batch-sizes", "seqLens": "seq-lens"]

    func validate() throws {
        _ = try settings()
        _ = try LLMViewerRecord.load(peer)
    }

    func run() throws {
        try common.emit(try ModernLLMsChapter.build(try settings(), peer: try LLMViewerRecord.load(peer)))
    }
}
