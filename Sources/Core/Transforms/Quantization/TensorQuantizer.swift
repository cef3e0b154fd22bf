#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How many scales a tensor gets (survey §4.1): one for the whole tensor, or one per row or per column.
///
/// For a weight matrix stored output-channel by row, `.perRow` is the usual per-channel quantization; for an
/// activation matrix stored token by row, `.perColumn` gives each hidden channel its own scale (what isolates
/// outlier channels).
public enum QuantizationGranularity: String, Sendable, Hashable, CaseIterable {
    case perTensor
    case perRow
    case perColumn
}

/// Symmetric (zero point 0, range ±max|r|) or asymmetric (range [min, max], zero point chosen to fit).
public enum QuantizationScheme: String, Sendable, Hashable, CaseIterable {
    case symmetric
    case asymmetric
}

/// A row-major matrix of real values: the weights or activations a quantizer works on.
public struct RealMatrix: Sendable, Hashable {
    public let rows: Int
    public let columns: Int
    public var values: [Double]

    public init(rows: Int, columns: Int, values: [Double]) throws(ConfigurationError) {
        try ConfigurationError.require(rows, in: 1...(1 << 24), field: "rows")
        try ConfigurationError.require(columns, in: 1...(1 << 24), field: "columns")
        guard values.count == rows * columns else {
            throw ConfigurationError(field: "values", message: "\(values.count) values do not fill \(rows)×\(columns)")
        }
        guard values.allSatisfy(\.isFinite) else {
            throw ConfigurationError(field: "values", message: "every value must be finite")
        }
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    public subscript(row: Int, column: Int) -> Double { values[row * columns + column] }
}

/// The error a quantizer makes on a tensor: signal-to-quantization-noise ratio, mean squared and largest error.
///
/// ```swift
/// let e = QuantizationNoise(signal: [1, -2, 3], reconstructed: [1, -2, 2.9])
/// e.maxAbsolute     // 0.1
/// e.sqnrDecibels    // 10·log10((1+4+9)/0.01) = 31.46
/// ```
public struct QuantizationNoise: Sendable, Hashable {
    public var meanSquared: Double
    public var maxAbsolute: Double
    /// 10·log10(Σr² / Σ(r − r̂)²); +∞ when the reconstruction is exact.
    public var sqnrDecibels: Double

    public init(signal: [Double], reconstructed: [Double]) {
        var power = 0.0, noise = 0.0, worst = 0.0
        for (r, q) in zip(signal, reconstructed) {
            power += r * r
            noise += (r - q) * (r - q)
            worst = Swift.max(worst, abs(r - q))
        }
        meanSquared = signal.isEmpty ? 0 : noise / Double(signal.count)
        maxAbsolute = worst
        sqnrDecibels = noise == 0 ? .infinity : 10 * log10Value(power / noise)
    }
}

/// Uniform quantization of a whole tensor, q = clamp(round(r/S) + Z) (survey Eq. 2), with a chosen bit width,
/// scheme, granularity and clipping; built on Core/Kernels/Integer's ``QuantizationParameters``, one per group.
///
/// `clipFraction` shrinks the range each group is fitted to (1 = the full min/max; 0.5 = half of it), trading
/// saturation of the few largest values for a finer step on all the others.
///
/// ```swift
/// let w = try RealMatrix(rows: 2, columns: 2, values: [0.5, -1, 0.01, 0.02])
/// let q = try TensorQuantizer(bits: 8, scheme: .symmetric, granularity: .perRow)
/// let r = try q.quantize(w)
/// r.parameters.map(\.scale)     // [1/127, 0.02/127]: row 2 keeps its small values
/// ```
public struct TensorQuantizer: Sendable, Hashable {
    public var bits: Int
    public var scheme: QuantizationScheme
    public var granularity: QuantizationGranularity
    public var clipFraction: Double
    public var rounding: RoundingRule

    /// The bit widths the studies accept: 2...16 (Int2 to Int16 codes).
    public static let bitRange: ClosedRange<Int> = 2...16

    public init(bits: Int, scheme: QuantizationScheme = .symmetric, granularity: QuantizationGranularity = .perTensor,
                clipFraction: Double = 1, rounding: RoundingRule = .toNearestOrEven) throws(ConfigurationError) {
        try ConfigurationError.require(bits, in: Self.bitRange, field: "bits")
        guard clipFraction.isFinite, clipFraction > 0, clipFraction <= 1 else {
            throw ConfigurationError(field: "clipFraction", message: "\(clipFraction) is out of range; allowed (0, 1]")
        }
        self.bits = bits
        self.scheme = scheme
        self.granularity = granularity
        self.clipFraction = clipFraction
        self.rounding = rounding
    }

    /// A quantized tensor: codes, one parameter set per group, and the values they stand for.
    public struct Result: Sendable, Hashable {
        public var codes: [Int32]
        public var parameters: [QuantizationParameters]
        public var dequantized: [Double]
        public var noise: QuantizationNoise
        /// Fraction of values that saturated (fell outside their group's clipped range).
        public var saturatedFraction: Double
    }

    /// Which group (index into `parameters`) an element belongs to.
    public func group(row: Int, column: Int) -> Int {
        switch granularity {
        case .perTensor: return 0
        case .perRow: return row
        case .perColumn: return column
        }
    }

    /// The parameters fitted to `values` (one group).
    public func fit(_ values: [Double]) throws(ConfigurationError) -> QuantizationParameters {
        var lo = 0.0, hi = 0.0
        for v in values { lo = Swift.min(lo, v); hi = Swift.max(hi, v) }
        lo *= clipFraction
        hi *= clipFraction
        switch scheme {
        case .symmetric:
            let m = Swift.max(abs(lo), abs(hi))
            return try QuantizationParameters.symmetric(maxAbs: m > 0 ? m : 1, bits: bits, rounding: rounding)
        case .asymmetric:
            return try QuantizationParameters.asymmetric(min: lo, max: hi > lo ? hi : lo + 1, bits: bits,
                                                         rounding: rounding)
        }
    }

    public func quantize(_ x: RealMatrix) throws(ConfigurationError) -> Result {
        let groups: Int
        switch granularity {
        case .perTensor: groups = 1
        case .perRow: groups = x.rows
        case .perColumn: groups = x.columns
        }
        var members = [[Double]](repeating: [], count: groups)
        for r in 0..<x.rows {
            for c in 0..<x.columns { members[group(row: r, column: c)].append(x[r, c]) }
        }
        var parameters: [QuantizationParameters] = []
        parameters.reserveCapacity(groups)
        for g in 0..<groups { parameters.append(try fit(members[g])) }
        var codes = [Int32](repeating: 0, count: x.values.count)
        var dequantized = [Double](repeating: 0, count: x.values.count)
        var saturated = 0
        for r in 0..<x.rows {
            for c in 0..<x.columns {
                let p = parameters[group(row: r, column: c)]
                let i = r * x.columns + c
                let q = try p.quantize(x.values[i])
                let exact = p.rounding.apply(x.values[i] / p.scale) + Double(p.zeroPoint)
                if exact < Double(p.minimum) || exact > Double(p.maximum) { saturated += 1 }
                codes[i] = q
                dequantized[i] = p.dequantize(q)
            }
        }
        return Result(codes: codes, parameters: parameters, dequantized: dequantized,
                      noise: QuantizationNoise(signal: x.values, reconstructed: dequantized),
                      saturatedFraction: Double(saturated) / Double(x.values.count))
    }

    /// The clip fraction from `candidates` with the smallest mean squared error on `x` (ties: the larger
    /// fraction), found by trying each: a grid search, the simplest calibration there is.
    public func bestClipFraction(_ x: RealMatrix, candidates: [Double]) throws(ConfigurationError) -> (fraction: Double, noise: QuantizationNoise) {
        guard !candidates.isEmpty else { throw ConfigurationError(field: "clipFractions", message: "give at least one") }
        var best: (Double, QuantizationNoise)? = nil
        for f in candidates.sorted(by: >) {
            var q = self
            guard f.isFinite, f > 0, f <= 1 else {
                throw ConfigurationError(field: "clipFraction", message: "\(f) is out of range; allowed (0, 1]")
            }
            q.clipFraction = f
            let n = try q.quantize(x).noise
            if best == nil || n.meanSquared < best!.1.meanSquared { best = (f, n) }
        }
        return best!
    }
}

/// log10 from libm.
func log10Value(_ x: Double) -> Double { log10(x) }
