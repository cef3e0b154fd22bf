import Core

/// What a run of chapter 1 computes: the models of the sweeps and detail tables, and the sequence lengths.
/// The paper's own tables (Tab. 3, 4, 10, 11, 12) are always computed at the paper's settings, because their
/// claims are checked against the printed numbers.
public struct WorkloadAnalysisSettings: Sendable {
    /// Transformer models of the sweeps (Fig. 4-6), the per-operation detail and the JSON rows.
    public var models: [TransformerConfig]
    /// Sequence lengths of the sweeps.
    public var sequenceLengths: [Int]
    /// The counting convention (the survey's unless a study asks otherwise).
    public var convention: CountingConvention
    /// The command line that generated the report, for its first line.
    public var command: String
    /// The CPU profile for §2.2.2 (recorded in data/profiles, or measured with --measure); nil leaves it out.
    public var profile: CPUProfile?

    public init(models: [TransformerConfig] = [.bertBase, .bertLarge, .gpt2],
                sequenceLengths: [Int] = [128, 256, 512, 1024, 2048, 4096],
                convention: CountingConvention = .survey,
                command: String = "swift run -c release workload-analysis", profile: CPUProfile? = nil) {
        self.models = models
        self.sequenceLengths = sequenceLengths
        self.convention = convention
        self.command = command
        self.profile = profile
    }

    /// Throws the first invalid model or length, naming the field.
    public func validate() throws(ConfigurationError) {
        for m in models { try m.validate() }
        for l in sequenceLengths { try TransformerConfig.validate(sequenceLength: l, field: "seq-lens") }
        guard Set(sequenceLengths).count == sequenceLengths.count else {
            throw ConfigurationError(field: "seq-lens", message: "lengths repeat; give each once")
        }
        guard Set(models.map(\.name)).count == models.count else {
            throw ConfigurationError(field: "model", message: "models repeat; give each once")
        }
    }
}
