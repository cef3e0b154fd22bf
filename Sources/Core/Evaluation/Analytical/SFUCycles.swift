/// Compute cycles of a whole model on an accelerator with a special function unit (survey §3.1-3.3): the PE
/// array's for the matmuls, MACs / (rows · columns), against the SFU's for the non-linear operations, each
/// element streamed through the S lanes once per pass of its kind (``OperationKind/passes``: Softmax 3,
/// LayerNorm 3, GELU 1, a residual add 1). Memory is left out: this is the compute side of the analytical model,
/// to show where an S-lane SFU stops keeping up with the array.
///
/// ```swift
/// let c = try SFUCycles(.bertBase, sequenceLength: 4096, accelerator: .analyticalModel)
/// c.sfuShare        // Softmax's three passes over h·l² scores take a real share at long lengths
/// ```
public struct SFUCycles: Sendable {
    public var sequenceLength: Int
    public var peArray: Double
    /// SFU cycles per kind of non-linear operation: Softmax, LayerNorm, GELU and the residual adds.
    public var sfu: [(name: String, cycles: Double)]
    public var sfuShare: Double { sfu.reduce(0) { $0 + $1.cycles } / (peArray + sfu.reduce(0) { $0 + $1.cycles }) }

    /// `m` over `l` tokens on `a`, whose SFU must have at least one lane. An encoder's elements are its layer
    /// graph's; a decoder's are one step's per token, with Softmax over the positions the counting convention
    /// sums over the causal triangle.
    public init(_ m: TransformerConfig, sequenceLength l: Int, accelerator a: Accelerator,
                convention c: CountingConvention = .survey) throws(ConfigurationError) {
        try a.validate()
        guard a.sfuWidth > 0 else {
            throw ConfigurationError(field: "sfuWidth", message: "the SFU model needs at least one SFU lane")
        }
        let w = try ModelWorkload(m, sequenceLength: l, convention: c)
        let macs = (w.classTotals[.projection]!.flops + w.classTotals[.ffn]!.flops + w.classTotals[.actToAct]!.flops) / 2
        var elements: [OperationKind: Double] = [:]
        switch m.architecture {
        case .encoder:
            for op in LayerGraph.encoder(m, sequenceLength: l, convention: c).operations where !op.kind.isMatmul {
                elements[op.kind, default: 0] += Double(op.shape.elements)
            }
        case .decoder:
            for op in LayerGraph.decoderStep(m, step: 1, convention: c).operations where !op.kind.isMatmul {
                elements[op.kind, default: 0] += Double(op.shape.elements) * Double(l)
            }
            elements[.softmax] = Double(m.heads) * c.triangle.totalPositions(sequenceLength: l, window: m.block.slidingWindow)
        }
        let layers = Double(m.layers)
        sequenceLength = l
        peArray = macs / Double(a.meshRows * a.meshColumns)
        // A modern block's kinds (RMSNorm, SwiGLU's product, rotary embedding) where the model has them.
        sfu = [(OperationKind.softmax, "Softmax"), (.layerNorm, "LayerNorm"), (.rmsNorm, "RMSNorm"), (.gelu, "GELU"),
               (.swiglu, "SiLU(gate) ⊙ up"), (.rotary, "RoPE"), (.residualAdd, "residual adds")]
            .filter { kind, _ in elements[kind, default: 0] > 0 }
            .map { kind, name in
                (name: name, cycles: Double(kind.passes) * elements[kind, default: 0] * layers / Double(a.sfuWidth))
            }
    }
}
