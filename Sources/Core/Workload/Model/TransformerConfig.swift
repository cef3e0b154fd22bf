/// The shape of a Transformer model, in the survey's notation (Kim et al. 2023, Tab. 1).
///
/// `d` is the model (hidden) dimension, `h` the number of attention heads and `dFFN` the width of
/// the feed-forward network's hidden layer. The sequence length `l` is not part of the model: every
/// workload function takes it separately.
///
/// ```swift
/// let bert = TransformerConfig.bertBase          // N = 12, d = 768, h = 12, d_FFN = 3072
/// try bert.validate()                            // throws a `ConfigurationError` naming the field
/// bert.headDimension                             // 64
/// ```
public struct TransformerConfig: Sendable, Hashable, Codable {
    /// Whether the model runs as an encoder (the whole sequence at once, as BERT) or as a decoder
    /// that generates one token at a time with a key/value cache (as GPT-2).
    public enum Architecture: String, Sendable, Hashable, Codable, CaseIterable {
        case encoder
        case decoder
    }

    /// A short machine name (`bert-base`) used in file names, JSON and flags.
    public var name: String
    /// A human name (`BERT-Base`) used in tables and figures.
    public var displayName: String
    /// N: the number of Transformer layers.
    public var layers: Int
    /// d: the model dimension.
    public var dModel: Int
    /// h: the number of attention heads; must divide `dModel`.
    public var heads: Int
    /// d_FFN: the hidden width of the feed-forward network.
    public var dFFN: Int
    public var architecture: Architecture
    /// How the layer is built beyond its widths: the survey's block (BERT, GPT-2) by default, or a modern
    /// decoder's (grouped-query attention, SwiGLU, RMSNorm, rotary embedding, an untied LM head).
    public var block: BlockStyle = .survey
    /// Where the numbers come from (a paper or a published model configuration), for reports.
    public var source: String = ""

    public init(name: String, displayName: String? = nil, layers: Int, dModel: Int, heads: Int, dFFN: Int,
                architecture: Architecture, block: BlockStyle = .survey, source: String = "") {
        self.name = name
        self.displayName = displayName ?? name
        self.layers = layers
        self.dModel = dModel
        self.heads = heads
        self.dFFN = dFFN
        self.architecture = architecture
        self.block = block
        self.source = source
    }

    /// The number of key/value heads (``BlockStyle/kvHeads``), or `heads` when the block shares none.
    public var kvHeads: Int { block.kvHeads ?? heads }

    /// d/h: the width of one attention head.
    public var headDimension: Int { dModel / heads }

    /// Checks that every size is positive and in range and that `heads` divides `dModel`.
    public func validate() throws(ConfigurationError) {
        try ConfigurationError.require(layers, in: Self.layerRange, field: "layers")
        try ConfigurationError.require(dModel, in: Self.dimensionRange, field: "dModel")
        try ConfigurationError.require(heads, in: Self.headRange, field: "heads")
        try ConfigurationError.require(dFFN, in: Self.dimensionRange, field: "dFFN")
        guard dModel % heads == 0 else {
            throw ConfigurationError(field: "heads",
                                     message: "\(heads) heads do not divide d-model = \(dModel); "
                                         + "choose a divisor of \(dModel) (for example \(Self.nearestDivisor(of: dModel, near: heads)))")
        }
        try block.validate(heads: heads)
    }

    /// Checks a sequence length against ``sequenceLengthRange``.
    public static func validate(sequenceLength l: Int, field: String = "sequenceLength") throws(ConfigurationError) {
        try ConfigurationError.require(l, in: sequenceLengthRange, field: field)
    }

    /// Sequence lengths the workload model accepts. Counts are `Double`s: for every preset up to the top of
    /// this range they stay below 2^53 and so are exact integers; the largest custom models allowed reach
    /// about 10^19 FLOPs, where a `Double` still carries 16 significant digits and cannot overflow.
    public static let sequenceLengthRange: ClosedRange<Int> = 1...65_536
    /// Layer counts accepted for custom models.
    public static let layerRange: ClosedRange<Int> = 1...1_024
    /// Model and FFN widths accepted for custom models.
    public static let dimensionRange: ClosedRange<Int> = 1...65_536
    /// Head counts accepted for custom models.
    public static let headRange: ClosedRange<Int> = 1...1_024

    static func nearestDivisor(of n: Int, near k: Int) -> Int {
        (1...n).filter { n % $0 == 0 }.min { abs($0 - k) < abs($1 - k) } ?? 1
    }
}

extension TransformerConfig {
    /// BERT-Base (Devlin et al. 2019) as in the survey's Tab. 1.
    public static let bertBase = TransformerConfig(name: "bert-base", displayName: "BERT-Base", layers: 12,
                                                   dModel: 768, heads: 12, dFFN: 3072, architecture: .encoder)
    /// BERT-Large as in the survey's Tab. 1.
    public static let bertLarge = TransformerConfig(name: "bert-large", displayName: "BERT-Large", layers: 24,
                                                    dModel: 1024, heads: 16, dFFN: 4096, architecture: .encoder)
    /// The smallest GPT-2 (Radford et al. 2019), which "has the same parameters as BERT-Base" (Tab. 1 caption),
    /// run as a decoder with a key/value cache.
    public static let gpt2 = TransformerConfig(name: "gpt2", displayName: "GPT-2", layers: 12,
                                               dModel: 768, heads: 12, dFFN: 3072, architecture: .decoder)
    /// The hypothetical 4-head BERT-Base of the survey's App. A.3 (Tab. 10).
    public static let bertBase4Heads = TransformerConfig(name: "bert-base-4h", displayName: "BERT-Base (4 heads)",
                                                         layers: 12, dModel: 768, heads: 4, dFFN: 3072,
                                                         architecture: .encoder)

    /// Every named preset, in the order tables list them.
    public static let presets: [TransformerConfig] = [.bertBase, .bertLarge, .gpt2, .bertBase4Heads]

    /// Looks a preset up by its machine name, with an error listing the valid names.
    public static func preset(named name: String) throws(ConfigurationError) -> TransformerConfig {
        guard let found = presets.first(where: { $0.name == name.lowercased() }) else {
            throw ConfigurationError(field: "model",
                                     message: "unknown model '\(name)'; choose one of "
                                         + presets.map(\.name).joined(separator: ", "))
        }
        return found
    }
}

/// Invalid input anywhere in Core (a model, a size, an accelerator or quantization parameter, a profile file, or
/// an integer overflow in a kernel), with the field it concerns and what would be valid.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Core's name for the field (`heads`, `dModel`, `sequenceLength`), never a command-line spelling: the
    /// command line maps it to the flag the user typed.
    public var field: String
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "invalid \(field): \(message)" }

    /// Throws unless `value` lies in `range`.
    public static func require(_ value: Int, in range: ClosedRange<Int>, field: String) throws(ConfigurationError) {
        guard range.contains(value) else {
            throw ConfigurationError(field: field,
                                     message: "\(value) is out of range; allowed \(range.lowerBound)...\(range.upperBound)")
        }
    }
}
