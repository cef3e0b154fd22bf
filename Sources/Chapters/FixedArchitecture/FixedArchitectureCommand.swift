import ArgumentParser
import ChapterSupport
import Core
import Foundation

/// `swift run -c release fixed-architecture`: regenerates chapters/03-fixed-architecture.md and its figures.
@main
struct FixedArchitectureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fixed-architecture",
        abstract: "Chapter 3 (§4): quantization, sparsity and Transformer-specific optimisations for a fixed accelerator, with the companion survey's cited results.",
        discussion: """
            Writes chapters/03-fixed-architecture.md and figures/03-*.{svg,dot,png} under --out and prints one line \
            per claim (✔ holds, ✘ does not, with the reason). The cited tables are read from --cited (CSV, strict).

            Examples:
              fixed-architecture --bits 8,6,4,3
              fixed-architecture --sparsity 0.3,0.5,0.7,0.95 --tokens-kept 1,0.8,0.6,0.4 --seq-len 512
            """)

    @OptionGroup var common: ChapterOptions
    @OptionGroup var options: Options

    /// The flags that shape the report; its first line names those that differ from their defaults (``RerunLine``).
    struct Options: ParsableArguments {
        static let defaults = FixedArchitectureSettings(cited: [])
        static let citedPath = "data/cited"

        @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Bit widths of the quantization error study, comma-separated (2...16).", valueName: "list"))
        var bits: String = Options.defaults.bits.commaSeparated
        @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Weight sparsities of the pruning study, comma-separated (0 ≤ s < 1).", valueName: "list"))
        var sparsity: String = Options.defaults.sparsities.commaSeparated
        @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Fractions of tokens kept in the token-pruning study, comma-separated (0 < r ≤ 1).", valueName: "list"))
        var tokensKept: String = Options.defaults.tokensKept.commaSeparated
        @Option(name: .long, parsing: .unconditional, help: "Sequence length of the BERT-Base studies and context length of the decoding study.")
        var seqLen: Int = Options.defaults.sequenceLength
        @OptionGroup var preset: AcceleratorPresetOption
        @Option(name: .long, help: ArgumentHelp("Folder of the cited CSV tables, relative to the current folder.", valueName: "dir"))
        var cited: String = Options.citedPath
    }

    static func parseDoubles(_ text: String, flag: String) throws -> [Double] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard !(parts.count == 1 && parts[0].isEmpty) else { throw ValidationError("invalid --\(flag): the list is empty") }
        return try parts.map { p in
            guard let v = Double(p), v.isFinite else {
                throw ValidationError("invalid --\(flag): '\(p)' is not a number (expected a comma-separated list such as 0.5,0.9)")
            }
            return v
        }
    }

    func settings() throws -> FixedArchitectureSettings {
        let tables: [CitedTable]
        let folder = try RepositoryData.locate(options.cited, default: Options.citedPath, flag: "cited")
        do { tables = try CitedTable.loadAll(from: folder.path) } catch { throw ValidationError("invalid --cited: \(error)") }
        let s = FixedArchitectureSettings(
            bits: try parseIntegerList(options.bits, flag: "bits"), sparsities: try Self.parseDoubles(options.sparsity, flag: "sparsity"),
            tokensKept: try Self.parseDoubles(options.tokensKept, flag: "tokens-kept"), sequenceLength: options.seqLen,
            accelerator: options.preset.accelerator, cited: tables, command: RerunLine.render(Self.self, options))
        try naming { try s.validate() }
        return s
    }

    func validate() throws { _ = try settings() }

    func run() throws { try common.emit(try FixedArchitectureChapter.build(try settings())) }
}
