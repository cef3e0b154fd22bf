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
/// - **libm.** `expf` and `erff` as newlib's fdlibm-derived routines execute them: expf = range reduction
///   (a multiply, two conversions, two FMAs), a degree-5 polynomial (6 FMAs), the rational correction with one
///   division and 3 adds, exponent insertion (4 integer ops) and 6 range-check branches; erff on its |x| < 1.25
///   paths = two degree-5/6 polynomials (12 FMAs), one division, 4 integer ops and 6 branches (inputs with
///   |x| ≥ 1.25 cost more: an expf inside, so this is a lower bound).
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
    /// Multiplies the instruction cycles of `expf` and `erff` (1 = the instruction counts above).
    public var libmScale: Double = 1

    public init() {}

    /// The constants above.
    public static let rocket = HostCPUCostModel()

    /// An instruction mix: how many of each class one element (or one call) executes.
    public struct Mix: Sendable, Hashable {
        public var integer = 0.0, branch = 0.0, load = 0.0, store = 0.0, convert = 0.0, fma = 0.0, divide = 0.0
        public var expCalls = 0.0, erfCalls = 0.0
        /// Bytes streamed from or to DRAM per element (first touch only).
        public var streamedBytes = 0.0
    }

    /// One element's loop overhead: index increment, compare, branch back.
    static let loop = Mix(integer: 2, branch: 1)

    /// newlib `expf` (see the type's documentation).
    public var expMix: Mix { Mix(integer: 4, branch: 6, convert: 2, fma: 2 + 1 + 6 + 3, divide: 1) }
    /// newlib `erff` on |x| < 1.25 (a lower bound).
    public var erfMix: Mix { Mix(integer: 4, branch: 6, fma: 12, divide: 1) }

    /// The instruction mix per element of each operation.
    public func mix(_ op: Operation) -> Mix {
        switch op {
        case .dequantize:   // load Int32, convert, multiply by the scale, store float
            return add(Self.loop, Mix(load: 1, store: 1, convert: 1, fma: 1, streamedBytes: 4 + 4))
        case .quantize:     // load float, multiply by 1/scale, convert with rounding, clamp to ±127, store a byte
            return add(Self.loop, Mix(integer: 2, branch: 2, load: 1, store: 1, convert: 1, fma: 1, streamedBytes: 4 + 1))
        case .softmax:      // pass 1 max; pass 2 subtract, expf, sum, store; pass 3 multiply by 1/Σ, store
            return add(add(add(Self.loop, Self.loop), Self.loop),
                       Mix(integer: 4, load: 3, store: 2, convert: 1, fma: 1 + 1 + 1, expCalls: 1, streamedBytes: 4 + 4))
        case .layerNorm:    // pass 1 sum; pass 2 centred sum of squares; pass 3 (x − μ)·(1/σ)·γ + β, store
            return add(add(add(Self.loop, Self.loop), Self.loop),
                       Mix(load: 3 + 2, store: 1, fma: 1 + 2 + 3, streamedBytes: 4 + 4))
        case .gelu:         // x · ½ · (1 + erf(x/√2)): three multiplies, an add, a call
            return add(Self.loop, Mix(integer: 4, load: 1, store: 1, fma: 4, erfCalls: 1, streamedBytes: 4 + 4))
        case .residualAdd:  // two loads, an add, a store
            return add(Self.loop, Mix(load: 2, store: 1, fma: 1, streamedBytes: 4 + 4 + 4))
        }
    }

    func add(_ a: Mix, _ b: Mix) -> Mix {
        Mix(integer: a.integer + b.integer, branch: a.branch + b.branch, load: a.load + b.load, store: a.store + b.store,
            convert: a.convert + b.convert, fma: a.fma + b.fma, divide: a.divide + b.divide,
            expCalls: a.expCalls + b.expCalls, erfCalls: a.erfCalls + b.erfCalls,
            streamedBytes: a.streamedBytes + b.streamedBytes)
    }

    /// Cycles of the instructions of a mix (no memory), libm calls expanded.
    public func instructionCycles(_ m: Mix) -> Double {
        let direct = m.integer * integerOp + m.branch * branch + m.load * load + m.store * store
            + m.convert * fpConvertOrCompare + m.fma * fpFMA + m.divide * fpDivide
        var libm = 0.0       // the libm mixes call nothing themselves
        if m.expCalls > 0 { libm += m.expCalls * instructionCycles(expMix) }
        if m.erfCalls > 0 { libm += m.erfCalls * instructionCycles(erfMix) }
        return direct + libmScale * libm
    }

    /// Memory stall cycles per element.
    public func memoryCycles(_ m: Mix) -> Double { m.streamedBytes / lineBytes * missPenalty }

    /// Cycles per element of an operation: instructions plus memory stalls.
    public func cyclesPerElement(_ op: Operation) -> Double {
        let m = mix(op)
        return instructionCycles(m) + memoryCycles(m)
    }

    /// Per-row work that does not scale with the row's length (LayerNorm's square root and division,
    /// Softmax's reciprocal).
    public func cyclesPerRow(_ op: Operation) -> Double {
        switch op {
        case .layerNorm: return 2 * fpDivide + 10 * fpFMA      // sqrt, 1/σ and the mean/variance scaling
        case .softmax: return fpDivide + 2 * fpFMA               // 1/Σ
        default: return 0
        }
    }

    /// Checks every constant.
    public func validate() throws(ConfigurationError) {
        for (field, v) in [("cpu-integer", integerOp), ("cpu-branch", branch), ("cpu-load", load), ("cpu-store", store),
                           ("cpu-convert", fpConvertOrCompare), ("cpu-fma", fpFMA), ("cpu-divide", fpDivide),
                           ("cpu-miss-penalty", missPenalty), ("cpu-line-bytes", lineBytes), ("cpu-libm-scale", libmScale)]
            where !(v.isFinite && v >= 0 && v <= 1e6) {
            throw ConfigurationError(field: field, message: "\(v) must be a finite number in 0...1000000")
        }
        guard lineBytes >= 1 else { throw ConfigurationError(field: "cpu-line-bytes", message: "\(lineBytes) must be at least 1") }
    }
}
