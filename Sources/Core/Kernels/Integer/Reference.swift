#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Floating-point references for the integer kernels, and the float GELU approximations of I-BERT's Tab. 1.
///
/// ```swift
/// Reference.gelu(1.0)            // 0.84134  (x·Φ(x))
/// Reference.sigmoidGELU(1.0)     // 0.84580  (x·σ(1.702x))
/// Reference.hardGELU(1.0)        // 0.78367  (x·ReLU6(1.702x + 3)/6)
/// Reference.polynomialGELU(1.0)  // 0.83717  (I-BERT's polynomial in real arithmetic)
/// ```
public enum Reference {
    /// The exact GELU, x·½[1 + erf(x/√2)] (libm's erf).
    public static func gelu(_ x: Double) -> Double { 0.5 * x * (1 + libmErf(x / 2.0.squareRoot())) }

    /// x·σ(1.702x), the sigmoid approximation of GELU (Hendrycks and Gimpel).
    public static func sigmoidGELU(_ x: Double) -> Double { x / (1 + libmExp(-1.702 * x)) }

    /// h-GELU, x·ReLU6(1.702x + 3)/6 (I-BERT Tab. 1's integer-friendly baseline).
    public static func hardGELU(_ x: Double) -> Double { x * Swift.min(6, Swift.max(0, 1.702 * x + 3)) / 6 }

    /// I-BERT's erf approximation, sgn(x)·[a(min(|x|, −b) + b)² + 1], in real arithmetic.
    public static func polynomialErf(_ x: Double) -> Double {
        let p = SecondOrderPolynomial.erf
        let value = p(Swift.min(abs(x), -p.b))
        return x < 0 ? -value : (x > 0 ? value : 0)
    }

    /// i-GELU in real arithmetic (no quantization): x·½[1 + L(x/√2)].
    public static func polynomialGELU(_ x: Double) -> Double { 0.5 * x * (1 + polynomialErf(x / 2.0.squareRoot())) }

    /// libm's erf.
    public static func erf(_ x: Double) -> Double { libmErf(x) }

    /// libm's exp.
    public static func exp(_ x: Double) -> Double { libmExp(x) }

    /// I-BERT's exp polynomial on p ∈ (−ln 2, 0] in real arithmetic: the code's coefficients, or with
    /// `printed: true` the rounded 0.3585(p + 1.353)² + 0.344 of the paper.
    public static func polynomialExp(_ p: Double, printed: Bool = false) -> Double {
        printed ? SecondOrderPolynomial.expAsPrinted(p) : SecondOrderPolynomial.exp(p)
    }

    /// i-exp's scheme in real arithmetic: x = −z·ln 2 + p, L(p)·2^−z (x ≤ 0).
    public static func polynomialExpDecomposed(_ x: Double) -> Double {
        let z = (-x / IBERT.ln2).rounded(.down)
        return polynomialExp(x + z * IBERT.ln2) * Double(sign: .plus, exponent: -Int(Swift.min(z, 2000)), significand: 1)
    }

    /// Softmax with the maximum subtracted first; an empty row gives an empty result.
    public static func softmax(_ x: [Double]) -> [Double] {
        guard let m = x.max() else { return [] }
        let e = x.map { libmExp($0 - m) }
        let s = e.reduce(0, +)
        return e.map { $0 / s }
    }

    /// (x − μ)/σ with the population variance; a constant row gives zeros (the ε → 0 limit).
    public static func layerNorm(_ x: [Double]) -> [Double] {
        guard !x.isEmpty else { return [] }
        let n = Double(x.count), mean = x.reduce(0, +) / n
        let variance = x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / n
        guard variance > 0 else { return x.map { _ in 0 } }
        return x.map { ($0 - mean) / variance.squareRoot() }
    }

    private static func libmErf(_ x: Double) -> Double {
        #if canImport(Glibc)
        return Glibc.erf(x)
        #else
        return Darwin.erf(x)
        #endif
    }

    private static func libmExp(_ x: Double) -> Double {
        #if canImport(Glibc)
        return Glibc.exp(x)
        #else
        return Darwin.exp(x)
        #endif
    }
}
