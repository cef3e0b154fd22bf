/// A Gemmini-like DNN accelerator (survey Fig. 10-12): a W×W systolic array, an S-wide special function unit
/// for non-linear operations, a scratchpad for Int8 inputs and weights, an accumulator for 32-bit partial sums,
/// a shared L2 and DRAM. Field names follow Gemmini's `Configs.scala` where it has one.
///
/// ```swift
/// let g = Accelerator.gemminiBaseline
/// g.spCapacityBytes / 1024       // 256 (KiB)
/// try g.validate()
/// ```
public struct Accelerator: Sendable, Hashable {
    public var name: String
    /// Where the numbers come from.
    public var source: String
    /// Gemmini's `meshRows` × `meshColumns` (W × W in the survey's analytical model).
    public var meshRows: Int
    public var meshColumns: Int
    public var dataflow: Dataflow
    /// Gemmini's `sp_capacity`: Int8 inputs and weights.
    public var spCapacityBytes: Int
    /// Gemmini's `acc_capacity`: 32-bit partial sums.
    public var accCapacityBytes: Int
    public var l2Bytes: Int
    /// L2 ↔ DRAM bandwidth, bytes per cycle.
    public var dramBytesPerCycle: Double
    /// Local memory ↔ L2 bandwidth, bytes per cycle.
    public var l2BytesPerCycle: Double
    /// S: vector width of the special function unit (elements per cycle); 0 when non-linear operations run on
    /// the host CPU (the CNN-tuned Gemmini baseline).
    public var sfuWidth: Int
    public var clockHz: Double
    /// Gemmini's `inputType` width and `accType` width.
    public var inputBits: Int
    public var accumulatorBits: Int
    /// Cycles from a DMA read request to its data (L2 and DRAM together); 0 leaves the memory system out, so the
    /// DMA moves data at `l2BytesPerCycle`. Gemmini's source does not fix it and the survey does not state it;
    /// ``GemminiEngine`` prices it through the requests the DMA keeps in flight.
    public var memoryLatencyCycles: Double = 0

    public init(name: String, source: String, meshRows: Int, meshColumns: Int, dataflow: Dataflow,
                spCapacityBytes: Int, accCapacityBytes: Int, l2Bytes: Int, dramBytesPerCycle: Double,
                l2BytesPerCycle: Double, sfuWidth: Int, clockHz: Double, inputBits: Int, accumulatorBits: Int) {
        self.name = name
        self.source = source
        self.meshRows = meshRows
        self.meshColumns = meshColumns
        self.dataflow = dataflow
        self.spCapacityBytes = spCapacityBytes
        self.accCapacityBytes = accCapacityBytes
        self.l2Bytes = l2Bytes
        self.dramBytesPerCycle = dramBytesPerCycle
        self.l2BytesPerCycle = l2BytesPerCycle
        self.sfuWidth = sfuWidth
        self.clockHz = clockHz
        self.inputBits = inputBits
        self.accumulatorBits = accumulatorBits
    }

    /// Checks every field; the error names the field and what would be valid.
    public func validate() throws(ConfigurationError) {
        try ConfigurationError.require(meshRows, in: 1...256, field: "meshRows")
        try ConfigurationError.require(meshColumns, in: 1...256, field: "meshColumns")
        try ConfigurationError.require(spCapacityBytes, in: 1...(1 << 30), field: "scratchpadBytes")
        try ConfigurationError.require(accCapacityBytes, in: 1...(1 << 30), field: "accumulatorBytes")
        try ConfigurationError.require(l2Bytes, in: 1...(1 << 34), field: "l2Bytes")
        try ConfigurationError.require(sfuWidth, in: 0...4096, field: "sfuWidth")
        try ConfigurationError.require(inputBits, in: 1...32, field: "inputBits")
        try ConfigurationError.require(accumulatorBits, in: inputBits...64, field: "accumulatorBits")
        guard memoryLatencyCycles.isFinite && Self.latencyRange.contains(memoryLatencyCycles) else {
            throw ConfigurationError(field: "memoryLatency", message: "\(memoryLatencyCycles) is out of range; allowed \(Self.latencyRange.lowerBound)...\(Self.latencyRange.upperBound)")
        }
        for (field, value, range) in [("dramBandwidth", dramBytesPerCycle, Self.bandwidthRange),
                                      ("l2Bandwidth", l2BytesPerCycle, Self.bandwidthRange), ("clock", clockHz, Self.clockRange)]
            where !(value.isFinite && range.contains(value)) {
            throw ConfigurationError(field: field, message: "\(value) is out of range; allowed \(range.lowerBound)...\(range.upperBound)")
        }
        // One W×W tile of inputs and one of weights must fit in the scratchpad, and one W×W tile of partial sums
        // in the accumulator, or no matmul can run at all.
        let inputTile = meshRows * meshColumns * inputBits / 8
        guard 2 * inputTile <= spCapacityBytes else {
            throw ConfigurationError(field: "scratchpadBytes",
                                     message: "\(spCapacityBytes) B cannot hold one \(meshRows)×\(meshColumns) input tile and one weight tile (\(2 * inputTile) B)")
        }
        let accumulatorTile = meshRows * meshColumns * accumulatorBits / 8
        guard accumulatorTile <= accCapacityBytes else {
            throw ConfigurationError(field: "accumulatorBytes",
                                     message: "\(accCapacityBytes) B cannot hold one \(meshRows)×\(meshColumns) tile of \(accumulatorBits)-bit partial sums (\(accumulatorTile) B)")
        }
    }

    public var peakMACsPerCycle: Int { meshRows * meshColumns }

    /// Bandwidths the models accept, in bytes per cycle: a thousandth of a byte (below it a layer's cycle count
    /// leaves the range where `Double` counts every cycle) up to a million (no on-chip bus is wider).
    public static let bandwidthRange: ClosedRange<Double> = 1e-3...1e6
    /// Memory round trips the models accept, in cycles.
    public static let latencyRange: ClosedRange<Double> = 0...100_000
    /// Clocks the models accept, in Hz: 1 MHz to 100 GHz.
    public static let clockRange: ClosedRange<Double> = 1e6...1e11
}

extension Accelerator {
    static let kiB = 1024

    /// The analytical model of the survey's §3.3 (Fig. 11): 64 B/cycle L2↔DRAM, 16 B/cycle local↔L2, 2 MB L2,
    /// 256 kB scratchpad, 128 kB accumulator, W = S = 16, 1 GHz, 8-bit inputs and 32-bit outputs.
    public static let analyticalModel = Accelerator(
        name: "analytical", source: "Kim et al. 2023, §3.3 and Fig. 11", meshRows: 16, meshColumns: 16,
        dataflow: .weightStationary, spCapacityBytes: 256 * kiB, accCapacityBytes: 128 * kiB, l2Bytes: 2048 * kiB,
        dramBytesPerCycle: 64, l2BytesPerCycle: 16, sfuWidth: 16, clockHz: 1e9, inputBits: 8, accumulatorBits: 32)

    /// The CNN-tuned Gemmini of the survey's §3.4.1: 16×16 weight-stationary, Int8, 256 KiB scratchpad, 64 KiB
    /// accumulator (Gemmini's older `defaultConfig`); no special function unit, so GELU, Softmax and LayerNorm
    /// run on the host CPU. The survey does not state clock, L2 or DRAM bandwidth; those follow the analytical model.
    public static let gemminiBaseline = Accelerator(
        name: "gemmini-baseline", source: "Kim et al. 2023, §3.4.1; Gemmini Configs.scala defaultConfig (sp 256 KiB, acc 64 KiB)",
        meshRows: 16, meshColumns: 16, dataflow: .weightStationary, spCapacityBytes: 256 * kiB,
        accCapacityBytes: 64 * kiB, l2Bytes: 2048 * kiB, dramBytesPerCycle: 64, l2BytesPerCycle: 16, sfuWidth: 0,
        clockHz: 1e9, inputBits: 8, accumulatorBits: 32)

    /// The memory-rebalanced Gemmini of §3.4.3: scratchpad 64 KiB, accumulator 256 KiB (same total SRAM).
    public static let gemminiRebalanced: Accelerator = {
        var g = gemminiBaseline
        g.name = "gemmini-rebalanced"
        g.source = "Kim et al. 2023, §3.4.3 (scratchpad 256 → 64 KiB, accumulator 64 → 256 KiB)"
        g.spCapacityBytes = 64 * kiB
        g.accCapacityBytes = 256 * kiB
        return g
    }()

    /// The Transformer Gemmini of §3.4.4 and §6: rebalanced memories plus I-BERT's normalisation unit and 16
    /// activation units, so non-linear operations stay on the accelerator in integer arithmetic.
    public static let gemminiTransformer: Accelerator = {
        var g = gemminiRebalanced
        g.name = "gemmini-transformer"
        g.source = "Kim et al. 2023, §3.4.4 (I-BERT units: 16 activation units, a normalisation unit) and §6.4.1"
        g.sfuWidth = 16
        return g
    }()

    public static let presets: [Accelerator] = [.analyticalModel, .gemminiBaseline, .gemminiRebalanced, .gemminiTransformer]

    public static func preset(named name: String) throws(ConfigurationError) -> Accelerator {
        guard let found = presets.first(where: { $0.name == name.lowercased() }) else {
            throw ConfigurationError(field: "accelerator",
                                     message: "unknown accelerator '\(name)'; choose one of " + presets.map(\.name).joined(separator: ", "))
        }
        return found
    }
}
