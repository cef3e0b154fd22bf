/// exp on eight floats at once, for the decoder runtime's SiLU gate (`DecoderKernels`; Softmax, LayerNorm and
/// GELU run on the C kernels of `Sources/CKernels`). Scalar libm calls cannot be vectorised; this can, and it is
/// accurate to a few float ulps over the range the gate uses.
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
}
