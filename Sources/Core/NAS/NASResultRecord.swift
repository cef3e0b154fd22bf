/// Chapter 5's headline result in a form another chapter can reuse without re-running the search: the
/// baseline and the architecture found within +0.1 perplexity (both as trained, at the scaled widths), their
/// measured perplexities, and what the hardware cost needs to price them again. Chapter 5 writes it to
/// `data/nas/nas-result.tsv`; chapter 6 reads it and recomputes the EDP factor with ``NASHardwareCost``.
///
/// ```swift
/// let r = try NASResultRecord(parsing: text)
/// try r.edpFactor()        // baseline EDP / found EDP at full width
/// ```
public struct NASResultRecord: Sendable, Hashable {
    public var widthDivisor: Int
    public var hardwareSequenceLength: Int
    public var baseline: NASArchitecture
    public var baselinePerplexity: Double
    public var found: NASArchitecture
    public var foundPerplexity: Double

    public init(widthDivisor: Int, hardwareSequenceLength: Int, baseline: NASArchitecture, baselinePerplexity: Double,
                found: NASArchitecture, foundPerplexity: Double) {
        self.widthDivisor = widthDivisor
        self.hardwareSequenceLength = hardwareSequenceLength
        self.baseline = baseline
        self.baselinePerplexity = baselinePerplexity
        self.found = found
        self.foundPerplexity = foundPerplexity
    }

    /// Baseline EDP over the found architecture's EDP, both priced at full width by the hardware cost table.
    public func edpFactor() throws(ConfigurationError) -> Double {
        let hw = try NASHardwareCost(sequenceLength: hardwareSequenceLength)
        let b = try hw.cost(NASHardwareCost.fullWidth(baseline, widthDivisor: widthDivisor))
        let f = try hw.cost(NASHardwareCost.fullWidth(found, widthDivisor: widthDivisor))
        return b.edp / f.edp
    }

    /// `key<TAB>value` lines, perplexities with 4 decimals.
    public var text: String {
        func p(_ x: Double) -> String { String((x * 10_000).rounded() / 10_000) }
        return """
            # chapter 5's result (written by `nas`; chapter 6 reads it)
            width-divisor\t\(widthDivisor)
            hw-seq-len\t\(hardwareSequenceLength)
            baseline\t\(baseline.description)
            baseline-perplexity\t\(p(baselinePerplexity))
            found\t\(found.description)
            found-perplexity\t\(p(foundPerplexity))

            """
    }

    public init(parsing text: String) throws(ConfigurationError) {
        var fields: [String: String] = [:]
        for line in DataLines.split(text) where !line.text.hasPrefix("#") && !line.text.isEmpty {
            let parts = line.text.split(separator: "\t", maxSplits: 1)
            guard parts.count == 2 else {
                throw ConfigurationError(field: "nasResult", message: "line \(line.number) is malformed: '\(line.text)' (expected key<TAB>value)")
            }
            guard fields.updateValue(String(parts[1]), forKey: String(parts[0])) == nil else {
                throw ConfigurationError(field: "nasResult", message: "line \(line.number) repeats '\(parts[0])'")
            }
        }
        func value<T>(_ key: String, _ parse: (String) -> T?) throws(ConfigurationError) -> T {
            guard let raw = fields[key], let v = parse(raw) else {
                throw ConfigurationError(field: "nasResult", message: "missing or malformed '\(key)'")
            }
            return v
        }
        self.init(widthDivisor: try value("width-divisor") { Int($0) },
                  hardwareSequenceLength: try value("hw-seq-len") { Int($0) },
                  baseline: try value("baseline") { NASArchitecture(parsing: $0) },
                  baselinePerplexity: try value("baseline-perplexity") { Double($0) },
                  found: try value("found") { NASArchitecture(parsing: $0) },
                  foundPerplexity: try value("found-perplexity") { Double($0) })
    }
}
