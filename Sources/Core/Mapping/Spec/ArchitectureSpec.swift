import Yams

/// An architecture read from a YAML file in a subset of Timeloop's v0.4 format (README, "Your own architecture"):
///
/// ```yaml
/// architecture:
///   version: 0.4
///   nodes:                          # outermost first
///   - !Container {name: system}
///   - !Component {name: DRAM, class: DRAM, attributes: {width: 64, datawidth: 8, shared_bandwidth: 8}}
///   - !Component {name: L2, class: SRAM, attributes: {depth: 131072, width: 128, datawidth: 8, shared_bandwidth: 2}}
///   - !Component {name: Scratchpad, class: SRAM, attributes: {depth: 16384, width: 128, datawidth: 8, n_banks: 4}}
///   - !Container {name: PECols, spatial: {meshX: 16}}
///   - !Component {name: Accumulator, class: SRAM, attributes: {depth: 1024, width: 32, datawidth: 32, n_banks: 2}}
///   - !Container {name: PERows, spatial: {meshY: 16}}
///   - !Component {name: Registers, class: regfile, attributes: {depth: 1, width: 8, datawidth: 8}}
///   - !Component {name: MACC, class: intmac, attributes: {datawidth: 8}}
/// ```
///
/// The nodes must have the shape of ``MappingArchitecture``: DRAM, an optional L2, the scratchpad, a container
/// fanning out over the array's columns (`meshX`), the accumulator (one instance per column), a container fanning
/// out over the rows (`meshY`), the PE registers and the MAC. Sizes: `depth` rows of `width` bits; `datawidth` is
/// the operand's width. `shared_bandwidth` is in words per cycle (DRAM and L2; 64 and 16 B/cycle when absent);
/// the scratchpad and accumulator move `n_banks` rows per cycle. Energies (our extension: Timeloop asks Accelergy)
/// are `read_energy`/`write_energy` in pJ per access of `width` bits (registers: per word) and `energy` per MAC,
/// with `energy_source`; absent ones come from ``MappingEnergyTable/perWord(accelerator:)``. A component's
/// `constraints: {dataspace: {keep: [...]}}` on the registers picks the dataflow: `Weights` (WS) or `Outputs` (OS);
/// `[Weights, Outputs]` describes a TPU-like PE (``MappingArchitecture/zigZagTPULike16``, WS): its `depth × width` bits
/// hold weights of `datawidth` bits, and a partial-sum register of the accumulator's `datawidth` accumulates in place;
/// inputs then have no register, and our extension `output_read_energy`/`output_write_energy` (pJ per partial-sum
/// access; default the register's) prices the partial-sum register. The scratchpad may keep `[Inputs]` only (weights
/// pass it at no cost, as tpu_like streams them from DRAM into the PEs; their tile still counts in its capacity).
public struct ArchitectureSpec: Sendable {
    public var architecture: MappingArchitecture
    /// The component and container names, by role.
    public var names: [MappingArchitecture.Level: String]
    public var columnsName: String, rowsName: String
    /// Whether the file has an L2 (without one the L2 slot holds no loop and costs nothing).
    public var hasL2: Bool

    static let storageAttributes = ["depth", "width", "datawidth", "n_banks", "shared_bandwidth", "read_energy", "write_energy", "energy_source",
                                    "output_read_energy", "output_write_energy"]

    /// A storage component as read: its node, name and attributes.
    struct Storage {
        var node: SpecNode
        var name: String
        var attributes: [String: SpecNode]
        var keep: [(String, SpecNode)]?

        func int(_ key: String, default value: Int? = nil, in range: ClosedRange<Int> = 1...(1 << 40)) throws(MappingSpecError) -> Int {
            if let n = attributes[key] { return try n.int(in: range) }
            if let value { return value }
            throw node.error("missing attribute '\(key)' of \(name)")
        }
    }

    public static func read(yaml: String, file: String) throws(MappingSpecError) -> ArchitectureSpec {
        let root = try SpecNode.parse(yaml, file: file, root: "architecture").mapping(allowed: ["architecture"], required: ["architecture"])
        let top = try root["architecture"]!.mapping(allowed: ["version", "nodes"], required: ["version", "nodes"])
        try top["version"]!.version()
        let nodes = try top["nodes"]!.sequence()
        var storages: [Storage] = [], layout: [String] = []
        var columns: (String, Int)? = nil, rows: (String, Int)? = nil, mac: (SpecNode, [String: SpecNode])? = nil
        for n in nodes {
            switch n.node.tag.description {
            case "!Container":
                let spatial = try container(n)
                if let x = spatial.meshX { guard columns == nil else { throw n.error("a second meshX container; the array has one") }; columns = (spatial.name, x); layout.append("X") }
                if let y = spatial.meshY { guard rows == nil else { throw n.error("a second meshY container; the array has one") }; rows = (spatial.name, y); layout.append("Y") }
            case "!Component":
                let m = try n.mapping(allowed: ["name", "class", "attributes", "constraints"], required: ["name", "class"])
                let cls = try m["class"]!.string()
                switch cls {
                case "DRAM", "SRAM", "regfile":
                    storages.append(try storage(n, m))
                    layout.append(cls == "DRAM" ? "D" : "S")
                case "intmac":
                    guard mac == nil else { throw n.error("a second intmac; the array's PEs have one MAC each") }
                    mac = (n, try m["attributes"]?.mapping(allowed: ["datawidth", "energy", "energy_source"]) ?? [:])
                    layout.append("M")
                default: throw m["class"]!.error("unknown class '\(cls)'; allowed: DRAM, SRAM, regfile, intmac")
                }
            default:
                throw n.error("expected a !Container or !Component node, got tag '\(n.node.tag.description)'")
            }
        }
        let expected = [["D", "S", "X", "S", "Y", "S", "M"], ["D", "S", "S", "X", "S", "Y", "S", "M"]]
        guard expected.contains(layout), let columns, let rows, let mac else {
            throw top["nodes"]!.error("the nodes must run DRAM, [L2], scratchpad, a meshX container, accumulator, a meshY container, registers, intmac (outermost first); got \(layout.joined(separator: " "))")
        }
        return try assemble(storages, columns: columns, rows: rows, mac: mac)
    }

    static func container(_ n: SpecNode) throws(MappingSpecError) -> (name: String, meshX: Int?, meshY: Int?) {
        let m = try n.mapping(allowed: ["name", "attributes", "spatial"], required: ["name"])
        if let a = m["attributes"] { _ = try a.mapping(allowed: ["technology"]) }
        guard let spatial = m["spatial"] else { return (try m["name"]!.string(), nil, nil) }
        let s = try spatial.mapping(allowed: ["meshX", "meshY"])
        guard s.count == 1 else { throw spatial.error("give meshX (the array's columns) or meshY (its rows), one per container") }
        return (try m["name"]!.string(), try s["meshX"]?.int(in: 1...256), try s["meshY"]?.int(in: 1...256))
    }

    static func storage(_ n: SpecNode, _ m: [String: SpecNode]) throws(MappingSpecError) -> Storage {
        let attributes = try m["attributes"]?.mapping(allowed: storageAttributes) ?? [:]
        var keep: [(String, SpecNode)]? = nil
        if let c = m["constraints"] {
            let dataspace = try c.mapping(allowed: ["dataspace"], required: ["dataspace"])["dataspace"]!
            keep = try dataspace.mapping(allowed: ["keep"], required: ["keep"])["keep"]!.names()
        }
        return Storage(node: n, name: try m["name"]!.string(), attributes: attributes, keep: keep)
    }
}

extension ArchitectureSpec {
    /// The storages in order (DRAM, [L2], scratchpad, accumulator, registers) as an architecture and its energy table.
    static func assemble(_ s: [Storage], columns: (String, Int), rows: (String, Int),
                         mac: (SpecNode, [String: SpecNode])) throws(MappingSpecError) -> ArchitectureSpec {
        let hasL2 = s.count == 5
        let dram = s[0], l2: Storage? = hasL2 ? s[1] : nil, sp = s[hasL2 ? 2 : 1], acc = s[hasL2 ? 3 : 2], reg = s[hasL2 ? 4 : 3]
        var a = Accelerator.gemminiBaseline
        a.name = "\(dram.node.file)"
        a.source = "\(dram.node.file) (Timeloop v0.4 subset)"
        a.meshColumns = columns.1
        a.meshRows = rows.1
        a.inputBits = try sp.int("datawidth", in: 1...32)
        a.accumulatorBits = try acc.int("datawidth", in: a.inputBits...64)
        func bytes(_ s: Storage) throws(MappingSpecError) -> Int { try s.int("depth", in: 1...(1 << 34)) * s.int("width", in: 1...4096) / 8 }
        a.spCapacityBytes = try bytes(sp)
        a.accCapacityBytes = try bytes(acc) * columns.1
        a.l2Bytes = try l2.map { x throws(MappingSpecError) in try bytes(x) } ?? (1 << 34)
        a.dramBytesPerCycle = Double(try dram.int("shared_bandwidth", default: 64 * 8 / max(1, try dram.int("datawidth", default: 8)))
            * dram.int("datawidth", default: 8)) / 8
        if let l2 {
            a.l2BytesPerCycle = Double(try l2.int("shared_bandwidth", default: 16 * 8 / max(1, try l2.int("datawidth", default: 8)))
                * l2.int("datawidth", default: 8)) / 8
        } else {
            a.l2BytesPerCycle = a.dramBytesPerCycle
        }
        let registerBits = try reg.int("depth", default: 1) * reg.int("width", default: 8)
        guard registerBits >= (try reg.int("datawidth", default: 8)) else { throw reg.node.error("the registers must hold one word: depth × width ≥ datawidth") }
        let (flow, outputRegister) = try dataflow(reg)
        a.dataflow = flow
        for (storage, expected) in [(dram, ["Inputs", "Outputs", "Weights"]), (sp, ["Inputs", "Weights"]), (acc, ["Outputs"])] + (l2.map { [($0, ["Inputs", "Outputs", "Weights"])] } ?? []) {
            guard let keep = storage.keep else { continue }
            guard keep.map(\.0).sorted() == expected || (storage.name == sp.name && keep.map(\.0) == ["Inputs"]) else {
                throw keep.first?.1.error("\(storage.name) must keep [\(expected.joined(separator: ", "))] in this model, got [\(keep.map(\.0).joined(separator: ", "))]") ?? storage.node.error("empty keep")
            }
        }
        do { try a.validate() } catch {
            let node = error.field.hasPrefix("scratchpad") ? sp.node : error.field.hasPrefix("accumulator") ? acc.node : dram.node
            throw node.error(error.description)
        }
        var table: MappingEnergyTable
        do { table = try MappingEnergyTable.perWord(accelerator: a) } catch { throw dram.node.error(error.description) }
        var names: [MappingArchitecture.Level: String] = [.dram: dram.name, .scratchpad: sp.name, .accumulator: acc.name, .registers: reg.name]
        var levels: [(MappingArchitecture.Level, Storage)] = [(.dram, dram), (.scratchpad, sp), (.accumulator, acc), (.registers, reg)]
        if let l2 { levels.append((.l2, l2)); names[.l2] = l2.name } else { table.entries.removeAll { $0.level == .l2 } }
        for (level, storage) in levels { try override(&table, level, storage) }
        if sp.keep?.map(\.0) == ["Inputs"] { restrict(&table, .scratchpad, to: [.inputs]) }
        if outputRegister { try splitRegisters(&table, reg) } else if let e = reg.attributes["output_read_energy"] ?? reg.attributes["output_write_energy"] {
            throw e.error("an output register energy needs the registers to keep [Weights, Outputs]")
        }
        if let e = mac.1["energy"] {
            table.macPicojoules = try e.double(in: 0...1e6)
            table.macSource = try mac.1["energy_source"]?.string() ?? "\(e.file): \(e.key)"
        }
        var arch: MappingArchitecture
        do { arch = try MappingArchitecture(accelerator: a, energy: table) } catch { throw reg.node.error(error.description) }
        arch.bytesPerCycle[2] = Double(try sp.int("n_banks", default: 1, in: 1...64) * sp.int("width", in: 1...4096)) / 8
        arch.bytesPerCycle[3] = Double(try acc.int("n_banks", default: 1, in: 1...64) * acc.int("width", in: 1...4096) * columns.1) / 8
        if outputRegister {
            let words = registerBits / (try reg.int("datawidth", default: 8))
            do { try arch.setPERegisters(weightWords: words, outputRegister: true) } catch {
                throw reg.node.error(error.description)
            }
        }
        return ArchitectureSpec(architecture: arch, names: names, columnsName: columns.0, rowsName: rows.0, hasL2: hasL2)
    }

    /// WS when the registers keep weights, OS when they keep outputs (default WS, as Gemmini's spec); WS with a
    /// partial-sum register when they keep both (a TPU-like PE).
    static func dataflow(_ reg: Storage) throws(MappingSpecError) -> (Dataflow, outputRegister: Bool) {
        guard let keep = reg.keep else { return (.weightStationary, false) }
        switch keep.map(\.0).sorted() {
        case ["Weights"]: return (.weightStationary, false)
        case ["Outputs"]: return (.outputStationary, false)
        case ["Outputs", "Weights"]: return (.weightStationary, true)
        default: throw (keep.first?.1 ?? reg.node).error("the registers keep [Weights] (weight-stationary), [Outputs] (output-stationary) or [Weights, Outputs] (a TPU-like PE)")
        }
    }

    /// Limits a level's energy entry to `tensors` (the others bypass it and cost nothing there).
    static func restrict(_ table: inout MappingEnergyTable, _ level: MappingArchitecture.Level, to tensors: [MappedTensor]) {
        for i in table.entries.indices where table.entries[i].level == level { table.entries[i].tensors = tensors }
    }

    /// A TPU-like PE's registers: the register entry prices weights; a second one, the partial-sum register
    /// (`output_read_energy`/`output_write_energy`, default the register's); inputs have no register.
    static func splitRegisters(_ table: inout MappingEnergyTable, _ reg: Storage) throws(MappingSpecError) {
        guard let index = table.entries.firstIndex(where: { $0.level == .registers }) else { return }
        var output = table.entries[index]
        table.entries[index].tensors = [.weights]
        output.tensors = [.outputs]
        if let r = reg.attributes["output_read_energy"] {
            output.readPicojoules = try r.double(in: 0...1e9)
            output.writePicojoules = try reg.attributes["output_write_energy"]?.double(in: 0...1e9) ?? output.readPicojoules
            output.source = try reg.attributes["energy_source"]?.string() ?? "\(r.file): \(reg.name) output_read_energy/output_write_energy"
        } else if let w = reg.attributes["output_write_energy"] {
            throw w.error("give output_read_energy with output_write_energy")
        }
        table.entries.append(output)
    }

    /// Replaces a level's default energy entry with the file's `read_energy`/`write_energy`, if it gives them.
    static func override(_ table: inout MappingEnergyTable, _ level: MappingArchitecture.Level, _ s: Storage) throws(MappingSpecError) {
        guard let read = s.attributes["read_energy"] else {
            if let w = s.attributes["write_energy"] { throw w.error("give read_energy with write_energy") }
            return
        }
        guard let index = table.entries.firstIndex(where: { $0.level == level }) else { return }
        let r = try read.double(in: 0...1e9)
        let w = try s.attributes["write_energy"]?.double(in: 0...1e9) ?? r
        table.entries[index].readPicojoules = r
        table.entries[index].writePicojoules = w
        table.entries[index].wordBits = level == .registers ? nil : try s.int("width", in: 1...4096)
        table.entries[index].source = try s.attributes["energy_source"]?.string() ?? "\(read.file): \(s.name) read_energy/write_energy"
    }
}
