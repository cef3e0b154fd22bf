import ChapterSupport
import Core
import Foundation

/// What chapter 5 reads: the corpus split, the trained supernet and its training log.
public struct NASInputs: Sendable {
    public var corpus: ByteCorpus
    public var checkpoint: SupernetCheckpoint
    public var log: [SupernetTrainingRun.LogEntry]
    /// The default search's gains for other seeds, recorded beside the checkpoint (`seed-spread.tsv`), if any.
    var seedSpread: NASSeedSpread?

    public init(corpus: ByteCorpus, checkpoint: SupernetCheckpoint, log: [SupernetTrainingRun.LogEntry]) {
        self.corpus = corpus
        self.checkpoint = checkpoint
        self.log = log
    }

    /// Reads `data/nas/supernet.bin` under `root` and the `training-log.tsv` beside it; the checkpoint must have
    /// the shape and width divisor of `settings.training`.
    public static func load(settings s: NASSettings, corpus: ByteCorpus, root: URL) throws -> NASInputs {
        try load(settings: s, corpus: corpus, checkpoint: root.appendingPathComponent(NASData.checkpointPath))
    }

    /// Reads the checkpoint at `url` and the `training-log.tsv` beside it.
    public static func load(settings s: NASSettings, corpus: ByteCorpus, checkpoint url: URL) throws -> NASInputs {
        let checkpoint = try SupernetCheckpoint.decode(try NASData.read(url), expected: try s.training.shape())
        guard checkpoint.widthDivisor == s.training.widthDivisor else {
            throw ConfigurationError(field: "checkpoint", message: "trained at width divisor \(checkpoint.widthDivisor), "
                + "the chapter expects \(s.training.widthDivisor)")
        }
        let logURL = url.deletingLastPathComponent().appendingPathComponent("training-log.tsv")
        let logText = String(decoding: try NASData.read(logURL), as: UTF8.self)
        var inputs = NASInputs(corpus: corpus, checkpoint: checkpoint, log: try NASData.parseLog(logText, file: logURL.path))
        inputs.seedSpread = try NASSeedSpread.load(besideCheckpoint: url)
        return inputs
    }
}
