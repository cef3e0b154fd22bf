/// Energy and area of one arithmetic operation or memory access at 45 nm, as the survey's Fig. 15 (right)
/// tabulates them from Horowitz, "Computing's energy problem (and what we can do about it)", ISSCC 2014.
///
/// ```swift
/// let t = Horowitz45nm.table
/// Horowitz45nm.entry(.add, .fp32).energyPicojoules / Horowitz45nm.entry(.add, .int8).energyPicojoules   // 30
/// ```
public enum Horowitz45nm {
    public enum Operation: String, Sendable, Hashable, CaseIterable {
        case add, multiply, sramRead, dramRead
    }

    public enum Format: String, Sendable, Hashable, CaseIterable {
        case int8, int16, int32, fp16, fp32
        /// Bits per value.
        public var bits: Int {
            switch self {
            case .int8: return 8
            case .int16, .fp16: return 16
            case .int32, .fp32: return 32
            }
        }
        public var label: String {
            switch self {
            case .int8: return "8b"
            case .int16: return "16b"
            case .int32: return "32b"
            case .fp16: return "16b FP"
            case .fp32: return "32b FP"
            }
        }
    }

    public struct Entry: Sendable, Hashable {
        public var operation: Operation
        public var format: Format
        /// The row label of Fig. 15, e.g. `8b Add`.
        public var label: String
        public var energyPicojoules: Double
        /// nil where the table prints N/A (memory reads).
        public var areaSquareMicrometres: Double?
    }

    /// Fig. 15 (right), row by row, as the survey prints it [V, S1] (Horowitz, ISSCC 2014, 45 nm, 0.9 V).
    public static let table: [Entry] = [
        Entry(operation: .add, format: .int8, label: "8b Add", energyPicojoules: 0.03, areaSquareMicrometres: 36),
        Entry(operation: .add, format: .int16, label: "16b Add", energyPicojoules: 0.05, areaSquareMicrometres: 67),
        Entry(operation: .add, format: .int32, label: "32b Add", energyPicojoules: 0.1, areaSquareMicrometres: 137),
        Entry(operation: .add, format: .fp16, label: "16b FP Add", energyPicojoules: 0.4, areaSquareMicrometres: 1360),
        Entry(operation: .add, format: .fp32, label: "32b FP Add", energyPicojoules: 0.9, areaSquareMicrometres: 4184),
        Entry(operation: .multiply, format: .int8, label: "8b Mult", energyPicojoules: 0.2, areaSquareMicrometres: 282),
        Entry(operation: .multiply, format: .int32, label: "32b Mult", energyPicojoules: 3.1, areaSquareMicrometres: 3495),
        Entry(operation: .multiply, format: .fp16, label: "16b FP Mult", energyPicojoules: 1.1, areaSquareMicrometres: 1640),
        Entry(operation: .multiply, format: .fp32, label: "32b FP Mult", energyPicojoules: 3.7, areaSquareMicrometres: 7700),
        Entry(operation: .sramRead, format: .int32, label: "32b SRAM Read (8kb)", energyPicojoules: 5.0, areaSquareMicrometres: nil),
        Entry(operation: .dramRead, format: .int32, label: "32b DRAM Read", energyPicojoules: 640, areaSquareMicrometres: nil),
    ]

    /// The row for an operation at a format; the table has no 16-bit integer multiply and no FP memory rows.
    public static func entry(_ operation: Operation, _ format: Format) -> Entry? {
        table.first { $0.operation == operation && $0.format == format }
    }

    /// DRAM energy per byte: the 32-bit read's 640 pJ over 4 bytes.
    public static var dramPicojoulesPerByte: Double { entry(.dramRead, .int32)!.energyPicojoules / 4 }
    /// On-chip SRAM (8 kb array) energy per byte: 5 pJ over 4 bytes.
    public static var sramPicojoulesPerByte: Double { entry(.sramRead, .int32)!.energyPicojoules / 4 }
}

/// Peak dense throughput of a GPU by precision, from the vendor's specifications: the survey's Fig. 15 (left)
/// plots these for Titan RTX and A100 but its text layer prints no values, so these are cited from NVIDIA.
public struct GPUPeakThroughput: Sendable, Hashable {
    public var gpu: String
    public var precision: String
    /// Tera-operations per second without structured sparsity (FLOPS for floating point, OPS for integers).
    public var teraOpsPerSecond: Double
    /// Where the number comes from, and whether it was checked.
    public var source: String

    /// The values used for Fig. 15 (left). Only values we could check against a source are listed: Titan RTX's
    /// INT8 and INT4 Tensor Core peaks (often quoted as 261 and 522 TOPS) were recalled from NVIDIA's Turing
    /// whitepaper and could not be re-checked, so they are left out rather than shown as if cited.
    public static let fig15Left: [GPUPeakThroughput] = {
        let a100Sheet = "NVIDIA A100 datasheet (nvidia-a100-datasheet-us-nvidia-1758950-r4), as tabulated at glennklockwood.com/garden/processors/A100"
        let a100Vector = a100Sheet + "; the non-Tensor-Core FP32 peak (CUDA cores): the datasheet's Tensor Core figure for FP32 data is TF32's 156"
        let a100Tensor = a100Sheet + "; dense Tensor Core peak"
        let titanProduct = "NVIDIA TITAN RTX product page: '130 Tensor TFLOPs'"
        let titanFP32 = "Tom's Hardware, 'Nvidia Titan RTX specs and pricing' (tomshardware.com/news/nvidia-titan-rtx-specs-pricing,38184.html), 'Peak FP32 Compute 16.3 TFLOPS'; a press table, not NVIDIA's own sheet"
        return [
            .init(gpu: "A100", precision: "FP32", teraOpsPerSecond: 19.5, source: a100Vector),
            .init(gpu: "A100", precision: "TF32", teraOpsPerSecond: 156, source: a100Tensor),
            .init(gpu: "A100", precision: "FP16", teraOpsPerSecond: 312, source: a100Tensor),
            .init(gpu: "A100", precision: "INT8", teraOpsPerSecond: 624, source: a100Tensor),
            .init(gpu: "A100", precision: "INT4", teraOpsPerSecond: 1248, source: a100Tensor),
            .init(gpu: "Titan RTX", precision: "FP32", teraOpsPerSecond: 16.3, source: titanFP32),
            .init(gpu: "Titan RTX", precision: "FP16", teraOpsPerSecond: 130, source: titanProduct),
        ]
    }()
}
