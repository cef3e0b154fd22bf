import ArgumentParser
import ChapterSupport
import Core

/// `swift run -c release nonlinear-hardware`: regenerates chapters/02-nonlinear-hardware.md and its figures.
@main
struct NonlinearHardwareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nonlinear-hardware",
        abstract: "Chapter 2 (§3.1-3.3, I-BERT): passes of the non-linear operations, the accelerators, SFU cycles and integer-only kernels.",
        discussion: """
            Writes chapters/02-nonlinear-hardware.md and figures/02-*.{svg,dot,png} under --out and prints one line \
            per claim (✔ holds, ✘ does not, with the reason). The accelerator flags start from --accelerator and \
            override single fields; they shape the accelerator drawing and the SFU study.

            Examples:
              nonlinear-hardware --sfu-width 4 --seq-lens 128,1024,8192
              nonlinear-hardware --accelerator gemmini-transformer --model bert-large
            """)

    @OptionGroup var common: ChapterOptions

    @Option(name: .long, help: ArgumentHelp("Accelerator preset: \(Accelerator.presets.map(\.name).joined(separator: ", ")).", valueName: "name"))
    var accelerator: String = Accelerator.analyticalModel.name
    @Option(name: .customLong("mesh-rows"), help: "PE array rows (W).")
    var meshRows: Int?
    @Option(name: .customLong("mesh-columns"), help: "PE array columns.")
    var meshColumns: Int?
    @Option(name: .customLong("sfu-width"), help: "Special function unit lanes (S); 0 means the host CPU runs non-linear operations.")
    var sfuWidth: Int?
    @Option(name: .customLong("scratchpad-kib"), help: "Scratchpad capacity in KiB.")
    var scratchpadKiB: Int?
    @Option(name: .customLong("accumulator-kib"), help: "Accumulator capacity in KiB.")
    var accumulatorKiB: Int?
    @Option(name: .long, help: ArgumentHelp("Model for the SFU study: \(TransformerConfig.presets.map(\.name).joined(separator: ", ")).", valueName: "name"))
    var model: String = "bert-base"
    @Option(name: .customLong("seq-lens"), help: ArgumentHelp("Sequence lengths for the SFU study, comma-separated.", valueName: "list"))
    var seqLens: String = "128,512,4096"

    func settings() throws -> NonlinearHardwareSettings {
        var a: Accelerator
        var m: TransformerConfig
        do {
            a = try Accelerator.preset(named: accelerator)
            m = try TransformerConfig.preset(named: model)
        } catch {
            throw ValidationError(error.description)
        }
        if let meshRows { a.meshRows = meshRows }
        if let meshColumns { a.meshColumns = meshColumns }
        if let sfuWidth { a.sfuWidth = sfuWidth }
        for (value, field) in [(scratchpadKiB, "scratchpad-kib"), (accumulatorKiB, "accumulator-kib")] {
            guard let value else { continue }
            guard (1...(1 << 20)).contains(value) else {
                throw ValidationError("invalid --\(field): \(value) is out of range; allowed 1...\(1 << 20)")
            }
            if field == "scratchpad-kib" { a.spCapacityBytes = value * 1024 } else { a.accCapacityBytes = value * 1024 }
        }
        if a != (try? Accelerator.preset(named: accelerator)) { a.name += " (modified)" }
        var s = NonlinearHardwareSettings(accelerator: a, model: m, sequenceLengths: try parseIntegerList(seqLens, flag: "seq-lens"),
                                          command: commandLine())
        do {
            try s.validate()
        } catch {
            throw ValidationError(error.description)
        }
        s.command = commandLine()
        return s
    }

    func commandLine() -> String {
        var parts = ["swift run -c release nonlinear-hardware"]
        if accelerator != Accelerator.analyticalModel.name { parts.append("--accelerator \(accelerator)") }
        if let meshRows { parts.append("--mesh-rows \(meshRows)") }
        if let meshColumns { parts.append("--mesh-columns \(meshColumns)") }
        if let sfuWidth { parts.append("--sfu-width \(sfuWidth)") }
        if let scratchpadKiB { parts.append("--scratchpad-kib \(scratchpadKiB)") }
        if let accumulatorKiB { parts.append("--accumulator-kib \(accumulatorKiB)") }
        if model != "bert-base" { parts.append("--model \(model)") }
        if seqLens != "128,512,4096" { parts.append("--seq-lens \(seqLens)") }
        return parts.joined(separator: " ")
    }

    func validate() throws { _ = try settings() }

    func run() throws { try common.emit(try NonlinearHardwareChapter.build(try settings())) }
}
