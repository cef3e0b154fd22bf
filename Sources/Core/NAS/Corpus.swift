/// A byte corpus cut into train, validation and test splits by fixed byte offsets (no randomness), and the
/// batches of next-byte prediction windows a byte-level language model trains and is evaluated on.
///
/// The file is cut into consecutive blocks of `blockSize` bytes; block i goes to validation when
/// `i % period == validationResidue`, to test when `i % period == testResidue`, to train otherwise, and each
/// split is its blocks concatenated in file order (`data/nas/corpus/README.md` gives the sizes for the
/// committed corpus).
public struct ByteCorpus: Sendable {
    public var train: [UInt8]
    public var validation: [UInt8]
    public var test: [UInt8]

    /// The split of the committed corpus: 16 KiB blocks, 1 in 10 to validation (residue 8), 1 in 10 to test (9).
    public static let defaultBlockSize = 16_384

    public init(train: [UInt8], validation: [UInt8], test: [UInt8]) {
        self.train = train
        self.validation = validation
        self.test = test
    }

    public static func split(_ bytes: [UInt8], blockSize: Int = defaultBlockSize, period: Int = 10,
                             validationResidue: Int = 8, testResidue: Int = 9) throws(ConfigurationError) -> ByteCorpus {
        try ConfigurationError.require(blockSize, in: 1...(1 << 30), field: "blockSize")
        try ConfigurationError.require(period, in: 3...1_000, field: "splitPeriod")
        try ConfigurationError.require(validationResidue, in: 0...(period - 1), field: "validationResidue")
        try ConfigurationError.require(testResidue, in: 0...(period - 1), field: "testResidue")
        guard validationResidue != testResidue else {
            throw ConfigurationError(field: "testResidue", message: "must differ from validation-residue (\(validationResidue))")
        }
        var corpus = ByteCorpus(train: [], validation: [], test: [])
        var block = 0
        var start = 0
        while start < bytes.count {
            let end = min(start + blockSize, bytes.count)
            switch block % period {
            case validationResidue: corpus.validation += bytes[start..<end]
            case testResidue: corpus.test += bytes[start..<end]
            default: corpus.train += bytes[start..<end]
            }
            block += 1
            start = end
        }
        return corpus
    }
}

/// `sequences` windows of `length` input bytes with their next-byte targets, row-major (sequence, position).
public struct TokenBatch: Sendable, Hashable {
    public var sequences: Int
    public var length: Int
    public var inputs: [UInt8]
    public var targets: [UInt8]

    public init(sequences: Int, length: Int, inputs: [UInt8], targets: [UInt8]) {
        precondition(inputs.count == sequences * length && targets.count == inputs.count, "batch sizes disagree")
        self.sequences = sequences
        self.length = length
        self.inputs = inputs
        self.targets = targets
    }

    /// Windows starting at the given offsets of `text`: inputs text[o..<o+length], targets text[o+1...o+length].
    public init(text: [UInt8], offsets: [Int], length: Int) {
        var inputs: [UInt8] = []
        var targets: [UInt8] = []
        inputs.reserveCapacity(offsets.count * length)
        targets.reserveCapacity(offsets.count * length)
        for o in offsets {
            inputs += text[o..<(o + length)]
            targets += text[(o + 1)...(o + length)]
        }
        self.init(sequences: offsets.count, length: length, inputs: inputs, targets: targets)
    }

    /// `sequences` windows at uniformly random offsets of `text` (the training sampler).
    public static func random(text: [UInt8], sequences: Int, length: Int, using generator: inout SeededGenerator) -> TokenBatch {
        precondition(text.count > length, "text shorter than one window")
        let offsets = (0..<sequences).map { _ in generator.index(text.count - length) }
        return TokenBatch(text: text, offsets: offsets, length: length)
    }

    /// Consecutive non-overlapping windows covering `text` (the evaluation order), `sequences` per batch;
    /// at most `maxWindows` windows when given. The last batch may be shorter.
    public static func evaluationBatches(text: [UInt8], sequences: Int, length: Int, maxWindows: Int? = nil) -> [TokenBatch] {
        var windows = (text.count - 1) / length
        if let maxWindows { windows = min(windows, maxWindows) }
        let offsets = (0..<windows).map { $0 * length }
        return stride(from: 0, to: windows, by: sequences).map {
            TokenBatch(text: text, offsets: Array(offsets[$0..<min($0 + sequences, windows)]), length: length)
        }
    }
}
