/// The NAS search space of survey §6, Tab. 8: the number of layers N, the model width d (shared by all layers),
/// and per layer the number of attention heads h and the FFN width d_FFN (Tab. 9 varies h and d_FFN by layer).
///
/// The survey's space is ``survey``. A narrower copy for training on a CPU is ``scaled(widthDivisor:)``: every
/// width (d, d_FFN and the 64-wide head) is divided by the same factor, so the ratios and the number of
/// choices stay those of Tab. 8, and the head counts and layer counts are unchanged.
///
/// ```swift
/// let space = try NASSearchSpace.scaled(widthDivisor: 4)
/// space.dModelChoices        // [96, 120, 144, 168, 192]
/// space.ffnChoices.count     // 19   (192...768 step 32)
/// space.headDimension        // 16
/// ```
public struct NASSearchSpace: Sendable, Hashable, Codable {
    /// N: layer counts.
    public var layerChoices: [Int]
    /// h: heads per layer.
    public var headChoices: [Int]
    /// d: model widths.
    public var dModelChoices: [Int]
    /// d_FFN: FFN widths per layer.
    public var ffnChoices: [Int]
    /// Width of one head. Tab. 8 keeps BERT-Base's 64 (so the attention width is h·64, independent of d).
    public var headDimension: Int
    /// The factor every width was divided by (1 for the survey's space).
    public var widthDivisor: Int

    /// Tab. 8 as printed: N ∈ {3,4,5,6}; h ∈ {4,6,8,10,12}; d ∈ 384...768 step 96; d_FFN ∈ 768...3072 step 128.
    public static let survey = NASSearchSpace(layerChoices: [3, 4, 5, 6], headChoices: [4, 6, 8, 10, 12],
                                              dModelChoices: Array(stride(from: 384, through: 768, by: 96)),
                                              ffnChoices: Array(stride(from: 768, through: 3072, by: 128)),
                                              headDimension: 64, widthDivisor: 1)

    /// Divisors that keep every width of Tab. 8 an integer (all its widths and steps are multiples of 32).
    public static let allowedWidthDivisors = [1, 2, 4, 8, 16, 32]

    /// Tab. 8 with every width divided by `widthDivisor` (one of ``allowedWidthDivisors``).
    public static func scaled(widthDivisor: Int) throws(ConfigurationError) -> NASSearchSpace {
        guard allowedWidthDivisors.contains(widthDivisor) else {
            throw ConfigurationError(field: "widthDivisor",
                                     message: "\(widthDivisor) does not divide Tab. 8's widths into integers; "
                                         + "allowed \(allowedWidthDivisors.map(String.init).joined(separator: ", "))")
        }
        let s = survey
        return NASSearchSpace(layerChoices: s.layerChoices, headChoices: s.headChoices,
                              dModelChoices: s.dModelChoices.map { $0 / widthDivisor },
                              ffnChoices: s.ffnChoices.map { $0 / widthDivisor },
                              headDimension: s.headDimension / widthDivisor, widthDivisor: widthDivisor)
    }

    public var maxLayers: Int { layerChoices.max()! }
    public var maxHeads: Int { headChoices.max()! }
    public var maxDModel: Int { dModelChoices.max()! }
    public var maxFFN: Int { ffnChoices.max()! }

    /// The largest architecture: the survey's baseline (6 layers, 12 heads, widest d and d_FFN everywhere).
    public var largest: NASArchitecture {
        NASArchitecture(dModel: maxDModel, heads: Array(repeating: maxHeads, count: maxLayers),
                        ffn: Array(repeating: maxFFN, count: maxLayers))
    }

    /// The smallest architecture (fewest layers, fewest heads, narrowest widths).
    public var smallest: NASArchitecture {
        let n = layerChoices.min()!
        return NASArchitecture(dModel: dModelChoices.min()!, heads: Array(repeating: headChoices.min()!, count: n),
                               ffn: Array(repeating: ffnChoices.min()!, count: n))
    }

    /// Number of architectures: Σ over N of |d|·(|h|·|d_FFN|)^N (about 3.7×10¹² for Tab. 8), as a Double.
    public var size: Double {
        layerChoices.reduce(0) { total, n in
            var perLayer = 1.0
            for _ in 0..<n { perLayer *= Double(headChoices.count * ffnChoices.count) }
            return total + Double(dModelChoices.count) * perLayer
        }
    }

    /// Whether every gene of `architecture` is one of this space's choices.
    public func contains(_ architecture: NASArchitecture) -> Bool {
        layerChoices.contains(architecture.layers) && dModelChoices.contains(architecture.dModel)
            && architecture.heads.count == architecture.layers && architecture.ffn.count == architecture.layers
            && architecture.heads.allSatisfy(headChoices.contains) && architecture.ffn.allSatisfy(ffnChoices.contains)
    }

    /// Throws a `ConfigurationError` naming the first gene outside the space.
    public func validate(_ architecture: NASArchitecture) throws(ConfigurationError) {
        func list(_ v: [Int]) -> String { v.map(String.init).joined(separator: ", ") }
        guard layerChoices.contains(architecture.layers) else {
            throw ConfigurationError(field: "layers", message: "\(architecture.layers) is not in {\(list(layerChoices))}")
        }
        guard dModelChoices.contains(architecture.dModel) else {
            throw ConfigurationError(field: "dModel", message: "\(architecture.dModel) is not in {\(list(dModelChoices))}")
        }
        guard architecture.heads.count == architecture.layers, architecture.ffn.count == architecture.layers else {
            throw ConfigurationError(field: "heads", message: "one head count and one FFN width per layer are needed "
                                         + "(\(architecture.layers) layers, \(architecture.heads.count) head counts, "
                                         + "\(architecture.ffn.count) FFN widths)")
        }
        for (i, h) in architecture.heads.enumerated() where !headChoices.contains(h) {
            throw ConfigurationError(field: "heads", message: "layer \(i + 1): \(h) is not in {\(list(headChoices))}")
        }
        for (i, f) in architecture.ffn.enumerated() where !ffnChoices.contains(f) {
            throw ConfigurationError(field: "dFFN", message: "layer \(i + 1): \(f) is not in {\(list(ffnChoices))}")
        }
    }

    /// A uniformly random architecture: N, d, and every layer's h and d_FFN drawn independently.
    public func randomArchitecture(using generator: inout SeededGenerator) -> NASArchitecture {
        let n = layerChoices[generator.index(layerChoices.count)]
        return NASArchitecture(dModel: dModelChoices[generator.index(dModelChoices.count)],
                               heads: (0..<n).map { _ in headChoices[generator.index(headChoices.count)] },
                               ffn: (0..<n).map { _ in ffnChoices[generator.index(ffnChoices.count)] })
    }
}

/// One point of a ``NASSearchSpace``: a sub-network of the weight-sharing supernet, in Tab. 9's form.
///
/// Layer i of the sub-network uses the supernet's layer i, its first `heads[i]` heads, its first `ffn[i]` FFN
/// neurons and the first `dModel` channels of every d-wide tensor (BigNAS/HAT-style weight sharing).
public struct NASArchitecture: Sendable, Hashable, Codable, CustomStringConvertible {
    public var dModel: Int
    public var heads: [Int]
    public var ffn: [Int]
    public var layers: Int { heads.count }

    public init(dModel: Int, heads: [Int], ffn: [Int]) {
        self.dModel = dModel
        self.heads = heads
        self.ffn = ffn
    }

    /// `N=6 d=672 h=[12,6,12,8,10,6] f=[1280,...]`: stable, used as a sort key for ties.
    public var description: String {
        "N=\(layers) d=\(dModel) h=[\(heads.map(String.init).joined(separator: ","))] "
            + "f=[\(ffn.map(String.init).joined(separator: ","))]"
    }

    /// Parses ``description`` back (nil for any other text, e.g. a layer count that disagrees with the lists).
    public init?(parsing text: String) {
        let fields = text.split(separator: " ")
        guard fields.count == 4, fields[1].hasPrefix("d="), fields[2].hasPrefix("h=["), fields[3].hasPrefix("f=["),
              fields[2].hasSuffix("]"), fields[3].hasSuffix("]") else { return nil }
        func list(_ f: Substring) -> [Int]? {
            let parts = f.dropFirst(3).dropLast().split(separator: ",", omittingEmptySubsequences: false)
            let values = parts.compactMap { Int($0) }
            return values.count == parts.count && !values.isEmpty ? values : nil
        }
        guard let d = Int(fields[1].dropFirst(2)), let h = list(fields[2]), let f = list(fields[3]),
              h.count == f.count, fields[0] == "N=\(h.count)" else { return nil }
        self.init(dModel: d, heads: h, ffn: f)
    }
}

extension SeededGenerator {
    /// An index in 0..<count from the top bits (count ≤ 2^32; the bias of the modulo is below 2^-32).
    mutating func index(_ count: Int) -> Int { Int((next() >> 32) % UInt64(count)) }

    /// A uniform Double in [0, 1) with 53 random bits.
    mutating func unitDouble() -> Double { Double(next() >> 11) / Double(UInt64(1) << 53) }
}
