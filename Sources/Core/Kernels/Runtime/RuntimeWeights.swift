/// How a runtime's matrix products run. All of a runtime's products run on one kernel: on the packed kernel its
/// results have the same bits at either level and any thread count (`Sources/CRuntime/include/CRuntime.h`).
public enum RuntimeProducts: Sendable {
    /// On whichever the calibration timed faster on this CPU (``PackedWeights/calibration``): the runtime's own
    /// kernel (weights packed once, attention's operands for each product), unless OpenBLAS was clearly faster.
    case fastest
    /// On the packed kernel whatever the timings, where one runs on this CPU (else on OpenBLAS).
    case packed
    /// On OpenBLAS's `sgemm` and `sgemv`, whatever the timings (for comparison).
    case openBLAS

    /// The packed kernel level the products run on (0: OpenBLAS).
    var level: Int32 {
        switch self {
        case .fastest: PackedWeights.level
        case .packed: PackedWeights.packedLevel
        case .openBLAS: 0
        }
    }
}

/// A weight matrix of a runtime (k × n, row-major: y = x · W): its values, and the same matrix packed once where
/// the runtime's products run on the packed kernel.
struct WeightMatrix {
    let values: [Float]
    let k: Int, n: Int
    let packed: PackedWeights?

    /// `level`: the packed kernel level the runtime's products run on (0: OpenBLAS, nothing is packed).
    init(_ values: [Float], k: Int, n: Int, level: Int32) {
        self.values = values
        self.k = k
        self.n = n
        packed = PackedWeights.pack(values, k: k, n: n, level: level)
    }

    /// Drawn from `g` uniformly in ±1/√k (the fan-in), row by row: the runtimes' seeded weights.
    init(seededRows k: Int, n: Int, level: Int32, generator g: inout SeededGenerator) {
        let bound = 1 / Float(k).squareRoot()
        self.init((0..<(k * n)).map { _ in g.uniform(bound) }, k: k, n: n, level: level)
    }

    /// y (rows × n, row stride `ldy`, n when nil) = x (rows × k, row stride k) · W, at the BLAS thread count.
    func multiply(_ x: UnsafePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>, ldy: Int? = nil) {
        if let packed {
            packed.multiply(m: rows, a: x, lda: k, c: y, ldc: ldy ?? n, threads: Kernels.threads)
        } else {
            Kernels.gemm(level: 0, m: rows, n: n, k: k, a: x, lda: k, b: values, ldb: n, c: y, ldc: ldy ?? n)
        }
    }

    /// Floats the matrix takes in memory at `level` (its values and, at a packed level, its packed copy).
    static func floats(k: Int, n: Int, level: Int32) -> Int { k * n + PackedWeights.packedCount(k: k, n: n, level: level) }
}

/// Seeded fp32 weights for a runtime model. Latency does not depend on weight values, so they are drawn
/// uniformly from ±1/√fan-in with SplitMix64 (reproducible, and small enough that activations stay finite).
struct LayerWeights {
    var wq, wk, wv, wo: WeightMatrix   // d×d
    var bq, bk, bv, bo: [Float]
    var w1: WeightMatrix, b1: [Float]  // d×d_FFN
    var w2: WeightMatrix, b2: [Float]  // d_FFN×d
    var ln1Gamma, ln1Beta, ln2Gamma, ln2Beta: [Float]

    /// `level`: the packed kernel level the runtime's products run on (0: OpenBLAS).
    init(d: Int, f: Int, level: Int32, generator g: inout SeededGenerator) {
        func matrix(_ rows: Int, _ cols: Int) -> WeightMatrix {
            WeightMatrix(seededRows: rows, n: cols, level: level, generator: &g)
        }
        func vector(_ n: Int, _ bound: Float) -> [Float] { (0..<n).map { _ in g.uniform(bound) } }
        wq = matrix(d, d); wk = matrix(d, d); wv = matrix(d, d); wo = matrix(d, d)
        bq = vector(d, 0.02); bk = vector(d, 0.02); bv = vector(d, 0.02); bo = vector(d, 0.02)
        w1 = matrix(d, f); b1 = vector(f, 0.02)
        w2 = matrix(f, d); b2 = vector(d, 0.02)
        ln1Gamma = (0..<d).map { _ in 1 + g.uniform(0.1) }; ln1Beta = vector(d, 0.1)
        ln2Gamma = (0..<d).map { _ in 1 + g.uniform(0.1) }; ln2Beta = vector(d, 0.1)
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
