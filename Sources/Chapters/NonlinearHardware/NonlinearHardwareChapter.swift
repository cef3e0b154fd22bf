import ChapterSupport
import Core
import Render

/// What a run of chapter 2 uses: the accelerator, the model and the sequence lengths of the SFU study.
public struct NonlinearHardwareSettings: Sendable {
    public var accelerator: Accelerator
    public var model: TransformerConfig
    public var sequenceLengths: [Int]
    public var command: String
    /// Chapter 1's recorded CPU profile, for the comparison with the analytical model; nil leaves it out.
    public var profile: CPUProfile?

    public init(accelerator: Accelerator = .analyticalModel, model: TransformerConfig = .bertBase,
                sequenceLengths: [Int] = [128, 512, 4096], command: String = "swift run -c release nonlinear-hardware",
                profile: CPUProfile? = nil) {
        self.accelerator = accelerator
        self.model = model
        self.sequenceLengths = sequenceLengths
        self.command = command
        self.profile = profile
    }

    public func validate() throws(ConfigurationError) {
        try accelerator.validate()
        if accelerator.sfuWidth > 0 { _ = try AnalyticalLatency.tileSide(accelerator) }
        try model.validate()
        for l in sequenceLengths { try TransformerConfig.validate(sequenceLength: l, field: "seq-lens") }
        guard !sequenceLengths.isEmpty, Set(sequenceLengths).count == sequenceLengths.count else {
            throw ConfigurationError(field: "seq-lens", message: "give at least one length, each once")
        }
    }
}

/// Chapter 2 (§3.1-3.3, App. A.5, I-BERT): what non-linear operations cost an accelerator, and the integer-only
/// kernels that keep them on it: the pass structure, the accelerator descriptions, the non-ideal arithmetic
/// intensity of Tab. 5, the special-function-unit cycles, §3.3's analytical latency model (Fig. 30-32, ResNet-50,
/// the CPU comparison) and I-BERT's kernels.
public enum NonlinearHardwareChapter {
    public static let name = "nonlinear-hardware"
    static let reportPath = "chapters/02-nonlinear-hardware.md"

    public static func build(_ settings: NonlinearHardwareSettings = .init()) throws -> ChapterResult {
        try settings.validate()
        var cx = ChapterContext()
        try cx.add { try passesSection(figures: &$0) }
        try cx.add { try hardwareSection(settings, figures: &$0) }
        cx.add(try Table5Section.build(accelerator: .analyticalModel))
        try cx.add { SectionOutput(try sfuSection(settings, figures: &$0)) }
        for part in try LatencySection.build(settings, figures: &cx.figures) { cx.add(part) }
        for part in try IBERTSection.build(figures: &cx.figures) { cx.add(part) }
        return cx.result(name: name, reportPath: reportPath, report: report(settings, cx),
                         results: .object([
                             ("accelerator", .string(settings.accelerator.name)), ("model", .string(settings.model.name)),
                             ("sfuCycles", .array(try sfuCycles(settings).map { c in
                                 .object([("seqLen", .number(Double(c.sequenceLength))), ("peArray", .number(c.peArray))]
                                     + c.sfu.map { ($0.name, .number($0.cycles)) })
                             })),
                         ]))
    }

    /// Fig. 2: each operation's passes over a row, measured by counting reads.
    static func passesSection(figures: inout FigureSet) throws -> SectionOutput {
        var passes = Section("2.1.1 / Fig. 2: passes over the data")
        passes.prose("""
            An accelerator streams a row from memory once per pass. We run each operation's textbook algorithm \
            on a row that counts its reads, so the pass counts below are measured. Softmax needs the row's \
            maximum before it can exponentiate safely and the sum before it can divide; LayerNorm needs the mean \
            before the variance and both before normalising; BatchNorm at inference uses stored statistics. \
            Softermax's online normalisation rescales a running sum whenever the running maximum grows, which \
            folds the first two passes into one.
            """)
        let sample = (0..<1000).map { Double(($0 * 7919) % 1009) / 100 - 5 }
        func measure(_ body: (inout CountingRow) -> Void) -> Double {
            var row = CountingRow(sample)
            body(&row)
            return row.readPasses
        }
        let measured: [(String, Double, Double, [String], String)] = [
            ("Softmax", measure { NonlinearPasses.softmax(&$0) }, 3, ["maximum", "exponentiate, sum", "divide"], "§2.1.1"),
            ("LayerNorm", measure { NonlinearPasses.layerNorm(&$0) }, 3, ["mean", "variance", "normalise"], "§2.1.1"),
            ("BatchNorm (inference)", measure { NonlinearPasses.batchNorm(&$0, mean: 0.2, variance: 1.5) }, 1, ["scale and shift"], "Fig. 2"),
            ("Softermax (online)", measure { NonlinearPasses.onlineSoftmax(&$0) }, 2, ["running maximum, rescaled sum", "normalise"], "§4.3"),
            ("GELU", measure { NonlinearPasses.gelu(&$0) }, 1, ["element-wise"], "§2.1.1"),
        ]
        let passClaims = measured.map { name, observed, paper, _, reference in
            Claim.number(id: "passes.\(name.split(separator: " ").first!.lowercased())", reference: reference,
                         statement: "\(name): passes over the row", paper: paper, observed: observed,
                         tolerance: .absolute(0))
        }
        passes.figure(try figures.graph("02-passes", NonlinearFigures.passes(measured.map { ($0.0, $0.3) })),
                      caption: "Fig. 2: each operation as the passes it makes over a row in memory; dashed edges are reads of the whole row.")
        passes.table(ClaimFormatting.table(passClaims))
        passes.takeaway("Softmax and LayerNorm read their input three times, BatchNorm once: a Transformer's normalisations cost memory traffic and latency that a CNN's do not, unless the hardware keeps whole rows on chip.")
        return SectionOutput(passes, claims: passClaims)
    }

    /// Fig. 10 and 11: the accelerators Core describes.
    static func hardwareSection(_ settings: NonlinearHardwareSettings, figures: inout FigureSet) throws -> SectionOutput {
        var hardware = Section("3.1-3.3 / Fig. 10 and 11: the accelerators")
        hardware.prose("""
            The accelerator descriptions Core provides, with the names Gemmini uses. The analytical model is the \
            survey's Fig. 11; the three Gemmini variants are the ones §3.4 compares. The survey does not state \
            clock, L2 or DRAM bandwidth for Gemmini; ours follow the analytical model and say so.
            """)
        let a = settings.accelerator
        hardware.figure(try figures.graph("02-fig10-accelerator", NonlinearFigures.typicalAccelerator()),
                        caption: "Fig. 10: a typical DNN accelerator: off-chip DRAM, an on-chip memory hierarchy, and a PE array whose processing elements each hold a register file and a MAC unit; a special function unit runs the non-linear operations. The sizes of each accelerator are in the table below.")
        hardware.figure(try figures.graph("02-fig11-analytical-model", NonlinearFigures.analyticalModel(.analyticalModel)),
                        caption: "Fig. 11: the analytical model's structure and parameters.")
        hardware.table(acceleratorTable(Accelerator.presets + (Accelerator.presets.contains(a) ? [] : [a])))
        return SectionOutput(hardware)
    }

    /// The report: title, introduction with the claims' tally, the sections, Summary and Exercises.
    static func report(_ settings: NonlinearHardwareSettings, _ cx: ChapterContext) -> Report {
        let claims = cx.claims, sections = cx.sections
        let labelsHit = claims.filter { $0.id.hasPrefix("fig32.") && $0.id != "fig32.order" && $0.holds }.count
        let report = Report(
            title: "Chapter 2 — Non-linear operations in hardware (§3.1-3.3, I-BERT)",
            generatedBy: settings.command,
            intro: """
                Matmuls are over 99% of a Transformer's FLOPs (chapter 1), yet Softmax, LayerNorm and GELU decide \
                whether an accelerator can run it at all: they need several passes over their data and \
                floating-point functions that an integer datapath lacks. This chapter measures those passes, \
                describes the accelerators the survey models, reproduces the non-ideal intensities of Tab. 5, builds \
                §3.3's analytical latency model (Fig. 30-32, ResNet-50, the CPU comparison) on the survey's stated \
                assumptions, and runs I-BERT's integer-only kernels against floating point: \(ClaimSummary.sentence(claims))
                """,
            sections: sections,
            summary: [
                "Softmax and LayerNorm make three passes over their data, BatchNorm one; online normalisation (Softermax) saves one of Softmax's.",
                "With finite memories and 32-bit outputs before non-linear operations, BERT-Base's intensity at l = 4096 falls 2.5× below the ideal (Tab. 5, reproduced to the printed digit with one fitted rule, a one-byte bias per output of the weight matmuls).",
                "With a 16-lane special function unit the non-linear operations cost a small share of cycles at short lengths, but Softmax's grows with l² like the attention matmuls'.",
                "The analytical model on the survey's stated assumptions reproduces Fig. 32's ordering and its BERT labels within about 10% (\(labelsHit) of 18 labels exactly); GPT-2's decoding comes out a steady 0.82× of the survey's, and ResNet-50 faster relative to BERT-Base than the survey's 1.28×.",
                "Second-order integer polynomials approximate GELU more closely than the sigmoid approximation, and exp to within 1.9e-3, below an 8-bit step.",
                "Integer Newton square roots need up to six steps from I-BERT's starting guess on 32-bit inputs, not four.",
            ],
            exercises: [
                "`swift run -c release nonlinear-hardware --sfu-width 4 --seq-lens 2048,4096,8192,16384,32768 --out lesson/sfu4` and `swift run -c release nonlinear-hardware --sfu-width 64 --seq-lens 2048,4096,8192,16384,32768 --out lesson/sfu64`: between which lengths does a 4-lane SFU start to need more cycles than the PE array (an SFU share above 50%)? Why does the 64-lane share level off below 10% instead of growing with l?",
                "`swift run -c release nonlinear-hardware --model bert-large --seq-lens 512,2048,8192 --out lesson/large` and `swift run -c release nonlinear-hardware --seq-lens 512,2048,8192 --out lesson/base`: compare the SFU shares of BERT-Large and BERT-Base at the same lengths. Why is BERT-Large's the smaller?",
                "`swift run -c release nonlinear-hardware --l2-bandwidth 64 --out lesson/`: against the committed report's latency table, which operations stop being bound by the L2 ↔ local port, and how much faster is BERT-Base at l = 4096?",
                "`swift run -c release nonlinear-hardware --accumulator-kib 64 --out lesson/` halves the accumulator, and the tile side shrinks from 176 to 128: why does BERT-Base's latency barely move?",
                "Derive why Newton's method from 2^⌈bits/2⌉ can take six steps: how far can the first guess be from √n? `swift run -c release nonlinear-hardware --out lesson/ | grep isqrt` prints the claim, and lesson/figures/02-isqrt-steps.svg shows the step counts.",
                "Set `IBERT.expCoefficients` (Sources/Core/Kernels/Integer/IntegerPolynomial.swift) to the printed 0.3585(p + 1.353)² + 0.344 multiplied out, `(a: 0.3585, b: 0.970101, c: 1.000273)`, run `swift run -c release nonlinear-hardware --out lesson/ | grep iexp` and watch the maximum-error claim fail by about 0.2e-3; then undo the change (`git checkout Sources/Core/Kernels/Integer`).",
            ])
        return report
    }

    static func acceleratorTable(_ list: [Accelerator]) -> Table {
        Table(columns: [.init("Accelerator", alignment: .left), .init("PEs", alignment: .right),
                        .init("Dataflow", alignment: .left), .init("Scratchpad", alignment: .right),
                        .init("Accumulator", alignment: .right), .init("L2", alignment: .right),
                        .init("DRAM B/cycle", alignment: .right), .init("SFU lanes", alignment: .right),
                        .init("Source", alignment: .left)],
              rows: list.map { a in
                  [a.name, "\(a.meshRows)×\(a.meshColumns)", NonlinearFigures.dataflowName(a.dataflow),
                   "\(a.spCapacityBytes / 1024) KiB", "\(a.accCapacityBytes / 1024) KiB", "\(a.l2Bytes / 1024) KiB",
                   NumberFormat.trimmed(a.dramBytesPerCycle, maxDecimals: 2), a.sfuWidth == 0 ? "host CPU" : "\(a.sfuWidth)",
                   a.source]
              })
    }

    /// Core's SFU model (`SFUCycles`) at every length of the run; none without an SFU.
    static func sfuCycles(_ s: NonlinearHardwareSettings) throws -> [SFUCycles] {
        guard s.accelerator.sfuWidth > 0 else { return [] }
        return try s.sequenceLengths.map { try SFUCycles(s.model, sequenceLength: $0, accelerator: s.accelerator) }
    }

    /// PE-array cycles of the matmuls against SFU cycles of the non-linear operations (passes × elements / S).
    static func sfuSection(_ s: NonlinearHardwareSettings, figures: inout FigureSet) throws -> Section {
        var section = Section("Special function unit cycles")
        let a = s.accelerator, m = s.model
        section.prose("""
            A compute-only bound, derived here (the survey does not print one): the PE array needs MACs / \
            (\(a.meshRows)·\(a.meshColumns)) cycles for \(m.displayName)'s matmuls, and an S-wide special function \
            unit needs passes × elements / S cycles for each non-linear operation (Softmax and LayerNorm 3 passes, \
            GELU and residual adds 1). Memory time is not included; that is §3.3's model.
            """)
        guard a.sfuWidth > 0 else {
            section.prose("`\(a.name)` has no special function unit: its non-linear operations run on the host CPU (chapter 6).")
            return section
        }
        let cycles = try sfuCycles(s)
        let rows = cycles.map { c in
            ["\(c.sequenceLength)", NumberFormat.si(c.peArray, decimals: 2)] + c.sfu.map { NumberFormat.si($0.cycles, decimals: 2) }
                + [NumberFormat.percent(c.sfuShare, decimals: 1)]
        }
        let shares = cycles.map { [$0.peArray] + $0.sfu.map(\.cycles) }
        section.table(Table(columns: [.init("l", alignment: .right), .init("PE-array cycles", alignment: .right),
                                      .init("Softmax", alignment: .right), .init("LayerNorm", alignment: .right),
                                      .init("GELU", alignment: .right), .init("residual adds", alignment: .right),
                                      .init("SFU share", alignment: .right)], rows: rows,
                            caption: "\(m.displayName) on \(a.name): cycles for the whole model (SI prefixes: k = 10³, M = 10⁶, G = 10⁹)."))
        let chart = BarChart(title: "\(m.displayName): PE-array vs SFU cycles (compute only)",
                             categories: s.sequenceLengths.map { "l = \($0)" },
                             series: [("PE array (matmuls)", OperationPalette.Operation.matmul), ("Softmax", .softmax),
                                      ("LayerNorm", .normalisation), ("GELU", .activation), ("residual adds", .residualAdd)]
                                 .enumerated().map { i, unit in
                                     BarSeries(name: unit.0, values: shares.map { row in row[i] / row.reduce(0, +) * 100 },
                                               colour: OperationPalette.colour(unit.1))
                                 }, mode: .stacked, y: Axis(label: "% of cycles", min: 0, max: 100))
        section.figure(figures.svg("02-sfu-cycles", try chart.svg()),
                       caption: "Share of compute cycles by unit: Softmax's grows with l², the rest with l.")
        section.takeaway("A 16-lane SFU beside a 256-MAC array keeps non-linear operations to a few percent of compute cycles at short lengths; at long lengths Softmax's three passes over h·l² scores become a real cost.")
        return section
    }
}
