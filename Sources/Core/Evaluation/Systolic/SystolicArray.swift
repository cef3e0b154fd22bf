/// Which operand stays in the processing elements while the others stream through (SCALE-Sim's names).
public enum Dataflow: String, Sendable, Hashable, CaseIterable {
    /// Weights (B) stay; inputs stream from the left, partial sums flow down and leave at the bottom.
    case weightStationary = "ws"
    /// Outputs stay and accumulate; inputs stream from the left and weights from the top.
    case outputStationary = "os"
    /// Inputs (A) stay; weights stream through: weight-stationary on the transposed product Cᵀ = Bᵀ·Aᵀ.
    case inputStationary = "is"
}

/// C (m×n) = A (m×k) · B (k×n), the survey's matmul with m tokens, reduction k and n outputs.
public struct GEMMShape: Sendable, Hashable, CustomStringConvertible {
    public var m: Int, n: Int, k: Int
    public init(m: Int, n: Int, k: Int) {
        self.m = m
        self.n = n
        self.k = k
    }
    public var macs: Int { m * n * k }
    public var description: String { "\(m)×\(n)×\(k) (M×N×K)" }

    func validate() throws(SystolicError) {
        for (name, v) in [("m", m), ("n", n), ("k", k)] where v < 1 || v > 1 << 20 {
            throw SystolicError(field: name, message: "\(v) is out of range; allowed 1...\(1 << 20)")
        }
    }
}

/// An invalid shape, array or operand, naming the field.
public typealias SystolicError = ConfigurationError

/// An R×C systolic array of multiply-accumulate units (Gemmini's `meshRows` × `meshColumns`).
public struct SystolicArray: Sendable, Hashable {
    public let rows: Int
    public let columns: Int

    public init(rows: Int = 16, columns: Int = 16) throws(SystolicError) {
        guard (1...256).contains(rows) else { throw SystolicError(field: "rows", message: "\(rows) is out of range; allowed 1...256") }
        guard (1...256).contains(columns) else {
            throw SystolicError(field: "columns", message: "\(columns) is out of range; allowed 1...256")
        }
        self.rows = rows
        self.columns = columns
    }

    /// Gemmini's default 16×16 mesh.
    public static let gemmini = try! SystolicArray(rows: 16, columns: 16)

    /// Closed-form cycles (SCALE-Sim 3.0.0 reports these minus one cycle, a known offset of its counter):
    /// - WS: ⌈K/R⌉·⌈N/C⌉·(2R + C + M − 2): R cycles to load a weight tile, then M skewed input rows and the
    ///   array's fill and drain, for every weight fold;
    /// - OS: ⌈M/R⌉·⌈N/C⌉·(R + C + K − 2);
    /// - IS: ⌈K/R⌉·⌈M/C⌉·(2R + C + N − 2).
    public func closedFormCycles(_ s: GEMMShape, _ dataflow: Dataflow) -> Int {
        let r = rows, c = columns
        func ceil(_ a: Int, _ b: Int) -> Int { (a + b - 1) / b }
        switch dataflow {
        case .weightStationary: return ceil(s.k, r) * ceil(s.n, c) * (2 * r + c + s.m - 2)
        case .outputStationary: return ceil(s.m, r) * ceil(s.n, c) * (r + c + s.k - 2)
        case .inputStationary: return ceil(s.k, r) * ceil(s.m, c) * (2 * r + c + s.n - 2)
        }
    }

    /// The ideal: every PE busy every cycle.
    public func idealCycles(_ s: GEMMShape) -> Double { Double(s.macs) / Double(rows * columns) }
}

/// What a simulation produced: the real Int32 results and the cycles it took.
public struct SystolicRun: Sendable {
    public var output: [Int32]
    public var cycles: Int
    public var shape: GEMMShape
    public var dataflow: Dataflow
    /// MACs per PE per cycle.
    public var utilization: Double
}

/// A register-level, cycle-by-cycle simulation of a systolic array computing Int8 × Int8 → Int32 matmuls.
///
/// Every cycle each processing element takes the value arriving from its left neighbour (and, for output
/// stationary, from above), multiplies, adds, and passes values on; operands enter skewed by one cycle per row or
/// column. Nothing about timing is assumed: the cycle count is whatever it takes for the last result to leave
/// the array, and tests check that it equals ``SystolicArray/closedFormCycles(_:_:)`` and that the results equal
/// a plain integer GEMM bit for bit.
///
/// ```swift
/// let run = try SystolicSimulator.run(a: a, b: b, shape: GEMMShape(m: 128, n: 3072, k: 768),
///                                     array: .gemmini, dataflow: .weightStationary)
/// run.cycles       // 1,603,584 (SCALE-Sim reports 1,603,583)
/// ```
public enum SystolicSimulator {
    public static func run(a: [Int8], b: [Int8], shape s: GEMMShape, array: SystolicArray,
                           dataflow: Dataflow) throws(SystolicError) -> SystolicRun {
        try s.validate()
        guard a.count == s.m * s.k else { throw SystolicError(field: "a", message: "\(a.count) values for \(s.m)×\(s.k)") }
        guard b.count == s.k * s.n else { throw SystolicError(field: "b", message: "\(b.count) values for \(s.k)×\(s.n)") }
        var output = [Int32](repeating: 0, count: s.m * s.n)
        let cycles: Int
        switch dataflow {
        case .weightStationary:
            cycles = weightStationary(a: a, b: b, m: s.m, n: s.n, k: s.k, array: array, transposedOutput: false,
                                      output: &output)
        case .inputStationary:
            // Cᵀ (n×m) = Bᵀ (n×k) · Aᵀ (k×m): the inputs are the stationary operand.
            var bT = [Int8](repeating: 0, count: s.n * s.k), aT = [Int8](repeating: 0, count: s.k * s.m)
            for i in 0..<s.k {
                for j in 0..<s.n { bT[j * s.k + i] = b[i * s.n + j] }
                for j in 0..<s.m { aT[i * s.m + j] = a[j * s.k + i] }
            }
            cycles = weightStationary(a: bT, b: aT, m: s.n, n: s.m, k: s.k, array: array, transposedOutput: true,
                                      output: &output)
        case .outputStationary:
            cycles = outputStationary(a: a, b: b, m: s.m, n: s.n, k: s.k, array: array, output: &output)
        }
        return SystolicRun(output: output, cycles: cycles, shape: s, dataflow: dataflow,
                           utilization: Double(s.macs) / (Double(cycles) * Double(array.rows * array.columns)))
    }

    /// C += A·B with B stationary, fold by fold. With `transposedOutput` the result is stored as Cᵀ.
    static func weightStationary(a: [Int8], b: [Int8], m: Int, n: Int, k: Int, array: SystolicArray,
                                 transposedOutput: Bool, output: inout [Int32]) -> Int {
        let rows = array.rows, cols = array.columns
        var weights = [Int32](repeating: 0, count: rows * cols)
        var inputs = [Int32](repeating: 0, count: rows * cols)      // value held in each PE this cycle
        var sums = [Int32](repeating: 0, count: rows * cols)        // partial sum leaving each PE downwards
        var cycles = 0
        for k0 in stride(from: 0, to: k, by: rows) {
            for n0 in stride(from: 0, to: n, by: cols) {
                // Load the weight tile: one row per cycle shifts in from the top.
                for i in 0..<rows {
                    for j in 0..<cols {
                        let kk = k0 + i, nn = n0 + j
                        weights[i * cols + j] = kk < k && nn < n ? Int32(b[kk * n + nn]) : 0
                    }
                }
                cycles += rows
                for x in 0..<(rows * cols) { inputs[x] = 0; sums[x] = 0 }
                // Stream: input row m enters array row i at cycle m + i; results leave the bottom of column j at
                // cycle m + (rows − 1) + j. The fold ends when the last one has left.
                let streamCycles = m + rows + cols - 2
                for t in 0..<streamCycles {
                    for i in stride(from: rows - 1, through: 0, by: -1) {
                        for j in stride(from: cols - 1, through: 0, by: -1) {
                            let arriving: Int32
                            if j == 0 {
                                let mm = t - i, kk = k0 + i
                                arriving = (mm >= 0 && mm < m && kk < k) ? Int32(a[mm * k + kk]) : 0
                            } else {
                                arriving = inputs[i * cols + j - 1]
                            }
                            inputs[i * cols + j] = arriving
                            let above = i == 0 ? 0 : sums[(i - 1) * cols + j]
                            sums[i * cols + j] = above &+ weights[i * cols + j] &* arriving
                        }
                    }
                    // Results leaving the bottom row this cycle.
                    for j in 0..<cols {
                        let mm = t - (rows - 1) - j, nn = n0 + j
                        guard mm >= 0, mm < m, nn < n else { continue }
                        let index = transposedOutput ? nn * m + mm : mm * n + nn
                        output[index] &+= sums[(rows - 1) * cols + j]
                    }
                }
                cycles += streamCycles
            }
        }
        return cycles
    }

    /// C = A·B with each output held in one PE while A streams from the left and B from the top.
    static func outputStationary(a: [Int8], b: [Int8], m: Int, n: Int, k: Int, array: SystolicArray,
                                 output: inout [Int32]) -> Int {
        let rows = array.rows, cols = array.columns
        var fromLeft = [Int32](repeating: 0, count: rows * cols)
        var fromTop = [Int32](repeating: 0, count: rows * cols)
        var acc = [Int32](repeating: 0, count: rows * cols)
        var cycles = 0
        for m0 in stride(from: 0, to: m, by: rows) {
            for n0 in stride(from: 0, to: n, by: cols) {
                for x in 0..<(rows * cols) { fromLeft[x] = 0; fromTop[x] = 0; acc[x] = 0 }
                // A[m0 + i, t − i] enters row i and B[t − j, n0 + j] enters column j at cycle t; the last product
                // lands in the far corner at cycle (k − 1) + (rows − 1) + (cols − 1).
                let foldCycles = k + rows + cols - 2
                for t in 0..<foldCycles {
                    for i in stride(from: rows - 1, through: 0, by: -1) {
                        for j in stride(from: cols - 1, through: 0, by: -1) {
                            let left: Int32, top: Int32
                            if j == 0 {
                                let mm = m0 + i, kk = t - i
                                left = (mm < m && kk >= 0 && kk < k) ? Int32(a[mm * k + kk]) : 0
                            } else {
                                left = fromLeft[i * cols + j - 1]
                            }
                            if i == 0 {
                                let nn = n0 + j, kk = t - j
                                top = (nn < n && kk >= 0 && kk < k) ? Int32(b[kk * n + nn]) : 0
                            } else {
                                top = fromTop[(i - 1) * cols + j]
                            }
                            fromLeft[i * cols + j] = left
                            fromTop[i * cols + j] = top
                            acc[i * cols + j] &+= left &* top
                        }
                    }
                }
                cycles += foldCycles
                for i in 0..<rows where m0 + i < m {
                    for j in 0..<cols where n0 + j < n { output[(m0 + i) * n + n0 + j] = acc[i * cols + j] }
                }
            }
        }
        return cycles
    }

    /// The plain triple loop the simulation must equal bit for bit.
    public static func referenceGEMM(a: [Int8], b: [Int8], shape s: GEMMShape) -> [Int32] {
        var c = [Int32](repeating: 0, count: s.m * s.n)
        for i in 0..<s.m {
            for p in 0..<s.k {
                let x = Int32(a[i * s.k + p])
                for j in 0..<s.n { c[i * s.n + j] &+= x &* Int32(b[p * s.n + j]) }
            }
        }
        return c
    }
}
