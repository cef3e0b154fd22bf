/// Seeded fp32 weights for a runtime model. Latency does not depend on weight values, so they are drawn
/// uniformly from ±1/√fan-in with SplitMix64 (reproducible, and small enough that activations stay finite).
struct LayerWeights {
    var wq, wk, wv, wo: [Float]        // d×d, stored (in × out) row-major: y = x · W
    var bq, bk, bv, bo: [Float]
    var w1: [Float], b1: [Float]       // d×d_FFN
    var w2: [Float], b2: [Float]       // d_FFN×d
    var ln1Gamma, ln1Beta, ln2Gamma, ln2Beta: [Float]
    /// The six matrices packed once for the runtime's products of several rows; nil where they run on OpenBLAS.
    let packed: PackedLayer?

    struct PackedLayer {
        let q, k, v, o, w1, w2: PackedWeights
    }

    /// `level`: the packed kernel level to pack for (0: none, the products run on OpenBLAS).
    init(d: Int, f: Int, level: Int32, generator g: inout SeededGenerator) {
        func matrix(_ rows: Int, _ cols: Int) -> [Float] {
            let bound = 1 / Float(rows).squareRoot()
            return (0..<(rows * cols)).map { _ in g.uniform(bound) }
        }
        func vector(_ n: Int, _ bound: Float) -> [Float] { (0..<n).map { _ in g.uniform(bound) } }
        wq = matrix(d, d); wk = matrix(d, d); wv = matrix(d, d); wo = matrix(d, d)
        bq = vector(d, 0.02); bk = vector(d, 0.02); bv = vector(d, 0.02); bo = vector(d, 0.02)
        w1 = matrix(d, f); b1 = vector(f, 0.02)
        w2 = matrix(f, d); b2 = vector(d, 0.02)
        ln1Gamma = (0..<d).map { _ in 1 + g.uniform(0.1) }; ln1Beta = vector(d, 0.1)
        ln2Gamma = (0..<d).map { _ in 1 + g.uniform(0.1) }; ln2Beta = vector(d, 0.1)
        func pack(_ w: [Float], _ k: Int, _ n: Int) -> PackedWeights? { PackedWeights.pack(w, k: k, n: n, level: level) }
        if let q = pack(wq, d, d), let k = pack(wk, d, d), let v = pack(wv, d, d), let o = pack(wo, d, d),
           let p1 = pack(w1, d, f), let p2 = pack(w2, f, d) {
            packed = PackedLayer(q: q, k: k, v: v, o: o, w1: p1, w2: p2)
        } else {
            packed = nil
        }
    }
}

/// SplitMix64 (Steele, Lea and Flood 2014): a small, fast, seeded generator.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [−bound, bound).
    mutating func uniform(_ bound: Float) -> Float {
        let unit = Float(next() >> 40) / Float(1 << 24)    // 24 random bits in [0, 1)
        return (2 * unit - 1) * bound
    }
}
