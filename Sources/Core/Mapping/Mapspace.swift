/// Every mapping of a problem onto an architecture (survey §5.3): each dimension's size split into ordered
/// factors over the six slots of ``Mapping``, and a loop order for each of the four temporal slots.
///
/// By construction the mapspace respects the array's wiring (only allowed dimensions on rows, columns and
/// registers, no spatial factor above the array side); capacities and the product of the spatial factors over
/// dimensions are checked per mapping. Counting the space:
///
///     |mapspace| = Π_d T_d × (D!)^4
///
/// where T_d is the number of ordered factorisations of dimension d's size over its allowed slots and D the number
/// of dimensions with a size above 1 (only their relative order matters at each of the 4 temporal levels).
///
/// ```swift
/// let space = try Mapspace(model)
/// space.size                  // 8.44e10 for BERT-Base's Q/K/V projection at l = 512 on 16×16 WS
/// var rng = SeededGenerator(seed: 1)
/// let sample = space.sample(100_000, using: &rng)   // EDPs of uniformly drawn valid mappings
/// ```
public struct Mapspace: Sendable {
    public let model: MappingCostModel
    /// The constraints the space was built under (``MapspaceConstraints/none`` for the unconstrained sampler).
    public let constraints: MapspaceConstraints
    /// Per dimension, its factorisations: `factorisations[d][i · 6 + slot]`.
    public let factorisations: [[Int]]
    public let nontrivial: [LoopDimension]
    /// Per temporal level (``Mapping/Slot/temporal`` order), its pinned order as raw values, or nil when free.
    let pinnedOrders: [[UInt8]?]
    /// Temporal levels (0…3) whose loop order the sampler and the search may choose: neither pinned nor empty.
    public let freeOrderLevels: [Int]

    /// The space of `model`'s problem on its architecture under `constraints`. Throws, naming the dimension, when a
    /// dimension has no factorisation (the constraints are impossible) or the constraints' keeps contradict the
    /// architecture's levels.
    public init(_ model: MappingCostModel, constraints: MapspaceConstraints = .none) throws(ConfigurationError) {
        self.model = model
        self.constraints = constraints
        let arch = model.architecture, p = model.problem
        if let keep = constraints.keep {
            let implied = MapspaceConstraints.architectureKeeps(arch)
            for (level, tensors) in keep.sorted(by: { $0.key.rawValue < $1.key.rawValue }) where implied[level] != tensors {
                let names = { (ts: Set<MappedTensor>) in ts.sorted { $0.rawValue < $1.rawValue }.map(\.description).joined(separator: ", ") }
                throw ConfigurationError(field: "keep", message: "the constraints keep [\(names(tensors))] at \(level), but this architecture's \(level) holds [\(names(implied[level] ?? []))]")
            }
        }
        var lists: [[Int]] = []
        for d in LoopDimension.allCases {
            var allowed: [Mapping.Slot] = [.dram, .l2, .local]
            if arch.allowsRow(d) { allowed.append(.rows) }
            if arch.allowsColumn(d) { allowed.append(.columns) }
            if arch.allowsRegisterLoop(d) { allowed.append(.registers) }
            let limits: [Mapping.Slot: Int] = [.rows: arch.meshRows, .columns: arch.meshColumns]
            var out: [Int] = []
            Self.factorise(p.size(d), slots: allowed, admits: { slot, f in
                (limits[slot].map { f <= $0 } ?? true) && (constraints.factor(slot, d)?.admits(f) ?? true)
            }, current: [Int](repeating: 1, count: 6), index: 0, into: &out)
            for slot in Mapping.Slot.allCases where !allowed.contains(slot) {
                if let c = constraints.factor(slot, d), !c.admits(1) {
                    throw ConfigurationError(field: "\(slot).\(d)", message: "factor \(d)\(c) at \(slot), but this architecture runs no \(d) loop there")
                }
            }
            guard !out.isEmpty else {
                throw ConfigurationError(field: "\(d)", message: "\(d) = \(p.size(d)) has no factorisation on this array under the constraints")
            }
            lists.append(out)
        }
        factorisations = lists
        nontrivial = p.nontrivialDimensions
        pinnedOrders = Mapping.Slot.temporal.map { slot in constraints.permutation(slot).map { $0.map { UInt8($0.rawValue) } } }
        freeOrderLevels = Mapping.Slot.temporal.enumerated().compactMap { level, slot in
            constraints.permutation(slot) == nil && !constraints.isEmpty(slot) ? level : nil
        }
    }

    static func factorise(_ n: Int, slots: [Mapping.Slot], limits: [Mapping.Slot: Int], current: [Int], index: Int,
                          into out: inout [Int]) {
        factorise(n, slots: slots, admits: { slot, f in limits[slot].map { f <= $0 } ?? true }, current: current, index: index, into: &out)
    }

    /// Every ordered factorisation of `n` over `slots` whose factors `admits` accepts, appended 6 slots at a time.
    static func factorise(_ n: Int, slots: [Mapping.Slot], admits: (Mapping.Slot, Int) -> Bool, current: [Int], index: Int,
                          into out: inout [Int]) {
        if index == slots.count - 1 {
            let slot = slots[index]
            guard admits(slot, n) else { return }
            var c = current
            c[slot.rawValue] = n
            out += c
            return
        }
        let slot = slots[index]
        var f = 1
        while f <= n {
            if n % f == 0 && admits(slot, f) {
                var c = current
                c[slot.rawValue] = f
                factorise(n / f, slots: slots, admits: admits, current: c, index: index + 1, into: &out)
            }
            f += 1
        }
    }

    /// Ordered factorisations of `n` over all six slots, the two spatial ones at most the array's side: the
    /// general space, with any dimension at any level (the survey's count of §5.3).
    public static func generalTilingChoices(_ n: Int, meshRows: Int, meshColumns: Int) -> Int {
        var out: [Int] = []
        factorise(n, slots: Mapping.Slot.allCases, limits: [.rows: meshRows, .columns: meshColumns],
                  current: [Int](repeating: 1, count: 6), index: 0, into: &out)
        return out.count / 6
    }

    /// Π_d T_d × (D!)^4 over the general space.
    public static func generalSize(_ p: MappingProblem, meshRows: Int, meshColumns: Int) -> Double {
        var factorial = 1.0
        let count = p.nontrivialDimensions.count
        if count > 1 { for i in 2...count { factorial *= Double(i) } }
        return p.nontrivialDimensions.reduce(1.0) { $0 * Double(generalTilingChoices(p.size($1), meshRows: meshRows, meshColumns: meshColumns)) }
            * factorial * factorial * factorial * factorial
    }

    /// T_d for each dimension.
    public var tilingChoices: [Int] { factorisations.map { $0.count / 6 } }

    /// |mapspace| = Π_d T_d × (D!)^4, as a Double (it overflows Int for real layers).
    public var size: Double {
        let tilings = tilingChoices.reduce(1.0) { $0 * Double($1) }
        return tilings * orderChoices
    }

    /// (D!)^L: distinct loop orders over the L temporal levels whose order is free (4 without constraints).
    public var orderChoices: Double {
        var factorial = 1.0
        if nontrivial.count > 1 { for i in 2...nontrivial.count { factorial *= Double(i) } }
        return freeOrderLevels.reduce(1.0) { acc, _ in acc * factorial }
    }

    /// A point of the mapspace named by its coordinates in Timeloop's sub-spaces: one index per dimension into its
    /// factorisations (together, the index-factorisation sub-space) and, per temporal level, an index into the 7!
    /// loop orders (the permutation sub-space; ignored at a pinned level). Bypass is fixed by the architecture
    /// (and checked against the constraints' keeps), so its sub-space has one point.
    public struct Index: Sendable, Hashable {
        public var factorisation: [Int]
        public var permutation: [Int]
        public init(factorisation: [Int], permutation: [Int]) {
            self.factorisation = factorisation
            self.permutation = permutation
        }
    }

    /// 7! = 5040 orders of the seven loops at one level.
    public static let ordersPerLevel = 5040

    /// Writes the mapping at `index` into `m`: factorisations by index, pinned orders as pinned, free orders by
    /// their Lehmer code (index 0 = N, K, C, P, Q, R, S outermost first).
    public func mapping(at index: Index, into m: inout Mapping) {
        m.factors.withUnsafeMutableBufferPointer { f in
            for d in 0..<7 { apply(d, index.factorisation[d], to: f.baseAddress!) }
        }
        m.orders.withUnsafeMutableBufferPointer { o in
            for level in 0..<4 {
                if let pinned = pinnedOrders[level] {
                    for p in 0..<7 { o[level * 7 + p] = pinned[p] }
                } else {
                    Self.decodeOrder(index.permutation[level], into: o.baseAddress! + level * 7)
                }
            }
        }
    }

    /// The order with Lehmer code `code` (0..<5040): position p takes the (code / (6 − p)!) mod (7 − p)-th unused dimension.
    @inline(__always)
    static func decodeOrder(_ code: Int, into o: UnsafeMutablePointer<UInt8>) {
        var unused: UInt8 = 0x7F
        var rest = code
        var radix = 720
        for p in 0..<7 {
            var k = rest / radix
            rest %= radix
            if p < 6 { radix /= (6 - p) }
            var d: UInt8 = 0
            while true {
                if unused & (1 << d) != 0 {
                    if k == 0 { break }
                    k -= 1
                }
                d += 1
            }
            unused &= ~(1 << d)
            o[p] = d
        }
    }

    /// Writes factorisation `index` of dimension `d` into `m`.
    @inline(__always)
    public func apply(_ d: Int, _ index: Int, to factors: UnsafeMutablePointer<Int>) {
        factorisations[d].withUnsafeBufferPointer { list in
            for slot in 0..<6 { factors[slot * 7 + d] = list[index * 6 + slot] }
        }
    }

    /// A uniformly random point of the mapspace (it may not fit the memories), drawn by index as Timeloop's random
    /// search draws one (NVlabs/timeloop `src/search/random.cpp`): a uniform index into each dimension's
    /// factorisations and into each free level's 7! orders, with bounded draws by multiply-shift (bias below n / 2⁶⁴).
    public func randomMapping(into m: inout Mapping, using rng: inout SeededGenerator) {
        m.factors.withUnsafeMutableBufferPointer { f in
            for d in 0..<7 {
                apply(d, Self.below(factorisations[d].count / 6, &rng), to: f.baseAddress!)
            }
        }
        m.orders.withUnsafeMutableBufferPointer { o in
            for level in 0..<4 {
                if let pinned = pinnedOrders[level] {
                    for p in 0..<7 { o[level * 7 + p] = pinned[p] }
                } else {
                    Self.decodeOrder(Self.below(Self.ordersPerLevel, &rng), into: o.baseAddress! + level * 7)
                }
            }
        }
    }

    /// A draw in 0..<n from 64 random bits (Lemire's multiply-shift, without the rejection step).
    @inline(__always)
    static func below(_ n: Int, _ rng: inout SeededGenerator) -> Int {
        Int(truncatingIfNeeded: UInt64(n).multipliedFullWidth(by: rng.next()).high)
    }

    /// What a uniform sample of valid mappings found.
    public struct Sample: Sendable {
        /// EDP, energy (pJ) and cycles of each valid mapping, in the order drawn.
        public var edp: [Double], energy: [Double], cycles: [Double]
        /// Draws from the whole mapspace, valid or not (rejection sampling: the valid ones are uniform over the valid space).
        public var draws: Int
        public var best: Mapping?
        public var bestCost: MappingCost?
        /// Valid mappings that keep every PE of the array busy (spatial factors filling rows and columns).
        public var fullArray: Int = 0
        public var validFraction: Double { Double(edp.count) / Double(max(1, draws)) }
    }

    /// `count` valid mappings drawn uniformly (rejection sampling), stopping after `maxDraws` draws.
    public func sample(_ count: Int, maxDraws: Int = 1 << 31, using rng: inout SeededGenerator,
                                                 progress: ((Int) -> Void)? = nil) -> Sample {
        var out = Sample(edp: [], energy: [], cycles: [], draws: 0, best: nil, bestCost: nil)
        out.edp.reserveCapacity(count)
        out.energy.reserveCapacity(count)
        out.cycles.reserveCapacity(count)
        var m = Mapping.trivial, cost = MappingCost(), bestEDP = Double.infinity
        let peCount = Double(model.architecture.meshRows * model.architecture.meshColumns)
        while out.edp.count < count && out.draws < maxDraws {
            randomMapping(into: &m, using: &rng)
            out.draws += 1
            guard model.costIfFits(m, into: &cost) else { continue }
            out.edp.append(cost.edp)
            out.energy.append(cost.energyPicojoules)
            out.cycles.append(cost.cycles)
            if cost.macs == cost.computeCycles * peCount { out.fullArray += 1 }
            if cost.edp < bestEDP {
                bestEDP = cost.edp
                out.best = m
                out.bestCost = cost
            }
            if let progress, out.edp.count % 10_000 == 0 { progress(out.edp.count) }
        }
        return out
    }

    /// Every valid mapping, with loop orders only among each level's loops of factor above 1 (other orders give
    /// the same cost). Refuses spaces with more than `limit` tilings.
    public func exhaustive(limit: Int = 2_000_000, visit: (Mapping, MappingCost) -> Void) throws(ConfigurationError) {
        let tilings = tilingChoices.reduce(1.0) { $0 * Double($1) }
        guard tilings <= Double(limit) else {
            throw ConfigurationError(field: "problem", message: "\(tilings) tilings is too many for exhaustive search (limit \(limit))")
        }
        var index = [Int](repeating: 0, count: 7)
        var m = Mapping.trivial, cost = MappingCost()
        let counts = tilingChoices
        while true {
            m.factors.withUnsafeMutableBufferPointer { f in
                for d in 0..<7 { apply(d, index[d], to: f.baseAddress!) }
            }
            if model.costIfFits(m, into: &cost) {
                let perLevel: [[[LoopDimension]]] = Mapping.Slot.temporal.map { slot in
                    constraints.permutation(slot).map { [$0] } ?? Self.permutations(LoopDimension.allCases.filter { m.factor(slot, $0) > 1 })
                }
                var choice = [0, 0, 0, 0]
                while true {
                    for (level, slot) in Mapping.Slot.temporal.enumerated() { m.setOrder(slot, perLevel[level][choice[level]]) }
                    _ = model.costIfFits(m, into: &cost)
                    visit(m, cost)
                    var level = 0
                    while level < 4 {
                        choice[level] += 1
                        if choice[level] < perLevel[level].count { break }
                        choice[level] = 0
                        level += 1
                    }
                    if level == 4 { break }
                }
                m.orders = Mapping.trivial.orders
            }
            var d = 0
            while d < 7 {
                index[d] += 1
                if index[d] < counts[d] { break }
                index[d] = 0
                d += 1
            }
            if d == 7 { return }
        }
    }

    static func permutations(_ items: [LoopDimension]) -> [[LoopDimension]] {
        guard items.count > 1 else { return [items] }
        var out: [[LoopDimension]] = []
        for (i, x) in items.enumerated() {
            var rest = items
            rest.remove(at: i)
            for p in permutations(rest) { out.append([x] + p) }
        }
        return out
    }
}
