import ChapterSupport
import Core
import Render

/// Chapter 7's figures: the decoder block as a dataflow graph and the SVG charts.
enum DecoderFigures {
    /// One layer in prefill, one node per operation (attention's summed over its key/value-head nodes), with the
    /// K and V projections drawn as shared by their query-head groups.
    static func blockGraph(_ m: TransformerConfig, sequenceLength l: Int, convention c: CountingConvention) -> Graph {
        let layer = LayerGraph(LayerShape(m), step: .encoder(sequenceLength: l), convention: c)
        let g0 = m.heads / m.kvHeads
        var g = Graph(name: "decoder_block")
        g.attributes = [("rankdir", "TB")] + GraphStyle.titleFont() + [
            ("label", "\(m.displayName) layer, prefill of l = \(l): \(m.heads) query heads share \(m.kvHeads) K/V heads (groups of \(g0))"),
            ("labelloc", "t")]
        g.nodeDefaults = GraphStyle.roundedBox + GraphStyle.nodeFont
        g.edgeDefaults = [("color", GraphStyle.Colour.edge)] + GraphStyle.edgeFont
        g.nodes.append(Node(id: "input", attributes: [("label", "input X\n\(l)×\(m.dModel)"), ("shape", "ellipse"),
                                                      ("fillcolor", GraphStyle.Colour.white)]))
        func nodeID(_ path: String) -> String { path.replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "-", with: "_") }
        let pathOf = Dictionary(uniqueKeysWithValues: layer.operations.map { ($0.id, $0.path) })
        var mha: [String] = [], ffn: [String] = []
        for (identity, nodes) in layer.groupedByIdentity {
            let counts = nodes.reduce(WorkCounts.zero) { $0 + $1.counts }, id = nodeID(identity.path)
            var label = identity.name(in: m.block)
            if nodes.count > 1 { label += " ×\(nodes.count) K/V heads" }
            if identity == .keyProjection || identity == .valueProjection, g0 > 1 { label += "\n(each head shared by \(g0) query heads)" }
            if case let .matmul(s) = nodes[0].shape {
                label += "\n\(s.m)×\(s.k)·\(s.k)×\(s.n)"
            }
            label += "\n\(NumberFormat.si(counts.flops, decimals: 2))FLOP · \(NumberFormat.si(counts.bytes, decimals: 2))B · AI \(NumberFormat.fixed(counts.intensity, decimals: 1))"
            g.nodes.append(Node(id: id, attributes: [("label", label)] + OperationPalette.fill(OperationPalette.colour(identity.operationClass))))
            if identity.module == .attention { mha.append(id) } else { ffn.append(id) }
            for input in nodes[0].inputs where input != "cache" {
                let edge = Edge(from: input == "input" ? "input" : nodeID(pathOf[input] ?? input), to: id)
                if !g.edges.contains(edge) { g.edges.append(edge) }
            }
        }
        g.clusters = [Cluster(id: "mha", label: "Grouped-query attention", nodeIDs: mha, attributes: GraphStyle.cluster),
                      Cluster(id: "ffn", label: "SwiGLU feed-forward network", nodeIDs: ffn, attributes: GraphStyle.cluster)]
        if m.block.ffn == .gelu { g.clusters[1].label = "Feed-forward network" }
        if m.kvHeads == m.heads { g.clusters[0].label = "Multi-head attention" }
        g.nodes.append(Node(id: "legend", attributes: [
            ("shape", "plaintext"), ("style", ""),
            ("label", "colour = class: blue MHA projection, orange act-to-act, green FFN, pink non-linear"),
        ]))
        return g
    }

    /// One metric against length: each model's prefill solid, its decode dashed in the same colour.
    static func lengthChart(_ rows: [PhaseSection.Row], title: String, yLabel: String,
                            metric: (WorkCounts) -> Double) throws -> String {
        let models = rows.map(\.model.displayName).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        var series: [Series] = []
        for name in models {
            let mine = rows.filter { $0.model.displayName == name }
            series.append(Series(name: name, points: mine.map { Point(x: Double($0.length), y: metric($0.prefill)) }))
        }
        for name in models {
            let mine = rows.filter { $0.model.displayName == name }
            series.append(Series(name: "\(name) decode", points: mine.map { Point(x: Double($0.length), y: metric($0.decode)) }, dashed: true))
        }
        let lengths = Array(Set(rows.map(\.length))).sorted().map(Double.init)
        return try LineChart(title: title, x: Axis(label: "sequence length l (tokens)", scale: .log10, ticks: lengths),
                             y: Axis(label: yLabel, scale: .log10), series: series).svg()
    }

    /// KV cache of one sequence at fp16 against context, with each model's weights as a flat dashed line.
    static func cacheChart(_ models: [TransformerConfig], lengths: [Int]) throws -> String {
        let xs = lengths.sorted()
        var series = models.map { m in
            Series(name: m.displayName, points: xs.map { Point(x: Double($0), y: m.kvCacheBytes(context: $0, bytesPerValue: 2) / 1_073_741_824) })
        }
        series += models.map { m in
            Series(name: "\(m.displayName) weights", points: xs.map { Point(x: Double($0), y: m.parameterCount * 2 / 1_073_741_824) },
                   dashed: true, markers: false)
        }
        return try LineChart(title: "KV cache of one sequence at fp16 (solid) and the weights (dashed)",
                             x: Axis(label: "context (tokens)", scale: .log10, ticks: xs.map(Double.init)),
                             y: Axis(label: "GiB", scale: .log10), series: series).svg()
    }

    /// Decode intensity against batch: weight matmuls solid, whole step dashed, the A100's ridge grey.
    static func batchChart(_ rows: [CacheSection.BatchRow], context: Int) throws -> String {
        let models = rows.map(\.model.displayName).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        var series: [Series] = models.map { name in
            Series(name: name, points: rows.filter { $0.model.displayName == name }.map { Point(x: Double($0.batch), y: $0.weights.intensity) })
        }
        series += models.map { name in
            Series(name: "\(name) whole step", points: rows.filter { $0.model.displayName == name }.map { Point(x: Double($0.batch), y: $0.step.intensity) },
                   dashed: true)
        }
        let batches = Array(Set(rows.map(\.batch))).sorted().map(Double.init)
        let ridge = RooflineHardware.nvidiaA100_40GB.ridgeIntensity
        series.append(Series(name: "A100 ridge (fp16)", points: [Point(x: batches.first!, y: ridge), Point(x: batches.last!, y: ridge)],
                             dashed: true, markers: false))
        return try LineChart(title: "Decode step at context \(context), fp16: intensity against batch",
                             x: Axis(label: "batch size B", scale: .log10, ticks: batches),
                             y: Axis(label: "FLOPs per byte", scale: .log10), series: series).svg()
    }

    /// Stacked shares of a layer's cycles on the CNN-tuned Gemmini.
    static func gemminiChart(_ rows: [AcceleratorSection.GemminiRow]) throws -> String {
        let colours: [GemminiEncoderModel.Category: OperationPalette.Operation] = [
            .matmul: .matmul, .softmax: .softmax, .layerNorm: .normalisation, .gelu: .activation, .rotary: .rotary,
            .residualAdd: .residualAdd, .quantization: .quantization]
        let series = AcceleratorSection.categories.map { category, name in
            BarSeries(name: name, values: rows.map { $0.baseline.share(category) * 100 }, colour: OperationPalette.colour(colours[category]!))
        }
        return try BarChart(title: "CNN-tuned Gemmini: share of one layer's cycles",
                            categories: rows.map { "\($0.model.displayName) \($0.phase)" }, series: series, mode: .stacked,
                            y: Axis(label: "% of cycles", scale: .linear, min: 0, max: 100),
                            width: max(720, 110 * Double(rows.count) + 260)).svg()
    }
}
