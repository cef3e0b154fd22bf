import ChapterSupport
import Render

/// Chapter 3's Graphviz drawings.
enum FixedFigures {
    static let yellow = GraphStyle.Colour.yellow, grey = GraphStyle.Colour.grey

    static func base(_ name: String, _ title: String, rankdir: String = "LR") -> Graph {
        GraphStyle.titled(name, title, rankdir: rankdir)
    }

    /// Quantize → integer matmul → requantize, with the scales each value carries.
    static func quantizedLinear() -> Graph {
        var g = base("quantized_linear", "A quantized linear layer (Eq. 2, integer-only)")
        g.nodes = [
            Node(id: "x", attributes: [("label", "x (real)\nprevious layer"), ("shape", "ellipse"), ("fillcolor", yellow)]),
            Node(id: "qx", attributes: [("label", "quantize\nq_x = round(x/S_x) + Z_x\nInt8")] + OperationPalette.fill(.quantization)),
            Node(id: "w", attributes: [("label", "W (Int8, per-channel S_w)\nstored offline"), ("shape", "cylinder"), ("fillcolor", yellow)]),
            Node(id: "b", attributes: [("label", "bias (Int32)\nscale S_x·S_w"), ("shape", "cylinder"), ("fillcolor", yellow)]),
            Node(id: "mm", attributes: [("label", "integer matmul\nInt8 × Int8 → Int32 accumulate")] + OperationPalette.fill(.matmul)),
            Node(id: "rq", attributes: [("label", "requantize\n(q · m) >> shift ≈ q · S_x·S_w / S_y\nsaturate to Int8")] + OperationPalette.fill(.quantization)),
            Node(id: "y", attributes: [("label", "q_y (Int8, scale S_y)\nnext layer"), ("shape", "ellipse"), ("fillcolor", yellow)]),
        ]
        g.edges = [
            Edge(from: "x", to: "qx"), Edge(from: "qx", to: "mm", attributes: [("label", "Int8")]),
            Edge(from: "w", to: "mm", attributes: [("label", "Int8")]), Edge(from: "b", to: "mm", attributes: [("label", "Int32")]),
            Edge(from: "mm", to: "rq", attributes: [("label", "Int32")]), Edge(from: "rq", to: "y", attributes: [("label", "Int8")]),
        ]
        return g
    }

    /// An attention block with `pruned` of `heads` heads removed: the pruned heads as one greyed, dashed group and
    /// the kept heads as another, each labelled with its head numbers.
    static func prunedAttention(heads: Int, pruned: Int) -> Graph {
        var g = base("pruned_attention", "Head pruning: \(pruned) of \(heads) heads removed", rankdir: "TB")
        g.nodes = [
            Node(id: "x", attributes: [("label", "input (l × d)"), ("shape", "ellipse"), ("fillcolor", yellow)]),
            Node(id: "out", attributes: [("label", "W_out\n(rows of pruned heads removed)"), ("fillcolor", OperationPalette.projection)]),
            Node(id: "y", attributes: [("label", "output (l × d)"), ("shape", "ellipse"), ("fillcolor", yellow)]),
        ]
        g.edges = [Edge(from: "out", to: "y")]
        let groups = [(range: 1...max(1, pruned), isPruned: true), (range: (pruned + 1)...max(pruned + 1, heads), isPruned: false)]
            .filter { $0.isPruned ? pruned > 0 : pruned < heads }
        for (index, group) in groups.enumerated() {
            let count = group.range.count
            let names = count == 1 ? "head \(group.range.lowerBound)" : "heads \(group.range.lowerBound)…\(group.range.upperBound)"
            let status = group.isPruned ? "pruned" : "kept"
            let fill = group.isPruned ? grey : OperationPalette.projection
            let style = group.isPruned ? "rounded,filled,dashed" : "rounded,filled"
            let edge: [(String, String)] = group.isPruned ? [("style", "dashed"), ("color", GraphStyle.Colour.outline)] : []
            let id = "g\(index)"
            g.nodes.append(Node(id: "\(id)_qkv", attributes: [("label", "\(names) (\(status)): Q, K, V\n(d × \(count)·d/h columns)"),
                                                              ("fillcolor", fill), ("style", style)]))
            g.nodes.append(Node(id: "\(id)_sm", attributes: [("label", "Q·Kᵀ, Softmax, ·V\n(\(count) × l × l scores)"),
                                                             ("fillcolor", group.isPruned ? grey : OperationPalette.actToAct), ("style", style)]))
            g.edges.append(Edge(from: "x", to: "\(id)_qkv", attributes: edge))
            g.edges.append(Edge(from: "\(id)_qkv", to: "\(id)_sm", attributes: edge))
            g.edges.append(Edge(from: "\(id)_sm", to: "out", attributes: edge + (group.isPruned ? [("label", "not computed")] : [])))
        }
        return g
    }
}
