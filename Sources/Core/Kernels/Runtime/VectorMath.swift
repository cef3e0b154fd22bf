/// exp and erf on eight floats at once, for the runtime's Softmax and GELU. Scalar libm calls cannot be
/// vectorised; these can, and they are accurate to a few float ulps over the ranges the runtime uses.
enum VectorMath {
    /// e^x by range reduction, x = k·ln2 + r with |r| ≤ ln2/2, then a degree-6 Taylor polynomial for e^r and
    /// 2^k built in the exponent bits. Inputs below −87 flush to 0 (Softmax feeds x ≤ 0).
    @inline(__always)
    static func exp(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let low = SIMD8<Float>(repeating: -87), high = SIMD8<Float>(repeating: 88)
        let clamped = x.replacing(with: low, where: x .< low).replacing(with: high, where: x .> high)
        // Round x·log2(e) to an integer k by adding 1.5·2^23: k lands in the low mantissa bits (no libm call).
        let magic = SIMD8<Float>(repeating: 12_582_912)
        let shifted = clamped * 1.44269504088896341 + magic
        let k = shifted - magic
        let r = clamped - k * 0.693145751953125 - k * 1.428606765330187045e-06   // ln 2 in two parts
        var p = SIMD8<Float>(repeating: 1.0 / 720)
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        let kBits = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- unsafeBitCast(magic, to: SIMD8<Int32>.self)
        let bits = (kBits &+ 127) &<< 23
        return p * unsafeBitCast(bits, to: SIMD8<Float>.self)
    }

    /// erf(x) by Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7), with the sign restored.
    @inline(__always)
    static func erf(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let a = x.replacing(with: -x, where: x .< 0)
        let t = SIMD8<Float>(repeating: 1) / (SIMD8<Float>(repeating: 1) + 0.3275911 * a)
        var poly = SIMD8<Float>(repeating: 1.061405429)
        poly = poly * t - 1.453152027
        poly = poly * t + 1.421413741
        poly = poly * t - 0.284496736
        poly = poly * t + 0.254829592
        poly = poly * t
        let one = SIMD8<Float>(repeating: 1)
        let y = one - poly * exp(-(a * a))
        return y.replacing(with: -y, where: x .< 0)
    }
}
