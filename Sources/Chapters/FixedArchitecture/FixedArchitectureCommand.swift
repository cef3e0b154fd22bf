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

    @Option(name: .long, help: ArgumentHelp("Bit widths of the quantization error study, comma-separated (2...16).", valueName: "list"))
    var bits: String = "8,4"
    @Option(name: .long, help: ArgumentHelp("Weight sparsities of the pruning study, comma-separated (0 ≤ s < 1).", valueName: "list"))
    var sparsity: String = "0.5,0.9"
    @Option(name: .customLong("tokens-kept"), help: ArgumentHelp("Fractions of tokens kept in the token-pruning study, comma-separated (0 < r ≤ 1).", valueName: "list"))
    var tokensKept: String = "1,0.7,0.5"
    @Option(name: .customLong("seq-len"), help: "Sequence length of the BERT-Base studies and context length of the decoding study.")
    var seqLen: Int = 128
    @Option(name: .long, help: ArgumentHelp("Accelerator preset: \(Accelerator.presets.map(\.name).joined(separator: ", ")).", valueName: "name"))
    var accelerator: String = Accelerator.analyticalModel.name
    @Option(name: .long, help: ArgumentHelp("Folder of the cited CSV tables, relative to the current folder.", valueName: "dir"))
    var cited: String = "data/cited"

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
        let folder = try RepositoryData.locate(cited, default: "data/cited", flag: "cited")
        do { tables = try CitedTable.loadAll(from: folder.path) } catch { throw ValidationError("\(error)") }
        var s = FixedArchitectureSettings(
            bits: try parseIntegerList(bits, flag: "bits"), sparsities: try Self.parseDoubles(sparsity, flag: "sparsity"),
            tokensKept: try Self.parseDoubles(tokensKept, flag: "tokens-kept"), sequenceLength: seqLen, cited: tables,
            command: commandLine())
        try naming {
            s.accelerator = try Accelerator.preset(named: accelerator)
            try s.validate()
        }
        return s
    }

    func commandLine() -> String {
        var parts = ["swift run -c release fixed-architecture"]
        if bits != "8,4" { parts.append("--bits \(bits)") }
        if sparsity != "0.5,0.9" { parts.append("--sparsity \(sparsity)") }
        if tokensKept != "1,0.7,0.5" { parts.append("--tokens-kept \(tokensKept)") }
        if seqLen != 128 { parts.append("--seq-len \(seqLen)") }
        if accelerator != Accelerator.analyticalModel.name { parts.append("--accelerator \(accelerator)") }
        if cited != "data/cited" { parts.append("--cited \(cited)") }
        return parts.joined(separator: " ")
    }

    func validate() throws { _ = try settings() }

    func run() throws { try common.emit(try FixedArchitectureChapter.build(try settings())) }
}
