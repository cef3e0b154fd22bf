/// The memory levels and the spatial array a mapping targets: a Gemmini-like accelerator (survey §3.4.1,
/// Fig. 12) built from an ``Accelerator``, with the per-access energies of a ``MappingEnergyTable`` (by default
/// ``MappingEnergyTable/perWord(accelerator:)``).
///
/// Levels, outermost first, and what each holds:
/// - **DRAM**: every tensor (backing store);
/// - **L2**: every tensor (the SoC's shared cache; `l2Bytes`);
/// - **scratchpad**: inputs and weights (`spCapacityBytes`);
/// - **accumulator**: 32-bit partial sums (`accCapacityBytes`);
/// - **PE registers**: one word of the stationary tensor per PE (the weight in WS, the partial sum in OS).
///
/// Bandwidths in bytes per cycle, each with its source:
/// - DRAM ↔ L2: `dramBytesPerCycle`, L2 ↔ scratchpad/accumulator: `l2BytesPerCycle` (the accelerator's
///   fields; 64 and 16 on the Gemmini presets, after the survey's §3.3 model);
/// - scratchpad: 4 banks of one `W`-byte row per cycle (Gemmini `defaultConfig`: `sp_banks = 4`, rows of
///   `W × inputBits`);
/// - accumulator: 2 banks of one `W × 4`-byte row per cycle (`acc_banks = 2`, rows of `W × accType` bits).
///
/// Spatial mapping follows the array's wiring (Gemmini's systolic mesh, as Timeloop's Gemmini example
/// constrains it): in WS the rows carry reduction dimensions (C, R, S: partial sums flow down the columns) and the
/// columns output channels (K: inputs flow along the rows); in OS the rows carry output pixels (N, P, Q) and the
/// columns K.
public struct MappingArchitecture: Sendable, Hashable {
    public enum Level: Int, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        case dram = 0, l2, scratchpad, accumulator, registers
        public var description: String { ["DRAM", "L2", "scratchpad", "accumulator", "PE registers"][rawValue] }
    }

    public var accelerator: Accelerator
    public var meshRows: Int
    public var meshColumns: Int
    public var dataflow: Dataflow
    public var energy: MappingEnergyTable
    /// Capacities in bytes of L2, scratchpad and accumulator.
    public var l2Bytes: Int, scratchpadBytes: Int, accumulatorBytes: Int
    /// Bytes per cycle at each level's port, in ``Level`` order (registers: unlimited).
    public var bytesPerCycle: [Double]
    /// Dimensions allowed on the array's rows and columns (bit d = ``LoopDimension`` d).
    public var rowDimensionMask: UInt8, columnDimensionMask: UInt8

    public static let gemminiScratchpadBanks = 4
    public static let gemminiAccumulatorBanks = 2

    public init(accelerator a: Accelerator) throws(ConfigurationError) {
        try self.init(accelerator: a, energy: try MappingEnergyTable.perWord(accelerator: a))
    }

    /// The architecture of `a`, priced with `energy`.
    public init(accelerator a: Accelerator, energy table: MappingEnergyTable) throws(ConfigurationError) {
        try a.validate()
        guard a.dataflow != .inputStationary else {
            throw ConfigurationError(field: "dataflow", message: "the mapper models Gemmini's ws and os dataflows; 'is' is not one of them")
        }
        accelerator = a
        meshRows = a.meshRows
        meshColumns = a.meshColumns
        dataflow = a.dataflow
        energy = table
        l2Bytes = a.l2Bytes
        scratchpadBytes = a.spCapacityBytes
        accumulatorBytes = a.accCapacityBytes
        let spRow = Double(a.meshColumns * max(1, a.inputBits / 8))
        let accRow = Double(a.meshColumns * max(1, a.accumulatorBits / 8))
        bytesPerCycle = [a.dramBytesPerCycle, a.l2BytesPerCycle, Double(Self.gemminiScratchpadBanks) * spRow,
                         Double(Self.gemminiAccumulatorBanks) * accRow, .infinity]
        func mask(_ ds: [LoopDimension]) -> UInt8 { ds.reduce(0) { $0 | UInt8(1 << $1.rawValue) } }
        switch a.dataflow {
        case .weightStationary:
            rowDimensionMask = mask([.c, .r, .s])
            columnDimensionMask = mask([.k])
        default:
            rowDimensionMask = mask([.n, .p, .q])
            columnDimensionMask = mask([.k])
        }
    }

    /// The tensor each PE keeps in its register: weights (WS) or partial sums (OS).
    public var stationaryTensor: MappedTensor { dataflow == .weightStationary ? .weights : .outputs }

    /// Energy of one element of `tensor` read or written at a level, in pJ, for `problem`'s operand widths.
    public func picojoulesPerElement(_ level: Level, _ tensor: MappedTensor, write: Bool, problem: MappingProblem) -> Double {
        energy.picojoules(level, tensor, elementBits: problem.bits(tensor), write: write)
    }

    public func allowsRow(_ d: LoopDimension) -> Bool { rowDimensionMask & (1 << d.rawValue) != 0 }
    public func allowsColumn(_ d: LoopDimension) -> Bool { columnDimensionMask & (1 << d.rawValue) != 0 }
    /// Register loops may only run over dimensions the stationary tensor does not depend on (its one word stays).
    public func allowsRegisterLoop(_ d: LoopDimension) -> Bool { !d.isRelevant(to: stationaryTensor) }
}

extension Accelerator {
    /// A 2×2 array with a 48-byte scratchpad, a 64-byte accumulator and a 256-byte L2: small enough that every
    /// capacity binds on problems of a few hundred MACs, for the exhaustive and loop-walk cross-checks of §5.4.
    public static let mappingCheck: Accelerator = {
        var a = Accelerator.gemminiBaseline
        a.name = "tiny check array"
        a.source = "ours: a cross-check fixture, not a real design"
        a.meshRows = 2
        a.meshColumns = 2
        a.spCapacityBytes = 48
        a.accCapacityBytes = 64
        a.l2Bytes = 256
        return a
    }()
}
