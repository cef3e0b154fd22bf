/// The memory levels and the spatial array a mapping targets: a Gemmini-like accelerator (survey §3.4.1,
/// Fig. 12) built from an ``Accelerator``, with the per-access energies of a ``MappingEnergyTable`` (by default
/// ``MappingEnergyTable/perWord(accelerator:)``).
///
/// Levels, outermost first, and what each holds:
/// - **DRAM**: every tensor (backing store);
/// - **L2**: every tensor (the SoC's shared cache; `l2Bytes`);
/// - **scratchpad**: inputs and weights (`spCapacityBytes`);
/// - **accumulator**: 32-bit partial sums (`accCapacityBytes`);
/// - **PE registers**: one word of the stationary tensor per PE (the weight in WS, the partial sum in OS); or, on a
///   TPU-like PE (``zigZagTPULike16``, WS only), a weight register file of `weightRegisterWords` words and a
///   partial-sum register of the partial sums' width (`outputRegister`), so partial sums accumulate in the PE over
///   the register loops that do not change the output and leave it once per output word.
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
    /// Weights one PE's register file holds (1 on Gemmini: one stationary word; 128 on ZigZag's `tpu_like`).
    public var weightRegisterWords: Int = 1
    /// Whether each PE has a partial-sum register (WS only): partial sums then accumulate in the PE across register
    /// loops over C, R and S and reach the accumulator when the output word changes, not at every array step.
    public var outputRegister: Bool = false

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

    /// Whether the PE is TPU-like (a weight register file and a partial-sum register) rather than Gemmini's one word.
    public var hasTPULikePE: Bool { weightRegisterWords > 1 || outputRegister }

    /// The tensors the PE registers keep: the stationary one, and the partial sums when the PE has a register for them.
    public var registerTensors: Set<MappedTensor> { outputRegister ? [stationaryTensor, .outputs] : [stationaryTensor] }

    /// Gives the PEs ZigZag's `tpu_like` registers: `weightWords` weights and, if `outputRegister`, one partial sum.
    /// Throws unless the dataflow is WS (the weights are what the register file holds).
    public mutating func setPERegisters(weightWords: Int, outputRegister: Bool) throws(ConfigurationError) {
        try ConfigurationError.require(weightWords, in: 1...(1 << 20), field: "weight-register-words")
        guard dataflow == .weightStationary || (weightWords == 1 && !outputRegister) else {
            throw ConfigurationError(field: "registers", message: "a weight register file or a partial-sum register needs the ws dataflow")
        }
        weightRegisterWords = weightWords
        self.outputRegister = outputRegister
    }

    /// Energy of one element of `tensor` read or written at a level, in pJ, for `problem`'s operand widths.
    public func picojoulesPerElement(_ level: Level, _ tensor: MappedTensor, write: Bool, problem: MappingProblem) -> Double {
        energy.picojoules(level, tensor, elementBits: problem.bits(tensor), write: write)
    }

    public func allowsRow(_ d: LoopDimension) -> Bool { rowDimensionMask & (1 << d.rawValue) != 0 }
    public func allowsColumn(_ d: LoopDimension) -> Bool { columnDimensionMask & (1 << d.rawValue) != 0 }
    /// Register loops may only run over dimensions the stationary tensor does not depend on (its one word stays); a
    /// register file of several weights also admits loops over the weights' dimensions, as far as its capacity goes.
    public func allowsRegisterLoop(_ d: LoopDimension) -> Bool { weightRegisterWords > 1 || !d.isRelevant(to: stationaryTensor) }
}

extension MappingArchitecture {
    /// ZigZag's TPU-like accelerator (zigzag-dse 3.9.1, `zigzag/inputs/hardware/tpu_like.yaml`, recorded in
    /// `data/peers/zigzag-energy.yaml`) resized to 16 × 16 as the peer run did, weight-stationary with C down the
    /// rows and K across the columns (the run's `D1: K 16, D2: C 16`). Per PE: `rf_128B` (1,024 bits: 128 8-bit
    /// weights) and `rf_2B` (16 bits: one partial sum), each per PE (`served_dimensions: []`). One 2 MB SRAM
    /// (`sram_2MB`, 16,777,216 bits, inputs and outputs, 2,048-bit port) plays our scratchpad (inputs) and
    /// accumulator (outputs); our model has two on-chip levels, so each gets its 2 MiB (not binding on the peer
    /// GEMM). No L2 (its slot pinned empty by the constraints of ``MapspaceConstraints/noL2``; it costs nothing);
    /// DRAM's port is 64 bits a cycle. Priced by default with the per-word table less its L2 rows; chapter 4 prices
    /// it with ZigZag's own table (``ZigZagEnergyRecord``). `data/arch/zigzag-tpu-like.yaml` is the same as a file.
    public static let zigZagTPULike16: MappingArchitecture = {
        var a = Accelerator.gemminiBaseline
        a.name = "ZigZag tpu_like (16×16)"
        a.source = "zigzag-dse 3.9.1 zigzag/inputs/hardware/tpu_like.yaml, resized to 16 × 16 as the peer run (data/peers/README.md)"
        a.meshRows = 16
        a.meshColumns = 16
        a.dataflow = .weightStationary
        a.inputBits = 8
        a.accumulatorBits = 16
        a.spCapacityBytes = 16_777_216 / 8
        a.accCapacityBytes = 16_777_216 / 8
        a.l2Bytes = 1 << 34
        a.dramBytesPerCycle = 64 / 8
        a.l2BytesPerCycle = 64 / 8
        do {
            var table = try MappingEnergyTable.perWord(accelerator: a)
            table.entries.removeAll { $0.level == .l2 }
            // tpu_like keeps no weights in its SRAM and gives inputs no register: those pairs cost nothing.
            for i in table.entries.indices where table.entries[i].level == .scratchpad { table.entries[i].tensors = [.inputs] }
            for i in table.entries.indices where table.entries[i].level == .registers { table.entries[i].tensors = [.weights, .outputs] }
            var arch = try MappingArchitecture(accelerator: a, energy: table)
            arch.bytesPerCycle[2] = 2048 / 8
            arch.bytesPerCycle[3] = 2048 / 8
            try arch.setPERegisters(weightWords: 1024 / 8, outputRegister: true)
            return arch
        } catch { preconditionFailure("the zigZagTPULike16 preset is valid: \(error)") }
    }()
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
