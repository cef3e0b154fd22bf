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

extension IBERT {
    /// The bit widths of the i-sqrt inputs that ``layerNorm`` produces: it scales a row so that n·max|d|² lies in
    /// [2^60, 2^62), so Σd² lies in [2^60/n, 2^62); for rows of n ≤ 2^27 values (BERT-Base: 768, Σd² ≥ 2^50.4)
    /// that is 33 to 62 bits. Chapter 2 sweeps the `Int32` inputs below this range.
    public static let layerNormSqrtInputBits = 33...62

    /// The most Newton steps ``sqrt(_:)`` takes on a deterministic sample of the inputs of `bitWidths` bits,
    /// and the first input that takes them: for each width b, the 1,024 inputs from 2^(b−1) up (where the start
    /// 2^⌈b/2⌉ is furthest above √n for odd b) and `randomPerWidth` seeded uniform ones in [2^(b−1), 2^b).
    ///
    /// ```swift
    /// try IBERT.mostSqrtIterations(bitWidths: IBERT.layerNormSqrtInputBits).iterations   // 6
    /// try IBERT.sqrt(Int64(1) << 61).iterations                                         // 5: one input, not the most
    /// ```
    public static func mostSqrtIterations(bitWidths: ClosedRange<Int>, randomPerWidth: Int = 4_096,
                                          seed: UInt64 = 2101_01321) throws(QuantizationError) -> (iterations: Int, input: Int64) {
        var rng = SeededGenerator(seed: seed)
        var most = 0, worst: Int64 = 0
        for bits in bitWidths where bits >= 1 && bits <= 63 {
            let low = Int64(1) << (bits - 1)
            let span = UInt64(low)                          // [2^(b−1), 2^b) has 2^(b−1) inputs
            var inputs = (0..<Int64(min(1_024, span))).map { low + $0 }
            for _ in 0..<randomPerWidth { inputs.append(low + Int64(rng.next() % span)) }
            for n in inputs {
                let steps = try sqrt(n).iterations
                if steps > most { most = steps; worst = n }
            }
        }
        return (most, worst)
    }

    /// The Newton steps a LayerNorm row's square root must be budgeted for: the most over
    /// ``layerNormSqrtInputBits`` (``mostSqrtIterations(bitWidths:randomPerWidth:seed:)``), 6, the same bound
    /// chapter 2 measures over every `Int32` input. One input's count understates it: 2^61 takes 5.
    public static let layerNormSqrtIterations: Int = (try? mostSqrtIterations(bitWidths: layerNormSqrtInputBits).iterations) ?? 0
}
