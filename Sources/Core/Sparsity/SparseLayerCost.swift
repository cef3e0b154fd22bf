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
        var heads = m.heads, neurons = m.dFFN
        switch pattern {
        case let .unstructured(s): try Pruning.validate(sparsity: s)
        case let .structured(keptHeads, keptNeurons):
            try ConfigurationError.require(keptHeads, in: 1...m.heads, field: "kept-heads")
            try ConfigurationError.require(keptNeurons, in: 1...m.dFFN, field: "kept-neurons")
            heads = keptHeads
            neurons = keptNeurons
        case .dense, .twoOfFour: break
        }
        let L = Double(l), D = Double(m.dModel), Dh = Double(m.headDimension), H = Double(heads), F = Double(neurons)
        let A = H * Dh                                   // width of the attention that remains
        let v = bytesPerValue
        func projection(_ path: String, inner: Double, out: Double) -> OperationCost {
            let (wBytes, fraction) = weights(inner * out, pattern, hardware, v)
            let macs = inner * out * L
            return OperationCost(path: path, macs: macs * fraction, flops: 2 * macs * fraction, vectorOps: 0,
                                 bytes: wBytes + (inner + out) * L * v)
        }
        func elementwise(_ path: String, _ cost: CountingConvention.ElementCost, _ n: Double, extra: Double = 0) -> OperationCost {
            OperationCost(path: path, macs: 0, flops: cost.flops * n, vectorOps: cost.flops * n, bytes: (cost.bytes * n + extra) * v)
        }
        return [
            projection("mha/wq", inner: D, out: A), projection("mha/wk", inner: D, out: A),
            projection("mha/wv", inner: D, out: A),
            OperationCost(path: "mha/qk", macs: H * L * L * Dh, flops: H * L * L * (2 * Dh - 1), vectorOps: 0,
                          bytes: H * (2 * L * Dh + L * L) * v),
            elementwise("mha/softmax", c.softmax, H * L * L),
            OperationCost(path: "mha/sv", macs: H * L * L * Dh, flops: H * Dh * L * (2 * L - 1), vectorOps: 0,
                          bytes: H * (L * L + 2 * L * Dh) * v),
            projection("mha/wout", inner: A, out: D),
            elementwise("mha/residual", c.attentionResidual, L * D),
            elementwise("mha/layernorm", c.layerNorm, L * D, extra: c.layerNormParameterBytes * D),
            projection("ffn/w1", inner: D, out: F),
            elementwise("ffn/gelu", c.gelu, L * F),
            projection("ffn/w2", inner: F, out: D),
            elementwise("ffn/residual", c.ffnResidual, L * D),
            elementwise("ffn/layernorm", c.layerNorm, L * D, extra: c.layerNormParameterBytes * D),
        ]
    }
}
