import ChapterSupport
import Core
import Render

/// What a run of chapter 3 uses.
public struct FixedArchitectureSettings: Sendable {
    /// Bit widths of the quantization error study (2...16).
    public var bits: [Int]
    /// Weight sparsities of the pruning study (0 ≤ s < 1).
    public var sparsities: [Double]
    /// Fractions of tokens kept in the token-pruning study (0 < r ≤ 1).
    public var tokensKept: [Double]
    public var sequenceLength: Int
    public var accelerator: Accelerator
    /// The companion survey's cited tables, parsed from data/cited/.
    public var cited: [CitedTable]
    public var command: String

    public init(bits: [Int] = [8, 4], sparsities: [Double] = [0.5, 0.9], tokensKept: [Double] = [1, 0.7, 0.5],
                sequenceLength: Int = 128, accelerator: Accelerator = .analyticalModel, cited: [CitedTable],
                command: String = "swift run -c release fixed-architecture") {
        self.bits = bits
        self.sparsities = sparsities
        self.tokensKept = tokensKept
        self.sequenceLength = sequenceLength
        self.accelerator = accelerator
        self.cited = cited
        self.command = command
    }

    public func validate() throws(ConfigurationError) {
        guard !bits.isEmpty, Set(bits).count == bits.count else {
            throw ConfigurationError(field: "bits", message: "give at least one bit width, each once")
        }
        for b in bits { try ConfigurationError.require(b, in: TensorQuantizer.bitRange, field: "bits") }
        guard !sparsities.isEmpty, Set(sparsities).count == sparsities.count else {
            throw ConfigurationError(field: "sparsity", message: "give at least one sparsity, each once")
        }
        for s in sparsities { try Pruning.validate(sparsity: s) }
        guard !tokensKept.isEmpty, Set(tokensKept).count == tokensKept.count else {
            throw ConfigurationError(field: "tokens-kept", message: "give at least one ratio, each once")
        }
        for r in tokensKept { try TokenPruning.validate(keepRatio: r) }
        try TransformerConfig.validate(sequenceLength: sequenceLength)
        try accelerator.validate()
    }

    func table(_ file: String) -> CitedTable? { cited.first { $0.file == file } }
}

/// Chapter 3 (§4): model optimisations for a fixed accelerator: quantization, sparsity and Transformer-specific
/// methods, and the companion survey's published compression results.
public enum FixedArchitectureChapter {
    public static let name = "fixed-architecture"
    static let reportPath = "chapters/03-fixed-architecture.md"

    public static func build(_ settings: FixedArchitectureSettings) throws -> ChapterResult {
        try settings.validate()
        var cx = ChapterContext()
        for part in try QuantizationStudy.build(settings, figures: &cx.figures) { cx.add(part) }
        for part in try SparsityStudy.build(settings, figures: &cx.figures) { cx.add(part) }
        for part in try TransformerSpecificStudy.build(settings, figures: &cx.figures) { cx.add(part) }
        try cx.add { try CitedStudy.build(settings, figures: &$0) }
        return cx.result(name: name, reportPath: reportPath, report: report(settings, cx))
    }

    /// The report: title, introduction with the claims' tally, the sections, Summary and Exercises.
    static func report(_ settings: FixedArchitectureSettings, _ cx: ChapterContext) -> Report {
        let claims = cx.claims, sections = cx.sections
        let report = Report(
            title: "Chapter 3 — Model optimisation for a fixed accelerator (§4)",
            generatedBy: settings.command,
            intro: """
                When the hardware is fixed, the model must change: fewer bits per value, fewer weights, fewer tokens \
                or cheaper non-linear functions. This chapter quantizes and prunes real-size tensors, prices each \
                change on the survey's analytical accelerator with a roofline estimate, and sets the survey's \
                numbers against the energy and area table they come from. Accuracy after compression needs \
                training, which this project does not do: those numbers are the companion survey's cited \
                results, plotted and labelled as cited. \(ClaimSummary.sentence(claims))
                """,
            sections: sections,
            summary: [
                "Fig. 15's table gives 30× less energy for an 8-bit than a 32-bit floating-point add, and 116× (the text's ∼120×) less area; FP32 → INT8 makes the weights exactly 4× smaller.",
                "One scale per tensor is ruined by a few outlier channels; one scale per channel, or clipping, recovers most of the signal-to-noise ratio.",
                "A dense systolic array gains nothing from unstructured sparsity; structured pruning and N:M patterns turn into real savings on it or on a sparse unit.",
                "Token pruning cuts FLOPs roughly in proportion to the tokens kept (faster for the l² terms); the survey's 30-50% corresponds to keeping about half to 70% of the tokens.",
                "Speculative decoding pays because verifying several tokens costs about one memory-bound step; early exit pays in proportion to the layers skipped.",
            ],
            exercises: [
                "`swift run -c release fixed-architecture --bits 8,6,4,3 --out lesson/`: check the 6 dB-per-bit rule on the per-tensor, symmetric weight rows of the quantization table. Does it still hold from 4 to 3 bits?",
                "`swift run -c release fixed-architecture --sparsity 0.3,0.5,0.7,0.95 --out lesson/`: compare the idealised sparse unit's speed-up on unstructured sparsity with the structured rows that perform about the same share of FLOPs. Where does the 1-bit mask cost most of the gain, and why does it weigh more, not less, as the sparsity grows?",
                "`swift run -c release fixed-architecture --tokens-kept 1,0.9,0.8,0.6,0.4 --out lesson/`: compare the FLOPs saved with the survey's 30-50% for keeping 50-70% of the tokens.",
                "`swift run -c release fixed-architecture --seq-len 2048 --out lesson/`: compare the FLOPs saved at 0.7 and 0.5 of the tokens kept with the committed report's at l = 128. Why does pruning tokens save more at long lengths? (Two claims stated at l = 128 come out unexpected.)",
                "`cut -d, -f1,3,6,7 data/cited/distillation-bert.csv` lists the distilled models' parameters, GLUE averages and splits: plot the scores against parameters mixing dev and test, then per split. Which conclusions change?",
            ])
        return report
    }

    /// A claim's value check with a relative tolerance, phrased for our own cross-checks.
    static func crossCheck(_ id: String, _ reference: String, _ statement: String, expected: Double, observed: Double,
                           tolerance: Tolerance, note: String = "") -> Claim {
        Claim.number(id: id, reference: reference, statement: statement, paper: expected, observed: observed,
                     tolerance: tolerance, kind: .crossCheck, note: note)
    }
}
