import ChapterSupport
import Core
import Foundation

/// What a run of chapter 5 uses: the trained supernet's setup, the search's settings, the hardware cost's
/// sequence length and how many validation windows measure a perplexity.
public struct NASSettings: Sendable {
    /// The most steps `nas --train` keeps the peak learning rate while waiting for the validation loss to flatten.
    public static let flatteningCap = 10_000
    /// The training run that made the committed checkpoint (and that `--train` repeats): Tab. 8's space with
    /// every width divided by 8 (d 48-96, d_FFN 96-384, 8-wide heads), 64-byte windows, 16 per step; a 100-step
    /// warm-up, then the peak rate until the validation loss flattens by ``SupernetTrainingRun/Flattening``'s
    /// default rule (at most 10,000 steps), then a linear decay over a fifth of the steps so far.
    public var training = try! SupernetTrainingRun(widthDivisor: 8, context: 64, sequencesPerStep: 16, steps: flatteningCap,
                                                   warmupSteps: 100, peakLearningRate: 1e-3, seed: 1,
                                                   flattening: SupernetTrainingRun.Flattening())
    /// The survey's search: population 40, 40 iterations, mutation probability 0.2.
    public var evolution = EvolutionSettings.survey
    /// Validation windows (of `training.context` bytes, consecutive from the split's start) per perplexity.
    public var validationWindows = 32
    /// Threads that measure the search's perplexities (all active processors by default). The measured values
    /// are the same bits for any count (``SupernetEvaluator``), so this changes only the run time.
    public var evaluationThreads = SupernetEvaluator.defaultThreads
    /// Called with a progress line after each generation of the search (the command prints it on stderr unless
    /// --quiet or --json).
    public var progress: (@Sendable (String) -> Void)? = nil
    /// Sequence length of the hardware cost (the survey's training length, 512).
    public var hardwareSequenceLength = 512
    /// Corpus split: block size in bytes, period, validation and test residues (``ByteCorpus/split``).
    public var blockSize = ByteCorpus.defaultBlockSize
    public var splitPeriod = 10
    public var validationResidue = 8
    public var testResidue = 9
    public var command = "swift run -c release nas"

    public init() {}

    public func validate() throws(ConfigurationError) {
        try evolution.validate()
        _ = try ByteCorpus.split([], blockSize: blockSize, period: splitPeriod, validationResidue: validationResidue,
                                 testResidue: testResidue)
        guard evolution.iterations >= 1 else {
            throw ConfigurationError(field: "iterations", message: "0 iterations search nothing; allowed 1...10000")
        }
        try ConfigurationError.require(validationWindows, in: 1...100_000, field: "validation-windows")
        try TransformerConfig.validate(sequenceLength: hardwareSequenceLength, field: "hw-seq-len")
        try ConfigurationError.require(hardwareSequenceLength, in: 1...4_096, field: "hw-seq-len")
        let work = windowEvaluations, bound = 100 * NASSettings().windowEvaluations
        guard work <= bound else {
            throw ConfigurationError(field: "population", message: "population × (iterations + 1) × validation-windows = "
                + "\(work) window evaluations, more than \(bound) (100 times the default search); lower --population, "
                + "--iterations or --validation-windows")
        }
    }

    /// An upper bound on the search's work: every member of every generation measured on every window.
    public var windowEvaluations: Int {
        evolution.population * (evolution.iterations + 1) * validationWindows
    }

    /// The corpus split these settings name.
    public func corpus(_ bytes: [UInt8]) throws(ConfigurationError) -> ByteCorpus {
        try ByteCorpus.split(bytes, blockSize: blockSize, period: splitPeriod, validationResidue: validationResidue,
                             testResidue: testResidue)
    }
}

/// The chapter's files under `data/nas/` (read by default, written by `--train`).
public enum NASData {
    public static let corpusPath = "data/nas/corpus/jargon-4.4.7.txt"
    public static let checkpointPath = "data/nas/supernet.bin"
    public static let trainingLogPath = "data/nas/training-log.tsv"

    public static func read(_ path: String, root: URL) throws -> [UInt8] {
        try read(root.appendingPathComponent(path))
    }

    public static func read(_ url: URL) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            let field = url.lastPathComponent.hasSuffix(".txt") ? "corpus" : "checkpoint"
            throw ConfigurationError(field: field, message: "cannot read \(url.path) (run the chapter from the repository root; `nas --train` makes the checkpoint)")
        }
        return [UInt8](data)
    }

    /// The training log as TSV: step, learning rate, the four sandwich losses and, at validation checks, the
    /// largest and smallest sub-network's validation losses ('-' elsewhere); losses in nats per byte, 4 decimals.
    public static func logText(_ log: [SupernetTrainingRun.LogEntry]) -> String {
        var out = logHeader + "\n"
        for e in log {
            let validation = e.validation.map { $0.map { String(format: "%.4f", $0) } } ?? ["-", "-"]
            out += ["\(e.step)", String(format: "%.4e", e.learningRate)]
                .joined(separator: "\t") + "\t" + (e.losses.map { String(format: "%.4f", $0) } + validation).joined(separator: "\t") + "\n"
        }
        return out
    }

    static let logHeader = "step\tlearning_rate\tlargest\tsmallest\trandom1\trandom2\tvalidation_largest\tvalidation_smallest"

    /// Parses ``logText(_:)``: the header, then one line per step with steps increasing; an empty, malformed or
    /// out-of-order log is an error naming the file and line.
    public static func parseLog(_ text: String, file: String = trainingLogPath) throws -> [SupernetTrainingRun.LogEntry] {
        let lines = DataLines.split(text).filter { !$0.text.isEmpty }
        guard let first = lines.first, first.text == logHeader else {
            throw ConfigurationError(field: "training-log", message: "\(file) does not start with the header '\(logHeader.replacingOccurrences(of: "\t", with: "<TAB>"))'")
        }
        var entries: [SupernetTrainingRun.LogEntry] = []
        for line in lines.dropFirst() {
            let f = line.text.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            let numbers = f.dropFirst().prefix(5).compactMap(Double.init).filter(\.isFinite)
            let validation = f.dropFirst(6).compactMap(Double.init).filter(\.isFinite)
            guard f.count == 8, let step = Int(f[0]), numbers.count == 5, numbers[0] >= 0,
                  validation.count == 2 || (f[6] == "-" && f[7] == "-") else {
                throw ConfigurationError(field: "training-log", message: "line \(line.number) of \(file) is malformed (expected a step, a learning rate, four losses and two validation losses or '-')")
            }
            guard step > (entries.last?.step ?? 0) else {
                throw ConfigurationError(field: "training-log", message: "line \(line.number) of \(file): step \(step) does not follow step \(entries.last?.step ?? 0)")
            }
            entries.append(.init(step: step, learningRate: numbers[0], losses: Array(numbers.dropFirst()),
                                 validation: validation.isEmpty ? nil : validation))
        }
        guard !entries.isEmpty else {
            throw ConfigurationError(field: "training-log", message: "\(file) holds no training steps")
        }
        return entries
    }
}
