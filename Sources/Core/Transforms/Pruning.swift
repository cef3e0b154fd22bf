/// Which weights a pruning method keeps: one flag per element, and the sparsity that results.
public struct PruningMask: Sendable, Hashable {
    public var kept: [Bool]

    public init(kept: [Bool]) { self.kept = kept }

    public var prunedCount: Int { kept.lazy.filter { !$0 }.count }
    /// Pruned elements over all elements (0 for an empty mask).
    public var sparsity: Double { kept.isEmpty ? 0 : Double(prunedCount) / Double(kept.count) }

    /// `values` with the pruned ones set to 0.
    public func apply(_ values: [Double]) -> [Double] { zip(values, kept).map { $1 ? $0 : 0 } }
}

/// Pruning methods of survey §4.2, on real weight matrices: unstructured magnitude pruning, N:M (2:4) pruning,
/// and structured pruning of whole FFN neurons or attention heads by the L2 norm of their weights.
///
/// A sparsity s asks for round(s·n) of n units to be pruned (to nearest, ties to even): the achieved sparsity is
/// exactly s whenever s·n is a whole number, and within 1/(2n) of it otherwise.
///
/// ```swift
/// let m = try Pruning.magnitude([0.3, -0.1, 0.05, -0.8], sparsity: 0.5)
/// m.kept          // [true, false, false, true]: the two smallest |w| go
/// ```
public enum Pruning {
    /// Sparsities the methods accept: 0 (nothing pruned) up to, not including, 1.
    public static func validate(sparsity s: Double, field: String = "sparsity") throws(ConfigurationError) {
        guard s.isFinite, s >= 0, s < 1 else {
            throw ConfigurationError(field: field, message: "\(s) is out of range; allowed 0 ≤ s < 1")
        }
    }

    /// round(s·n), to nearest with ties to even.
    public static func prunedCount(units n: Int, sparsity s: Double) -> Int {
        Int((s * Double(n)).rounded(.toNearestOrEven))
    }

    /// Flags the `count` smallest `scores` (true = pruned), ties broken by the lower index (deterministic): every
    /// score below the count-th smallest goes, then the equal ones in index order until `count` are flagged.
    static func smallest(_ scores: [Double], count: Int) -> [Bool] {
        var pruned = [Bool](repeating: false, count: scores.count)
        guard count > 0 else { return pruned }
        guard count < scores.count else { return [Bool](repeating: true, count: scores.count) }
        let threshold = scores.sorted()[count - 1]
        var flagged = 0
        for i in scores.indices where scores[i] < threshold {
            pruned[i] = true
            flagged += 1
        }
        for i in scores.indices where flagged < count && scores[i] == threshold {
            pruned[i] = true
            flagged += 1
        }
        return pruned
    }

    /// Unstructured magnitude pruning: the round(s·n) weights of smallest |w| are removed.
    public static func magnitude(_ weights: [Double], sparsity: Double) throws(ConfigurationError) -> PruningMask {
        try validate(sparsity: sparsity)
        let drop = smallest(weights.map { abs($0) }, count: prunedCount(units: weights.count, sparsity: sparsity))
        return PruningMask(kept: drop.map { !$0 })
    }

    /// N:M pruning: in every group of M consecutive weights of a row, the N largest |w| stay (2:4 is what NVIDIA's
    /// sparse Tensor Cores run). The sparsity is exactly 1 − N/M; the row length must be a multiple of M.
    public static func nOfM(_ w: RealMatrix, keep n: Int, of m: Int) throws(ConfigurationError) -> PruningMask {
        try ConfigurationError.require(m, in: 1...64, field: "groupSize")
        try ConfigurationError.require(n, in: 1...m, field: "keptPerGroup")
        guard w.columns % m == 0 else {
            throw ConfigurationError(field: "columns", message: "\(w.columns) is not a multiple of the group size \(m)")
        }
        var kept = [Bool](repeating: false, count: w.values.count)
        for r in 0..<w.rows {
            for g in stride(from: 0, to: w.columns, by: m) {
                let base = r * w.columns + g
                let scores = (0..<m).map { abs(w.values[base + $0]) }
                let drop = smallest(scores, count: m - n)
                for j in 0..<m where !drop[j] { kept[base + j] = true }
            }
        }
        return PruningMask(kept: kept)
    }

    /// Structured pruning of whole rows (for W1 stored neuron by row: FFN neurons): the round(s·rows) rows of
    /// smallest L2 norm go. Returns the mask over every element and the kept row indices.
    public static func rows(_ w: RealMatrix, sparsity: Double) throws(ConfigurationError) -> (mask: PruningMask, keptRows: [Int]) {
        try validate(sparsity: sparsity)
        var norms = [Double](repeating: 0, count: w.rows)
        for (i, v) in w.values.enumerated() { norms[i / w.columns] += v * v }
        let drop = smallest(norms, count: prunedCount(units: w.rows, sparsity: sparsity))
        let keptRows = (0..<w.rows).filter { !drop[$0] }
        var kept = [Bool](repeating: false, count: w.values.count)
        for r in keptRows { for c in 0..<w.columns { kept[r * w.columns + c] = true } }
        return (PruningMask(kept: kept), keptRows)
    }

    /// Structured pruning of attention heads: the columns of a d × d projection (W_Q, W_K or W_V, input by row,
    /// output by column) form `heads` contiguous groups; the round(s·heads) heads of smallest L2 norm go.
    public static func heads(_ w: RealMatrix, heads h: Int, sparsity: Double) throws(ConfigurationError)
        -> (mask: PruningMask, keptHeads: [Int]) {
        try validate(sparsity: sparsity)
        try ConfigurationError.require(h, in: 1...Swift.max(1, w.columns), field: "heads")
        guard w.columns % h == 0 else {
            throw ConfigurationError(field: "heads", message: "\(h) heads do not divide \(w.columns) columns")
        }
        let width = w.columns / h
        var norms = [Double](repeating: 0, count: h)
        for (i, v) in w.values.enumerated() { norms[(i % w.columns) / width] += v * v }
        let drop = smallest(norms, count: prunedCount(units: h, sparsity: sparsity))
        let keptHeads = (0..<h).filter { !drop[$0] }
        var kept = [Bool](repeating: false, count: w.values.count)
        for r in 0..<w.rows {
            for head in keptHeads { for j in 0..<width { kept[r * w.columns + head * width + j] = true } }
        }
        return (PruningMask(kept: kept), keptHeads)
    }
}
