/// How a real number becomes an integer: named, never implicit.
public enum RoundingRule: String, Sendable, Hashable, CaseIterable {
    /// 2.5 → 3, −2.5 → −3 (C's `round`).
    case toNearestOrAwayFromZero
    /// 2.5 → 2, 3.5 → 4 (banker's rounding; PyTorch's `torch.round`).
    case toNearestOrEven
    /// 2.7 → 2, −2.7 → −2.
    case towardZero
    /// 2.7 → 2, −2.3 → −3 (floor, as I-BERT's kernels use).
    case down

    public func apply(_ x: Double) -> Double {
        switch self {
        case .toNearestOrAwayFromZero: return x.rounded(.toNearestOrAwayFromZero)
        case .toNearestOrEven: return x.rounded(.toNearestOrEven)
        case .towardZero: return x.rounded(.towardZero)
        case .down: return x.rounded(.down)
        }
    }
}

/// An invalid quantization parameter or kernel input (or an overflow), naming the field.
public typealias QuantizationError = ConfigurationError

/// Uniform quantization, Q(r) = clamp(round(r/S) + Z) (survey Eq. 2), and its inverse r ≈ S·(q − Z).
///
/// ```swift
/// let q = try LinearQuantizer.symmetric(maxAbs: 4.0, bits: 8)   // S = 4/127
/// q.quantize(1.0)                                                // 32 (1/S = 31.75, rounded to nearest-even)
/// q.dequantize(32)                                               // 1.00787…
/// ```
public struct LinearQuantizer: Sendable, Hashable {
    public let scale: Double
    public let zeroPoint: Int32
    public let bits: Int
    public let signed: Bool
    public let rounding: RoundingRule

    public init(scale: Double, zeroPoint: Int32 = 0, bits: Int = 8, signed: Bool = true,
                rounding: RoundingRule = .toNearestOrEven) throws(QuantizationError) {
        guard scale.isFinite, scale > 0 else {
            throw QuantizationError(field: "scale", message: "\(scale) must be a finite number above 0")
        }
        guard (2...16).contains(bits) else {
            throw QuantizationError(field: "bits", message: "\(bits) is out of range; allowed 2...16")
        }
        self.scale = scale
        self.zeroPoint = zeroPoint
        self.bits = bits
        self.signed = signed
        self.rounding = rounding
        guard (minimum...maximum).contains(zeroPoint) else {
            throw QuantizationError(field: "zero-point", message: "\(zeroPoint) is outside the \(bits)-bit range \(minimum)...\(maximum)")
        }
    }

    /// Symmetric quantization of [−maxAbs, maxAbs] onto ±(2^(bits−1) − 1), zero point 0.
    public static func symmetric(maxAbs: Double, bits: Int = 8, rounding: RoundingRule = .toNearestOrEven)
        throws(QuantizationError) -> LinearQuantizer {
        guard maxAbs.isFinite, maxAbs > 0 else {
            throw QuantizationError(field: "max-abs", message: "\(maxAbs) must be a finite number above 0")
        }
        return try LinearQuantizer(scale: maxAbs / Double((1 << (bits - 1)) - 1), bits: bits, rounding: rounding)
    }

    /// Asymmetric quantization of [lo, hi] onto the full unsigned range 0...2^bits − 1.
    public static func asymmetric(min lo: Double, max hi: Double, bits: Int = 8,
                                  rounding: RoundingRule = .toNearestOrEven) throws(QuantizationError) -> LinearQuantizer {
        guard lo.isFinite, hi.isFinite, hi > lo else {
            throw QuantizationError(field: "range", message: "[\(lo), \(hi)] must be finite with max above min")
        }
        let levels = Double((1 << bits) - 1)
        let scale = (hi - lo) / levels
        let zero = Int32(rounding.apply(-lo / scale).clamped(0, levels))
        return try LinearQuantizer(scale: scale, zeroPoint: zero, bits: bits, signed: false, rounding: rounding)
    }

    public var minimum: Int32 { signed ? -Int32((1 << (bits - 1)) - 1) : 0 }
    public var maximum: Int32 { signed ? Int32((1 << (bits - 1)) - 1) : Int32((1 << bits) - 1) }

    /// round(r/S) + Z, saturated to the range (NaN maps to the zero point).
    public func quantize(_ r: Double) -> Int32 {
        guard !r.isNaN else { return zeroPoint }
        let q = rounding.apply(r / scale) + Double(zeroPoint)
        return Int32(q.clamped(Double(minimum), Double(maximum)))
    }

    public func dequantize(_ q: Int32) -> Double { scale * Double(Int64(q) - Int64(zeroPoint)) }
}

/// Requantization by a dyadic number m/2^shift, as integer-only pipelines scale Int32 accumulators back to
/// Int8: y = clamp(round(x·m / 2^shift)) with the rounding named.
public struct DyadicMultiplier: Sendable, Hashable {
    public let multiplier: Int32
    public let shift: Int

    /// The closest m/2^shift to `ratio` with a 31-bit multiplier.
    public init(approximating ratio: Double) throws(QuantizationError) {
        guard ratio.isFinite, ratio > 0, ratio < 1_073_741_824 else {
            throw QuantizationError(field: "ratio", message: "\(ratio) must be finite, above 0 and below 2^30")
        }
        var shift = 0, r = ratio
        while r < Double(1 << 30) && shift < 62 { r *= 2; shift += 1 }
        multiplier = Int32(r.rounded(.toNearestOrAwayFromZero).clamped(1, Double(Int32.max)))
        self.shift = shift
    }

    public var value: Double { Double(multiplier) / Double(sign: .plus, exponent: shift, significand: 1) }

    /// x·m/2^shift rounded half away from zero, saturated to Int8.
    public func requantize(_ x: Int32) -> Int8 {
        let product = Int64(x) * Int64(multiplier)
        let half = Int64(1) << (shift - 1)
        let rounded = product >= 0 ? (product + half) >> shift : -((-product + half) >> shift)
        return Int8(clamping: rounded)
    }
}

extension Double {
    func clamped(_ lo: Double, _ hi: Double) -> Double { Swift.min(hi, Swift.max(lo, self)) }
}
