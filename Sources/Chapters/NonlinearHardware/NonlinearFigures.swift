import ChapterSupport
import Core
import Render

/// Chapter 2's Graphviz drawings: the pass structure of Fig. 2 and the accelerators of Fig. 10 and 11.
enum NonlinearFigures {
    static let blue = GraphStyle.Colour.blue, orange = GraphStyle.Colour.orange, green = GraphStyle.Colour.green, pink = GraphStyle.Colour.pink, yellow = GraphStyle.Colour.yellow

    static func base(_ name: String, _ title: String, rankdir: String = "LR") -> Graph {
        GraphStyle.titled(name, title, rankdir: rankdir)
    }

    /// Fig. 2: each operation as the sequence of passes it makes over a row held in memory.
    static func passes(_ measured: [(name: String, passes: [String])]) -> Graph {
        var g = base("passes", "Fig. 2: passes over the data (measured by counting reads per element)")
        for (k, op) in measured.enumerated() {
            let prefix = "op\(k)"
            g.nodes.append(Node(id: "\(prefix)_in", attributes: [("label", "row in memory"), ("shape", "cylinder"),
                                                                  ("fillcolor", yellow)]))
            var ids = ["\(prefix)_in"]
            for (i, pass) in op.passes.enumerated() {
                let id = "\(prefix)_p\(i)"
                g.nodes.append(Node(id: id, attributes: [("label", "pass \(i + 1)\n\(pass)"),
                                                         ("fillcolor", i + 1 == op.passes.count ? green : blue)]))
                g.edges.append(Edge(from: "\(prefix)_in", to: id, attributes: [("style", "dashed"), ("label", "read")]))
                if i > 0 { g.edges.append(Edge(from: "\(prefix)_p\(i - 1)", to: id, attributes: [("label", "scalar")])) }
                ids.append(id)
            }
            g.clusters.append(Cluster(id: prefix, label: "\(op.name): \(op.passes.count) pass\(op.passes.count == 1 ? "" : "es")",
                                      nodeIDs: ids, attributes: GraphStyle.cluster))
        }
        return g
    }

    /// Fig. 10: the typical DNN accelerator as the survey draws it, with no parameters: off-chip DRAM, an
    /// on-chip memory hierarchy (global buffer, local memory), a PE array whose PEs each hold a register file
    /// and a MAC unit, and a special function unit for the non-linear operations.
    static func typicalAccelerator() -> Graph {
        var g = base("typical", "Fig. 10: a typical DNN accelerator", rankdir: "TB")
        g.nodes = [
            Node(id: "dram", attributes: [("label", "DRAM (off chip)\nweights, activations"), ("shape", "cylinder"), ("fillcolor", yellow)]),
            Node(id: "global", attributes: [("label", "global buffer (shared SRAM, L2)")]),
            Node(id: "local", attributes: [("label", "local memory\ninput / weight scratchpad · output accumulator"), ("fillcolor", blue)]),
            Node(id: "array", attributes: [("label", "{PE|PE|PE|…}|{PE|PE|PE|…}|{PE|PE|PE|…}|{…|…|…|…}"), ("shape", "record"),
                                           ("style", "filled"), ("fillcolor", orange)]),
            Node(id: "pe", attributes: [("label", "one processing element\nregister file + MAC unit"), ("fillcolor", orange)]),
            Node(id: "sfu", attributes: [("label", "special function unit\nSoftmax, LayerNorm, GELU"), ("fillcolor", pink)]),
        ]
        g.edges = [Edge(from: "dram", to: "global", attributes: [("label", "off-chip traffic\n(most energy per byte)"), ("dir", "both")]),
                   Edge(from: "global", to: "local", attributes: [("dir", "both")]),
                   Edge(from: "local", to: "array", attributes: [("label", "inputs, weights down\npartial sums up"), ("dir", "both")]),
                   Edge(from: "array", to: "pe", attributes: [("style", "dashed"), ("arrowhead", "none"), ("label", "each PE")]),
                   Edge(from: "local", to: "sfu", attributes: [("dir", "both")])]
        g.clusters = [Cluster(id: "chip", label: "accelerator (on chip)", nodeIDs: ["global", "local", "array", "pe", "sfu"],
                              attributes: GraphStyle.cluster)]
        return g
    }

    /// The parts of one accelerator description (DRAM, L2, scratchpad, accumulator, PE array, SFU) with its
    /// sizes and bandwidths; Fig. 11 adds the analytical model's parameters to it.
    static func genericAccelerator(_ a: Accelerator) -> Graph {
        var g = base("accelerator", "\(a.name): memories, PE array and SFU", rankdir: "TB")
        g.nodes = [
            Node(id: "dram", attributes: [("label", "DRAM\n(off chip)"), ("shape", "cylinder"), ("fillcolor", yellow)]),
            Node(id: "l2", attributes: [("label", "L2 / shared buffer\n\(a.l2Bytes / 1024) KiB")]),
            Node(id: "sp", attributes: [("label", "scratchpad\n\(a.spCapacityBytes / 1024) KiB, Int\(a.inputBits)"), ("fillcolor", blue)]),
            Node(id: "acc", attributes: [("label", "accumulator\n\(a.accCapacityBytes / 1024) KiB, Int\(a.accumulatorBits)"), ("fillcolor", blue)]),
            Node(id: "pe", attributes: [("label", "\(a.meshRows)×\(a.meshColumns) PE array\n\(dataflowName(a.dataflow))"), ("fillcolor", orange)]),
            Node(id: "sfu", attributes: [("label", a.sfuWidth > 0 ? "special function unit\n\(a.sfuWidth) lanes" : "no special function unit\n(host CPU runs non-linear ops)"),
                                         ("fillcolor", pink)]),
        ]
        g.edges = [Edge(from: "dram", to: "l2", attributes: [("label", "\(NumberFormat.trimmed(a.dramBytesPerCycle, maxDecimals: 1)) B/cycle"), ("dir", "both")]),
                   Edge(from: "l2", to: "sp", attributes: [("label", "\(NumberFormat.trimmed(a.l2BytesPerCycle, maxDecimals: 1)) B/cycle"), ("dir", "both")]),
                   Edge(from: "sp", to: "pe"), Edge(from: "pe", to: "acc"), Edge(from: "acc", to: "sfu"),
                   Edge(from: "sfu", to: "l2", attributes: [("style", "dashed")]), Edge(from: "acc", to: "l2", attributes: [("style", "dashed")])]
        g.clusters = [Cluster(id: "chip", label: "accelerator (on chip)", nodeIDs: ["l2", "sp", "acc", "pe", "sfu"],
                              attributes: GraphStyle.cluster)]
        return g
    }

    /// Fig. 11: the analytical model's structure with every parameter.
    static func analyticalModel(_ a: Accelerator) -> Graph {
        var g = genericAccelerator(a)
        g.name = "analytical"
        g.attributes = g.attributes.map { $0.0 == "label" ? ("label", "Fig. 11: the analytical model's structure and parameters") : $0 }
        g.nodes.append(Node(id: "params", attributes: [
            ("shape", "note"), ("fillcolor", GraphStyle.Colour.white),
            ("label", "W = \(a.meshRows) (array latency W cycles), S = \(a.sfuWidth) (1 cycle per vector)\n"
                + "clock \(NumberFormat.trimmed(a.clockHz / 1e9, maxDecimals: 2)) GHz, \(a.inputBits)-bit in, \(a.accumulatorBits)-bit out\n"
                + "latency per op = max(compute, memory); double-buffered; square tiles; no fusion"),
        ]))
        return g
    }

    static func dataflowName(_ d: Dataflow) -> String {
        switch d {
        case .weightStationary: return "weight-stationary"
        case .outputStationary: return "output-stationary"
        case .inputStationary: return "input-stationary"
        }
    }
}
