import ArgumentParser
import ChapterSupport
import Core

/// `swift run -c release gemmini-case-study`: regenerates chapters/06-gemmini-case-study.md and its figures.
@main
struct GemminiCaseStudyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gemmini-case-study",
        abstract: "Chapter 6 (§3.4): the Gemmini case study — a computed and timed matmul engine, Fig. 12-14, the 39.6× ladder and the 88.7× composition.",
        discussion: """
            Writes chapters/06-gemmini-case-study.md and figures/06-*.{svg,dot,png} under --out and prints one line \
            per claim. Memory flags set the baseline (--scratchpad-kib, --accumulator-kib) and the rebalanced and \
            Transformer variants (--rebalanced-*); mesh and DMA flags apply to all three; --cpu-* flags change the \
            host CPU's cost model and --cpu-mixes the file of counted instruction mixes it prices. --model takes an encoder (bert-base, bert-large, bert-base-4h).

            Examples:
              gemmini-case-study --seq-len 256 --cpu-miss-penalty 300
              gemmini-case-study --accumulator-kib 128 --sfu-width 4 --json
            """)

    @OptionGroup var common: ChapterOptions
    @OptionGroup var options: Options

    /// The flags that shape the report; its first line names those that differ from their defaults (``RerunLine``).
    struct Options: ParsableArguments {
        static let defaults = GemminiCaseStudySettings()

        @OptionGroup var model: ModelOption
        @Option(name: .long, parsing: .unconditional, help: "Sequence length of Fig. 13, Fig. 14 left/middle and the speedup.")
        var seqLen: Int = Options.defaults.sequenceLength
        @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Lengths of Fig. 14 right, comma-separated.", valueName: "list"))
        var breakdownSeqLens: String = Options.defaults.breakdownLengths.commaSeparated
        @Option(name: .long, parsing: .unconditional, help: "Sequence length of the side-by-side matmul table (peers measured 128).")
        var compareSeqLen: Int = Options.defaults.compareSequenceLength
        @Option(name: .long, help: ArgumentHelp("Chapter 5's recorded NAS result, whose EDP factor is composed beside the survey's.", valueName: "file"))
        var nasResult: String = GemminiCaseStudySettings.nasResultPath
        @OptionGroup var mesh: MeshDimOption
        @OptionGroup var memory: LocalMemoryOptions
        @Option(name: .long, parsing: .unconditional, help: "Scratchpad of the rebalanced and Transformer variants in KiB.")
        var rebalancedScratchpadKib: Int?
        @Option(name: .long, parsing: .unconditional, help: "Accumulator of the rebalanced and Transformer variants in KiB.")
        var rebalancedAccumulatorKib: Int?
        @Option(name: .long, parsing: .unconditional, help: "Activation units of the Transformer variant (at least 1).")
        var sfuWidth: Int?
        @Option(name: .long, parsing: .unconditional, help: "DMA bandwidth between L2 and the scratchpad/accumulator, bytes per cycle.")
        var dmaBytesPerCycle: Double?
        @Option(name: .long, parsing: .unconditional, help: "Memory round trip of a DMA read in cycles (L2 and DRAM); 0 leaves the memory system out.")
        var memoryLatency: Double?
        @Option(name: .long, parsing: .unconditional, help: "Host CPU: cycles per cache line streamed from DRAM (0...500000: the sensitivity study doubles it).")
        var cpuMissPenalty: Double?
        @Option(name: .long, parsing: .unconditional, help: "Host CPU: FP add/multiply/FMA latency in cycles (0...500000: the sensitivity study doubles it).")
        var cpuFMALatency: Double?
        @Option(name: .long, parsing: .unconditional, help: "Host CPU: int↔float conversion and FP compare latency in cycles (0...500000: the sensitivity study doubles it).")
        var cpuConvertLatency: Double?
        @Option(name: .long, parsing: .unconditional, help: "Host CPU: FP divide latency in cycles (0...500000: the sensitivity study doubles it).")
        var cpuDivideLatency: Double?
        @Option(name: .long, parsing: .unconditional, help: "Host CPU: L1 load-to-use latency in cycles (0...500000: the sensitivity study doubles it).")
        var cpuLoadLatency: Double?
        @Option(name: .long, parsing: .unconditional, help: "Host CPU: multiplier on the instruction cycles of expf and erff (0...500000: the sensitivity study doubles it).")
        var cpuLibmScale: Double?
        @Option(name: .long, help: ArgumentHelp("Host CPU: the counted instruction mixes that price its work (tools/rv64-mix/count.py writes them).", valueName: "file"))
        var cpuMixes: String = GemminiCaseStudySettings.cpuMixesPath

        /// The largest value a --cpu-* flag takes: the sensitivity study doubles each constant, and the host model
        /// accepts up to 1,000,000.
        static let cpuRange: ClosedRange<Double> = 0...500_000

        /// The host CPU's cost model with the constants these flags override; an error naming the flag outside ``cpuRange``.
        func host() throws -> HostCPUCostModel {
            var host = Options.defaults.host
            let fields: [(String, Double?, WritableKeyPath<HostCPUCostModel, Double>)] = [
                ("cpu-miss-penalty", cpuMissPenalty, \.missPenalty), ("cpu-fma-latency", cpuFMALatency, \.fpFMA),
                ("cpu-convert-latency", cpuConvertLatency, \.fpConvertOrCompare), ("cpu-divide-latency", cpuDivideLatency, \.fpDivide),
                ("cpu-load-latency", cpuLoadLatency, \.load), ("cpu-libm-scale", cpuLibmScale, \.libmScale)]
            for (flag, value, field) in fields {
                if let value = try bounded(value, in: Self.cpuRange, flag: flag) { host[keyPath: field] = value }
            }
            return host
        }
    }

    /// Core's field names that differ from this command's flags.
    static let flags = MeshDimOption.coreFields.merging([
        "l2Bandwidth": "dma-bytes-per-cycle", "scratchpadBytes": "rebalanced-scratchpad-kib",
        "accumulatorBytes": "rebalanced-accumulator-kib", "cpuFma": "cpu-fma-latency", "cpuConvert": "cpu-convert-latency",
        "cpuDivide": "cpu-divide-latency", "cpuLoad": "cpu-load-latency"]) { a, _ in a }

    /// The three Gemmini variants of the case study.
    static var variants: [WritableKeyPath<GemminiCaseStudySettings, Accelerator>] { [\.baseline, \.rebalanced, \.transformer] }

    func settings() throws -> GemminiCaseStudySettings {
        var s = GemminiCaseStudySettings()
        let nasResultURL = try RepositoryData.locate(options.nasResult, default: GemminiCaseStudySettings.nasResultPath, flag: "nas-result")
        s.nasResult = try GemminiCaseStudySettings.loadNASResult(nasResultURL.path, required: true)
        s.model = options.model.model
        s.sequenceLength = options.seqLen
        s.compareSequenceLength = options.compareSeqLen
        s.breakdownLengths = try parseIntegerList(options.breakdownSeqLens, flag: "breakdown-seq-lens")
        try options.memory.apply(to: &s.baseline)
        if let v = try kibibytes(options.rebalancedScratchpadKib, flag: "rebalanced-scratchpad-kib") {
            s.rebalanced.spCapacityBytes = v
            s.transformer.spCapacityBytes = v
        }
        if let v = try kibibytes(options.rebalancedAccumulatorKib, flag: "rebalanced-accumulator-kib") {
            s.rebalanced.accCapacityBytes = v
            s.transformer.accCapacityBytes = v
        }
        for variant in Self.variants { try options.mesh.apply(to: &s[keyPath: variant]) }
        if let dma = try bounded(options.dmaBytesPerCycle, in: Accelerator.bandwidthRange, flag: "dma-bytes-per-cycle") {
            for variant in Self.variants { s[keyPath: variant].l2BytesPerCycle = dma }
        }
        if let latency = try bounded(options.memoryLatency, in: Accelerator.latencyRange, flag: "memory-latency") {
            for variant in Self.variants { s[keyPath: variant].memoryLatencyCycles = latency }
        }
        s.host = try options.host()
        let mixesURL = try RepositoryData.locate(options.cpuMixes, default: GemminiCaseStudySettings.cpuMixesPath, flag: "cpu-mixes")
        s.host.mixSource = .counted(try GemminiCaseStudySettings.loadCPUMixes(mixesURL.path))
        if let sfuWidth = options.sfuWidth { s.transformer.sfuWidth = sfuWidth }
        for variant in Self.variants {
            s[keyPath: variant] = s[keyPath: variant].marked(against: Options.defaults[keyPath: variant])
        }
        // Core names the baseline's and the rebalanced variants' fields alike; each is checked with its own flags.
        let memory = [(s.baseline, LocalMemoryOptions.coreFields),
                      (s.rebalanced, ["scratchpadBytes": "rebalanced-scratchpad-kib", "accumulatorBytes": "rebalanced-accumulator-kib"])]
        for (variant, flags) in memory {
            try naming(flags.merging(Self.flags) { a, _ in a }) {
                try variant.validate()
                _ = try GemminiTiling(GEMMShape(m: 1, n: 1, k: 1), accelerator: variant)
            }
        }
        try naming(Self.flags) {
            try s.validate()
            try s.validateDerived()
        }
        s.command = RerunLine.render(Self.self, options)
        return s
    }

    func validate() throws { _ = try settings() }

    func run() throws { try common.emit(try GemminiCaseStudyChapter.build(try settings())) }
}
