/// Where each loop of a problem runs (survey §5.2-5.3): per level a tiling factor for every dimension, a loop
/// order per temporal level, and the dimensions unrolled over the array's rows and columns.
///
/// Slots, outermost first: ``Slot/dram`` (loops over L2 tiles), ``Slot/l2`` (over scratchpad/accumulator tiles),
/// ``Slot/local`` (over the array's steps), ``Slot/rows`` and ``Slot/columns`` (spatial) and ``Slot/registers``
/// (loops inside a PE while its stationary word stays). For every dimension the six factors multiply to its size.
///
/// ```swift
/// // Fig. 17: n1 and m1 at DRAM, n0 spatial, m0 and k0 local, for a 64×16×64 GEMM.
/// var m = Mapping.trivial
/// m.setFactor(.dram, .k, 4); m.setFactor(.dram, .p, 4); m.setFactor(.columns, .k, 4)
/// m.setFactor(.local, .p, 16); m.setFactor(.local, .c, 64)
/// ```
public struct Mapping: Sendable, Hashable {
    public enum Slot: Int, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        case dram = 0, l2, local, rows, columns, registers
        public static let count = 6
        /// The four temporal slots, outermost first (the ones with a loop order).
        public static let temporal: [Slot] = [.dram, .l2, .local, .registers]
        public var isSpatial: Bool { self == .rows || self == .columns }
        /// Index into ``Mapping/orders`` for a temporal slot.
        public var orderIndex: Int? {
            switch self {
            case .dram: return 0
            case .l2: return 1
            case .local: return 2
            case .registers: return 3
            default: return nil
            }
        }
        public var description: String { ["DRAM", "L2", "local", "rows", "columns", "registers"][rawValue] }
    }

    /// `factors[slot · 7 + dimension]`.
    public var factors: [Int]
    /// `orders[temporalLevel · 7 + position]` = dimension raw value, outermost first; each level a permutation.
    public var orders: [UInt8]

    public init(factors: [Int], orders: [UInt8]) {
        self.factors = factors
        self.orders = orders
    }

    /// Every factor 1, every level in N, K, C, P, Q, R, S order.
    public static let trivial = Mapping(factors: [Int](repeating: 1, count: Slot.count * LoopDimension.count),
                                        orders: (0..<4).flatMap { _ in (0..<7).map(UInt8.init) })

    /// The whole problem at DRAM level, in the default order: valid on any architecture whose memories can hold one element.
    public static func allAtDRAM(_ p: MappingProblem) -> Mapping {
        var m = trivial
        for d in LoopDimension.allCases { m.setFactor(.dram, d, p.size(d)) }
        return m
    }

    public func factor(_ slot: Slot, _ d: LoopDimension) -> Int { factors[slot.rawValue * 7 + d.rawValue] }
    public mutating func setFactor(_ slot: Slot, _ d: LoopDimension, _ value: Int) { factors[slot.rawValue * 7 + d.rawValue] = value }

    /// A temporal slot's loop order, outermost first.
    public func order(_ slot: Slot) -> [LoopDimension] {
        guard let i = slot.orderIndex else { return [] }
        return (0..<7).map { LoopDimension(rawValue: Int(orders[i * 7 + $0])) ?? .n }
    }

    public mutating func setOrder(_ slot: Slot, _ dims: [LoopDimension]) {
        guard let i = slot.orderIndex else { return }
        let full = dims + LoopDimension.allCases.filter { !dims.contains($0) }
        for (p, d) in full.prefix(7).enumerated() { orders[i * 7 + p] = UInt8(d.rawValue) }
    }

    /// The loops with a factor above 1 at a slot, outermost first (spatial slots in dimension order).
    public func loops(_ slot: Slot) -> [(dimension: LoopDimension, factor: Int)] {
        let dims = slot.isSpatial ? LoopDimension.allCases : order(slot)
        return dims.compactMap { d in factor(slot, d) > 1 ? (d, factor(slot, d)) : nil }
    }

    /// Iterations of the array: the product of every temporal factor.
    public var temporalSteps: Int {
        Slot.temporal.reduce(1) { acc, slot in LoopDimension.allCases.reduce(acc) { $0 * factor(slot, $1) } }
    }

    /// PEs in use: the product of the spatial factors.
    public var spatialInstances: Int {
        LoopDimension.allCases.reduce(1) { $0 * factor(.rows, $1) * factor(.columns, $1) }
    }
}

/// Why a mapping cannot run (Timeloop and ZigZag call these invalid mappings): typed, never a trap.
public enum MappingInfeasibility: Error, Sendable, Hashable, CustomStringConvertible {
    case wrongShape(factors: Int, orders: Int)
    case nonPositiveFactor(slot: Mapping.Slot, dimension: LoopDimension, factor: Int)
    case factorsDoNotMultiply(dimension: LoopDimension, product: Int, size: Int)
    case orderNotAPermutation(slot: Mapping.Slot)
    case spatialDimensionNotAllowed(slot: Mapping.Slot, dimension: LoopDimension, dataflow: Dataflow)
    case spatialExceedsArray(slot: Mapping.Slot, product: Int, limit: Int)
    case stationaryWordChanges(dimension: LoopDimension, tensor: MappedTensor)
    case capacityExceeded(level: MappingArchitecture.Level, neededBytes: Int, capacityBytes: Int)

    public var description: String {
        switch self {
        case let .wrongShape(f, o): return "infeasible: \(f) factors and \(o) order entries; a mapping has 42 and 28"
        case let .nonPositiveFactor(slot, d, f): return "infeasible: factor \(f) of \(d) at \(slot) is not positive"
        case let .factorsDoNotMultiply(d, product, size): return "infeasible: the factors of \(d) multiply to \(product), not its size \(size)"
        case let .orderNotAPermutation(slot): return "infeasible: the loop order at \(slot) is not a permutation of the 7 dimensions"
        case let .spatialDimensionNotAllowed(slot, d, df):
            return "infeasible: \(d) cannot run on the array's \(slot) in the \(df.rawValue) dataflow"
        case let .spatialExceedsArray(slot, product, limit): return "infeasible: \(product) iterations on the array's \(slot), which has \(limit)"
        case let .stationaryWordChanges(d, t): return "infeasible: a register loop over \(d) would change the stationary \(t) word"
        case let .capacityExceeded(level, need, cap): return "infeasible: the \(level) tile needs \(need) B, the \(level) holds \(cap) B"
        }
    }
}

extension MappingProblem {
    /// nil when `m` is a valid mapping of this problem on `arch`, or the first reason it is not.
    public func infeasibility(of m: Mapping, on arch: MappingArchitecture) -> MappingInfeasibility? {
        guard m.factors.count == Mapping.Slot.count * 7, m.orders.count == 28 else {
            return .wrongShape(factors: m.factors.count, orders: m.orders.count)
        }
        for d in LoopDimension.allCases {
            var product = 1
            for slot in Mapping.Slot.allCases {
                let f = m.factor(slot, d)
                guard f >= 1 else { return .nonPositiveFactor(slot: slot, dimension: d, factor: f) }
                product = product.multipliedReportingOverflow(by: f).overflow ? Int.max : product * f
                if slot == .rows, f > 1, !arch.allowsRow(d) { return .spatialDimensionNotAllowed(slot: slot, dimension: d, dataflow: arch.dataflow) }
                if slot == .columns, f > 1, !arch.allowsColumn(d) { return .spatialDimensionNotAllowed(slot: slot, dimension: d, dataflow: arch.dataflow) }
                if slot == .registers, f > 1, !arch.allowsRegisterLoop(d) { return .stationaryWordChanges(dimension: d, tensor: arch.stationaryTensor) }
            }
            guard product == size(d) else { return .factorsDoNotMultiply(dimension: d, product: product, size: size(d)) }
        }
        for slot in Mapping.Slot.temporal {
            var seen: UInt8 = 0
            for p in 0..<7 {
                let d = m.orders[slot.orderIndex! * 7 + p]
                guard d < 7 else { return .orderNotAPermutation(slot: slot) }
                seen |= 1 << d
            }
            guard seen == 0x7F else { return .orderNotAPermutation(slot: slot) }
        }
        for (slot, limit) in [(Mapping.Slot.rows, arch.meshRows), (.columns, arch.meshColumns)] {
            let product = LoopDimension.allCases.reduce(1) { $0 * m.factor(slot, $1) }
            guard product <= limit else { return .spatialExceedsArray(slot: slot, product: product, limit: limit) }
        }
        let tiles = MappingTiles(self, m)
        let l2 = tiles.l2Bytes(self), sp = tiles.scratchpadBytes(self), acc = tiles.accumulatorBytes(self)
        if l2 > arch.l2Bytes { return .capacityExceeded(level: .l2, neededBytes: l2, capacityBytes: arch.l2Bytes) }
        if sp > arch.scratchpadBytes { return .capacityExceeded(level: .scratchpad, neededBytes: sp, capacityBytes: arch.scratchpadBytes) }
        if acc > arch.accumulatorBytes { return .capacityExceeded(level: .accumulator, neededBytes: acc, capacityBytes: arch.accumulatorBytes) }
        let registerWeights = MappingFootprint.elements(.weights, extents: LoopDimension.allCases.map { m.factor(.registers, $0) }, stride: stride)
        if arch.weightRegisterWords > 1, registerWeights > arch.weightRegisterWords {
            return .capacityExceeded(level: .registers, neededBytes: registerWeights * bytesPerElement(.weights),
                                     capacityBytes: arch.weightRegisterWords * bytesPerElement(.weights))
        }
        return nil
    }
}

/// The tile each storage level holds: for every tensor, the elements that the loops below the level touch.
public struct MappingTiles: Sendable, Hashable {
    /// Elements per tensor (``MappedTensor`` order) of the L2 tile, the scratchpad/accumulator tile and the spatial tile.
    public var l2: [Int], local: [Int], spatial: [Int]

    public init(_ p: MappingProblem, _ m: Mapping) {
        var extL2 = [Int](repeating: 1, count: 7), extLocal = extL2, extSpatial = extL2
        for d in 0..<7 {
            let rows = m.factors[Mapping.Slot.rows.rawValue * 7 + d], cols = m.factors[Mapping.Slot.columns.rawValue * 7 + d]
            let reg = m.factors[Mapping.Slot.registers.rawValue * 7 + d]
            extSpatial[d] = rows * cols
            extLocal[d] = m.factors[Mapping.Slot.local.rawValue * 7 + d] * rows * cols * reg
            extL2[d] = m.factors[Mapping.Slot.l2.rawValue * 7 + d] * extLocal[d]
        }
        l2 = MappedTensor.allCases.map { MappingFootprint.elements($0, extents: extL2, stride: p.stride) }
        local = MappedTensor.allCases.map { MappingFootprint.elements($0, extents: extLocal, stride: p.stride) }
        spatial = MappedTensor.allCases.map { MappingFootprint.elements($0, extents: extSpatial, stride: p.stride) }
    }

    public func l2Bytes(_ p: MappingProblem) -> Int {
        MappedTensor.allCases.reduce(0) { $0 + l2[$1.rawValue] * p.bytesPerElement($1) }
    }
    public func scratchpadBytes(_ p: MappingProblem) -> Int {
        local[0] * p.bytesPerElement(.inputs) + local[1] * p.bytesPerElement(.weights)
    }
    public func accumulatorBytes(_ p: MappingProblem) -> Int { local[2] * p.bytesPerElement(.outputs) }
}
