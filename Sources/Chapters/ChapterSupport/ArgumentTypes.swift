import ArgumentParser
import Core

// Core's enumerated types as command-line values. The conformances live here because Core does not import
// ArgumentParser. Each one parses through the same lookup Core offers (a preset's machine name, case-insensitive),
// lists its choices in `allValueStrings` (so --help shows them and a bad value is refused, naming the flag and the
// value, before any work) and writes itself back in one canonical spelling for the report's re-run line.

/// A flag's value as the report's re-run line writes it (``RerunLine``).
public protocol ArgumentSpelling {
    /// Text that parses back to this value: a preset's machine name, a number without a trailing `.0`; nil for an
    /// optional flag that was not given.
    var argumentSpelling: String? { get }
}

extension String: ArgumentSpelling {
    public var argumentSpelling: String? { self }
}

extension Int: ArgumentSpelling {
    public var argumentSpelling: String? { String(self) }
}

extension UInt64: ArgumentSpelling {
    public var argumentSpelling: String? { String(self) }
}

extension Double: ArgumentSpelling {
    /// Swift's shortest text that reads back to the same bits, without a trailing `.0`: 200, 0.5, 1e-10.
    public var argumentSpelling: String? {
        let text = "\(self)"
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }
}

extension Optional: ArgumentSpelling where Wrapped: ArgumentSpelling {
    public var argumentSpelling: String? { self?.argumentSpelling }
}

extension Array where Element: ArgumentSpelling {
    /// The values comma-separated, as a list flag (`--seq-lens 128,512`) takes them.
    public var commaSeparated: String { compactMap(\.argumentSpelling).joined(separator: ",") }
}

/// A Core type whose flag names one of its presets by machine name, through Core's own lookup.
public protocol NamedPreset: ExpressibleByArgument, ArgumentSpelling {
    static var presets: [Self] { get }
    var name: String { get }
    static func preset(named name: String) throws(ConfigurationError) -> Self
}

extension NamedPreset {
    public init?(argument: String) {
        guard let preset = try? Self.preset(named: argument) else { return nil }
        self = preset
    }

    public static var allValueStrings: [String] { presets.map(\.name) }
    public var defaultValueDescription: String { name }
    public var argumentSpelling: String? { name }
}

/// A model preset: bert-base, bert-large, gpt2, bert-base-4h.
extension TransformerConfig: NamedPreset {}

/// An accelerator preset: analytical, gemmini-baseline, gemmini-rebalanced, gemmini-transformer.
extension Accelerator: NamedPreset {}

/// A PE array dataflow: ws, os or is (case-insensitive).
extension Dataflow: ExpressibleByArgument, ArgumentSpelling {
    public init?(argument: String) { self.init(rawValue: argument.lowercased()) }
    public var argumentSpelling: String? { rawValue }
}

/// A decoder's FFN: gelu or swiglu.
extension BlockStyle.FeedForward: ExpressibleByArgument, ArgumentSpelling {
    public init?(argument: String) { self.init(rawValue: argument.lowercased()) }
    public var argumentSpelling: String? { rawValue }
}

/// A decoder's normalisation: layer (post-LayerNorm, the survey's) or rms (pre-RMSNorm, Llama's).
extension BlockStyle.Normalization: ExpressibleByArgument, ArgumentSpelling {
    public init?(argument: String) { self.init(rawValue: argument.lowercased()) }
    public var argumentSpelling: String? { rawValue }
}

/// A counting convention by name: survey, itemised or llm-viewer.
extension CountingConvention: ExpressibleByArgument, ArgumentSpelling {
    /// The conventions a flag can name, in the order --help lists them.
    public static let named: [(name: String, convention: CountingConvention)] = [("survey", .survey), ("itemised", .itemised),
                                                                                  ("llm-viewer", .llmViewer)]

    public init?(argument: String) {
        guard let found = Self.named.first(where: { $0.name == argument.lowercased() }) else { return nil }
        self = found.convention
    }

    public static var allValueStrings: [String] { named.map(\.name) }
    public var defaultValueDescription: String { argumentSpelling ?? "custom" }
    public var argumentSpelling: String? { Self.named.first { $0.convention == self }?.name }
}
