/// An integer together with the real step it counts in: value = q · scale (I-BERT's (q, S) pairs).
///
/// The integer is carried in an `Int64` so that the kernels' intermediates (squares of `Int32` values, sums
/// of a row) have room; every kernel checks its arithmetic for overflow and throws rather than wrapping.
///
/// ```swift
/// let x = ScaledInteger(32, scale: 4.0 / 127)   // Int8 code 32 on a ±4 range
/// x.value                                        // 1.00787… (= 32 · 0.0314961)
/// ```
public struct ScaledInteger: Sendable, Hashable {
    /// The integer code.
    public var q: Int64
    /// The real value of one step of `q`. Intermediate results of I-BERT's polynomials may carry a negative
    /// scale (a·S² with a < 0); the public kernels return positive scales.
    public var scale: Double

    public init(_ q: Int64, scale: Double) {
        self.q = q
        self.scale = scale
    }

    /// The real number this code stands for, q · scale.
    public var value: Double { Double(q) * scale }
}

/// I-BERT's integer-only kernels (Kim et al., ICML 2021, arXiv 2101.01321): a second-order polynomial evaluated
/// on integers (Alg. 1), and GELU, exp/Softmax and LayerNorm (with an integer Newton square root) built on it.
///
/// Each kernel lives in its own file: `IntegerPolynomial.swift`, `IntegerGELU.swift`, `IntegerExp.swift`,
/// `IntegerSoftmax.swift`, `IntegerSqrt.swift`, `IntegerLayerNorm.swift`. Every intermediate is an `Int64`
/// whose overflow is checked (an overflow throws a `QuantizationError`, never traps), and every rounding is a
/// named `RoundingRule`; the paper's ⌊·⌋ is `.down`.
///
/// ```swift
/// let y = try IBERT.gelu(ScaledInteger(32, scale: 4.0 / 127))   // x = 1.00787
/// y.value                                                         // 0.84543 (GELU(1.00787) = 0.84988)
/// ```
public enum IBERT {}

extension IBERT {
    /// Throws unless `scale` is a finite number above 0.
    static func requirePositive(_ scale: Double, field: String = "scale") throws(QuantizationError) {
        guard scale.isFinite, scale > 0 else {
            throw QuantizationError(field: field, message: "\(scale) must be a finite number above 0")
        }
    }

    /// The result of a `…ReportingOverflow` operation, or an error naming `kernel` on overflow.
    static func checked(_ result: (partialValue: Int64, overflow: Bool), _ kernel: String) throws(QuantizationError)
        -> Int64 {
        guard !result.overflow else {
            throw QuantizationError(field: kernel, message: "an intermediate overflowed Int64; use a coarser scale or smaller inputs")
        }
        return result.partialValue
    }

    /// ⌊r⌋ as an `Int64`, or an error naming `field` when r is not finite or does not fit 62 bits.
    static func floorToInt64(_ r: Double, field: String) throws(QuantizationError) -> Int64 {
        guard r.isFinite, abs(r) < 0x1p62 else {
            throw QuantizationError(field: field, message: "\(r) is not a finite number below 2^62 in magnitude")
        }
        return Int64(r.rounded(.down))
    }

    /// x · 2^bits, checked (bits in 0...62).
    static func shiftedLeft(_ x: Int64, by bits: Int, _ kernel: String) throws(QuantizationError) -> Int64 {
        try checked(x.multipliedReportingOverflow(by: Int64(1) << bits), kernel)
    }

    /// The grid i-exp (and so Softmax) works on by default: 2^−10, where q_ln2 ≥ 709 holds ln 2 to 0.14% and
    /// q_b = ⌊1.35/S⌋ loses at most 2^−10.
    public static let expFractionBits = 10
    /// The grid i-GELU works on by default: 2^−9, the finest for which every `Int8` input's output fits `Int32`
    /// (|q_out| ≤ 256·6.93/S² < 2^31 needs S > 2^−10).
    public static let geluFractionBits = 9

    /// The upshift a kernel works with: `requested` (checked to lie in 0...24), or when nil the smallest k with
    /// scale/2^k ≤ 2^−fractionBits. Multiplying a code by 2^k is exact; it only refines the grid on which the
    /// kernel's constants (⌊b/S⌋, ⌊c/(aS²)⌋, ⌊ln 2/S⌋) are rounded, so that coarse `Int8` scales do not lose up to
    /// a whole step in each.
    static func refinementShift(_ requested: Int?, scale: Double, fractionBits: Int) throws(QuantizationError) -> Int {
        if let requested {
            guard (0...24).contains(requested) else {
                throw QuantizationError(field: "upshift", message: "\(requested) is out of range; allowed 0...24")
            }
            return requested
        }
        var k = 0, fine = scale
        while fine > Double(sign: .plus, exponent: -fractionBits, significand: 1) && k < 24 {
            fine /= 2
            k += 1
        }
        return k
    }
}
