#if canImport(Glibc)
import Glibc
#endif

/// An integer with the real-valued scale it stands for: value ≈ q · scale.
public struct ScaledInteger: Sendable, Hashable {
    public var q: Int64
    public var scale: Double
    public init(_ q: Int64, scale: Double) {
        self.q = q
        self.scale = scale
    }
    public var value: Double { Double(q) * scale }
}

/// I-BERT's integer-only kernels (Kim et al., ICML 2021): second-order polynomials evaluated on integers,
/// then GELU, exp/Softmax and LayerNorm built from them. Every intermediate is an `Int64` whose overflow is
/// checked (an overflow throws, never traps); every division rounds down, as the paper's ⌊·⌋ says.
///
/// ```swift
/// let s = 4.0 / 127                                      // Int8 over [−4, 4]
/// let y = try IBERT.gelu(ScaledInteger(32, scale: s))   // x ≈ 1.008
/// y.value                                                // 0.845 (GELU(1.008) = 0.849)
/// ```
public enum IBERT {
    /// The erf approximation's constants (I-BERT §3.4): L(x) = sgn(x)·[a(clip(|x|, max = −b) + b)² + 1].
    public static let erfA = -0.2888, erfB = -1.769
    /// The exp polynomial on p ∈ (−ln 2, 0] as I-BERT's code stores it (ax² + bx + c); the paper prints it rounded
    /// as 0.3585(p + 1.353)² + 0.344.
    public static let expCoefficients = (a: 0.35815147, b: 0.96963238, c: 1.0)
    /// Decoder steps beyond this many halvings flush exp to 0 (I-BERT's code clamps at 30 ln 2).
    public static let expMaxShift: Int64 = 30

    static func floorDiv(_ x: Double) -> Int64 { Int64(x.rounded(.down)) }

    static func checked(_ r: (partialValue: Int64, overflow: Bool), _ what: String) throws(QuantizationError) -> Int64 {
        guard !r.overflow else { throw QuantizationError(field: what, message: "Int64 overflow") }
        return r.partialValue
    }

    /// I-POLY (Alg. 1): a(x + b)² + c on x = q·S, as (q + ⌊b/S⌋)² + ⌊c/(aS²)⌋ with scale aS².
    public static func polynomial(_ x: ScaledInteger, a: Double, b: Double, c: Double) throws(QuantizationError)
        -> ScaledInteger {
        guard x.scale.isFinite, x.scale > 0 else {
            throw QuantizationError(field: "scale", message: "\(x.scale) must be a finite number above 0")
        }
        let qb = floorDiv(b / x.scale), qc = floorDiv(c / (a * x.scale * x.scale))
        let shifted = try checked(x.q.addingReportingOverflow(qb), "i-poly")
        let square = try checked(shifted.multipliedReportingOverflow(by: shifted), "i-poly")
        return ScaledInteger(try checked(square.addingReportingOverflow(qc), "i-poly"), scale: a * x.scale * x.scale)
    }

    /// i-erf: the sign, a clip at −b and I-POLY.
    public static func erf(_ x: ScaledInteger) throws(QuantizationError) -> ScaledInteger {
        let limit = floorDiv(-erfB / x.scale)
        let clipped = ScaledInteger(min(x.q.magnitude > UInt64(Int64.max) ? Int64.max : Int64(x.q.magnitude), limit),
                                    scale: x.scale)
        let l = try polynomial(clipped, a: erfA, b: erfB, c: 1)
        return ScaledInteger(x.q.signum() * l.q, scale: l.scale)
    }

    /// i-GELU: x·½(1 + erf(x/√2)) with i-erf, output scale S·S_erf/2.
    public static func gelu(_ x: ScaledInteger) throws(QuantizationError) -> ScaledInteger {
        let e = try erf(ScaledInteger(x.q, scale: x.scale / 2.0.squareRoot()))
        let one = floorDiv(1 / e.scale)
        let sum = try checked(e.q.addingReportingOverflow(one), "i-gelu")
        return ScaledInteger(try checked(x.q.multipliedReportingOverflow(by: sum), "i-gelu"), scale: x.scale * e.scale / 2)
    }

    /// i-exp on x ≤ 0: x = −z·ln2 + p with p ∈ (−ln 2, 0], the polynomial for e^p, then a right shift by z.
    public static func exp(_ x: ScaledInteger) throws(QuantizationError) -> ScaledInteger {
        guard x.q <= 0 else { throw QuantizationError(field: "x", message: "i-exp takes x ≤ 0 (subtract the maximum first)") }
        guard x.scale.isFinite, x.scale > 0 else {
            throw QuantizationError(field: "scale", message: "\(x.scale) must be a finite number above 0")
        }
        let qLn2 = floorDiv(0.6931471805599453 / x.scale)
        guard qLn2 >= 1 else { throw QuantizationError(field: "scale", message: "\(x.scale) is coarser than ln 2") }
        let q = max(x.q, -expMaxShift * qLn2)
        let z = (-q) / qLn2                          // both non-negative: truncation is the floor
        let p = q + z * qLn2
        let (a, b, c) = expCoefficients
        let qb = floorDiv(b / a / x.scale), qc = floorDiv(c / a / (x.scale * x.scale))
        let inner = try checked(p.addingReportingOverflow(qb), "i-exp")
        let poly = try checked(try checked(inner.multipliedReportingOverflow(by: p), "i-exp").addingReportingOverflow(qc), "i-exp")
        return ScaledInteger(poly >> z, scale: a * x.scale * x.scale)
    }

    /// Integer Softmax of one row: subtract the maximum, i-exp, sum, and divide with a 2^32 fixed-point factor.
    /// The output has scale 2^−outputBits (values 0…2^outputBits).
    public static func softmax(_ row: [Int32], scale: Double, outputBits: Int = 8) throws(QuantizationError) -> [Int32] {
        guard !row.isEmpty else { throw QuantizationError(field: "row", message: "a Softmax row needs at least one value") }
        guard (1...16).contains(outputBits) else {
            throw QuantizationError(field: "output-bits", message: "\(outputBits) is out of range; allowed 1...16")
        }
        let maximum = Int64(row.max()!)
        var exps: [Int64] = []
        exps.reserveCapacity(row.count)
        for v in row { exps.append(try exp(ScaledInteger(Int64(v) - maximum, scale: scale)).q) }
        let sum = exps.reduce(0, +)
        guard sum > 0 else { throw QuantizationError(field: "scale", message: "every exponential rounded to 0") }
        let factor = (Int64(1) << 32) / sum
        return try exps.map { e throws(QuantizationError) in
            Int32(try checked(e.multipliedReportingOverflow(by: factor), "softmax") >> (32 - outputBits))
        }
    }

    /// i-sqrt (Alg. 4): ⌊√n⌋ by Newton's method from 2^⌈bits(n)/2⌉, with the number of Newton steps taken
    /// (each computes one new estimate; the last one confirms convergence).
    public static func sqrt(_ n: Int64) throws(QuantizationError) -> (root: Int64, iterations: Int) {
        guard n >= 0 else { throw QuantizationError(field: "n", message: "\(n) must not be negative") }
        if n == 0 { return (0, 0) }
        var x = Int64(1) << ((64 - n.leadingZeroBitCount + 1) / 2)
        var iterations = 0
        while true {
            let y = (x + n / x) / 2
            iterations += 1
            if y >= x { return (x, iterations) }
            x = y
        }
    }

    /// Integer LayerNorm of one row (before γ and β): centre on the rounded mean, divide by i-sqrt of the variance
    /// with a 2^31 fixed-point factor. Output scale √n / 2^30, as I-BERT's code has it.
    public static func layerNorm(_ row: [Int32]) throws(QuantizationError) -> (values: [Int32], scale: Double) {
        guard row.count >= 2 else {
            throw QuantizationError(field: "row", message: "LayerNorm needs at least 2 values, got \(row.count)")
        }
        let n = Int64(row.count)
        let total = row.reduce(Int64(0)) { $0 + Int64($1) }
        let mean = (2 * total + n).floorDivided(by: 2 * n)                   // ⌊total/n + ½⌋
        let centred = row.map { Int64($0) - mean }
        var variance: Int64 = 0
        for y in centred {
            variance = try checked(variance.addingReportingOverflow(try checked(y.multipliedReportingOverflow(by: y), "layernorm")), "layernorm")
        }
        let root = try sqrt(variance).root
        let scale = Double(row.count).squareRoot() / Double(1 << 30)
        guard root > 0 else { return ([Int32](repeating: 0, count: row.count), scale) }
        let factor = (Int64(1) << 31) / root
        let values = try centred.map { y throws(QuantizationError) in
            Int32(clamping: try checked(y.multipliedReportingOverflow(by: factor), "layernorm") >> 1)
        }
        return (values, scale)
    }
}

/// Floating-point references for the kernels above.
public enum Reference {
    public static func gelu(_ x: Double) -> Double { 0.5 * x * (1 + Glibc.erf(x / 2.0.squareRoot())) }
    /// x·σ(1.702x), the sigmoid approximation of GELU.
    public static func sigmoidGELU(_ x: Double) -> Double { x / (1 + Glibc.exp(-1.702 * x)) }
    /// h-GELU: x·ReLU6(1.702x + 3)/6.
    public static func hardGELU(_ x: Double) -> Double { x * min(6, max(0, 1.702 * x + 3)) / 6 }
    /// I-BERT's GELU approximation in real arithmetic (no quantization).
    public static func polynomialGELU(_ x: Double) -> Double {
        let u = x / 2.0.squareRoot()
        let l = (u < 0 ? -1.0 : 1.0) * (IBERT.erfA * pow2(min(abs(u), -IBERT.erfB) + IBERT.erfB) + 1)
        return 0.5 * x * (1 + l)
    }
    public static func exp(_ x: Double) -> Double { Glibc.exp(x) }
    /// I-BERT's exp polynomial on p ∈ (−ln 2, 0] in real arithmetic, with the code's or the printed coefficients.
    public static func polynomialExp(_ p: Double, printed: Bool = false) -> Double {
        if printed { return 0.3585 * pow2(p + 1.353) + 0.344 }
        let (a, b, c) = IBERT.expCoefficients
        return (a * p + b) * p + c
    }
    public static func softmax(_ x: [Double]) -> [Double] {
        let m = x.max() ?? 0
        let e = x.map { Glibc.exp($0 - m) }
        let s = e.reduce(0, +)
        return e.map { $0 / s }
    }
    public static func layerNorm(_ x: [Double]) -> [Double] {
        let n = Double(x.count), mean = x.reduce(0, +) / n
        let variance = x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / n
        return x.map { ($0 - mean) / variance.squareRoot() }
    }
}


func pow2(_ x: Double) -> Double { x * x }

extension Int64 {
    /// ⌊self / d⌋ for d > 0.
    func floorDivided(by d: Int64) -> Int64 {
        let q = self / d
        return (self % d != 0 && self < 0) ? q - 1 : q
    }
}

/// How far an approximation is from its reference on a dense grid: the RMS (I-BERT Tab. 1's "L2") and the maximum
/// absolute difference ("L∞").
public struct ApproximationError: Sendable, Equatable {
    public var rms: Double
    public var maximum: Double
    /// Where the maximum occurs.
    public var argmax: Double

    /// Samples `samples` + 1 evenly spaced points of [lo, hi].
    public static func measure(_ f: (Double) -> Double, against reference: (Double) -> Double, from lo: Double,
                               to hi: Double, samples: Int = 800_000) -> ApproximationError {
        var sum = 0.0, worst = 0.0, at = lo
        for i in 0...samples {
            let x = lo + (hi - lo) * Double(i) / Double(samples)
            let e = f(x) - reference(x)
            sum += e * e
            if abs(e) > worst { worst = abs(e); at = x }
        }
        return ApproximationError(rms: (sum / Double(samples + 1)).squareRoot(), maximum: worst, argmax: at)
    }
}
