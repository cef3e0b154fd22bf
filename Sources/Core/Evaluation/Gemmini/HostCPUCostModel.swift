/// What the host CPU of the CNN-tuned Gemmini pays per element for the work the accelerator cannot do (survey
/// §3.4.2): floating-point Softmax, LayerNorm, GELU and residual adds, and the dequantization (Int32 → float)
/// and quantization (float → Int8) around them.
///
/// The survey gives no CPU figures. This model is ours, and every constant says where it comes from:
/// - **Core.** Rocket, the in-order, single-issue, five-stage RISC-V core Gemmini SoCs use (Asanović et al.,
///   "The Rocket Chip Generator", UCB/EECS-2016-17). The code handles one element at a time and each
///   instruction waits for the one before it (no overlap of latencies): cycles = Σ count × latency.
/// - **Latencies** (rocket-chip `FPU.scala`, `FPUParams`): single-precision FMA/add/multiply pipeline 3 cycles
///   (`sfmaLatency = 3`), int ↔ float conversions and compares/min/max 2 (`ifpuLatency`/`fpmuLatency = 2`); an
///   L1 load 2 cycles (one load-use bubble), store, ALU op and taken branch 1. Division and square root use
///   hardfloat's iterative `DivSqrtRecFN_small`: about one quotient bit per cycle for a 24-bit significand,
///   taken as 26 cycles (our estimate).
/// - **Instruction mixes** (``HostCPUMixes``), from one of two sources (``mixSource``): `.hand`, our estimates of
///   the loops and of newlib's fdlibm-derived `expf` and `erff`; or `.counted`, the instructions that our C code
///   for the six operations (`tools/rv64-mix/kernels.c`, GCC 12 `-O2 -march=rv64gc`, glibc's libm) executed under
///   qemu's user mode, each classified by mnemonic (`data/cpu/rv64-mix.tsv`). The classes are priced alike
///   whatever their width: glibc's `expf` computes in double precision, whose FMA Rocket runs in 4 cycles
///   (`dfmaLatency = 4`), priced here at the single-precision 3; FP moves and sign injections go with the
///   conversions (2 cycles); `call`/`ret` are branches.
/// - **Memory.** Data larger than the 16 KiB L1 streams from DRAM: every 64-byte line read or written for the
///   first time costs `missPenalty` = 100 cycles (about 100 ns at the analytical model's 1 GHz; Rocket has no
///   L1 prefetcher, and an in-order pipeline stalls on the missing load). Later passes over a row that fits L1
///   (a 512-score Softmax row, a 768-wide LayerNorm row) hit.
/// - **Passes.** Dequantization and quantization are separate loops (the survey's own category), so a
///   dequantized tensor is written as floats and read back by the next operation.
///
/// ```swift
/// let cpu = HostCPUCostModel.rocket
/// cpu.cyclesPerElement(.dequantize)     // ≈ 23.5: 11 cycles of instructions + 8 bytes / 64 × 100
/// var counted = cpu
/// counted.mixSource = .counted(try HostCPUMixes(parsing: text, file: "data/cpu/rv64-mix.tsv"))
/// counted.cyclesPerElement(.softmax)    // the instructions rv64gc executed, priced alike
/// ```
public struct HostCPUCostModel: Sendable, Hashable {
    /// The operations the host runs, each per element.
    public enum Operation: String, Sendable, Hashable, CaseIterable {
        case dequantize, quantize, softmax, layerNorm = "layernorm", gelu, residualAdd = "resadd"
    }

    /// Instruction classes and their latencies, in cycles.
    public var integerOp: Double = 1
    public var branch: Double = 1
    public var load: Double = 2
    public var store: Double = 1
    public var fpConvertOrCompare: Double = 2
    public var fpFMA: Double = 3
    public var fpDivide: Double = 26
    /// Cycles per 64-byte line streamed to or from DRAM.
    public var missPenalty: Double = 100
    public var lineBytes: Double = 64
    /// Multiplies the instruction cycles of `expf` and `erff` (1 = their mixes as ``mixSource`` gives them).
    public var libmScale: Double = 1

    public init() {}

    /// The constants above.
    public static let rocket = HostCPUCostModel()

    /// Where the instruction mixes come from: our estimates, or a file of counted instructions.
    public enum MixSource: Sendable, Hashable {
        case hand
        case counted(HostCPUMixes)

        /// `hand` or `counted`.
        public var name: String {
            switch self {
            case .hand: "hand"
            case .counted: "counted"
            }
        }
    }

    /// The mixes the cycles are priced with (default: the hand estimates; Core reads no file).
    public var mixSource: MixSource = .hand

    /// The mixes of ``mixSource``.
    public var mixes: HostCPUMixes {
        switch mixSource {
        case .hand: .hand
        case .counted(let mixes): mixes
        }
    }

    /// An instruction mix: how many of each class one element (or one call) executes.
    public struct Mix: Sendable, Hashable {
        public var integer = 0.0, branch = 0.0, load = 0.0, store = 0.0, convert = 0.0, fma = 0.0, divide = 0.0
        public var expCalls = 0.0, erfCalls = 0.0
        /// Bytes streamed from or to DRAM per element (first touch only).
        public var streamedBytes = 0.0

        public init(integer: Double = 0, branch: Double = 0, load: Double = 0, store: Double = 0, convert: Double = 0,
                    fma: Double = 0, divide: Double = 0, expCalls: Double = 0, erfCalls: Double = 0, streamedBytes: Double = 0) {
            self.integer = integer
            self.branch = branch
            self.load = load
            self.store = store
            self.convert = convert
            self.fma = fma
            self.divide = divide
            self.expCalls = expCalls
            self.erfCalls = erfCalls
            self.streamedBytes = streamedBytes
        }
    }

    /// The instructions of one `expf` call, from ``mixSource``.
    public var expMix: Mix { mixes.expPerCall }
    /// The instructions of one `erff` call, from ``mixSource`` (the hand estimate: a lower bound).
    public var erfMix: Mix { mixes.erfPerCall }

    /// Bytes one element of `op` streams from or to DRAM: each operand read once, each result written once
    /// (Int32 in, float out for dequantization; float in, Int8 out for quantization; floats otherwise; the
    /// residual add reads two). Whatever counts the instructions, these stay.
    public static func streamedBytes(_ op: Operation) -> Double {
        switch op {
        case .dequantize: 4 + 4
        case .quantize: 4 + 1
        case .softmax, .layerNorm, .gelu: 4 + 4
        case .residualAdd: 4 + 4 + 4
        }
    }

    /// The instruction mix per element of each operation, with its streamed bytes.
    public func mix(_ op: Operation) -> Mix {
        var m = mixes.perElement(op)
        m.streamedBytes = Self.streamedBytes(op)
        return m
    }

    /// Cycles of the instructions a mix executes itself (its calls not expanded).
    public func directCycles(_ m: Mix) -> Double {
        m.integer * integerOp + m.branch * branch + m.load * load + m.store * store
            + m.convert * fpConvertOrCompare + m.fma * fpFMA + m.divide * fpDivide
    }

    /// Cycles of the instructions of a mix (no memory), its `expf` and `erff` calls expanded one level (the
    /// libm mixes' own calls, which neither source has, would not be).
    public func instructionCycles(_ m: Mix) -> Double {
        var libm = 0.0
        if m.expCalls > 0 { libm += m.expCalls * directCycles(expMix) }
        if m.erfCalls > 0 { libm += m.erfCalls * directCycles(erfMix) }
        return directCycles(m) + libmScale * libm
    }

    /// Instructions of a mix, its `expf` and `erff` calls expanded one level.
    public func instructions(_ m: Mix) -> Double {
        m.instructions + m.expCalls * expMix.instructions + m.erfCalls * erfMix.instructions
    }

    /// Memory stall cycles per element.
    public func memoryCycles(_ m: Mix) -> Double { m.streamedBytes / lineBytes * missPenalty }

    /// Cycles per element of an operation: instructions plus memory stalls.
    public func cyclesPerElement(_ op: Operation) -> Double {
        let m = mix(op)
        return instructionCycles(m) + memoryCycles(m)
    }

    /// Cycles of the per-row work that does not scale with the row's length (LayerNorm's square root and
    /// divisions, Softmax's reciprocal; zero for the element-wise operations).
    public func cyclesPerRow(_ op: Operation) -> Double { instructionCycles(mixes.perRow(op)) }

    /// Checks every constant.
    public func validate() throws(ConfigurationError) {
        for (field, v) in [("cpuInteger", integerOp), ("cpuBranch", branch), ("cpuLoad", load), ("cpuStore", store),
                           ("cpuConvert", fpConvertOrCompare), ("cpuFma", fpFMA), ("cpuDivide", fpDivide),
                           ("cpuMissPenalty", missPenalty), ("cpuLineBytes", lineBytes), ("cpuLibmScale", libmScale)]
            where !(v.isFinite && v >= 0 && v <= 1e6) {
            throw ConfigurationError(field: field, message: "\(v) must be a finite number in 0...1000000")
        }
        guard lineBytes >= 1 else { throw ConfigurationError(field: "cpuLineBytes", message: "\(lineBytes) must be at least 1") }
    }
}
