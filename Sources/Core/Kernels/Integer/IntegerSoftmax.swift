extension IBERT {
    /// Integer Softmax of one row (I-BERT §3.5): subtract the maximum, i-exp, sum, and scale by one reciprocal.
    ///
    /// 1. x̃ = q − max(q) ≤ 0 (exact in `Int64`); i-exp on the grid S/2^k ≤ 2^−10 (`expFractionBits`).
    /// 2. The exponentials are brought to `intermediateBits` bits by one power-of-two shift shared by the row
    ///    (I-BERT requantizes them to 16 bits); the maximum element's e^0 sits in the top bit.
    /// 3. factor = ⌊2^62 / Σe⌋ (I-BERT: ⌊2^32/Σe⌋; `Int64` leaves room for 30 more bits), and each output is
    ///    e·factor / 2^(62 − outputBits) rounded by `rounding` (I-BERT: `.down`).
    ///
    /// Outputs are codes 0 ... 2^outputBits − 1 at scale 2^−outputBits (a lone 1.0 saturates to 255/256, where
    /// I-BERT's code would emit 256, which does not fit 8 bits).
    ///
    /// ```swift
    /// // logits 1.0, 0.5, −1.0 as Int8 codes at scale 1/32
    /// try IBERT.softmax([32, 16, -32], scale: 1.0 / 32)   // [147, 88, 19]: 0.574, 0.344, 0.074
    /// // (exact: 0.5741, 0.3482, 0.0777)
    /// ```
    public static func softmax(_ row: [Int32], scale: Double, outputBits: Int = 8, rounding: RoundingRule = .down,
                               intermediateBits: Int = 16) throws(QuantizationError) -> [Int32] {
        guard let maximum = row.max() else {
            throw QuantizationError(field: "row", message: "a Softmax row needs at least one value")
        }
        try requirePositive(scale)
        guard (1...16).contains(outputBits) else {
            throw QuantizationError(field: "outputBits", message: "\(outputBits) is out of range; allowed 1...16")
        }
        guard (8...30).contains(intermediateBits) else {
            throw QuantizationError(field: "intermediateBits", message: "\(intermediateBits) is out of range; allowed 8...30")
        }
        let upshift = try refinementShift(nil, scale: scale, fractionBits: expFractionBits)
        let fine = scale / Double(sign: .plus, exponent: upshift, significand: 1)
        let parts = try row.map { q throws(QuantizationError) in
            try expParts(try shiftedLeft(Int64(q) - Int64(maximum), by: upshift, "softmax"), scale: fine)
        }
        // L(0), the maximum's exponential, is the largest value: put it in the top of `intermediateBits` bits.
        let top = try expParts(0, scale: fine).polynomial
        let normalisation = Int64(intermediateBits - (Int64.bitWidth - top.leadingZeroBitCount))
        var sum: Int64 = 0
        var exps: [Int64] = []
        exps.reserveCapacity(row.count)
        for part in parts {
            let e = try scaleByPowerOfTwo(part.polynomial, normalisation - part.halvings, "softmax")
            exps.append(e)
            sum = try checked(sum.addingReportingOverflow(e), "softmax")
        }
        guard sum > 0 else { throw QuantizationError(field: "softmax", message: "every exponential rounded to 0") }
        let factor = (Int64(1) << 62) / sum                                    // e ≤ Σe, so e·factor ≤ 2^62
        let largest = (Int64(1) << outputBits) - 1
        return exps.map { e in
            Int32(Swift.min(rounding.shiftRight(e * factor, by: 62 - outputBits), largest))
        }
    }

    /// Integer Softmax of a row of `Int8` codes (see the `Int32` version).
    public static func softmax(codes row: [Int8], scale: Double, outputBits: Int = 8, rounding: RoundingRule = .down,
                               intermediateBits: Int = 16) throws(QuantizationError) -> [Int32] {
        try softmax(row.map(Int32.init), scale: scale, outputBits: outputBits, rounding: rounding,
                    intermediateBits: intermediateBits)
    }
}
