import ChapterSupport
import Core
import Render

/// Chapter 6's Graphviz drawings: the Gemmini block diagram (Fig. 12) and one encoder layer's dataflow on the
/// baseline and on the Transformer variant.
enum GemminiFigures {
    static let blue = GraphStyle.Colour.blue, orange = GraphStyle.Colour.orange, green = GraphStyle.Colour.green, pink = GraphStyle.Colour.pink, yellow = GraphStyle.Colour.yellow, grey = GraphStyle.Colour.grey

    static func base(_ name: String, _ title: String, rankdir: String) -> Graph {
        GraphStyle.titled(name, title, rankdir: rankdir, compound: true)
    }

    /// Fig. 12: the SoC (CPU, L2, DRAM) and the Gemmini accelerator, with the units §3.4.4 adds.
    static func blockDiagram(baseline b: Accelerator, transformer t: Accelerator) -> Graph {
        var g = base("gemmini", "Fig. 12: Gemmini in its SoC (baseline \(b.spCapacityBytes / 1024)/\(b.accCapacityBytes / 1024) KiB; dashed: added for Transformers)",
                     rankdir: "TB")
        g.node("cpu", label: "host CPU\n(Rocket, in order)\nruns float GELU, Softmax,\nLayerNorm, (de)quantization", ["fillcolor": pink])
        g.node("l2", label: "shared L2 cache")
        g.node("dram", label: "DRAM", ["shape": "cylinder", "fillcolor": yellow])
        g.node("ctrl", label: "controller\n(command decode, reorder buffer,\nloop unrollers)", ["fillcolor": grey])
        g.node("dma", label: "DMA engine\n\(NumberFormat.trimmed(b.l2BytesPerCycle, maxDecimals: 1)) B/cycle", ["fillcolor": grey])
        g.node("tlb", label: "TLB", ["fillcolor": grey])
        let bank = b.spCapacityBytes / 4 / 1024
        for i in 0..<4 { g.node("sp\(i)", label: "scratchpad bank \(i)\n\(bank) KiB, Int\(b.inputBits)", ["fillcolor": blue]) }
        g.node("acc", label: "accumulator SRAM\n\(b.accCapacityBytes / 1024) KiB, Int\(b.accumulatorBits), adds in place", ["fillcolor": blue])
        g.node("transposer", label: "transposer", ["fillcolor": grey])
        g.node("mesh", label: "spatial array\n\(b.meshRows)×\(b.meshColumns) PEs, weight-stationary", ["fillcolor": orange])
        g.node("peripheral", label: "peripheral units:\nReLU, bitshift, pooling,\nim2col, matrix-scalar multiplier\n(Int32 → Int8 scaling)", ["fillcolor": grey])
        g.node("norm", label: "normalisation unit\n(sums, sums of squares, max\nover accumulator rows)", ["fillcolor": green, "style": "rounded,filled,dashed"])
        g.node("act", label: "\(t.sfuWidth) activation units\n(I-BERT i-GELU, i-exp, i-LayerNorm)", ["fillcolor": green, "style": "rounded,filled,dashed"])
        g.edge("cpu", "ctrl", ["label": "RoCC commands"])
        g.edge("cpu", "l2", ["dir": "both"])
        g.edge("l2", "dram", ["dir": "both"])
        g.edge("ctrl", "dma")
        g.edge("ctrl", "mesh")
        g.edge("dma", "tlb")
        g.edge("dma", "l2", ["dir": "both", "label": "mvin / mvout"])
        for i in 0..<4 { g.edge("dma", "sp\(i)") }
        g.edge("sp0", "transposer")
        g.edge("transposer", "mesh")
        for i in 1..<4 { g.edge("sp\(i)", "mesh") }
        g.edge("mesh", "acc", ["label": "partial sums"])
        g.edge("acc", "peripheral")
        g.edge("peripheral", "dma", ["style": "dashed", "label": "results"])
        g.edge("acc", "norm", ["style": "dashed"])
        g.edge("norm", "act", ["style": "dashed"])
        g.edge("act", "acc", ["style": "dashed"])
        g.clusters = [
            Cluster(id: "soc", label: "SoC", nodeIDs: ["cpu", "l2"], attributes: GraphStyle.cluster),
            Cluster(id: "gemmini", label: "Gemmini accelerator", nodeIDs: ["ctrl", "dma", "tlb", "transposer", "mesh", "acc", "peripheral"],
                    attributes: GraphStyle.cluster,
                    clusters: [Cluster(id: "spbanks", label: "scratchpad (\(b.spCapacityBytes / 1024) KiB)", nodeIDs: ["sp0", "sp1", "sp2", "sp3"],
                                       attributes: [("style", "dotted")]),
                               Cluster(id: "added", label: "added in §3.4.4", nodeIDs: ["norm", "act"],
                                       attributes: [("style", "dashed"), ("color", green)])]),
        ]
        return g
    }

    /// Which unit runs each operation of one encoder layer, on the baseline and on the Transformer variant.
    static func layerDataflow() -> Graph {
        // Each chain is wrapped into rows of `perRow` operations read left to right, like text, so that the
        // 20-step baseline does not become a strip too wide to read; the two chains are stacked.
        var g = base("dataflow", "One encoder layer: which unit runs each operation (read each row left to right)",
                     rankdir: "TB")
        g.attributes.append(("newrank", "true"))
        let perRow = 5
        // Colour is the operation (OperationPalette, as in every chapter); the unit is the label's second line, and
        // the steps the host CPU runs are dashed.
        typealias Op = OperationPalette.Operation
        func chain(_ prefix: String, _ steps: [(String, String, Op)]) -> [String] {
            var ids: [String] = []
            for (i, (id, label, op)) in steps.enumerated() {
                let node = "\(prefix)_\(id)"
                let onCPU = label.hasSuffix("CPU") || label.hasSuffix("CPU float")
                g.nodes.append(Node(id: node, attributes: [("label", label)] + OperationPalette.fill(op)
                                    + (onCPU ? [("style", "rounded,filled,dashed")] : [])))
                if i > 0 { g.edge(ids[i - 1], node, i % perRow == 0 ? ["constraint": "true", "color": GraphStyle.Colour.outline] : [:]) }
                ids.append(node)
            }
            return ids
        }
        func rows(_ prefix: String, _ ids: [String]) -> [Cluster] {
            stride(from: 0, to: ids.count, by: perRow).map { start in
                Cluster(id: "\(prefix)_row\(start / perRow)", label: "", nodeIDs: Array(ids[start..<min(start + perRow, ids.count)]),
                        attributes: [("rank", "same"), ("peripheries", "0")])
            }
        }
        let baseline = chain("b", [
            ("qkv", "W_Q, W_K, W_V\narray", .queryKeyValue), ("qk", "query × key\narray (Int32 out)", .queryKey),
            ("dq1", "dequantize\nCPU", .quantization), ("softmax", "Softmax\nCPU float", .softmax), ("q1", "quantize\nCPU", .quantization),
            ("sv", "score × value\narray", .scoreValue), ("wout", "W_out\narray (Int32 out)", .outputProjection), ("dq2", "dequantize\nCPU", .quantization),
            ("res1", "residual add\nCPU float", .residualAdd), ("ln1", "LayerNorm\nCPU float", .normalisation), ("q2", "quantize\nCPU", .quantization),
            ("w1", "W1\narray (Int32 out)", .ffn1), ("dq3", "dequantize\nCPU", .quantization), ("gelu", "GELU\nCPU float", .activation),
            ("q3", "quantize\nCPU", .quantization), ("w2", "W2\narray (Int32 out)", .ffn2), ("dq4", "dequantize\nCPU", .quantization),
            ("res2", "residual add\nCPU float", .residualAdd), ("ln2", "LayerNorm\nCPU float", .normalisation), ("q4", "quantize\nCPU", .quantization),
        ])
        let transformer = chain("t", [
            ("qkv", "W_Q, W_K, W_V\narray", .queryKeyValue), ("qk", "query × key\narray", .queryKey),
            ("softmax", "i-Softmax\nnorm. unit (max, Σ)\n+ activation units (i-exp)", .softmax),
            ("sv", "score × value\narray", .scoreValue), ("wout", "W_out\narray", .outputProjection),
            ("res1", "residual add\naccumulator", .residualAdd), ("ln1", "i-LayerNorm\nnorm. unit (Σ, Σx²)\n+ activation units", .normalisation),
            ("w1", "W1 + fused i-GELU\narray → activation units", .ffn1), ("w2", "W2\narray", .ffn2),
            ("res2", "residual add\naccumulator", .residualAdd), ("ln2", "i-LayerNorm\nnorm. unit + activation units", .normalisation),
        ])
        g.clusters = [
            Cluster(id: "baseline", label: "CNN-tuned baseline: non-linear operations on the host CPU in float",
                    nodeIDs: [], attributes: GraphStyle.cluster, clusters: rows("b", baseline)),
            Cluster(id: "transformer", label: "Transformer variant: I-BERT integer kernels on added units",
                    nodeIDs: [], attributes: GraphStyle.cluster, clusters: rows("t", transformer)),
        ]
        // Stack the variant under the baseline, first row under last row's first operation.
        g.edge(baseline[(baseline.count - 1) / perRow * perRow], transformer[0], ["style": "invis"])
        return g
    }
}
