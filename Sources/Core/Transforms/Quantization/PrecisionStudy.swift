/// A number format a model can run in, with the cost of one multiply-accumulate at 45 nm from Horowitz's table
/// (survey Fig. 15): a multiply at the format plus an add at the accumulator's format.
///
/// ```swift
/// NumericFormat.int8.macEnergyPicojoules   // 0.3  (8b Mult 0.2 + 32b Add 0.1: Int32 accumulator)
/// NumericFormat.fp32.macEnergyPicojoules   // 4.6  (32b FP Mult 3.7 + 32b FP Add 0.9)
/// ```
public enum NumericFormat: String, Sendable, Hashable, CaseIterable {
    case fp32, fp16, int8

    public var label: String { rawValue.uppercased() }
    public var bytesPerValue: Double {
        switch self {
        case .fp32: return 4
        case .fp16: return 2
        case .int8: return 1
        }
    }
    /// The table rows one MAC uses: (multiply, add). INT8 accumulates in 32-bit integers, FP16 in FP16.
    var macRows: (Horowitz45nm.Entry, Horowitz45nm.Entry) {
        switch self {
        case .fp32: return (Horowitz45nm.entry(.multiply, .fp32)!, Horowitz45nm.entry(.add, .fp32)!)
        case .fp16: return (Horowitz45nm.entry(.multiply, .fp16)!, Horowitz45nm.entry(.add, .fp16)!)
        case .int8: return (Horowitz45nm.entry(.multiply, .int8)!, Horowitz45nm.entry(.add, .int32)!)
        }
    }
    public var macEnergyPicojoules: Double { macRows.0.energyPicojoules + macRows.1.energyPicojoules }
    public var macAreaSquareMicrometres: Double { macRows.0.areaSquareMicrometres! + macRows.1.areaSquareMicrometres! }
    /// How the MAC is built, for reports.
    public var macDescription: String { "\(macRows.0.label) + \(macRows.1.label)" }
}

/// What running a Transformer at one numeric format costs on an accelerator: weights, DRAM traffic, arithmetic
/// intensity, roofline latency and energy (survey §4.1 with Fig. 15's table).
///
/// Two hardware assumptions bracket the latency: **iso-PE** (the accelerator's PE count at every format, so only
/// traffic changes) and **iso-area** (the silicon of the INT8 PE array spent on wider PEs: PEs scale by the INT8
/// MAC's area over this format's). Energy counts MACs and DRAM bytes only (Horowitz's rows), not SRAM or control.
public struct PrecisionCost: Sendable, Hashable {
    public var format: NumericFormat
    public var flops: Double
    public var macs: Double
    public var parameterBytes: Double
    public var trafficBytes: Double
    public var intensity: Double { flops / trafficBytes }
    public var isoPECycles: Double
    public var isoAreaCycles: Double
    public var peScaleIsoArea: Double
    public var macEnergyMicrojoules: Double
    public var dramEnergyMicrojoules: Double
    public var energyMicrojoules: Double { macEnergyMicrojoules + dramEnergyMicrojoules }

    public static func evaluate(_ model: TransformerConfig, sequenceLength l: Int, accelerator: Accelerator,
                                format: NumericFormat) throws(ConfigurationError) -> PrecisionCost {
        let w = try ModelWorkload(model, sequenceLength: l).quantized(bytesPerValue: format.bytesPerValue)
        let ops = w.operationCosts()
        let peScale = NumericFormat.int8.macAreaSquareMicrometres / format.macAreaSquareMicrometres
        let isoPE = try RooflineMachine(accelerator), isoArea = try RooflineMachine(accelerator, peScale: peScale)
        let macs = ops.reduce(0) { $0 + $1.macs }, bytes = ops.reduce(0) { $0 + $1.bytes }
        let d = Double(model.dModel), f = Double(model.dFFN)
        let parameters = Double(model.layers) * (4 * d * d + 2 * d * f)
        return PrecisionCost(format: format, flops: w.total.flops, macs: macs,
                             parameterBytes: parameters * format.bytesPerValue, trafficBytes: bytes,
                             isoPECycles: isoPE.cycles(ops), isoAreaCycles: isoArea.cycles(ops), peScaleIsoArea: peScale,
                             macEnergyMicrojoules: macs * format.macEnergyPicojoules * 1e-6,
                             dramEnergyMicrojoules: bytes * Horowitz45nm.dramPicojoulesPerByte * 1e-6)
    }
}
