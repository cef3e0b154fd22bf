import ArgumentParser
import ChapterSupport
import Core
import Render

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
    @Option(name: .customLong("l2-kib"), help: "Shared L2 capacity in KiB.")
    var l2KiB: Int?
    @Option(name: .customLong("dram-bandwidth"), help: "L2 ↔ DRAM bandwidth in bytes per cycle.")
    var dramBandwidth: Double?
    @Option(name: .customLong("l2-bandwidth"), help: "Local memory ↔ L2 bandwidth in bytes per cycle.")
    var l2Bandwidth: Double?
    @Option(name: .long, help: ArgumentHelp("PE array dataflow: ws, os or is.", valueName: "ws|os|is"))
    var dataflow: String?
    @Option(name: .customLong("clock-ghz"), help: "Clock frequency in GHz.")
    var clockGHz: Double?
    @Option(name: .customLong("input-bits"), help: "Precision of inputs, weights and 8-bit outputs (the survey: 8).")
    var inputBits: Int?
    @Option(name: .customLong("accumulator-bits"), help: "Precision of partial sums and of outputs a non-linear operation consumes (the survey: 32).")
    var accumulatorBits: Int?
    @Option(name: .long, help: ArgumentHelp("Chapter 1's recorded CPU profile, for the comparison with the model (relative to the current folder); 'none' leaves the comparison out.", valueName: "path"))
    var profile: String = RecordedProfile.defaultPath
    @Option(name: .long, help: ArgumentHelp("Model for the SFU study: \(TransformerConfig.presets.map(\.name).joined(separator: ", ")).", valueName: "name"))
    var model: String = "bert-base"
    @Option(name: .customLong("seq-lens"), help: ArgumentHelp("Sequence lengths for the SFU study, comma-separated.", valueName: "list"))
    var seqLens: String = "128,512,4096"

    /// Core's field names that differ from this command's flags.
    static let flags = ["scratchpad-bytes": "scratchpad-kib", "accumulator-bytes": "accumulator-kib", "l2-bytes": "l2-kib",
                        "clock": "clock-ghz"]

    func settings() throws -> NonlinearHardwareSettings {
        var a = try naming { try Accelerator.preset(named: accelerator) }
        let m = try naming { try TransformerConfig.preset(named: model) }
        let dramBandwidth = try bounded(dramBandwidth, in: Accelerator.bandwidthRange, flag: "dram-bandwidth")
        let l2Bandwidth = try bounded(l2Bandwidth, in: Accelerator.bandwidthRange, flag: "l2-bandwidth")
        let clockGHz = try bounded(clockGHz, in: (Accelerator.clockRange.lowerBound / 1e9)...(Accelerator.clockRange.upperBound / 1e9), flag: "clock-ghz")
        if let meshRows { a.meshRows = meshRows }
        if let meshColumns { a.meshColumns = meshColumns }
        if let sfuWidth { a.sfuWidth = sfuWidth }
        if let bytes = try kibibytes(scratchpadKiB, flag: "scratchpad-kib") { a.spCapacityBytes = bytes }
        if let bytes = try kibibytes(accumulatorKiB, flag: "accumulator-kib") { a.accCapacityBytes = bytes }
        if let bytes = try kibibytes(l2KiB, flag: "l2-kib") { a.l2Bytes = bytes }
        if let dramBandwidth { a.dramBytesPerCycle = dramBandwidth }
        if let l2Bandwidth { a.l2BytesPerCycle = l2Bandwidth }
        if let clockGHz { a.clockHz = clockGHz * 1e9 }
        if let inputBits { a.inputBits = inputBits }
        if let accumulatorBits { a.accumulatorBits = accumulatorBits }
        if let dataflow {
            guard let d = Dataflow(rawValue: dataflow.lowercased()) else {
                throw ValidationError("invalid --dataflow: unknown dataflow '\(dataflow)'; choose ws, os or is")
            }
            a.dataflow = d
        }
        if a != (try? Accelerator.preset(named: accelerator)) { a.name += " (modified)" }
        let recorded = profile == "none" ? nil
            : try RecordedProfile.load(try RepositoryData.locate(profile, default: RecordedProfile.defaultPath, flag: "profile").path)
        var s = NonlinearHardwareSettings(accelerator: a, model: m, sequenceLengths: try parseIntegerList(seqLens, flag: "seq-lens"),
                                          command: commandLine(), profile: recorded)
        try naming(Self.flags) { try s.validate() }
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
        if let l2KiB { parts.append("--l2-kib \(l2KiB)") }
        if let dramBandwidth { parts.append("--dram-bandwidth \(NumberFormat.trimmed(dramBandwidth, maxDecimals: 6))") }
        if let l2Bandwidth { parts.append("--l2-bandwidth \(NumberFormat.trimmed(l2Bandwidth, maxDecimals: 6))") }
        if let dataflow { parts.append("--dataflow \(dataflow)") }
        if let clockGHz { parts.append("--clock-ghz \(NumberFormat.trimmed(clockGHz, maxDecimals: 6))") }
        if let inputBits { parts.append("--input-bits \(inputBits)") }
        if let accumulatorBits { parts.append("--accumulator-bits \(accumulatorBits)") }
        if profile != RecordedProfile.defaultPath { parts.append("--profile \(profile)") }
        if model != "bert-base" { parts.append("--model \(model)") }
        if seqLens != "128,512,4096" { parts.append("--seq-lens \(seqLens)") }
        return parts.joined(separator: " ")
    }

    func validate() throws { _ = try settings() }

    func run() throws { try common.emit(try NonlinearHardwareChapter.build(try settings())) }
}
