/// Reads or writes, in elements, per memory level and tensor (5 × 3), stored inline (no allocation).
public struct LevelTensorCounts: Sendable, Hashable {
    public var dram: TensorCounts = .init(), l2: TensorCounts = .init(), scratchpad: TensorCounts = .init(),
        accumulator: TensorCounts = .init(), registers: TensorCounts = .init()

    public init() {}

    public subscript(level: MappingArchitecture.Level) -> TensorCounts {
        get {
            switch level {
            case .dram: return dram
            case .l2: return l2
            case .scratchpad: return scratchpad
            case .accumulator: return accumulator
            case .registers: return registers
            }
        }
        set {
            switch level {
            case .dram: dram = newValue
            case .l2: l2 = newValue
            case .scratchpad: scratchpad = newValue
            case .accumulator: accumulator = newValue
            case .registers: registers = newValue
            }
        }
    }
}

/// Element counts for inputs, weights and outputs.
public struct TensorCounts: Sendable, Hashable {
    public var inputs: Double = 0, weights: Double = 0, outputs: Double = 0
    public init(inputs: Double = 0, weights: Double = 0, outputs: Double = 0) {
        self.inputs = inputs
        self.weights = weights
        self.outputs = outputs
    }
    public subscript(t: MappedTensor) -> Double {
        switch t {
        case .inputs: return inputs
        case .weights: return weights
        case .outputs: return outputs
        }
    }
    public var total: Double { inputs + weights + outputs }
}

/// What a valid mapping costs (``MappingCostModel``): accesses per level and tensor, cycles and energy.
public struct MappingCost: Sendable, Hashable {
    public var macs: Double = 0
    /// Iterations of the array (every PE in use does one MAC per step).
    public var computeCycles: Double = 0
    /// Bytes over each level's port / its bandwidth, in ``MappingArchitecture/Level`` order (registers: 0).
    public var dramCycles: Double = 0, l2Cycles: Double = 0, scratchpadCycles: Double = 0, accumulatorCycles: Double = 0
    /// max(compute, every port): double buffering overlaps transfers with compute.
    public var cycles: Double = 0
    public var reads = LevelTensorCounts(), writes = LevelTensorCounts()
    /// Energy per level in pJ (reads + writes × bytes × pJ/B) and of the MACs.
    public var dramPicojoules: Double = 0, l2Picojoules: Double = 0, scratchpadPicojoules: Double = 0,
        accumulatorPicojoules: Double = 0, registerPicojoules: Double = 0, macPicojoules: Double = 0
    public var energyPicojoules: Double = 0

    public init() {}

    /// Energy-delay product in pJ · cycles.
    public var edp: Double { energyPicojoules * cycles }

    public func picojoules(_ level: MappingArchitecture.Level) -> Double {
        switch level {
        case .dram: return dramPicojoules
        case .l2: return l2Picojoules
        case .scratchpad: return scratchpadPicojoules
        case .accumulator: return accumulatorPicojoules
        case .registers: return registerPicojoules
        }
    }

    public func bandwidthCycles(_ level: MappingArchitecture.Level) -> Double {
        switch level {
        case .dram: return dramCycles
        case .l2: return l2Cycles
        case .scratchpad: return scratchpadCycles
        case .accumulator: return accumulatorCycles
        case .registers: return 0
        }
    }

    /// The slowest of compute and the ports.
    public var bottleneck: String {
        let parts: [(String, Double)] = [("compute", computeCycles), ("DRAM", dramCycles), ("L2", l2Cycles),
                                         ("scratchpad", scratchpadCycles), ("accumulator", accumulatorCycles)]
        return parts.max { $0.1 < $1.1 }!.0
    }
}
