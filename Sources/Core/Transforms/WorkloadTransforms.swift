/// What optimisations do to a workload (survey §4.1-4.2): each returns a new ``LayerGraph`` built from changed
/// widths or tokens (or a ``ModelWorkload`` stored at another precision), never a copy of the layer written out
/// by hand.
///
/// ```swift
/// let layer = LayerGraph.encoder(.bertBase, sequenceLength: 512)
/// layer.keepingHeads(6).keepingNeurons(1536)   // structured pruning: half the heads and FFN neurons
/// layer.keepingTokens(358)                     // token pruning: 70% of the tokens reach this layer
/// ```
extension LayerGraph {
    /// Head pruning: `heads` of the layer's query heads remain, each as wide as before. Under grouped-query
    /// attention whole groups go: the key/value heads become heads / (h/kv), or every head keeps its own key and
    /// value when `heads` is not a whole number of groups.
    public func keepingHeads(_ heads: Int) -> LayerGraph {
        var s = shape
        if s.block.kvHeads != nil {
            let group = s.groupSize
            s.block.kvHeads = heads % group == 0 ? heads / group : heads
        }
        s.heads = heads
        return LayerGraph(s, step: step, batch: batch, convention: convention)
    }

    /// FFN neuron pruning: `neurons` of d_FFN remain.
    public func keepingNeurons(_ neurons: Int) -> LayerGraph {
        var s = shape
        s.dFFN = neurons
        return LayerGraph(s, step: step, batch: batch, convention: convention)
    }

    /// Token pruning: the same encoder layer seeing `tokens` tokens.
    public func keepingTokens(_ tokens: Int) -> LayerGraph {
        guard case .encoder = step else { return self }
        return LayerGraph(shape, step: .encoder(sequenceLength: tokens), batch: batch, convention: convention)
    }
}

extension ModelWorkload {
    /// Quantization's effect on the workload: every value stored in `bytes` bytes instead of the survey's 1
    /// (FP32 4, FP16 2, INT8 1), so every operation moves that many times the bytes; FLOPs do not change.
    public func quantized(bytesPerValue bytes: Double) -> ModelWorkload {
        var w = self
        w.operations = operations.map { op in
            var op = op
            op.counts.bytes = op.counts.bytes / bytesPerValue * bytes
            return op
        }
        w.bytesPerValue = bytes
        return w
    }
}
