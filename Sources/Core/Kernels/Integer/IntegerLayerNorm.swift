extension IBERT {
    /// Integer LayerNorm of one row, before γ and β (I-BERT §3.6): (x − μ)/σ with i-sqrt, in integers.
    ///
    /// With n values q_i and T = Σq_i:
    /// 1. centre without rounding the mean: d_i = n·q_i − T = n·(q_i − μ) (exact in `Int64`);
    /// 2. scale every d_i by one power of two so that n·max|d_i|² lies in [2^60, 2^62): a left shift (exact) for
    ///    small rows, so that the square root keeps about 30 significant bits, or a floor right shift against
    ///    overflow for large `Int32` rows (I-BERT's code has the same dynamic right shift);
    /// 3. V = Σd_i² (`Int64`, checked) and r = i-sqrt(V) = ⌊√V⌋, so that σ ≈ r/(n^(3/2)) in code units;
    /// 4. the output is d_i·⌊2^62/r⌋ / 2^(62 − fractionBits), rounded by `rounding`: (x − μ)/σ = (d_i/r)·√n,
    ///    so the codes have scale √n / 2^fractionBits (I-BERT: √n / 2^30) and |code| ≤ 2^fractionBits.
    ///
    /// A constant row, including a row of one value, has σ = 0: its output is all zeros, which is the limit of
    /// (x − μ)/√(σ² + ε) that real LayerNorm (with its ε) gives. An empty row throws.
    ///
    /// ```swift
    /// let (codes, scale) = try IBERT.layerNorm([10, 20, 30, 40])   // μ = 25, σ = 11.180
    /// codes                                 // [-720_287_914, -240_095_972, 240_095_971, 720_287_913]
    /// codes.map { Double($0) * scale }      // [−1.34164, −0.44721, 0.44721, 1.34164]
    /// ```
    public static func layerNorm(_ row: [Int32], fractionBits: Int = 30, rounding: RoundingRule = .down)
        throws(QuantizationError) -> (values: [Int32], scale: Double) {
        guard !row.isEmpty else {
            throw QuantizationError(field: "row", message: "LayerNorm needs at least one value")
        }
        guard (1...30).contains(fractionBits) else {
            throw QuantizationError(field: "fractionBits", message: "\(fractionBits) is out of range; allowed 1...30")
        }
        guard row.count <= Int(Int32.max) else {
            throw QuantizationError(field: "row", message: "\(row.count) values are more than 2^31 − 1")
        }
        let n = Int64(row.count)
        let total = row.reduce(Int64(0)) { $0 + Int64($1) }            // |T| < 2^31 · 2^31: no overflow
        var centred = try row.map { q throws(QuantizationError) in
            try checked(try checked((n).multipliedReportingOverflow(by: Int64(q)), "layernorm")
                .subtractingReportingOverflow(total), "layernorm")
        }
        // Rescale every d by one power of two 2^s (s < 0: a floor right shift, s > 0: exact) so that
        // n·max|d|² lies in [2^60, 2^62): Σd² then fits, and r = ⌊√Σd²⌋ keeps about 30 significant bits.
        let largest = centred.reduce(UInt64(0)) { Swift.max($0, $1.magnitude) }
        func fits(_ s: Int) -> Bool {
            let m = s >= 0 ? largest << UInt64(s) : largest >> UInt64(-s)
            if s > 0 && m >> UInt64(s) != largest { return false }
            let square = m.multipliedReportingOverflow(by: m)
            if square.overflow { return false }
            let total = square.partialValue.multipliedReportingOverflow(by: UInt64(n))
            return !total.overflow && total.partialValue < (UInt64(1) << 62)
        }
        var shift = 0
        if largest > 0 {
            while !fits(shift) { shift -= 1 }
            while shift < 62 && fits(shift + 1) { shift += 1 }
        }
        if shift < 0 { centred = centred.map { $0 >> -shift } }
        if shift > 0 { centred = centred.map { $0 << shift } }   // exact: fits(shift) bounds every |d|·2^shift
        var variance: Int64 = 0
        for d in centred {
            variance = try checked(variance.addingReportingOverflow(try checked(d.multipliedReportingOverflow(by: d),
                                                                                "layernorm")), "layernorm")
        }
        let scale = Double(row.count).squareRoot() / Double(sign: .plus, exponent: fractionBits, significand: 1)
        let root = try sqrt(variance).root
        guard root > 0 else { return ([Int32](repeating: 0, count: row.count), scale) }
        let factor = (Int64(1) << 62) / root                           // |d| ≤ r, so |d·factor| ≤ 2^62
        let values = centred.map { d in
            Int32(clamping: rounding.shiftRight(d * factor, by: 62 - fractionBits))
        }
        return (values, scale)
    }
}
