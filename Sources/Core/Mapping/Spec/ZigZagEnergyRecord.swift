/// ZigZag's per-access energies for its TPU-like array and its own energy breakdown of the peer GEMM, as recorded in
/// `data/peers/zigzag-energy.yaml` (provenance in that file): read into a ``MappingEnergyTable`` whose levels are
/// ours and whose prices are ZigZag's. Each of our levels takes the memories the file's `levels` maps to it; a
/// tensor none of them holds costs nothing there (tpu_like has no L2, keeps no weights on chip outside the PEs and
/// gives inputs no register).
///
/// ```swift
/// let z = try ZigZagEnergyRecord(yaml: text, file: "data/peers/zigzag-energy.yaml")
/// z.table.picojoules(.dram, .weights, elementBits: 8, write: false)   // 87.5: 700 pJ per 64-bit access
/// z.totalMicrojoules                                                   // 337.761
/// ```
public struct ZigZagEnergyRecord: Sendable {
    public var table: MappingEnergyTable
    /// ZigZag's breakdown, `(part, µJ)`, e.g. `("weights / dram", 206.438)`, in the file's order.
    public var breakdown: [(part: String, microjoules: Double)]
    public var totalMicrojoules: Double

    static let operands: [String: MappedTensor] = ["I": .inputs, "W": .weights, "O": .outputs]

    public init(yaml: String, file: String) throws(MappingSpecError) {
        let root = try SpecNode.parse(yaml, file: file, root: "zigzag_energy").mapping(allowed: ["zigzag_energy"], required: ["zigzag_energy"])
        let top = try root["zigzag_energy"]!.mapping(allowed: ["source", "mac_pj", "memories", "levels", "breakdown_uj"],
                                                     required: ["source", "mac_pj", "memories", "levels", "breakdown_uj"])
        let source = try top["source"]!.mapping(allowed: ["package", "file", "git_commit", "recorded"], required: ["package", "file"])
        let origin = "\(try source["package"]!.string()), \(try source["file"]!.string())"
        var memories: [String: (r: Double, w: Double, bits: Int, operands: [MappedTensor])] = [:]
        guard case let .mapping(list) = top["memories"]!.node else { throw top["memories"]!.error("expected a mapping of memories") }
        for (k, _) in list {
            guard let name = k.string, let n = try top["memories"]!.mapping(allowed: list.keys.compactMap(\.string))[name] else { continue }
            let m = try n.mapping(allowed: ["r_cost", "w_cost", "bandwidth_bits", "operands"], required: ["r_cost", "w_cost", "bandwidth_bits", "operands"])
            var ops: [MappedTensor] = []
            for (op, node) in try m["operands"]!.names() {
                guard let t = Self.operands[op] else { throw node.error("unknown operand '\(op)'; allowed: I, W, O") }
                ops.append(t)
            }
            memories[name] = (try m["r_cost"]!.double(in: 0...1e6), try m["w_cost"]!.double(in: 0...1e6),
                              try m["bandwidth_bits"]!.int(in: 1...65536), ops)
        }
        let levelNames = MappingArchitecture.Level.allCases.map { ["dram", "l2", "scratchpad", "accumulator", "registers"][$0.rawValue] }
        let levels = try top["levels"]!.mapping(allowed: levelNames, required: levelNames)
        var entries: [MappingEnergyTable.Entry] = []
        for level in MappingArchitecture.Level.allCases {
            for (name, node) in try levels[levelNames[level.rawValue]]!.names() {
                guard let m = memories[name] else { throw node.error("unknown memory '\(name)'; the file lists \(memories.keys.sorted().joined(separator: ", "))") }
                let kept = level == .scratchpad ? m.operands.filter { $0 != .outputs }
                    : level == .accumulator ? m.operands.filter { $0 == .outputs } : m.operands
                entries.append(.init(level: level, tensors: kept, wordBits: m.bits, readPicojoules: m.r, writePicojoules: m.w,
                                     source: "\(origin): \(name), \(m.r) / \(m.w) pJ per \(m.bits)-bit access"))
            }
        }
        let mac = try top["mac_pj"]!.double(in: 0...1e3)
        table = MappingEnergyTable(name: "ZigZag tpu_like (zigzag-dse 3.9.1)", macPicojoules: mac,
                                   macSource: "\(origin): operational_array.unit_energy", entries: entries)
        let b = try top["breakdown_uj"]!.mapping(allowed: ["mac", "weights", "inputs", "outputs", "total"], required: ["mac", "weights", "inputs", "outputs", "total"])
        breakdown = [("MACs", try b["mac"]!.double(in: 0...1e9))]
        for part in ["weights", "inputs", "outputs"] {
            guard case let .mapping(m) = b[part]!.node else { throw b[part]!.error("expected memory: µJ pairs") }
            for (k, v) in m {
                let name = k.string ?? "?"
                breakdown.append(("\(part) / \(name)", try SpecNode(node: v, file: file, key: "\(b[part]!.key).\(name)").double(in: 0...1e9)))
            }
        }
        totalMicrojoules = try b["total"]!.double(in: 0...1e9)
    }
}
