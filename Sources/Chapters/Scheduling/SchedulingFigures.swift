import ChapterSupport
import Core
import Render

/// Chapter 4's Graphviz drawings: mapped loop nests (Fig. 16-17) and fused against non-fused schedules (§5.5.2).
enum SchedulingFigures {
    static let blue = GraphStyle.Colour.blue, orange = GraphStyle.Colour.orange, green = GraphStyle.Colour.green, yellow = GraphStyle.Colour.yellow, grey = GraphStyle.Colour.grey

    static func base(_ name: String, _ title: String, rankdir: String = "TB") -> Graph {
        GraphStyle.titled(name, title, rankdir: rankdir)
    }

    /// The loop names of a mapping: the outermost copy of a dimension is `x1`, inner ones `x0` (Fig. 16-17's
    /// convention when a dimension is split in two), more splits count up from the innermost.
    static func loopNames(_ p: MappingProblem, _ m: Mapping) -> [(slot: Mapping.Slot, name: String, factor: Int)] {
        var perDimension: [LoopDimension: Int] = [:]
        let slots = Mapping.Slot.allCases
        var loops: [(Mapping.Slot, LoopDimension, Int)] = []
        for slot in slots { for (d, f) in m.loops(slot) { loops.append((slot, d, f)); perDimension[d, default: 0] += 1 } }
        var seen: [LoopDimension: Int] = [:]
        return loops.map { slot, d, f in
            let index = perDimension[d]! - 1 - seen[d, default: 0]
            seen[d, default: 0] += 1
            return (slot, "\(p.displayName(d))\(index)", f)
        }
    }

    /// The mapped loop nest as pseudo-code, outermost first (spatial loops as `parallel_for`).
    static func pseudoCode(_ p: MappingProblem, _ m: Mapping) -> String {
        var lines: [String] = []
        var indent = ""
        var currentSlot: Mapping.Slot? = nil
        for (slot, name, f) in loopNames(p, m) {
            if slot != currentSlot {
                lines.append(indent + "// \(slotTitle(slot))")
                currentSlot = slot
            }
            lines.append(indent + (slot.isSpatial ? "parallel_for" : "for") + " \(name) in [0:\(f)):")
            indent += "  "
        }
        lines.append(indent + (p.kind == .gemm ? "C[m][n] += A[m][k] * B[k][n]" : "O[n][k][p][q] += I[n][c][p·\(p.stride)+r][q·\(p.stride)+s] * W[k][c][r][s]"))
        return lines.joined(separator: "\n")
    }

    static func slotTitle(_ s: Mapping.Slot) -> String {
        switch s {
        case .dram: return "DRAM level: loops over L2 tiles"
        case .l2: return "L2 level: loops over scratchpad/accumulator tiles"
        case .local: return "local level (scratchpad, accumulator): loops over array steps"
        case .rows: return "spatial: array rows"
        case .columns: return "spatial: array columns"
        case .registers: return "PE registers: loops while the stationary word stays"
        }
    }

    /// Fig. 16 / 17: the loop nest drawn level by level, spatial loops in orange.
    static func loopNest(_ p: MappingProblem, _ m: Mapping, name: String, title: String, verdict: String) -> Graph {
        var g = base(name, title)
        let loops = loopNames(p, m)
        var previous = "problem"
        g.nodes.append(Node(id: "problem", attributes: [("label", "\(p.name)\n\(p.shapeDescription)"), ("shape", "note"), ("fillcolor", yellow)]))
        var clusters: [Mapping.Slot: [String]] = [:]
        for (i, loop) in loops.enumerated() {
            let id = "loop\(i)"
            g.nodes.append(Node(id: id, attributes: [("label", "\(loop.slot.isSpatial ? "parallel_for" : "for") \(loop.name) in [0:\(loop.factor))"),
                                                     ("fillcolor", loop.slot.isSpatial ? orange : (loop.slot == .dram ? grey : blue))]))
            g.edges.append(Edge(from: previous, to: id))
            clusters[loop.slot, default: []].append(id)
            previous = id
        }
        g.nodes.append(Node(id: "mac", attributes: [("label", p.kind == .gemm ? "C[m][n] += A[m][k] · B[k][n]" : "O += I · W"), ("fillcolor", green)]))
        g.edges.append(Edge(from: previous, to: "mac"))
        g.nodes.append(Node(id: "verdict", attributes: [("label", verdict), ("shape", "note"), ("fillcolor", GraphStyle.Colour.white)]))
        g.edges.append(Edge(from: "mac", to: "verdict", attributes: [("style", "dotted"), ("arrowhead", "none")]))
        for slot in Mapping.Slot.allCases {
            guard let ids = clusters[slot] else { continue }
            g.clusters.append(Cluster(id: "level_\(slot)", label: slotTitle(slot), nodeIDs: ids,
                                      attributes: GraphStyle.cluster))
        }
        return g
    }

    /// A non-fused and a fused schedule of one pair, with the tilings the model chose.
    static func fusionSchedules(_ f: FusionSchedule, name: String) -> Graph {
        let pair = f.pair, a = f.accelerator
        var g = base(name, "\(pair.name), l = \(pair.shape.m), \(a.accCapacityBytes / 1024) kB accumulator: non-fused against fusion-optimised", rankdir: "LR")
        let u = f.unfused.tiling, z = f.fused.tiling, c = f.fusedCandidate
        // The matmul in its class's colour: Q×K act-to-act, W_out a projection, W2 the FFN.
        let matmulColour = OperationPalette.colour(pair.producer?.operationClass ?? .ffn)
        let nonlinearColour = OperationPalette.colour(pair.operation == .softmax ? .softmax : .normalisation)
        func rows(_ t: GemminiTiling) -> String { "\(t.tileI * t.dim)×\(t.tileJ * t.dim) outputs, depth \(t.tileK * t.dim)" }
        let fusedBlock = c.orientation == .direct ? rows(z)
            : "Cᵀ = Bᵀ·Aᵀ, \(rows(z))\n(\(c.rowsPerBlock) complete rows of C as columns)"
        g.nodes += [
            Node(id: "u_mm", attributes: [("label", "matmul \(pair.shape.m)×\(pair.shape.n)×\(pair.shape.k)\nGemmini tiling: \(rows(u))"), ("fillcolor", matmulColour)]),
            Node(id: "u_mem", attributes: [("label", "32-bit results\nout to L2 and back"), ("shape", "cylinder"), ("fillcolor", yellow)]),
            Node(id: "u_nl", attributes: [("label", "\(pair.operation.rawValue)\nafter the whole matmul")] + OperationPalette.fill(nonlinearColour)),
        ]
        g.edges += [Edge(from: "u_mm", to: "u_mem"), Edge(from: "u_mem", to: "u_nl")]
        let blocks = 3
        var fusedIDs: [String] = []
        for b in 0..<blocks {
            let mm = "f_mm\(b)", nl = "f_nl\(b)"
            g.nodes.append(Node(id: mm, attributes: [("label", b == 0 ? "row block 1: \(fusedBlock)" : "row block \(b + 1)"), ("fillcolor", matmulColour)]))
            g.nodes.append(Node(id: nl, attributes: [("label", "\(pair.operation.rawValue) on block \(b + 1)\n(rows in the accumulator)")] + OperationPalette.fill(nonlinearColour)))
            g.edges.append(Edge(from: mm, to: nl))
            if b > 0 {
                g.edges.append(Edge(from: "f_mm\(b - 1)", to: mm))
                g.edges.append(Edge(from: "f_nl\(b - 1)", to: mm, attributes: [("style", "dashed"), ("label", "overlaps"), ("constraint", "false")]))
            }
            fusedIDs += [mm, nl]
        }
        if !f.rowsFit {
            g.nodes.append(Node(id: "f_spill", attributes: [("label", "complete rows do not fit:\npartial rows spill to L2\nand are read back"), ("shape", "cylinder"), ("fillcolor", yellow)]))
            g.edges.append(Edge(from: "f_nl0", to: "f_spill", attributes: [("dir", "both"), ("style", "dashed")]))
            fusedIDs.append("f_spill")
        }
        g.clusters = [
            Cluster(id: "unfused", label: "non-fused: \(NumberFormat.si(f.unfused.totalCycles, decimals: 2)) cycles", nodeIDs: ["u_mm", "u_mem", "u_nl"],
                    attributes: GraphStyle.cluster),
            Cluster(id: "fused", label: "fusion-optimised: \(NumberFormat.si(f.fused.totalCycles, decimals: 2)) cycles", nodeIDs: fusedIDs,
                    attributes: GraphStyle.cluster),
        ]
        return g
    }
}
