/// How far an approximation is from its reference: I-BERT Tab. 1's "L2" and "L∞" distances.
///
/// Tab. 1 reports, on [−4, 4], an L2 of 0.012 for x·σ(1.702x), 0.031 for h-GELU and 0.0082 for i-GELU. Those are
/// root-mean-square differences over the interval, √(mean of e²) ≈ √(∫e² dx / 8): 0.01181, 0.03060, 0.00819.
/// The plain root-sum-square over a grid depends on the grid size, and the L2 norm of the function, √(∫e² dx),
/// is √8 times larger (0.0334, 0.0866, 0.0232); neither matches. So `rms` is the L2 that Tab. 1 means.
/// L∞ is the largest |difference|.
///
/// ```swift
/// let e = ApproximationError.measure(Reference.sigmoidGELU, against: Reference.gelu, from: -4, to: 4)
/// e.rms        // 0.011815  (Tab. 1: 0.012)
/// e.maximum    // 0.020335  (Tab. 1: 0.020), at e.argmax = −2.2704
/// ```
public struct ApproximationError: Sendable, Equatable {
    /// √(mean of e²): I-BERT Tab. 1's "L2".
    public var rms: Double
    /// max |e|: "L∞".
    public var maximum: Double
    /// Where the maximum occurs (the first such point).
    public var argmax: Double
    /// The mean of |e|.
    public var meanAbsolute: Double

    public init(rms: Double, maximum: Double, argmax: Double, meanAbsolute: Double) {
        self.rms = rms
        self.maximum = maximum
        self.argmax = argmax
        self.meanAbsolute = meanAbsolute
    }

    /// Samples `samples` + 1 evenly spaced points of [lo, hi], both ends included.
    public static func measure(_ f: (Double) -> Double, against reference: (Double) -> Double, from lo: Double,
                               to hi: Double, samples: Int = 800_000) -> ApproximationError {
        let count = Swift.max(samples, 1)
        let xs = (0...count).map { lo + (hi - lo) * Double($0) / Double(count) }
        return compare(xs.map(f), xs.map(reference), at: xs)
    }

    /// Compares two equally long lists of values (an integer kernel's dequantized outputs and the reference);
    /// `at` labels each position for `argmax` (default: the index). Empty lists give zeros.
    public static func compare(_ values: [Double], _ reference: [Double], at positions: [Double]? = nil)
        -> ApproximationError {
        var sum = 0.0, absolute = 0.0, worst = 0.0, at = positions?.first ?? 0
        let count = Swift.min(values.count, reference.count)
        for i in 0..<count {
            let e = values[i] - reference[i]
            sum += e * e
            absolute += abs(e)
            if abs(e) > worst {
                worst = abs(e)
                at = positions.map { $0[i] } ?? Double(i)
            }
        }
        guard count > 0 else { return ApproximationError(rms: 0, maximum: 0, argmax: 0, meanAbsolute: 0) }
        return ApproximationError(rms: (sum / Double(count)).squareRoot(), maximum: worst, argmax: at,
                                  meanAbsolute: absolute / Double(count))
    }
}
