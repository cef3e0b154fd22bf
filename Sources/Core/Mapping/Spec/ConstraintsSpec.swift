/// Mapspace constraints read from YAML in Timeloop's v0.4 format, targets named by the architecture's components:
///
/// ```yaml
/// constraints:
///   version: 0.4
///   targets:
///   - {target: Registers, type: temporal, factors: R=1 S=1 P=1 Q=1 C=1 K=1 N=1}
///   - {target: Accumulator, type: spatial, factors: R=1 S=1 P=1 Q=1 C<=16 K=1 N=1}
///   - {target: Accumulator, type: temporal, permutation: QPNCSRK}       # innermost first, as Timeloop writes it
///   - {target: Scratchpad, type: dataspace, keep: [Inputs, Weights], bypass: [Outputs]}
/// ```
///
/// Targets and the slots of ``Mapping`` they constrain: DRAM temporal → ``Mapping/Slot/dram``, L2 temporal →
/// ``Mapping/Slot/l2``, accumulator temporal → ``Mapping/Slot/local``, registers temporal →
/// ``Mapping/Slot/registers``, scratchpad (or the meshX container) spatial → ``Mapping/Slot/columns``, accumulator
/// (or the meshY container) spatial → ``Mapping/Slot/rows``. Scratchpad temporal loops do not exist in our model
/// (its tile is the accumulator's), so their factors may only be 1. Factors: `X=n`, `X<=n`, `X>=n`, as one string or
/// a list. `type: dataspace` (or Timeloop 0.3's `bypass`) states what a level keeps; it must agree with the
/// architecture. A dimension with no factorisation left under the constraints is an error naming the constraint.
public struct ConstraintsSpec: Sendable {
    public var constraints: MapspaceConstraints
    /// Where each constraint was written: `"\(slot).\(dimension)"`, `"order.\(slot)"`, `"keep.\(level)"`.
    var nodes: [String: SpecLocation]

    public static func read(yaml: String, file: String, architecture spec: ArchitectureSpec) throws(MappingSpecError) -> ConstraintsSpec {
        let root = try SpecNode.parse(yaml, file: file, root: "constraints").mapping(allowed: ["constraints"], required: ["constraints"])
        let top = try root["constraints"]!.mapping(allowed: ["version", "targets"], required: ["version", "targets"])
        try top["version"]!.version()
        var c = MapspaceConstraints(name: file, source: file, keep: [:])
        var nodes: [String: SpecLocation] = [:]
        for t in try top["targets"]!.sequence() {
            let m = try t.mapping(allowed: ["target", "type", "factors", "permutation", "keep", "bypass"], required: ["target", "type"])
            let target = try m["target"]!.string(), type = try m["type"]!.string()
            switch type {
            case "temporal", "spatial":
                let slot = try slotFor(target, spatial: type == "spatial", spec, m["target"]!)
                if let f = m["factors"] { try readFactors(f, slot: slot, into: &c, nodes: &nodes) }
                if let p = m["permutation"], let slot, !slot.isSpatial {
                    let text = try p.names().map(\.0).joined()
                    guard let order = MapspaceConstraints.order(timeloopPermutation: text) else {
                        throw p.error("'\(text)' is not a permutation of N, K (or M), C, P, Q, R, S")
                    }
                    c.permutations[slot] = order
                    nodes["order.\(slot)"] = p.location
                }
            case "dataspace", "bypass":
                guard let level = spec.names.first(where: { $0.value == target })?.key else {
                    throw m["target"]!.error("unknown target '\(target)'; the architecture's storages are \(spec.names.values.sorted().joined(separator: ", "))")
                }
                guard let keepNode = m["keep"] else { throw t.error("missing key 'keep'") }
                var kept = Set<MappedTensor>()
                for (name, n) in try keepNode.names() {
                    guard let tensor = tensor(name) else { throw n.error("unknown dataspace '\(name)'; allowed: Inputs, Weights, Outputs") }
                    kept.insert(tensor)
                }
                if let b = m["bypass"] { for (name, n) in try b.names() where tensor(name) == nil { throw n.error("unknown dataspace '\(name)'; allowed: Inputs, Weights, Outputs") } }
                c.keep?[level] = kept
                nodes["keep.\(level)"] = keepNode.location
            default:
                throw m["type"]!.error("unknown type '\(type)'; allowed: temporal, spatial, dataspace (or bypass)")
            }
        }
        if !spec.hasL2 { c.factors[.l2] = Dictionary(uniqueKeysWithValues: LoopDimension.allCases.map { ($0, .fixed(1)) }) }
        return ConstraintsSpec(constraints: c, nodes: nodes)
    }

    static func tensor(_ name: String) -> MappedTensor? {
        ["Inputs": MappedTensor.inputs, "Weights": .weights, "Outputs": .outputs][name]
    }

    /// The slot a target's loops occupy; nil for the scratchpad's temporal loops (only factors of 1 allowed).
    static func slotFor(_ target: String, spatial: Bool, _ spec: ArchitectureSpec, _ node: SpecNode) throws(MappingSpecError) -> Mapping.Slot? {
        let level = spec.names.first { $0.value == target }?.key
        if spatial {
            if level == .scratchpad || target == spec.columnsName { return .columns }
            if level == .accumulator || target == spec.rowsName { return .rows }
            throw node.error("no spatial fan-out below '\(target)'; spatial targets: \(spec.names[.scratchpad]!) or \(spec.columnsName) (columns), \(spec.names[.accumulator]!) or \(spec.rowsName) (rows)")
        }
        switch level {
        case .dram?: return .dram
        case .l2?: return .l2
        case .accumulator?: return .local
        case .registers?: return .registers
        case .scratchpad?: return nil
        case nil: throw node.error("unknown target '\(target)'; the architecture's storages are \(spec.names.values.sorted().joined(separator: ", "))")
        }
    }

    static func readFactors(_ f: SpecNode, slot: Mapping.Slot?, into c: inout MapspaceConstraints, nodes: inout [String: SpecLocation]) throws(MappingSpecError) {
        for (token, n) in try f.names() {
            let op = token.contains("<=") ? "<=" : token.contains(">=") ? ">=" : "="
            let parts = token.components(separatedBy: op)
            guard parts.count == 2, parts[0].count == 1, let d = LoopDimension(letter: Character(parts[0])), let v = Int(parts[1]), v >= 1 else {
                throw n.error("'\(token)' is not a factor constraint such as C<=16, K=1 or P>=2 (dimensions N, K or M, C, P, Q, R, S; values ≥ 1)")
            }
            let factor: MapspaceConstraints.Factor = op == "<=" ? .atMost(v) : op == ">=" ? .atLeast(v) : .fixed(v)
            guard let slot else {
                guard factor == .fixed(1) else { throw n.error("'\(token)': the scratchpad has no temporal loops in this model (its tile is the accumulator's); only =1 is allowed") }
                continue
            }
            c.factors[slot, default: [:]][d] = factor
            nodes["\(slot).\(d)"] = nodes["\(slot).\(d)"] ?? n.location
        }
    }
}

/// Architecture, problem, constraints and mapper settings read from files (README, "Your own architecture").
public struct MappingSpec: Sendable {
    public var architecture: ArchitectureSpec
    public var problem: MappingProblem
    public var constraints: MapspaceConstraints
    public var mapper: MapperSettings
    public var space: Mapspace

    /// Reads the four files (constraints and mapper optional: none, and ``MapperSettings/init(algorithm:metric:searchSize:seed:)``)
    /// and builds the mapspace; impossible constraints name the constraint's line.
    public static func read(architecture: (text: String, file: String), problem: (text: String, file: String),
                            constraints: (text: String, file: String)? = nil,
                            mapper: (text: String, file: String)? = nil) throws(MappingSpecError) -> MappingSpec {
        let arch = try ArchitectureSpec.read(yaml: architecture.text, file: architecture.file)
        let (p, problemNodes) = try ProblemSpec.located(yaml: problem.text, file: problem.file, architecture: arch.architecture)
        var c = ConstraintsSpec(constraints: .none, nodes: [:])
        if let constraints { c = try ConstraintsSpec.read(yaml: constraints.text, file: constraints.file, architecture: arch) }
        else if !arch.hasL2 { c.constraints.factors[.l2] = Dictionary(uniqueKeysWithValues: LoopDimension.allCases.map { ($0, .fixed(1)) }) }
        let settings = try mapper.map { m throws(MappingSpecError) in try MapperSettings.read(yaml: m.text, file: m.file) } ?? MapperSettings()
        do {
            let model = try MappingCostModel(p, architecture: arch.architecture)
            let space = try Mapspace(model, constraints: c.constraints)
            return MappingSpec(architecture: arch, problem: p, constraints: c.constraints, mapper: settings, space: space)
        } catch {
            throw Self.locate(error, c.nodes, problemNodes, fallback: constraints?.file ?? problem.file)
        }
    }

    /// The line a mapspace error points at: the constraint on that slot and dimension, else the dimension's size.
    static func locate(_ e: ConfigurationError, _ nodes: [String: SpecLocation], _ problemNodes: [LoopDimension: SpecLocation], fallback: String) -> MappingSpecError {
        if e.field == "keep", let n = nodes.filter({ $0.key.hasPrefix("keep.") }).min(by: { $0.value.line < $1.value.line })?.value {
            return n.error("impossible constraints: " + e.message)
        }
        if let n = nodes[e.field] { return n.error("impossible constraints: " + e.message) }
        if let d = LoopDimension.allCases.first(where: { $0.description == e.field }) {
            if let n = nodes.filter({ $0.key.hasSuffix(".\(d)") && !$0.key.hasPrefix("order.") }).min(by: { $0.value.line < $1.value.line })?.value {
                return n.error("impossible constraints: " + e.message)
            }
            if let n = problemNodes[d] { return n.error(e.message) }
        }
        return MappingSpecError(file: fallback, line: 1, key: e.field, message: e.message)
    }

    /// The best mapping the settings' search finds, or nil when no valid mapping turned up in its draws.
    public func search() -> (mapping: Mapping, cost: MappingCost, evaluations: Int)? {
        var rng = SeededGenerator(seed: mapper.seed)
        if mapper.algorithm == .annealing {
            return MappingSearch.anneal(space, steps: mapper.searchSize, restarts: 4, using: &rng).map { ($0.mapping, $0.cost, $0.evaluations) }
        }
        let model = space.model
        var m = Mapping.trivial, cost = MappingCost(), best: (Mapping, MappingCost)? = nil
        var valid = 0, draws = 0
        let maxDraws = max(1_000_000, 2_000 * mapper.searchSize)
        func score(_ c: MappingCost) -> Double {
            switch mapper.metric {
            case .edp: return c.edp
            case .energy: return c.energyPicojoules
            case .delay: return c.cycles
            }
        }
        while valid < mapper.searchSize && draws < maxDraws {
            space.randomMapping(into: &m, using: &rng)
            draws += 1
            guard model.costIfFits(m, into: &cost) else { continue }
            valid += 1
            if best == nil || score(cost) < score(best!.1) { best = (m, cost) }
        }
        return best.map { ($0.0, $0.1, draws) }
    }
}
