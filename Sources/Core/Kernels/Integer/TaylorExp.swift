/// exp(p) on p ∈ (−ln 2, 0] by a truncated Taylor series, the approach SpAtten takes (a 5th-order series),
/// set against I-BERT's fitted 2nd-order polynomial (survey §4.3). Both share the range reduction
/// x = −z·ln 2 + p, e^x = e^p · 2^−z; only the approximation of e^p differs.
///
/// The integer version evaluates the series by Horner's rule on a 2^−fractionBits grid, rounding each product
/// down (⌊·⌋, an arithmetic right shift): `order` multiplies and `order` adds per value, against I-BERT's one
/// multiply (the square) and two adds.
///
/// ```swift
/// TaylorExp.evaluate(-0.5, order: 5)                    // 0.606510 (e^−0.5 = 0.606531)
/// try TaylorExp.integer(-8192, fractionBits: 14, order: 5).value   // ≈ 0.60651 (x = −0.5)
/// ```
public enum TaylorExp {
    /// Σ_{n ≤ order} p^n / n!, in Horner form.
    public static func evaluate(_ p: Double, order: Int) -> Double {
        var y = 1.0
        for n in stride(from: Swift.max(order, 0), through: 1, by: -1) { y = 1 + p * y / Double(n) }
        return y
    }

    /// e^x for x ≤ 0 with range reduction and the Taylor series on p.
    public static func exp(_ x: Double, order: Int) -> Double {
        let z = (-x / IBERT.ln2).rounded(.down)
        return evaluate(x + z * IBERT.ln2, order: order) * Double(sign: .plus, exponent: -Int(Swift.min(z, 2000)), significand: 1)
    }

    /// Multiplies and adds per evaluation of a polynomial of this order by Horner's rule.
    public static func operations(order: Int) -> (multiplies: Int, adds: Int) { (order, order) }

    /// The series for p = q · 2^−fractionBits ∈ (−ln 2, 0], in integers: y ← 1 + ⌊p·y / n⌋ from n = order down to 1.
    /// The coefficients 1/n are folded into integer divisions (rounded down); intermediates are Int64, checked.
    public static func integer(_ q: Int64, fractionBits: Int, order: Int) throws(QuantizationError) -> ScaledInteger {
        try ConfigurationError.require(fractionBits, in: 4...28, field: "fractionBits")
        try ConfigurationError.require(order, in: 1...12, field: "order")
        let one = Int64(1) << fractionBits
        let lnTwo = Int64((IBERT.ln2 * Double(one)).rounded(.down))
        guard q <= 0, q > -lnTwo - 1 else {
            throw QuantizationError(field: "p", message: "code \(q) is outside (−ln 2, 0] on the 2^-\(fractionBits) grid")
        }
        var y = one
        for n in stride(from: order, through: 1, by: -1) {
            let product = try IBERT.checked(q.multipliedReportingOverflow(by: y), "taylor-exp")
            let scaled = RoundingRule.down.shiftRight(product, by: fractionBits)
            y = one + (try RoundingRule.down.divide(scaled, by: Int64(n)))
        }
        return ScaledInteger(y, scale: 1 / Double(one))
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
