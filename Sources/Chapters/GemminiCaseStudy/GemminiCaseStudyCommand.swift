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
            host CPU's cost model.

            Examples:
              gemmini-case-study --seq-len 256 --cpu-miss-penalty 300
              gemmini-case-study --accumulator-kib 128 --sfu-width 4 --json
            """)

    @OptionGroup var common: ChapterOptions

    @Option(name: .long, help: ArgumentHelp("Encoder model: bert-base, bert-large, bert-base-4h.", valueName: "name"))
    var model: String = "bert-base"
    @Option(name: .customLong("seq-len"), help: "Sequence length of Fig. 13, Fig. 14 left/middle and the speedup.")
    var seqLen: Int = 512
    @Option(name: .customLong("breakdown-seq-lens"), help: ArgumentHelp("Lengths of Fig. 14 right, comma-separated.", valueName: "list"))
    var breakdownSeqLens: String = "128,256,512"
    @Option(name: .customLong("compare-seq-len"), help: "Sequence length of the side-by-side matmul table (peers measured 128).")
    var compareSeqLen: Int = 128
    @Option(name: .customLong("mesh-dim"), help: "Mesh side (Gemmini's DIM; meshRows = meshColumns) for all variants.")
    var meshDim: Int?
    @Option(name: .customLong("scratchpad-kib"), help: "Baseline scratchpad (sp_capacity) in KiB.")
    var scratchpadKiB: Int?
    @Option(name: .customLong("accumulator-kib"), help: "Baseline accumulator (acc_capacity) in KiB.")
    var accumulatorKiB: Int?
    @Option(name: .customLong("rebalanced-scratchpad-kib"), help: "Scratchpad of the rebalanced and Transformer variants in KiB.")
    var rebalancedScratchpadKiB: Int?
    @Option(name: .customLong("rebalanced-accumulator-kib"), help: "Accumulator of the rebalanced and Transformer variants in KiB.")
    var rebalancedAccumulatorKiB: Int?
    @Option(name: .customLong("sfu-width"), help: "Activation units of the Transformer variant (at least 1).")
    var sfuWidth: Int?
    @Option(name: .customLong("dma-bytes-per-cycle"), help: "DMA bandwidth between L2 and the scratchpad/accumulator, bytes per cycle.")
    var dmaBytesPerCycle: Double?
    @Option(name: .customLong("cpu-miss-penalty"), help: "Host CPU: cycles per cache line streamed from DRAM (0...500000: the sensitivity study doubles it).")
    var cpuMissPenalty: Double?
    @Option(name: .customLong("cpu-fma-latency"), help: "Host CPU: FP add/multiply/FMA latency in cycles (0...500000: the sensitivity study doubles it).")
    var cpuFMALatency: Double?
    @Option(name: .customLong("cpu-convert-latency"), help: "Host CPU: int↔float conversion and FP compare latency in cycles (0...500000: the sensitivity study doubles it).")
    var cpuConvertLatency: Double?
    @Option(name: .customLong("cpu-divide-latency"), help: "Host CPU: FP divide latency in cycles (0...500000: the sensitivity study doubles it).")
    var cpuDivideLatency: Double?
    @Option(name: .customLong("cpu-load-latency"), help: "Host CPU: L1 load-to-use latency in cycles (0...500000: the sensitivity study doubles it).")
    var cpuLoadLatency: Double?
    @Option(name: .customLong("cpu-libm-scale"), help: "Host CPU: multiplier on the instruction cycles of expf and erff (0...500000: the sensitivity study doubles it).")
    var cpuLibmScale: Double?

    @Option(name: .customLong("nas-result"), help: ArgumentHelp("Chapter 5's recorded NAS result, whose EDP factor is composed beside the survey's.", valueName: "file"))
    var nasResult: String = GemminiCaseStudySettings.nasResultPath

    /// Core's field names that differ from this command's flags.
    static let flags = ["l2-bandwidth": "dma-bytes-per-cycle", "scratchpad-bytes": "rebalanced-scratchpad-kib",
                        "accumulator-bytes": "rebalanced-accumulator-kib", "mesh-rows": "mesh-dim", "mesh-columns": "mesh-dim",
                        "cpu-fma": "cpu-fma-latency", "cpu-convert": "cpu-convert-latency", "cpu-divide": "cpu-divide-latency",
                        "cpu-load": "cpu-load-latency"]

    /// The largest value a --cpu-* flag takes: the sensitivity study doubles each constant, and the host model
    /// accepts up to 1,000,000.
    static let cpuRange: ClosedRange<Double> = 0...500_000

    func settings() throws -> GemminiCaseStudySettings {
        var s = GemminiCaseStudySettings()
        let nasResultURL = try RepositoryData.locate(nasResult, default: GemminiCaseStudySettings.nasResultPath, flag: "nas-result")
        s.nasResult = try GemminiCaseStudySettings.loadNASResult(nasResultURL.path, required: true)
        s.model = try naming { try TransformerConfig.preset(named: model) }
        s.sequenceLength = seqLen
        s.compareSequenceLength = compareSeqLen
        s.breakdownLengths = try parseIntegerList(breakdownSeqLens, flag: "breakdown-seq-lens")
        if let v = try kibibytes(scratchpadKiB, flag: "scratchpad-kib") { s.baseline.spCapacityBytes = v }
        if let v = try kibibytes(accumulatorKiB, flag: "accumulator-kib") { s.baseline.accCapacityBytes = v }
        if let v = try kibibytes(rebalancedScratchpadKiB, flag: "rebalanced-scratchpad-kib") {
            s.rebalanced.spCapacityBytes = v
            s.transformer.spCapacityBytes = v
        }
        if let v = try kibibytes(rebalancedAccumulatorKiB, flag: "rebalanced-accumulator-kib") {
            s.rebalanced.accCapacityBytes = v
            s.transformer.accCapacityBytes = v
        }
        if let meshDim {
            guard (1...256).contains(meshDim) else { throw ValidationError("invalid --mesh-dim: \(meshDim) is out of range; allowed 1...256") }
            for keyPath in [\GemminiCaseStudySettings.baseline, \.rebalanced, \.transformer] {
                s[keyPath: keyPath].meshRows = meshDim
                s[keyPath: keyPath].meshColumns = meshDim
            }
        }
        if let dma = try bounded(dmaBytesPerCycle, in: Accelerator.bandwidthRange, flag: "dma-bytes-per-cycle") {
            for keyPath in [\GemminiCaseStudySettings.baseline, \.rebalanced, \.transformer] { s[keyPath: keyPath].l2BytesPerCycle = dma }
        }
        let cpu = [("cpu-miss-penalty", cpuMissPenalty), ("cpu-fma-latency", cpuFMALatency), ("cpu-convert-latency", cpuConvertLatency),
                   ("cpu-divide-latency", cpuDivideLatency), ("cpu-load-latency", cpuLoadLatency), ("cpu-libm-scale", cpuLibmScale)]
        for (flag, value) in cpu { _ = try bounded(value, in: Self.cpuRange, flag: flag) }
        if let sfuWidth { s.transformer.sfuWidth = sfuWidth }
        if let cpuMissPenalty { s.host.missPenalty = cpuMissPenalty }
        if let cpuFMALatency { s.host.fpFMA = cpuFMALatency }
        if let cpuConvertLatency { s.host.fpConvertOrCompare = cpuConvertLatency }
        if let cpuDivideLatency { s.host.fpDivide = cpuDivideLatency }
        if let cpuLoadLatency { s.host.load = cpuLoadLatency }
        if let cpuLibmScale { s.host.libmScale = cpuLibmScale }
        for keyPath in [\GemminiCaseStudySettings.baseline, \.rebalanced, \.transformer] {
            let preset = [Accelerator.gemminiBaseline, .gemminiRebalanced, .gemminiTransformer].first { $0.name == s[keyPath: keyPath].name }
            if let preset, preset != s[keyPath: keyPath] { s[keyPath: keyPath].name += " (modified)" }
        }
        // Core names the baseline's and the rebalanced variants' fields alike; each is checked with its own flags.
        let memory = [("baseline", s.baseline, ["scratchpad-bytes": "scratchpad-kib", "accumulator-bytes": "accumulator-kib"]),
                      ("rebalanced", s.rebalanced, ["scratchpad-bytes": "rebalanced-scratchpad-kib", "accumulator-bytes": "rebalanced-accumulator-kib"])]
        for (_, variant, flags) in memory {
            try naming(flags.merging(Self.flags) { a, _ in a }) {
                try variant.validate()
                _ = try GemminiTiling(GEMMShape(m: 1, n: 1, k: 1), accelerator: variant)
            }
        }
        try naming(Self.flags) {
            try s.validate()
            try s.validateDerived()
        }
        s.command = commandLine()
        return s
    }

    func commandLine() -> String {
        var parts = ["swift run -c release gemmini-case-study"]
        if model != "bert-base" { parts.append("--model \(model)") }
        if seqLen != 512 { parts.append("--seq-len \(seqLen)") }
        if breakdownSeqLens != "128,256,512" { parts.append("--breakdown-seq-lens \(breakdownSeqLens)") }
        if compareSeqLen != 128 { parts.append("--compare-seq-len \(compareSeqLen)") }
        if nasResult != GemminiCaseStudySettings.nasResultPath { parts.append("--nas-result \(nasResult)") }
        let optional: [(String, String?)] = [
            ("mesh-dim", meshDim.map(String.init)), ("scratchpad-kib", scratchpadKiB.map(String.init)),
            ("accumulator-kib", accumulatorKiB.map(String.init)), ("rebalanced-scratchpad-kib", rebalancedScratchpadKiB.map(String.init)),
            ("rebalanced-accumulator-kib", rebalancedAccumulatorKiB.map(String.init)), ("sfu-width", sfuWidth.map(String.init)),
            ("dma-bytes-per-cycle", dmaBytesPerCycle.map { "\($0)" }), ("cpu-miss-penalty", cpuMissPenalty.map { "\($0)" }),
            ("cpu-fma-latency", cpuFMALatency.map { "\($0)" }), ("cpu-convert-latency", cpuConvertLatency.map { "\($0)" }),
            ("cpu-divide-latency", cpuDivideLatency.map { "\($0)" }), ("cpu-load-latency", cpuLoadLatency.map { "\($0)" }),
            ("cpu-libm-scale", cpuLibmScale.map { "\($0)" }),
        ]
        for (flag, value) in optional { if let value { parts.append("--\(flag) \(value)") } }
        return parts.joined(separator: " ")
    }

    func validate() throws { _ = try settings() }

    func run() throws { try common.emit(try GemminiCaseStudyChapter.build(try settings())) }
}
