/// A positive real factor as a dyadic number m / 2^shift, so that an `Int32` accumulator can be rescaled with
/// one integer multiply and one shift (how integer-only pipelines such as I-BERT and TFLite requantize).
///
/// `multiplier` is normalised into [2^30, 2^31) whenever the ratio allows, which keeps 31 significant bits;
/// x · m fits an `Int64` for every `Int32` x, so the product never overflows.
///
/// ```swift
/// // An Int8 × Int8 product accumulates at scale S_a·S_w = 0.02 · 0.005 = 1e-4; the output scale is 0.05.
/// let m = try DyadicMultiplier(approximating: 1e-4 / 0.05)   // ratio 0.002
/// (m.multiplier, m.shift)                                    // (1_099_511_628, 39): 0.002 · 2^39 rounded
/// m.requantize(12_345)                                       // 25  (12_345 · 0.002 = 24.69, to nearest)
/// m.requantize(12_345, rounding: .down)                      // 24
/// ```
public struct DyadicMultiplier: Sendable, Hashable {
    /// The integer numerator m (1 ... 2^31 − 1).
    public let multiplier: Int32
    /// The power of two in the denominator (0...62).
    public let shift: Int

    /// The dyadic number with a 31-bit numerator closest to `ratio` (0 < ratio < 2^31).
    public init(approximating ratio: Double) throws(QuantizationError) {
        guard ratio.isFinite, ratio > 0, ratio < 0x1p31 else {
            throw QuantizationError(field: "ratio", message: "\(ratio) must be finite, above 0 and below 2^31")
        }
        var shift = 0, r = ratio
        while r < 0x1p30 && shift < 62 { r *= 2; shift += 1 }   // exact: doubling a Double only moves its exponent
        var m = r.rounded(.toNearestOrAwayFromZero)
        if m >= 0x1p31 { m /= 2; shift -= 1 }                     // 2^31 − ½ rounded up: one bit fewer
        guard m >= 1 else {
            throw QuantizationError(field: "ratio", message: "\(ratio) is below 2^-62 and rounds to 0")
        }
        self.multiplier = Int32(m)
        self.shift = shift
    }

    /// An explicit m / 2^shift.
    public init(multiplier: Int32, shift: Int) throws(QuantizationError) {
        guard multiplier > 0 else { throw QuantizationError(field: "multiplier", message: "\(multiplier) must be above 0") }
        guard (0...62).contains(shift) else {
            throw QuantizationError(field: "shift", message: "\(shift) is out of range; allowed 0...62")
        }
        self.multiplier = multiplier
        self.shift = shift
    }

    /// m / 2^shift as a real number.
    public var value: Double { Double(multiplier) * Double(sign: .plus, exponent: -shift, significand: 1) }

    /// x · m / 2^shift rounded by `rounding`, without saturation (|result| < 2^62).
    public func apply(_ x: Int32, rounding: RoundingRule = .toNearestOrAwayFromZero) -> Int64 {
        rounding.shiftRight(Int64(x) * Int64(multiplier), by: shift)   // |x·m| < 2^31 · 2^31: no overflow
    }

    /// x · m / 2^shift rounded by `rounding`, saturated to Int8 (−128...127).
    public func requantize(_ x: Int32, rounding: RoundingRule = .toNearestOrAwayFromZero) -> Int8 {
        Int8(clamping: apply(x, rounding: rounding))
    }

    /// x · m / 2^shift + Z, rounded by `output.rounding` and saturated to `output`'s code range.
    public func requantize(_ x: Int32, to output: QuantizationParameters) -> Int32 {
        let shifted = apply(x, rounding: output.rounding) + Int64(output.zeroPoint)   // |·| < 2^62 + 2^31
        return Int32(Swift.min(Swift.max(shifted, Int64(output.minimum)), Int64(output.maximum)))
    }
}
