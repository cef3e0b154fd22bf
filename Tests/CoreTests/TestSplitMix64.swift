/// SplitMix64 (Steele, Lea and Flood 2014): a seeded generator the tests own, so that their inputs do not depend
/// on Core's generator.
struct TestSplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in lo...hi (the modulo bias is irrelevant at these widths).
    mutating func next(in range: ClosedRange<Int64>) -> Int64 {
        range.lowerBound + Int64(next() % UInt64(range.upperBound - range.lowerBound + 1))
    }
    /// Uniform in 0..<n.
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func int8s(_ count: Int) -> [Int8] { (0..<count).map { _ in Int8(truncatingIfNeeded: next()) } }
}
