extension IBERT {
    /// ln 2, to the precision of a `Double`.
    static let ln2 = 0.693147180559945309417232121458

    /// The integer decomposition of i-exp: x = −z·ln 2 + p with p ∈ (−ln 2, 0], and L(p) ≈ e^p.
    struct ExpParts {
        /// I-POLY's value of the exp polynomial at p, at scale `scale` (> 0); never negative.
        var polynomial: Int64
        /// How many halvings e^x is below e^p (z = ⌊−x / ln 2⌋ on the integer grid).
        var halvings: Int64
        var scale: Double
    }

    /// Splits x = q·S ≤ 0 (q already multiplied by 2^upshift, S already divided) and evaluates L(p).
    static func expParts(_ q: Int64, scale: Double) throws(QuantizationError) -> ExpParts {
        let qLn2 = try floorToInt64(ln2 / scale, field: "scale")              // ⌊ln 2 / S⌋
        guard qLn2 >= 1 else {
            throw QuantizationError(field: "scale", message: "\(scale) is coarser than ln 2; use an upshift")
        }
        let minusQ = try checked(Int64(0).subtractingReportingOverflow(q), "i-exp")   // ≥ 0
        let z = minusQ / qLn2                                                 // both ≥ 0: truncation is ⌊·⌋
        let p = q + z * qLn2                                                  // in (−qLn2, 0]; cannot overflow
        let l = try polynomial(ScaledInteger(p, scale: scale), .exp)
        return ExpParts(polynomial: Swift.max(l.q, 0), halvings: z, scale: l.scale)   // clamp at 0, as I-BERT's code
    }

    /// ⌊v · 2^exponent⌋ for v ≥ 0 and any exponent: a left shift (checked) or a floor right shift (0 past 63).
    static func scaleByPowerOfTwo(_ v: Int64, _ exponent: Int64, _ kernel: String) throws(QuantizationError) -> Int64 {
        if exponent >= 0 {
            guard exponent <= 62 else {
                throw QuantizationError(field: kernel, message: "a left shift by \(exponent) overflows Int64")
            }
            return try shiftedLeft(v, by: Int(exponent), kernel)
        }
        return -exponent >= 63 ? 0 : v >> Int(-exponent)
    }

    /// i-exp (I-BERT Alg. 3) for x = q·S ≤ 0: x = −z·ln 2 + p with p ∈ (−ln 2, 0], e^p ≈ L(p) by I-POLY, then
    /// L(p) >> z.
    ///
    /// The constants are q_ln2 = ⌊ln 2/S⌋ and I-POLY's q_b, q_c; z = ⌊−q/q_ln2⌋ and p = q + z·q_ln2 need one integer
    /// division. L(p) = 0.35815147(p + 1.353652)² + 0.343724 (the code's coefficients; the paper prints
    /// 0.3585(p + 1.353)² + 0.344), whose error on (−ln 2, 0] is at most 1.91e-3.
    /// `upshift` works on the grid S/2^upshift (exact; it makes q_ln2 and q_b precise when S is coarse); nil (the
    /// default) picks the smallest upshift that brings the grid to 2^−10 (`expFractionBits`), and `upshift: 0` is
    /// I-BERT's algorithm as printed.
    /// `outputShift` keeps that many more fraction bits, ⌊L(p)·2^(outputShift − z)⌋ at scale S_L/2^outputShift,
    /// as I-BERT's code does with n = 30, so small exponentials do not vanish in the shift.
    ///
    /// ```swift
    /// let s = 8.0 / 127                                         // Int8 over ±8
    /// try IBERT.exp(ScaledInteger(-16, scale: s)).value         // x = −1.00787: 0.36495 (e^x = 0.36499)
    /// try IBERT.exp(ScaledInteger(-16, scale: s), upshift: 0).value   // 0.35244 (q_ln2 = 11, q_b = 21)
    /// ```
    public static func exp(_ x: ScaledInteger, upshift requested: Int? = nil, outputShift: Int = 0) throws(QuantizationError)
        -> ScaledInteger {
        guard x.q <= 0 else {
            throw QuantizationError(field: "x", message: "i-exp takes x ≤ 0 (subtract the row maximum first), got code \(x.q)")
        }
        try requirePositive(x.scale)
        let upshift = try refinementShift(requested, scale: x.scale, fractionBits: expFractionBits)
        guard (0...30).contains(outputShift) else {
            throw QuantizationError(field: "outputShift", message: "\(outputShift) is out of range; allowed 0...30")
        }
        let q = try shiftedLeft(x.q, by: upshift, "i-exp")
        let parts = try expParts(q, scale: x.scale / Double(sign: .plus, exponent: upshift, significand: 1))
        let value = try scaleByPowerOfTwo(parts.polynomial, Int64(outputShift) - parts.halvings, "i-exp")
        return ScaledInteger(value, scale: parts.scale / Double(sign: .plus, exponent: outputShift, significand: 1))
    }
}
