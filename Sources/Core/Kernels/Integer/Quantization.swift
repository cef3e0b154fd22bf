/// An invalid quantization parameter or kernel input, or an integer overflow inside a kernel, naming the field.
/// (Core's one error type, `ConfigurationError`, under the name the integer code reads best with.)
public typealias QuantizationError = ConfigurationError

/// How a real number or an integer quotient becomes an integer: named, never implicit.
///
/// ```swift
/// RoundingRule.toNearestOrEven.apply(2.5)            // 2
/// RoundingRule.toNearestOrAwayFromZero.apply(2.5)    // 3
/// RoundingRule.down.shiftRight(-7, by: 1)            // -4  (−3.5 rounded down)
/// RoundingRule.towardZero.shiftRight(-7, by: 1)      // -3
/// ```
public enum RoundingRule: String, Sendable, Hashable, CaseIterable {
    /// 2.5 → 3, −2.5 → −3 (C's `round`; the usual choice for requantization).
    case toNearestOrAwayFromZero
    /// 2.5 → 2, 3.5 → 4 (banker's rounding; PyTorch's `torch.round`).
    case toNearestOrEven
    /// 2.7 → 2, −2.7 → −2 (C's integer division).
    case towardZero
    /// 2.7 → 2, −2.3 → −3 (floor; I-BERT's ⌊·⌋ and an arithmetic right shift).
    case down

    /// `x` rounded to an integral `Double` by this rule.
    public func apply(_ x: Double) -> Double {
        switch self {
        case .toNearestOrAwayFromZero: return x.rounded(.toNearestOrAwayFromZero)
        case .toNearestOrEven: return x.rounded(.toNearestOrEven)
        case .towardZero: return x.rounded(.towardZero)
        case .down: return x.rounded(.down)
        }
    }

    /// x / 2^shift rounded by this rule, exactly, in integers (`shift` is clamped to 0...63).
    public func shiftRight(_ x: Int64, by shift: Int) -> Int64 {
        let s = Swift.min(Swift.max(shift, 0), 63)
        if s == 0 { return x }
        let floor = x >> s                                   // arithmetic shift: ⌊x / 2^s⌋
        let remainder = UInt64(bitPattern: x) & ((UInt64(1) << s) - 1)   // x − floor·2^s, in [0, 2^s)
        return floor + roundUp(floor: floor, remainder: remainder, half: UInt64(1) << (s - 1), negative: x < 0)
    }

    /// n / d rounded by this rule, exactly, in integers; d must be above 0.
    public func divide(_ n: Int64, by d: Int64) throws(QuantizationError) -> Int64 {
        guard d > 0 else { throw QuantizationError(field: "divisor", message: "\(d) must be above 0") }
        var floor = n / d, remainder = n % d                 // Swift's / truncates; move to the floor
        if remainder < 0 { floor -= 1; remainder += d }
        let r = UInt64(remainder), ud = UInt64(d)
        // Compare r with d/2 without overflow: r > d − r means above half, r == d − r exactly half.
        let direction: Int64
        switch self {
        case .down: direction = 0
        case .towardZero: direction = (r != 0 && n < 0) ? 1 : 0
        case .toNearestOrAwayFromZero, .toNearestOrEven:
            if r > ud - r { direction = 1 } else if r < ud - r { direction = 0 } else if self == .toNearestOrEven {
                direction = floor & 1 == 0 ? 0 : 1
            } else { direction = n < 0 ? 0 : 1 }
        }
        return floor + direction
    }

    /// 1 when the floor must move up to honour this rule, given the remainder and half the divisor.
    private func roundUp(floor: Int64, remainder: UInt64, half: UInt64, negative: Bool) -> Int64 {
        switch self {
        case .down: return 0
        case .towardZero: return remainder != 0 && negative ? 1 : 0
        case .toNearestOrAwayFromZero:
            if remainder != half { return remainder > half ? 1 : 0 }
            return negative ? 0 : 1
        case .toNearestOrEven:
            if remainder != half { return remainder > half ? 1 : 0 }
            return floor & 1 == 0 ? 0 : 1
        }
    }
}

/// Uniform (linear) quantization, q = clamp(round(r/S) + Z) (survey Eq. 2), and its inverse r ≈ S·(q − Z).
///
/// Codes are stored in `bits` bits, signed (−2^(bits−1) … 2^(bits−1) − 1, Int8 for 8 bits) or unsigned
/// (0 … 2^bits − 1). Values past the range saturate.
///
/// ```swift
/// let p = try QuantizationParameters.symmetric(maxAbs: 4.0)   // S = 4/127 = 0.0314961, Z = 0
/// try p.quantize(1.0)                                          // 32   (1/S = 31.75, nearest)
/// p.dequantize(32)                                             // 1.00787
/// try p.quantize(9.0)                                          // 127  (saturated)
/// ```
public struct QuantizationParameters: Sendable, Hashable {
    /// The real value of one step, S > 0.
    public let scale: Double
    /// The code that stands for the real 0.
    public let zeroPoint: Int32
    /// The storage width in bits (signed 2...32, unsigned 1...31).
    public let bits: Int
    /// Two's-complement codes when true, non-negative codes when false.
    public let signed: Bool
    /// How r/S is rounded to a code.
    public let rounding: RoundingRule

    public init(scale: Double, zeroPoint: Int32 = 0, bits: Int = 8, signed: Bool = true,
                rounding: RoundingRule = .toNearestOrEven) throws(QuantizationError) {
        try IBERT.requirePositive(scale)
        let allowed = signed ? 2...32 : 1...31
        guard allowed.contains(bits) else {
            throw QuantizationError(field: "bits", message: "\(bits) is out of range; allowed \(allowed.lowerBound)...\(allowed.upperBound) for \(signed ? "signed" : "unsigned") codes")
        }
        self.scale = scale
        self.zeroPoint = zeroPoint
        self.bits = bits
        self.signed = signed
        self.rounding = rounding
        guard (minimum...maximum).contains(zeroPoint) else {
            throw QuantizationError(field: "zeroPoint", message: "\(zeroPoint) is outside the \(bits)-bit range \(minimum)...\(maximum)")
        }
    }

    /// Symmetric quantization: ±maxAbs maps to ±(2^(bits−1) − 1), zero point 0 (I-BERT's choice for weights and
    /// activations). The code −2^(bits−1) stays valid and is reached only by saturation.
    public static func symmetric(maxAbs: Double, bits: Int = 8, rounding: RoundingRule = .toNearestOrEven)
        throws(QuantizationError) -> QuantizationParameters {
        try IBERT.requirePositive(maxAbs, field: "maxAbs")
        guard (2...32).contains(bits) else {
            throw QuantizationError(field: "bits", message: "\(bits) is out of range; allowed 2...32")
        }
        return try QuantizationParameters(scale: maxAbs / Double((Int64(1) << (bits - 1)) - 1), bits: bits,
                                          rounding: rounding)
    }

    /// Asymmetric quantization: [lo, hi] (widened to contain 0, so that 0 has an exact code) maps onto the whole
    /// code range, with the zero point chosen by `rounding`.
    ///
    /// ```swift
    /// let p = try QuantizationParameters.asymmetric(min: -1, max: 3)   // S = 4/255, Z = −64
    /// try p.quantize(-1)   // -128
    /// try p.quantize(3)    //  127
    /// ```
    public static func asymmetric(min lo: Double, max hi: Double, bits: Int = 8, signed: Bool = true,
                                  rounding: RoundingRule = .toNearestOrEven) throws(QuantizationError)
        -> QuantizationParameters {
        guard lo.isFinite, hi.isFinite, hi > lo else {
            throw QuantizationError(field: "range", message: "[\(lo), \(hi)] must be finite with max above min")
        }
        let low = Swift.min(lo, 0), high = Swift.max(hi, 0)
        let probe = try QuantizationParameters(scale: 1, bits: bits, signed: signed)   // validates bits
        let levels = Double(Int64(probe.maximum) - Int64(probe.minimum))
        let scale = (high - low) / levels
        let zero = (Double(probe.minimum) - rounding.apply(low / scale))
            .clampedForQuantization(Double(probe.minimum), Double(probe.maximum))
        return try QuantizationParameters(scale: scale, zeroPoint: Int32(zero), bits: bits, signed: signed,
                                          rounding: rounding)
    }

    /// The smallest code.
    public var minimum: Int32 { signed ? Int32(truncatingIfNeeded: -(Int64(1) << (bits - 1))) : 0 }
    /// The largest code.
    public var maximum: Int32 {
        Int32(truncatingIfNeeded: signed ? (Int64(1) << (bits - 1)) - 1 : (Int64(1) << bits) - 1)
    }

    /// round(r/S) + Z by `rounding`, saturated to the code range (±∞ saturate). NaN throws.
    public func quantize(_ r: Double) throws(QuantizationError) -> Int32 {
        guard !r.isNaN else { throw QuantizationError(field: "value", message: "NaN has no code") }
        let q = rounding.apply(r / scale) + Double(zeroPoint)
        return Int32(q.clampedForQuantization(Double(minimum), Double(maximum)))
    }

    /// `quantize(_:)` stored as an `Int8`; the parameters must describe signed codes of at most 8 bits.
    public func quantizeInt8(_ r: Double) throws(QuantizationError) -> Int8 {
        guard signed, bits <= 8 else {
            throw QuantizationError(field: "bits", message: "Int8 storage needs signed codes of at most 8 bits, not \(signed ? "" : "un")signed \(bits)")
        }
        return Int8(try quantize(r))
    }

    /// S · (q − Z), exact in `Double` for every 32-bit code.
    public func dequantize(_ q: Int32) -> Double { scale * Double(Int64(q) - Int64(zeroPoint)) }

    /// The code and scale as a kernel input (the zero point must be 0: I-BERT's kernels are symmetric).
    public func scaled(_ q: Int32) throws(QuantizationError) -> ScaledInteger {
        guard zeroPoint == 0 else {
            throw QuantizationError(field: "zeroPoint", message: "I-BERT's kernels take symmetric codes (zero point 0), not \(zeroPoint)")
        }
        return ScaledInteger(Int64(q), scale: scale)
    }
}

extension Double {
    /// `self` limited to lo...hi.
    func clampedForQuantization(_ lo: Double, _ hi: Double) -> Double { Swift.min(hi, Swift.max(lo, self)) }
}
