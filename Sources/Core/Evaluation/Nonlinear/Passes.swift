#if canImport(Glibc)
import Glibc
#endif

/// A row of values that counts how often each element is read and written, so the number of passes an
/// algorithm makes over its data is measured by running it, not asserted (survey §2.1.1, Fig. 2).
public struct CountingRow: Sendable {
    public private(set) var values: [Double]
    public private(set) var reads = 0
    public private(set) var writes = 0

    public init(_ values: [Double]) { self.values = values }

    public var count: Int { values.count }

    public subscript(_ i: Int) -> Double {
        mutating get { reads += 1; return values[i] }
        set { writes += 1; values[i] = newValue }
    }

    /// Full sweeps of reads over the row.
    public var readPasses: Double { values.isEmpty ? 0 : Double(reads) / Double(values.count) }
}

/// The non-linear operations of the survey's Fig. 2, each written as the passes its textbook algorithm makes,
/// over a ``CountingRow``. Hardware must stream the row from memory once per pass, which is what makes
/// Softmax and LayerNorm costlier on an accelerator than BatchNorm.
public enum NonlinearPasses {
    /// Softmax with the maximum subtracted: pass 1 finds the maximum, pass 2 exponentiates and sums, pass 3
    /// divides.
    public static func softmax(_ row: inout CountingRow) {
        var maximum = -Double.infinity
        for i in 0..<row.count { maximum = max(maximum, row[i]) }
        var sum = 0.0
        for i in 0..<row.count {
            let e = exp(row[i] - maximum)
            row[i] = e
            sum += e
        }
        for i in 0..<row.count { row[i] = row[i] / sum }
    }

    /// Softermax's online normalisation (Stevens et al. 2021): one pass keeps a running maximum and rescales the
    /// running sum when the maximum grows; a second pass normalises. (Softermax also uses base 2; the pass
    /// count does not depend on the base.)
    public static func onlineSoftmax(_ row: inout CountingRow) {
        var maximum = -Double.infinity, sum = 0.0
        for i in 0..<row.count {
            let x = row[i]
            if x > maximum {
                sum = sum * exp(maximum - x) + 1
                maximum = x
            } else {
                sum += exp(x - maximum)
            }
        }
        for i in 0..<row.count { row[i] = exp(row[i] - maximum) / sum }
    }

    /// LayerNorm: pass 1 the mean, pass 2 the variance, pass 3 normalises.
    public static func layerNorm(_ row: inout CountingRow) {
        let n = Double(row.count)
        var sum = 0.0
        for i in 0..<row.count { sum += row[i] }
        let mean = sum / n
        var squares = 0.0
        for i in 0..<row.count {
            let c = row[i] - mean
            squares += c * c
        }
        let inverse = 1 / (squares / n + 1e-5).squareRoot()
        for i in 0..<row.count { row[i] = (row[i] - mean) * inverse }
    }

    /// BatchNorm at inference: the statistics are fixed, so one pass scales and shifts.
    public static func batchNorm(_ row: inout CountingRow, mean: Double, variance: Double, gamma: Double = 1,
                                 beta: Double = 0) {
        let scale = gamma / (variance + 1e-5).squareRoot()
        for i in 0..<row.count { row[i] = (row[i] - mean) * scale + beta }
    }

    /// GELU is element-wise: one pass.
    public static func gelu(_ row: inout CountingRow) {
        for i in 0..<row.count {
            let x = row[i]
            row[i] = 0.5 * x * (1 + erf(x / 2.0.squareRoot()))
        }
    }
}
