/// A second-order polynomial in I-BERT's form a(x + b)² + c, the shape that Alg. 1 evaluates on integers.
///
/// ```swift
/// let p = SecondOrderPolynomial.exp       // 0.35815147(x + 1.353662)² + 0.343723 ≈ e^x on (−ln 2, 0]
/// p(0)                                     // 1.0
/// p(-0.5)                                  // 0.60472  (e^−0.5 = 0.60653)
/// ```
public struct SecondOrderPolynomial: Sendable, Hashable {
    public let a: Double
    public let b: Double
    public let c: Double

    /// a(x + b)² + c; a must be finite and non-zero, b and c finite.
    public init(a: Double, b: Double, c: Double) throws(QuantizationError) {
        guard a.isFinite, a != 0 else { throw QuantizationError(field: "a", message: "\(a) must be finite and non-zero") }
        guard b.isFinite else { throw QuantizationError(field: "b", message: "\(b) must be finite") }
        guard c.isFinite else { throw QuantizationError(field: "c", message: "\(c) must be finite") }
        self.a = a
        self.b = b
        self.c = c
    }

    /// The same polynomial from its expanded coefficients c2·x² + c1·x + c0 (how I-BERT's code stores them).
    public init(expanded c2: Double, _ c1: Double, _ c0: Double) throws(QuantizationError) {
        guard c2.isFinite, c2 != 0 else { throw QuantizationError(field: "c2", message: "\(c2) must be finite and non-zero") }
        let b = c1 / (2 * c2)
        try self.init(a: c2, b: b, c: c0 - c2 * b * b)
    }

    private init(uncheckedA a: Double, b: Double, c: Double) {
        self.a = a
        self.b = b
        self.c = c
    }

    /// I-BERT's erf polynomial on [0, −b] (§3.4): a = −0.2888, b = −1.769, c = 1.
    public static let erf = SecondOrderPolynomial(uncheckedA: -0.2888, b: -1.769, c: 1)

    /// I-BERT's exp polynomial on (−ln 2, 0] (§3.5), from the code's coefficients 0.35815147x² + 0.96963238x + 1
    /// (`quant_modules.py`); the paper prints it rounded as 0.3585(x + 1.353)² + 0.344.
    public static let exp: SecondOrderPolynomial = {
        let (c2, c1, c0) = IBERT.expCoefficients
        let b = c1 / (2 * c2)
        return SecondOrderPolynomial(uncheckedA: c2, b: b, c: c0 - c2 * b * b)
    }()

    /// The exp polynomial exactly as the paper prints it, 0.3585(x + 1.353)² + 0.344 (max error 2.1e-3, not 1.9e-3).
    public static let expAsPrinted = SecondOrderPolynomial(uncheckedA: 0.3585, b: 1.353, c: 0.344)

    /// a(x + b)² + c in floating point.
    public func callAsFunction(_ x: Double) -> Double { a * (x + b) * (x + b) + c }
}

extension IBERT {
    /// The erf polynomial's constants, a = −0.2888 and b = −1.769 (I-BERT §3.4; `quant_modules.py` agrees).
    public static let erfA = -0.2888, erfB = -1.769
    /// The exp polynomial as I-BERT's code stores it, ax² + bx + c (`quant_modules.py`, `IntSoftmax.coef`).
    public static let expCoefficients = (a: 0.35815147, b: 0.96963238, c: 1.0)

    /// I-POLY (I-BERT Alg. 1): a(x + b)² + c at x = q·S, in integers.
    ///
    /// q_b = ⌊b/S⌋ and q_c = ⌊c/(a·S²)⌋ are constants fixed by the scale (computed once, offline); the kernel is
    /// then one add, one square and one add: q_out = (q + q_b)² + q_c, with S_out = a·S² (negative when a is).
    /// Overflow of `Int64` throws.
    ///
    /// ```swift
    /// // erf's polynomial at x = 0.5 with S = 1/64: q = 32, q_b = ⌊−1.769·64⌋ = −114, q_c = ⌊1/(−0.2888/4096)⌋ = −14_183
    /// let y = try IBERT.polynomial(ScaledInteger(32, scale: 1.0 / 64), .erf)
    /// y.q          // (32 − 114)² − 14_183 = −7_459
    /// y.value      // −7_459 · (−0.2888/4096) = 0.52592  (real polynomial: 0.53492; erf(0.5) = 0.52050)
    /// ```
    public static func polynomial(_ x: ScaledInteger, _ p: SecondOrderPolynomial) throws(QuantizationError)
        -> ScaledInteger {
        try requirePositive(x.scale)
        let qb = try floorToInt64(p.b / x.scale, field: "scale")
        let qc = try floorToInt64(p.c / (p.a * x.scale * x.scale), field: "scale")
        let shifted = try checked(x.q.addingReportingOverflow(qb), "i-poly")
        let square = try checked(shifted.multipliedReportingOverflow(by: shifted), "i-poly")
        return ScaledInteger(try checked(square.addingReportingOverflow(qc), "i-poly"), scale: p.a * x.scale * x.scale)
    }

    /// I-POLY with the coefficients given one by one.
    public static func polynomial(_ x: ScaledInteger, a: Double, b: Double, c: Double) throws(QuantizationError)
        -> ScaledInteger {
        try polynomial(x, SecondOrderPolynomial(a: a, b: b, c: c))
    }
}
