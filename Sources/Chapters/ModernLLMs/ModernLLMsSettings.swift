import Core

/// What a run of chapter 7 computes: the decoders, the prompt/context lengths and the batch sizes. The
/// LLM-Viewer cross-check always runs at its recorded settings (Llama-2-7B on an A6000, batch 1, 1,024 tokens).
public struct ModernLLMsSettings: Sendable {
    /// The decoders of the tables, charts and `--json` rows.
    public var models: [TransformerConfig]
    /// Prompt lengths of the prefill, and tokens generated (and context) of the decode.
    public var sequenceLengths: [Int]
    /// Batch sizes of the decode-intensity study.
    public var batchSizes: [Int]
    /// The counting convention (the survey's unless an exercise asks otherwise).
    public var convention: CountingConvention
    /// The command line that generated the report, for its first line.
    public var command: String

    public init(models: [TransformerConfig] = TransformerConfig.modernPresets,
                sequenceLengths: [Int] = [128, 512, 1024, 2048, 4096, 8192],
                batchSizes: [Int] = [1, 2, 4, 8, 16, 32, 64, 128, 256],
                convention: CountingConvention = .survey,
                command: String = "swift run -c release modern-llms") {
        self.models = models
        self.sequenceLengths = sequenceLengths
        self.batchSizes = batchSizes
        self.convention = convention
        self.command = command
    }

    /// The length the per-operation tables and the accelerator study use: 1,024 when the run has it (the
    /// cross-check's), else the run's longest.
    public var focusLength: Int { sequenceLengths.contains(1024) ? 1024 : sequenceLengths.max() ?? 1024 }

    /// Throws the first invalid model, length or batch size, naming the field.
    public func validate() throws(ConfigurationError) {
        guard !models.isEmpty else { throw ConfigurationError(field: "model", message: "no model; name at least one") }
        for m in models {
            try m.validate()
            guard m.architecture == .decoder else {
                throw ConfigurationError(field: "model", message: "'\(m.name)' is an encoder; this chapter studies decoders")
            }
        }
        guard !sequenceLengths.isEmpty else { throw ConfigurationError(field: "seqLens", message: "no length; give at least one") }
        for l in sequenceLengths { try TransformerConfig.validate(sequenceLength: l, field: "seqLens") }
        for b in batchSizes { try ConfigurationError.require(b, in: ModelWorkload.batchRange, field: "batchSizes") }
        for (field, values) in [("seqLens", sequenceLengths), ("batchSizes", batchSizes)] where Set(values).count != values.count {
            throw ConfigurationError(field: field, message: "values repeat; give each once")
        }
        guard !batchSizes.isEmpty else { throw ConfigurationError(field: "batchSizes", message: "no batch size; give at least one") }
        guard Set(models.map(\.name)).count == models.count else {
            throw ConfigurationError(field: "model", message: "models repeat; give each once")
        }
    }
}
