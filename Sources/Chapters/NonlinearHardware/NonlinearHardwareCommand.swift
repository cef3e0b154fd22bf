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
            override single fields; they shape the accelerator drawing and the SFU study, whose model and lengths \
            --model and --seq-lens choose.

            Examples:
              nonlinear-hardware --sfu-width 4 --seq-lens 128,1024,8192
              nonlinear-hardware --accelerator gemmini-transformer --model bert-large
            """)

    @OptionGroup var common: ChapterOptions
    @OptionGroup var options: Options

    /// The flags that shape the report; its first line names those that differ from their defaults (``RerunLine``).
    /// The accelerator flags other than the preset override one field each.
    struct Options: ParsableArguments {
        static let defaults = NonlinearHardwareSettings()

        @OptionGroup var preset: AcceleratorPresetOption
        @Option(name: .long, parsing: .unconditional, help: "PE array rows (W).")
        var meshRows: Int?
        @Option(name: .long, parsing: .unconditional, help: "PE array columns.")
        var meshColumns: Int?
        @Option(name: .long, parsing: .unconditional, help: "Special function unit lanes (S); 0 means the host CPU runs non-linear operations.")
        var sfuWidth: Int?
        @OptionGroup var memory: MemoryOptions
        @Option(name: .long, parsing: .unconditional, help: "L2 ↔ DRAM bandwidth in bytes per cycle.")
        var dramBandwidth: Double?
        @Option(name: .long, parsing: .unconditional, help: "Local memory ↔ L2 bandwidth in bytes per cycle.")
        var l2Bandwidth: Double?
        @Option(name: .long, help: ArgumentHelp("PE array dataflow.", valueName: "dataflow"))
        var dataflow: Dataflow?
        @Option(name: .long, parsing: .unconditional, help: "Clock frequency in GHz.")
        var clockGhz: Double?
        @Option(name: .long, parsing: .unconditional, help: "Precision of inputs, weights and 8-bit outputs (the survey: 8).")
        var inputBits: Int?
        @Option(name: .long, parsing: .unconditional, help: "Precision of partial sums and of outputs a non-linear operation consumes (the survey: 32).")
        var accumulatorBits: Int?
        @Option(name: .long, help: ArgumentHelp("Chapter 1's recorded CPU profile, for the comparison with the model (relative to the current folder); 'none' leaves the comparison out.", valueName: "path"))
        var profile: String = RecordedProfile.defaultPath
        @OptionGroup var model: ModelOption
        @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Sequence lengths for the SFU study, comma-separated.", valueName: "list"))
        var seqLens: String = Options.defaults.sequenceLengths.commaSeparated

        /// The preset with the fields these flags override.
        func accelerator() throws -> Accelerator {
            var a = preset.accelerator
            let dramBandwidth = try bounded(dramBandwidth, in: Accelerator.bandwidthRange, flag: "dram-bandwidth")
            let l2Bandwidth = try bounded(l2Bandwidth, in: Accelerator.bandwidthRange, flag: "l2-bandwidth")
            let clockGhz = try bounded(clockGhz, in: (Accelerator.clockRange.lowerBound / 1e9)...(Accelerator.clockRange.upperBound / 1e9), flag: "clock-ghz")
            if let meshRows { a.meshRows = meshRows }
            if let meshColumns { a.meshColumns = meshColumns }
            if let sfuWidth { a.sfuWidth = sfuWidth }
            try memory.apply(to: &a)
            if let dramBandwidth { a.dramBytesPerCycle = dramBandwidth }
            if let l2Bandwidth { a.l2BytesPerCycle = l2Bandwidth }
            if let dataflow { a.dataflow = dataflow }
            if let clockGhz { a.clockHz = clockGhz * 1e9 }
            if let inputBits { a.inputBits = inputBits }
            if let accumulatorBits { a.accumulatorBits = accumulatorBits }
            return a.marked(against: preset.accelerator)
        }
    }

    /// Core's field names that differ from this command's flags.
    static let flags = MemoryOptions.coreFields.merging(["clock": "clock-ghz"]) { a, _ in a }

    func settings() throws -> NonlinearHardwareSettings {
        let accelerator = try options.accelerator()
        let recorded = options.profile == "none" ? nil
            : try RecordedProfile.load(try RepositoryData.locate(options.profile, default: RecordedProfile.defaultPath, flag: "profile").path)
        let s = NonlinearHardwareSettings(accelerator: accelerator, model: options.model.model,
                                          sequenceLengths: try parseIntegerList(options.seqLens, flag: "seq-lens"),
                                          command: RerunLine.render(Self.self, options), profile: recorded)
        try naming(Self.flags) { try s.validate() }
        return s
    }

    func validate() throws { _ = try settings() }

    func run() throws { try common.emit(try NonlinearHardwareChapter.build(try settings())) }
}
