extension IBERT {
    /// i-erf (I-BERT Alg. 2): erf(x) ≈ sgn(x)·[a(min(|x|, −b) + b)² + 1] with a = −0.2888, b = −1.769, in integers.
    ///
    /// The clip is at −q_b = −⌊b/S⌋ (as I-BERT's code does), where the squared term is exactly 0, so erf saturates
    /// at exactly 1 on the integer grid. `upshift` first multiplies q by 2^upshift (scale S/2^upshift): exact,
    /// and it keeps q_b = ⌊b/S⌋ from losing up to one whole step S when S is coarse, as for `Int8` inputs.
    /// nil (the default) picks the smallest upshift that brings the grid to 2^−9 (`geluFractionBits`);
    /// `upshift: 0` is I-BERT's algorithm as printed.
    /// The result has a positive scale |a|·S² (the sign of I-POLY's a·S² is moved into the code).
    ///
    /// ```swift
    /// let x = ScaledInteger(32, scale: 1.0 / 64)            // x = 0.5
    /// try IBERT.erf(x, upshift: 0)                           // q = 7_459 at scale 0.2888/4096: 0.52592
    /// try IBERT.erf(x).value                                 // upshift 3 (grid 2^−9): 0.53454
    /// // the real polynomial gives 0.53492 and erf(0.5) = 0.52050
    /// ```
    public static func erf(_ x: ScaledInteger, upshift requested: Int? = nil) throws(QuantizationError) -> ScaledInteger {
        try requirePositive(x.scale)
        let upshift = try refinementShift(requested, scale: x.scale, fractionBits: geluFractionBits)
        let fine = ScaledInteger(try shiftedLeft(x.q, by: upshift, "i-erf"),
                                 scale: x.scale / Double(sign: .plus, exponent: upshift, significand: 1))
        let limit = -(try floorToInt64(erfB / fine.scale, field: "scale"))          // −⌊b/S⌋ > 0
        let magnitude = fine.q.magnitude < UInt64(limit) ? Int64(fine.q.magnitude) : limit
        let l = try polynomial(ScaledInteger(magnitude, scale: fine.scale), .erf)
        let signed = try checked(l.q.multipliedReportingOverflow(by: fine.q.signum()), "i-erf")
        return try positiveScale(ScaledInteger(signed, scale: l.scale), "i-erf")
    }

    /// i-GELU (I-BERT Alg. 2): x·½[1 + erf(x/√2)] with i-erf, as q·(q_erf + ⌊1/S_erf⌋) at scale S·S_erf/2.
    ///
    /// x/√2 costs nothing: it is the same code at scale S/√2. `upshift` refines the erf's grid (see `erf`); the
    /// output multiplies the original code, so its magnitude grows by 2^(2·upshift). I-BERT's code, whose inputs are
    /// `Int32` accumulators at fine scales, instead shifts the erf down by 14 bits (⌊·/2^14⌋) against overflow;
    /// here overflow is checked and thrown instead.
    ///
    /// ```swift
    /// let s = 4.0 / 127                                        // Int8 over ±4
    /// let y = try IBERT.gelu(ScaledInteger(32, scale: s))      // x = 1.00787
    /// y.value                                                  // 0.84543 (GELU: 0.84988)
    /// try IBERT.gelu(ScaledInteger(32, scale: s), upshift: 0).value   // 0.84162 (as printed: coarser constants)
    /// ```
    public static func gelu(_ x: ScaledInteger, upshift: Int? = nil) throws(QuantizationError) -> ScaledInteger {
        try requirePositive(x.scale)
        let e = try erf(ScaledInteger(x.q, scale: x.scale / 2.0.squareRoot()), upshift: upshift)
        let one = try floorToInt64(1 / e.scale, field: "scale")
        let sum = try checked(e.q.addingReportingOverflow(one), "i-gelu")
        return ScaledInteger(try checked(x.q.multipliedReportingOverflow(by: sum), "i-gelu"), scale: x.scale * e.scale / 2)
    }

    /// i-GELU of one `Int32` code, with the output stored as an `Int32` (overflow throws).
    public static func gelu(_ q: Int32, scale: Double, upshift: Int? = nil) throws(QuantizationError)
        -> (q: Int32, scale: Double) {
        let y = try gelu(ScaledInteger(Int64(q), scale: scale), upshift: upshift)
        guard let narrow = Int32(exactly: y.q) else {
            throw QuantizationError(field: "i-gelu", message: "the output \(y.q) does not fit Int32; use a smaller upshift")
        }
        return (narrow, y.scale)
    }

    /// i-GELU of a row of `Int8` codes sharing one scale: `Int32` outputs sharing one scale.
    public static func gelu(_ row: [Int8], scale: Double, upshift: Int? = nil) throws(QuantizationError)
        -> (values: [Int32], scale: Double) {
        var values: [Int32] = []
        values.reserveCapacity(row.count)
        var outputScale = 0.0
        for code in row {
            let y = try gelu(Int32(code), scale: scale, upshift: upshift)
            values.append(y.q)
            outputScale = y.scale
        }
        if row.isEmpty { outputScale = try gelu(0, scale: scale, upshift: upshift).scale }
        return (values, outputScale)
    }

    /// The same value with a positive scale: a negative scale is moved into the code (checked).
    static func positiveScale(_ x: ScaledInteger, _ kernel: String) throws(QuantizationError) -> ScaledInteger {
        guard x.scale < 0 else { return x }
        return ScaledInteger(try checked(Int64(0).subtractingReportingOverflow(x.q), kernel), scale: -x.scale)
    }
}
