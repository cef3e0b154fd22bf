extension IBERT {
    /// i-sqrt (I-BERT Alg. 4): ⌊√n⌋ by Newton's method on integers, and how many Newton steps it took.
    ///
    /// n = 0 gives 0. Otherwise x₀ = 2^⌈bits(n)/2⌉ (bits(n) = the position of n's top bit, so x₀ ≥ √n) and
    /// x_{i+1} = ⌊(x_i + ⌊n/x_i⌋)/2⌋ until x_{i+1} ≥ x_i; the answer is x_i. `iterations` counts the new
    /// estimates computed, the last one included (it is the one that fails to decrease and ends the loop), so
    /// it is one more than the number of updates x_i → x_{i+1}. Every division is ⌊·⌋ on non-negative
    /// numbers; x_i + ⌊n/x_i⌋ < 2^33 + 2^31 cannot overflow.
    ///
    /// Over every `Int32` n ≥ 1 the most `iterations` is 6 (5 updates), first at n = 16,785,408; I-BERT says
    /// "at most four iterations" for INT32, which no counting of these steps reproduces.
    ///
    /// ```swift
    /// try IBERT.sqrt(1_000_000)   // (root: 1000, iterations: 2): 1024 → 1000, then 1000 again stops
    /// try IBERT.sqrt(99)          // (root: 9, iterations: 4): 16 → 11 → 10 → 9, then 10 ≥ 9 stops
    /// ```
    public static func sqrt(_ n: Int64) throws(QuantizationError) -> (root: Int64, iterations: Int) {
        guard n >= 0 else { throw QuantizationError(field: "n", message: "\(n) must not be negative") }
        if n == 0 { return (0, 0) }
        let bits = Int64.bitWidth - n.leadingZeroBitCount          // 1...63
        var x = Int64(1) << ((bits + 1) / 2)                       // 2^⌈bits/2⌉ ≤ 2^32
        var iterations = 0
        while true {
            let next = (x + n / x) / 2                             // both ≥ 0: truncation is ⌊·⌋
            iterations += 1
            if next >= x { return (x, iterations) }
            x = next
        }
    }
}
