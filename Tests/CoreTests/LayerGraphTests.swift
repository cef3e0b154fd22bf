import Testing
@testable import Core

/// The layer graph as the one description of a layer: identities, the one name mapping, transforms, and the
/// evaluators that read it agreeing with each other.
@Suite("Layer graph: identities, transforms, evaluators")
struct LayerGraphTests {
    @Test("every identity has its own path, in its module, and appears in the graphs of its block (once per key/value head when per head)")
    func identities() {
        let paths = LayerOperationID.allCases.map(\.path)
        #expect(Set(paths).count == paths.count)
        for id in LayerOperationID.allCases { #expect(id.path.hasPrefix(id.module.path + "/")) }
        let modernOnly: Set<LayerOperationID> = [.attentionRMSNorm, .ffnRMSNorm, .rotaryEmbedding, .ffnGate, .swiglu]
        let surveyOnly: Set<LayerOperationID> = [.attentionLayerNorm, .gelu, .ffnLayerNorm]
        let output: Set<LayerOperationID> = [.finalNorm, .lmHead]
        let blocks: [(graphs: [LayerGraph], expected: [LayerOperationID], perHead: Int)] = [
            ([LayerGraph.encoder(.bertBase, sequenceLength: 16), LayerGraph.decoderStep(.gpt2, step: 3)],
             LayerOperationID.allCases.filter { !modernOnly.contains($0) && !output.contains($0) }, 12),
            ([LayerGraph.encoder(.llama3_8B, sequenceLength: 16), LayerGraph.decoderStep(.llama3_8B, step: 3)],
             [.attentionRMSNorm, .queryProjection, .keyProjection, .valueProjection, .rotaryEmbedding, .scores, .softmax, .context,
              .outputProjection, .attentionResidual, .ffnRMSNorm, .ffnGate, .ffnUp, .swiglu, .ffnDown, .ffnResidual], 8),
        ]
        for block in blocks {
            for graph in block.graphs {
                for id in block.expected { #expect(graph.nodes(id).count == (id.isPerHead ? block.perHead : 1), "\(id)") }
                #expect(Set(graph.operations.map(\.id)).count == graph.operations.count)
                #expect(graph.groupedByIdentity.map(\.identity) == block.expected)
            }
        }
        #expect(Set(LayerOperationID.allCases) == modernOnly.union(surveyOnly).union(output).union(blocks[0].expected).union(blocks[1].expected))
        #expect(LayerGraph.outputOperations(.llama3_8B).map(\.identity) == [.finalNorm, .lmHead])
        #expect(LayerGraph.outputOperations(.gpt2).isEmpty)
        #expect(LayerOperationID.scores.nodeID(head: 3, heads: 12) == "mha/head03/qk")
    }

    @Test("a matmul's shape has its counts' MACs; an element-wise node's shape has its elements")
    func shapesMatchCounts() {
        let g = LayerGraph.encoder(.bertLarge, sequenceLength: 100)
        for op in g.operations {
            switch op.shape {
            case let .matmul(s) where op.identity.hasWeights: #expect(op.counts.flops == 2 * Double(s.macs))
            case let .matmul(s): #expect(op.counts.flops == Double(s.m * s.n * (2 * s.k - 1)))
            case let .elementwise(rows, length):
                #expect(op.counts.flops == g.convention.elementCost(op.identity).flops * Double(rows * length))
            }
        }
    }

    @Test("pruning and token dropping are graphs of the changed widths")
    func transforms() {
        let g = LayerGraph.encoder(.bertBase, sequenceLength: 128)
        let pruned = g.keepingHeads(6).keepingNeurons(1536)
        #expect(pruned.shape == LayerShape(dModel: 768, heads: 6, headDimension: 64, dFFN: 1536))
        #expect(pruned.nodes(.scores).count == 6)
        #expect(g.keepingTokens(64).total == LayerGraph.encoder(.bertBase, sequenceLength: 64).total)
        #expect(LayerGraph.decoderStep(.gpt2, step: 5).keepingTokens(2).step == .decoder(step: 5))
    }

    @Test("the accelerator's view sums heads and reads §3.3's precisions off the graph's edges")
    func acceleratorView() {
        let ops = AcceleratorOperation.encoderLayer(.bertBase, sequenceLength: 128)
        let wide = ops.compactMap { op -> LayerOperationID? in
            guard case let .matmul(_, _, output, _) = op.work, output == .wide else { return nil }
            return op.identity
        }
        #expect(wide == [.scores, .outputProjection, .ffnUp, .ffnDown])
        let residual = ops.first { $0.identity == .ffnResidual }!
        guard case let .nonlinear(rows, length, passes, reads, _, _, _) = residual.work else { Issue.record("not non-linear"); return }
        #expect((rows, length, passes, reads) == (128, 768, 1, [.wide, .narrow]))
        let graphFlops = LayerGraph.encoder(.bertBase, sequenceLength: 128).total.flops
        #expect(ops.reduce(0) { $0 + $1.flops } == graphFlops)
    }

    @Test("the SFU model counts passes over the graph's elements")
    func sfuCycles() throws {
        let c = try SFUCycles(.bertBase, sequenceLength: 128, accelerator: .analyticalModel)
        let lanes = Double(Accelerator.analyticalModel.sfuWidth)
        #expect(c.sfu[0].cycles == 3 * 12 * 128 * 128 * 12 / lanes)       // Softmax: 3 passes over h·l² scores, 12 layers
        #expect(c.sfu[1].cycles == 3 * 2 * 128 * 768 * 12 / lanes)        // two LayerNorms, 3 passes each
    }
}
