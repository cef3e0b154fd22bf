/// DRAM traffic of an encoder layer when the accelerator's memories are finite (survey §3.3, Tab. 5): the
/// "non-ideal" arithmetic intensity, counting DRAM → L2 traffic only.
///
/// The survey states the rules only in part (DRAM traffic only; 32-bit outputs before non-linear operations). The
/// rest below is inferred, and reproduces all 21 numbers of Tab. 5 exactly:
/// - **L2 chunks.** Each matmul's output is produced in square chunks of √(L2/2) elements a side (1,024 for the
///   2 MB L2), and each chunk brings its row of the left operand and its column of the right operand from DRAM:
///   the left operand is read once per column of output chunks, the right one once per row of them.
/// - **Output width.** 4 bytes when a non-linear operation consumes the result (Q×K → Softmax, W_out and W2 →
///   residual add, W1 → GELU), else 1.
/// - **Bias.** The projections and FFN matmuls also read a bias with one byte per output element (the way
///   Gemmini preloads a bias matrix into its accumulator).
/// - **Non-linear operations** read their 32-bit inputs and write 8-bit outputs: Softmax 4 + 1 bytes per score;
///   a residual add 4 + 1 in and 1 out per element; LayerNorm 1 in, 1 out, plus γ and β as 32-bit values;
///   GELU 4 + 1.
///
/// ```swift
/// let rows = try NonIdealTraffic.encoderLayer(.bertBase, sequenceLength: 128, accelerator: .analyticalModel)
/// rows.first { $0.identity == .queryProjection }!.intensity      // 170.67 (Tab. 5)
/// ```
public enum NonIdealTraffic {
    /// One operation (attention ones summed over heads) with its FLOPs (the survey's convention) and DRAM bytes.
    public struct Row: Sendable, Hashable {
        /// The layer operation (nil for a CNN layer).
        public var identity: LayerOperationID?
        public var path: String
        public var name: String
        public var flops: Double
        public var bytes: Double
        public var intensity: Double { flops / bytes }
    }

    /// The side of a square output chunk, in elements: √(L2 bytes / 2), rounded down to a power of two.
    public static func chunkSide(_ a: Accelerator) -> Int {
        var side = 1
        while 2 * side * 2 * side <= a.l2Bytes / 2 { side *= 2 }
        return side
    }

    /// DRAM bytes of a matmul in the survey's m×n×k notation (inputs m×n and n×k, output m×k).
    /// Operands and the bias are `inputBytes` per value (1 in the survey).
    public static func matmulBytes(m: Int, n: Int, k: Int, inputBytes: Double = 1, outputBytes: Double, bias: Bool,
                                   chunk: Int) -> Double {
        let rowChunks = (m + chunk - 1) / chunk, columnChunks = (k + chunk - 1) / chunk
        let left = Double(m * n) * Double(columnChunks), right = Double(n * k) * Double(rowChunks)
        let output = Double(m * k) * (outputBytes + (bias ? inputBytes : 0))
        return (left + right) * inputBytes + output
    }

    /// The same count by walking the chunked loop nest: each output chunk loads its row of left-operand chunks and
    /// its column of right-operand chunks from DRAM and writes itself back.
    public static func enumeratedMatmulBytes(m: Int, n: Int, k: Int, inputBytes: Double = 1, outputBytes: Double,
                                             bias: Bool, chunk: Int) -> Double {
        var bytes = 0.0
        for r0 in stride(from: 0, to: m, by: chunk) {
            let rows = min(chunk, m - r0)
            for c0 in stride(from: 0, to: k, by: chunk) {
                let columns = min(chunk, k - c0)
                bytes += Double(rows * n + n * columns) * inputBytes
                bytes += Double(rows * columns) * (outputBytes + (bias ? inputBytes : 0))
            }
        }
        return bytes
    }

    /// Every operation of one encoder layer (Tab. 5's columns, the non-linear ones besides).
    public static func encoderLayer(_ model: TransformerConfig, sequenceLength l: Int, accelerator: Accelerator,
                                    convention c: CountingConvention = .survey) throws(ConfigurationError) -> [Row] {
        try model.validate()
        try accelerator.validate()
        try TransformerConfig.validate(sequenceLength: l)
        guard model.architecture == .encoder else {
            throw ConfigurationError(field: "model", message: "the non-ideal traffic model covers encoder layers (Tab. 5)")
        }
        return rows(AcceleratorOperation.encoderLayer(model, sequenceLength: l, convention: c), accelerator: accelerator)
    }

    /// FLOPs and DRAM bytes of any list of operations on `accelerator`'s L2.
    public static func rows(_ operations: [AcceleratorOperation], accelerator: Accelerator) -> [Row] {
        let chunk = chunkSide(accelerator)
        let widths = AcceleratorOperation.Widths(accelerator)
        return operations.map { Row(identity: $0.identity, path: $0.path, name: $0.name, flops: $0.flops, bytes: $0.dramBytes(chunk: chunk, widths: widths)) }
    }
}
