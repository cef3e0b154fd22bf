import ChapterSupport
import Core
import Render

extension ChapterFigures {
    /// Fig. 29: the three sliding-window operations of ResNet-50, each with the work one output costs and the
    /// layer's totals as chapter 1 counts them (`CNNLayerCost`): the stem convolution (a weighted sum over
    /// the window and every input channel), the 3×3 max pooling (a comparison per window element, channel by
    /// channel) and the global average pooling (a sum over the whole 7×7 map per channel, then one divide).
    static func windowOperationsGraph() -> Graph {
        let layers = ResNet50.layers()
        var g = Graph(name: "window_operations")
        g.attributes = [("rankdir", "TB")] + GraphStyle.titleFont() + [("labelloc", "t"),
                        ("label", "Fig. 29: convolution, max pooling and average pooling in ResNet-50 (8-bit values)")]
        g.nodeDefaults = GraphStyle.roundedBox + GraphStyle.nodeFont
        g.edgeDefaults = GraphStyle.edgeFont
        func totals(_ name: String) -> String {
            guard let layer = layers.first(where: { $0.name == name }) else { return "" }
            let c = CNNLayerCost(layer).counts
            return "layer: \(NumberFormat.significant(c.flops / 1e6, digits: 3)) MFLOPs, "
                + "\(NumberFormat.significant(c.bytes / 1e6, digits: 3)) MB, \(NumberFormat.fixed(c.intensity, decimals: 2)) FLOP/B"
        }
        var clusters: [Cluster] = []
        for layer in layers {
            let id = layer.name, input: String, operation: String, output: String, colour: String
            switch layer.kind {
            case let .convolution(k, cin, cout, stride, inSize) where id == "conv1":
                input = "input \(inSize)×\(inSize)×\(cin)"
                operation = "\(k)×\(k) convolution, stride \(stride)\nper output: \(k * k * cin) multiply-accumulates\nover the window and all \(cin) input channels\n\(totals(id))"
                output = "output \(inSize / stride)×\(inSize / stride)×\(cout)"
                colour = OperationPalette.projection   // as the bottleneck graph draws convolutions
            case let .maxPool(k, c, inSize, outSize):
                input = "input \(inSize)×\(inSize)×\(c)"
                operation = "\(k)×\(k) max pooling, stride \(inSize / outSize)\nper output: \(k * k) comparisons\nin one channel, no weights\n\(totals(id))"
                output = "output \(outSize)×\(outSize)×\(c)"
                colour = GraphStyle.Colour.grey   // Tab. 4's "Other"
            case let .globalAveragePool(c, inSize):
                input = "input \(inSize)×\(inSize)×\(c)"
                operation = "\(inSize)×\(inSize) average pooling (global)\nper output: \(inSize * inSize) adds and 1 divide\nin one channel, no weights\n\(totals(id))"
                output = "output 1×1×\(c)"
                colour = GraphStyle.Colour.grey   // Tab. 4's "Other"
            default:
                continue
            }
            g.node("\(id)_in", label: input, ["shape": "ellipse", "fillcolor": GraphStyle.Colour.white])
            g.node("\(id)_op", label: operation, ["fillcolor": colour])
            g.node("\(id)_out", label: output, ["shape": "ellipse", "fillcolor": GraphStyle.Colour.white])
            g.edge("\(id)_in", "\(id)_op")
            g.edge("\(id)_op", "\(id)_out")
            clusters.append(Cluster(id: id, label: id, nodeIDs: ["\(id)_in", "\(id)_op", "\(id)_out"],
                                    attributes: GraphStyle.cluster))
        }
        g.clusters = clusters
        return g
    }
}

extension ChapterFigures {
    /// Fig. 29's caption, from the same counts as its boxes.
    static func windowOperationsCaption() -> String {
        let layers = ResNet50.layers()
        func intensity(_ name: String) -> Double {
            layers.first { $0.name == name }.map { CNNLayerCost($0).counts.intensity } ?? .nan
        }
        let conv = intensity("conv1"), maxPool = intensity("pool1"), averagePool = intensity("pool5")
        return "Fig. 29: the three sliding-window operations of ResNet-50. Only the convolution has weights to reuse: "
            + "its \(NumberFormat.fixed(conv, decimals: 1)) FLOP/B is \(NumberFormat.fixed(conv / maxPool, decimals: 0))× "
            + "the max pooling's \(NumberFormat.fixed(maxPool, decimals: 2)) and \(NumberFormat.fixed(conv / averagePool, decimals: 0))× "
            + "the average pooling's \(NumberFormat.fixed(averagePool, decimals: 2))."
    }
}
