#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Seeded stand-ins for a layer's weights and activations, shaped like the ones quantization papers describe:
/// bell-shaped weights, and activations whose few outlier hidden channels are far larger than the rest (the
/// "activation outliers" of survey §4.1). They are synthetic and say so; they show mechanisms, not accuracy.
///
/// ```swift
/// let w = try SyntheticTensors.gaussian(rows: 768, columns: 768, standardDeviation: 0.02, seed: 1)
/// let x = try SyntheticTensors.outlierActivations(tokens: 128, channels: 768, outlierChannels: 6,
///                                                  outlierScale: 50, seed: 2)
/// ```
public enum SyntheticTensors {
    /// A standard normal sample (Box-Muller on two 53-bit uniforms from SplitMix64).
    static func normal(_ g: inout SeededGenerator) -> Double {
        let u1 = (Double(g.next() >> 11) + 1) / 9_007_199_254_740_993.0   // (0, 1]
        let u2 = Double(g.next() >> 11) / 9_007_199_254_740_992.0         // [0, 1)
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// i.i.d. normal values with mean 0 (BERT initialises its weights with σ = 0.02).
    public static func gaussian(rows: Int, columns: Int, standardDeviation: Double, seed: UInt64) throws(ConfigurationError)
        -> RealMatrix {
        guard standardDeviation.isFinite, standardDeviation > 0 else {
            throw ConfigurationError(field: "standardDeviation", message: "\(standardDeviation) must be above 0")
        }
        var g = SeededGenerator(seed: seed)
        let count = Swift.max(rows, 0) * Swift.max(columns, 0)
        return try RealMatrix(rows: rows, columns: columns,
                              values: (0..<count).map { _ in standardDeviation * normal(&g) })
    }

    /// Per-output-channel weights: row r has its own spread σ·2^u with u uniform in [−2, 2], as trained layers'
    /// rows differ in range (which is what per-channel scales exploit).
    public static func unevenRows(rows: Int, columns: Int, standardDeviation: Double, seed: UInt64)
        throws(ConfigurationError) -> RealMatrix {
        var m = try gaussian(rows: rows, columns: columns, standardDeviation: standardDeviation, seed: seed)
        var g = SeededGenerator(seed: seed ^ 0x5DEE_CE66)
        for r in 0..<rows {
            let spread = pow(2, 4 * Double(g.next() >> 11) / 9_007_199_254_740_992.0 - 2)
            for c in 0..<columns { m.values[r * columns + c] *= spread }
        }
        return m
    }

    /// Token × channel activations: standard normal, except `outlierChannels` evenly spaced channels scaled by
    /// `outlierScale` (1 gives plain normal activations).
    public static func outlierActivations(tokens: Int, channels: Int, outlierChannels: Int, outlierScale: Double,
                                          seed: UInt64) throws(ConfigurationError) -> RealMatrix {
        try ConfigurationError.require(outlierChannels, in: 0...Swift.max(channels, 0), field: "outlierChannels")
        guard outlierScale.isFinite, outlierScale >= 1 else {
            throw ConfigurationError(field: "outlierScale", message: "\(outlierScale) must be at least 1")
        }
        var m = try gaussian(rows: tokens, columns: channels, standardDeviation: 1, seed: seed)
        for c in outlierChannelIndices(channels: channels, count: outlierChannels) {
            for t in 0..<tokens { m.values[t * channels + c] *= outlierScale }
        }
        return m
    }

    /// The outlier channels' indices: `count` evenly spaced over `channels`.
    public static func outlierChannelIndices(channels: Int, count: Int) -> [Int] {
        guard count > 0 else { return [] }
        return (0..<count).map { $0 * channels / count + channels / (2 * count) }
    }
}
