import ChapterSupport
import Core
import Render

/// Chapter 1's figures: the sweeps of Fig. 4-6 as SVG charts, and the dataflow graphs of Fig. 1, 3, 27 and 28.
enum ChapterFigures {
    /// Fig. 4, 5 or 6: one line per model over the sequence lengths, with the paper's labels as dashed lines.
    static func sweepChart(title: String, yLabel: String, models: [TransformerConfig], lengths: [Int],
                           logY: Bool, paper: [String: [String]]?, convention: CountingConvention,
                           metric: (WorkCounts) -> Double) throws -> String {
        var series: [Series] = []
        for m in models {
            let points = try lengths.map { l -> Point in
                Point(x: Double(l), y: metric(try ModelWorkload(m, sequenceLength: l, convention: convention).total))
            }
            series.append(Series(name: m.displayName, points: points))
        }
        if let paper {
            for m in models {
                guard let labels = paper[m.name] else { continue }
                let points = zip(PaperValues.figureSeqLens, labels).map { Point(x: Double($0), y: Double($1)!) }
                series.append(Series(name: "\(m.displayName) (paper)", points: points, dashed: true))
            }
        }
        // Ticks at the run's lengths, so the axis ends where the data does (the survey draws these as bars
        // labelled by l) rather than at the next decade.
        let chart = LineChart(title: title, x: Axis(label: "sequence length l (tokens)", scale: .log10,
                                                    ticks: lengths.map(Double.init)),
                              y: Axis(label: yLabel, scale: logY ? .log10 : .linear), series: series)
        return try chart.svg()
    }

    /// Per-class shares of FLOPs (or bytes) over the sequence lengths, as stacked percentage bars.
    static func breakdownChart(title: String, model m: TransformerConfig, lengths: [Int], bytes: Bool,
                               convention: CountingConvention) throws -> String {
        let workloads = try lengths.map { try ModelWorkload(m, sequenceLength: $0, convention: convention) }
        let series = OperationClass.allCases.map { cls in
            BarSeries(name: cls.label, values: workloads.map { w in
                let c = w.classTotals[cls] ?? .zero
                return bytes ? c.bytes / w.total.bytes * 100 : c.flops / w.total.flops * 100
            }, colour: OperationPalette.colour(cls))
        }
        let chart = BarChart(title: title, categories: lengths.map { "l = \($0)" }, series: series,
                             mode: .stacked, y: Axis(label: bytes ? "% of bytes" : "% of FLOPs", scale: .linear, min: 0, max: 100))
        return try chart.svg()
    }

    static func annotation(_ c: WorkCounts) -> String {
        "\(NumberFormat.si(c.flops, decimals: 2))FLOP · \(NumberFormat.si(c.bytes, decimals: 2))B · AI \(NumberFormat.fixed(c.intensity, decimals: 1))"
    }

    /// Fig. 1: the encoder layer as a dataflow graph, each operation annotated with its cost (per layer;
    /// attention operations summed over the heads) and coloured by class.
    static func encoderGraph(_ m: TransformerConfig, sequenceLength l: Int, convention: CountingConvention) -> Graph {
        let layer = LayerGraph.encoder(m, sequenceLength: l, convention: convention)
        var g = Graph(name: "encoder")
        g.attributes = [("rankdir", "TB")] + GraphStyle.titleFont() + [("label", "\(m.displayName) encoder layer, l = \(l): per-layer cost (attention summed over \(m.heads) heads)"),
                        ("labelloc", "t")]
        g.nodeDefaults = GraphStyle.roundedBox + GraphStyle.nodeFont
        g.edgeDefaults = [("color", GraphStyle.Colour.edge)] + GraphStyle.edgeFont
        g.nodes.append(Node(id: "input", attributes: [("label", "input X\n\(l)×\(m.dModel)"), ("shape", "ellipse"),
                                                      ("fillcolor", GraphStyle.Colour.white)]))
        var seen: [String: Int] = [:]
        var merged: [(path: String, op: Operation, counts: WorkCounts, count: Int)] = []
        for op in layer.operations {
            if let i = seen[op.path] {
                merged[i].counts += op.counts
                merged[i].count += 1
            } else {
                seen[op.path] = merged.count
                merged.append((op.path, op, op.counts, 1))
            }
        }
        func nodeID(_ path: String) -> String { path.replacingOccurrences(of: "/", with: "_") }
        let pathOf = Dictionary(uniqueKeysWithValues: layer.operations.map { ($0.id, $0.path) })
        var mhaNodes: [String] = [], ffnNodes: [String] = []
        for item in merged {
            let id = nodeID(item.path)
            let heads = item.count > 1 ? " (×\(item.count) heads)" : ""
            g.nodes.append(Node(id: id, attributes: [
                ("label", "\(item.op.name)\(heads)\n\(dims(item.op.kind))\n\(annotation(item.counts))"),
                ("fillcolor", OperationPalette.colour(item.op.operationClass)),
            ]))
            if item.op.identity.module == .attention { mhaNodes.append(id) } else { ffnNodes.append(id) }
            for input in item.op.inputs {
                let from = input == "input" ? "input" : nodeID(pathOf[input] ?? input)
                let edge = Edge(from: from, to: id)
                if !g.edges.contains(edge) { g.edges.append(edge) }
            }
        }
        g.clusters = [Cluster(id: "mha", label: "Multi-head attention", nodeIDs: mhaNodes,
                              attributes: GraphStyle.cluster),
                      Cluster(id: "ffn", label: "Feed-forward network", nodeIDs: ffnNodes,
                              attributes: GraphStyle.cluster)]
        g.nodes.append(Node(id: "legend", attributes: [
            ("shape", "plaintext"), ("style", ""),
            ("label", "colour = class: blue MHA projection, orange act-to-act, green FFN, pink non-linear"),
        ]))
        return g
    }

    static func dims(_ kind: OperationKind) -> String {
        switch kind {
        case let .matmul(m, n, k): return "\(m)×\(n)×\(k)"
        case .softmax, .layerNorm, .rmsNorm: return "row-wise"
        case .gelu, .residualAdd, .rotary, .swiglu: return "element-wise"
        }
    }

    /// Fig. 3: encoder-only, decoder-only and encoder-decoder Transformers.
    static func variantsGraph() -> Graph {
        var g = Graph(name: "variants")
        g.attributes = [("rankdir", "BT")] + GraphStyle.titleFont() + [("compound", "true")]
        g.nodeDefaults = GraphStyle.roundedBox + GraphStyle.nodeFont + [("fillcolor", GraphStyle.Colour.white)]
        func stack(_ prefix: String, _ title: String, blocks: [(String, String, String)], example: String) {
            var ids: [String] = []
            for (i, (name, detail, colour)) in blocks.enumerated() {
                let id = "\(prefix)\(i)"
                ids.append(id)
                g.nodes.append(Node(id: id, attributes: [("label", "\(name)\n\(detail)"), ("fillcolor", colour)]))
                if i > 0 { g.edges.append(Edge(from: "\(prefix)\(i - 1)", to: id)) }
            }
            g.clusters.append(Cluster(id: prefix, label: "\(title)\n\(example)", nodeIDs: ids,
                                      attributes: GraphStyle.cluster))
        }
        // Whole layers are not operations: grey, so that no operation class's colour means something else here.
        let enc = GraphStyle.Colour.grey, dec = GraphStyle.Colour.grey, io = GraphStyle.Colour.white
        stack("e", "Encoder-only", blocks: [("tokens", "whole sequence at once", io),
                                            ("N × encoder layer", "bidirectional MHA + FFN", enc),
                                            ("task head", "e.g. classification", io)], example: "BERT")
        stack("d", "Decoder-only", blocks: [("prompt / last token", "one token per step", io),
                                            ("N × decoder layer", "causal MHA + FFN, KV cache", dec),
                                            ("next-token head", "append and repeat", io)], example: "GPT-2")
        stack("x", "Encoder-decoder", blocks: [("source tokens", "", io),
                                               ("N × encoder layer", "bidirectional", enc),
                                               ("N × decoder layer", "causal + cross-attention", dec),
                                               ("output tokens", "", io)], example: "original Transformer, T5")
        return g
    }

    /// Fig. 27: one decoder step with its key/value cache, annotated for step t.
    static func decoderGraph(_ m: TransformerConfig, step t: Int, convention: CountingConvention) -> Graph {
        let step = LayerGraph.decoderStep(m, step: t, convention: convention)
        func total(_ identity: LayerOperationID) -> WorkCounts {
            step.operations.filter { $0.identity == identity }.reduce(.zero) { $0 + $1.counts }
        }
        var g = Graph(name: "decoder")
        g.attributes = [("rankdir", "TB")] + GraphStyle.titleFont() + [("labelloc", "t"),
                        ("label", "\(m.displayName) decoder layer, generation step t = \(t): one new token, cache of \(t - 1)")]
        g.nodeDefaults = GraphStyle.roundedBox + GraphStyle.nodeFont
        g.edgeDefaults = GraphStyle.edgeFont
        func c(_ cls: OperationClass) -> String { OperationPalette.colour(cls) }
        g.nodes = [
            Node(id: "x", attributes: [("label", "new token x_t\n1×\(m.dModel)"), ("shape", "ellipse"), ("fillcolor", GraphStyle.Colour.white)]),
            Node(id: "wq", attributes: [("label", "W_Q · x_t\n\(annotation(total(.queryProjection)))"), ("fillcolor", c(.projection))]),
            Node(id: "wk", attributes: [("label", "W_K · x_t\n\(annotation(total(.keyProjection)))"), ("fillcolor", c(.projection))]),
            Node(id: "wv", attributes: [("label", "W_V · x_t\n\(annotation(total(.valueProjection)))"), ("fillcolor", c(.projection))]),
            Node(id: "kcache", attributes: [("label", "K cache\n\(t - 1) + 1 rows × \(m.dModel)"), ("shape", "cylinder"), ("fillcolor", GraphStyle.Colour.yellow)]),
            Node(id: "vcache", attributes: [("label", "V cache\n\(t - 1) + 1 rows × \(m.dModel)"), ("shape", "cylinder"), ("fillcolor", GraphStyle.Colour.yellow)]),
            Node(id: "qk", attributes: [("label", "q · Kᵀ (×\(m.heads) heads)\n\(annotation(total(.scores)))"), ("fillcolor", c(.actToAct))]),
            Node(id: "softmax", attributes: [("label", "Softmax\n\(annotation(total(.softmax)))"), ("fillcolor", c(.nonlinear))]),
            Node(id: "sv", attributes: [("label", "scores · V (×\(m.heads) heads)\n\(annotation(total(.context)))"), ("fillcolor", c(.actToAct))]),
            Node(id: "wout", attributes: [("label", "W_out\n\(annotation(total(.outputProjection)))"), ("fillcolor", c(.projection))]),
            Node(id: "ln1", attributes: [("label", "add + LayerNorm\n\(annotation(total(.attentionResidual) + total(.attentionLayerNorm)))"), ("fillcolor", c(.nonlinear))]),
            Node(id: "ffn", attributes: [("label", "W1 → GELU → W2\n\(annotation(total(.ffnUp) + total(.gelu) + total(.ffnDown)))"), ("fillcolor", c(.ffn))]),
            Node(id: "ln2", attributes: [("label", "add + LayerNorm\n\(annotation(total(.ffnResidual) + total(.ffnLayerNorm)))"), ("fillcolor", c(.nonlinear))]),
            Node(id: "y", attributes: [("label", "output y_t → next layer"), ("shape", "ellipse"), ("fillcolor", GraphStyle.Colour.white)]),
        ]
        g.edges = [Edge(from: "x", to: "wq"), Edge(from: "x", to: "wk"), Edge(from: "x", to: "wv"),
                   Edge(from: "wk", to: "kcache", attributes: [("label", "append")]),
                   Edge(from: "wv", to: "vcache", attributes: [("label", "append")]),
                   Edge(from: "wq", to: "qk"), Edge(from: "kcache", to: "qk"), Edge(from: "qk", to: "softmax"),
                   Edge(from: "softmax", to: "sv"), Edge(from: "vcache", to: "sv"), Edge(from: "sv", to: "wout"),
                   Edge(from: "wout", to: "ln1"), Edge(from: "x", to: "ln1", attributes: [("style", "dashed")]),
                   Edge(from: "ln1", to: "ffn"), Edge(from: "ffn", to: "ln2"),
                   Edge(from: "ln1", to: "ln2", attributes: [("style", "dashed")]), Edge(from: "ln2", to: "y")]
        return g
    }

    /// Fig. 28: a ResNet-50 bottleneck block (conv3_2), each layer annotated with its cost.
    static func bottleneckGraph() -> Graph {
        let layers = CNNWorkload(fused: false).layers.filter { $0.layer.name.hasPrefix("conv3_2/") }
        var g = Graph(name: "bottleneck")
        g.attributes = [("rankdir", "TB")] + GraphStyle.titleFont() + [("labelloc", "t"),
                        ("label", "ResNet-50 bottleneck block conv3_2 (28×28, 512 → 128 → 128 → 512 channels)")]
        g.nodeDefaults = GraphStyle.roundedBox + GraphStyle.nodeFont
        g.edgeDefaults = GraphStyle.edgeFont
        g.nodes.append(Node(id: "in", attributes: [("label", "input 28×28×512"), ("shape", "ellipse"), ("fillcolor", GraphStyle.Colour.white)]))
        var previous = "in"
        for (i, cost) in layers.enumerated() {
            let id = "l\(i)"
            let colour: String
            let title: String
            switch cost.layer.kind {
            case let .convolution(k, cin, cout, _, _):
                colour = OperationPalette.projection; title = "\(k)×\(k) conv \(cin)→\(cout)"
            case .batchNorm: colour = OperationPalette.colour(.normalisation); title = "BatchNorm"
            case .relu: colour = OperationPalette.colour(.activation); title = "ReLU"
            case .residualAdd: colour = OperationPalette.colour(.residualAdd); title = "residual add"
            default: colour = GraphStyle.Colour.white; title = cost.layer.name
            }
            g.nodes.append(Node(id: id, attributes: [("label", "\(title)\n\(annotation(cost.counts))")] + OperationPalette.fill(colour)))
            g.edges.append(Edge(from: previous, to: id))
            if case .residualAdd = cost.layer.kind {
                g.edges.append(Edge(from: "in", to: id, attributes: [("style", "dashed"), ("label", "skip")]))
            }
            previous = id
        }
        g.nodes.append(Node(id: "out", attributes: [("label", "output 28×28×512"), ("shape", "ellipse"), ("fillcolor", GraphStyle.Colour.white)]))
        g.edges.append(Edge(from: previous, to: "out"))
        return g
    }
}
