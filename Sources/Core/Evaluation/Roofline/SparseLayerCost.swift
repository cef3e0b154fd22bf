/// How a layer's weights are pruned, for the cost model.
public enum SparsityPattern: Sendable, Hashable {
    case dense
    /// A fraction s of every weight matrix's elements is zero, anywhere.
    case unstructured(Double)
    /// 2 of every 4 consecutive weights are zero.
    case twoOfFour
    /// Whole heads and FFN neurons removed: `keptHeads` of h heads and `keptNeurons` of d_FFN neurons remain.
    case structured(keptHeads: Int, keptNeurons: Int)
}

/// What executes the pruned layer.
public enum SparseHardware: String, Sendable, Hashable, CaseIterable {
    /// A dense systolic array: it multiplies zeros like any other weight and reads weights in dense layout.
    case denseArray
    /// An idealised sparse unit: it skips every zero weight's MAC at no overhead and reads compressed weights
    /// (a bitmask for unstructured sparsity, 2-bit indices for 2:4).
    case sparseUnit
}

/// One encoder layer's MACs, FLOPs and bytes after pruning, on a dense array or an idealised sparse unit
/// (survey §4.2). The dense case equals ``LayerGraph/encoder(_:sequenceLength:convention:)`` exactly (tests check).
///
/// ```swift
/// let dense = try SparseLayerCost.encoderLayer(.bertBase, sequenceLength: 128, pattern: .dense, hardware: .denseArray)
/// let half = try SparseLayerCost.encoderLayer(.bertBase, sequenceLength: 128, pattern: .twoOfFour, hardware: .sparseUnit)
/// ```
public enum SparseLayerCost {
    /// Bytes of a pruned d_in × d_out weight matrix with `bytesPerValue`-byte values, and the fraction of its MACs
    /// the hardware performs.
    static func weights(_ elements: Double, _ pattern: SparsityPattern, _ hw: SparseHardware, _ bytesPerValue: Double)
        -> (bytes: Double, macFraction: Double) {
        switch (pattern, hw) {
        case (.dense, _), (.structured, _), (_, .denseArray):
            return (elements * bytesPerValue, 1)
        case let (.unstructured(s), .sparseUnit):
            return (elements * (1 - s) * bytesPerValue + elements / 8, 1 - s)           // values + 1-bit mask
        case (.twoOfFour, .sparseUnit):
            return (elements / 2 * bytesPerValue + elements / 2 * 2 / 8, 0.5)         // values + 2-bit index each
        }
    }

    public static func encoderLayer(_ m: TransformerConfig, sequenceLength l: Int, pattern: SparsityPattern,
                                    hardware: SparseHardware, bytesPerValue: Double = 1,
                                    convention c: CountingConvention = .survey) throws(ConfigurationError) -> [OperationCost] {
        try m.validate()
        try TransformerConfig.validate(sequenceLength: l)
        var layer = LayerGraph.encoder(m, sequenceLength: l, convention: c)
        switch pattern {
        case let .unstructured(s): try Pruning.validate(sparsity: s)
        case let .structured(keptHeads, keptNeurons):
            try ConfigurationError.require(keptHeads, in: 1...m.heads, field: "keptHeads")
            try ConfigurationError.require(keptNeurons, in: 1...m.dFFN, field: "keptNeurons")
            layer = layer.keepingHeads(keptHeads).keepingNeurons(keptNeurons)
        case .dense, .twoOfFour: break
        }
        return costs(layer, pattern: pattern, hardware: hardware, bytesPerValue: bytesPerValue)
    }

    /// The cost of every operation of `layer` (attention ones summed over heads) with its weights pruned by
    /// `pattern` on `hardware`, every value `bytesPerValue` bytes. Structured pruning is not applied here: it is
    /// a transform of the layer (``LayerGraph/keepingHeads(_:)``, ``LayerGraph/keepingNeurons(_:)``).
    public static func costs(_ layer: LayerGraph, pattern: SparsityPattern, hardware: SparseHardware,
                             bytesPerValue v: Double = 1) -> [OperationCost] {
        layer.groupedByIdentity.map { identity, group in
            let counts = group.reduce(WorkCounts.zero) { $0 + $1.counts }
            switch group[0].shape {
            case let .matmul(s) where identity.hasWeights:
                let tokens = Double(s.m), out = Double(s.n), inner = Double(s.k)
                let (wBytes, fraction) = weights(inner * out, pattern, hardware, v)
                let macs = inner * out * tokens
                return OperationCost(identity: identity, path: identity.path, macs: macs * fraction,
                                     flops: 2 * macs * fraction, vectorOps: 0, bytes: wBytes + (inner + out) * tokens * v)
            case let .matmul(s):
                return OperationCost(identity: identity, path: identity.path, macs: Double(group.count * s.macs),
                                     flops: counts.flops, vectorOps: 0, bytes: counts.bytes * v)
            case .elementwise:
                return OperationCost(identity: identity, path: identity.path, macs: 0, flops: counts.flops,
                                     vectorOps: counts.flops, bytes: counts.bytes * v)
            }
        }
    }
}
