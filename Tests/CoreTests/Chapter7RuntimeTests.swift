import Testing
@testable import Core
#if canImport(Glibc)
import Glibc
#endif

/// Chapter 7's CPU runtime: a Llama-style decoder (RMSNorm, grouped-query attention, rotary embedding, SwiGLU,
/// sliding window, untied LM head) against the plain `Double` reference, and its kernels against their definitions.
///
/// Tolerances, fixed before the first run:
/// - runtime against ``ReferenceDecoder``: 2e-4 absolute on the logits. The logits are of order 1 (the final
///   RMSNorm makes the hidden state's entries ≈ 1 and the head sums 64 of them with weights of ±1/8, a standard
///   deviation ≈ 0.6). fp32 rounds each operation at 2⁻²⁴ ≈ 6e-8; the longest sum has 96 terms, so one product is
///   off by at most ≈ 96 · 6e-8 ≈ 6e-6 of the magnitude of its terms (a worst-case linear bound), and the vector
///   exp adds below 2e-6 relative. About ten such stages lie between a token and its logits (2 layers of norm,
///   projections, attention and FFN, then the head), and RMSNorm rescales after each, so ≈ 6e-5: 2e-4 leaves a
///   margin of 3 over the worst case, while a wrong rotation, key/value head or window moves logits by 1e-2 or more.
/// - two runtime paths over the same fp32 weights (prefill against token-by-token decoding, GQA against MHA with
///   copied key/value heads): 1e-5. On OpenBLAS only the summation order differs (sgemm against sgemv), a few
///   6e-8 roundings of sums of ≤ 96 terms. On the packed kernel prefill and decoding give the same bits: every
///   product sums each entry in the same order whatever the number of rows, the attention's columns start at a
///   multiple of the kernel's k-block whatever the call (so a row's terms are grouped by the same positions, the
///   unseen ones exact zeros), and the norms, rotation and softmax are row by row.
@Suite("Chapter7Runtime: a Llama-style decoder on the CPU", .serialized)
struct Chapter7RuntimeTests {
    static let tiny = TransformerConfig(name: "tiny-llama-test", layers: 2, dModel: 64, heads: 8, dFFN: 96,
                                        architecture: .decoder, block: .llama(kvHeads: 2, vocabulary: 50))
    static let referenceTolerance = 2e-4
    static let pathTolerance = 1e-5

    static func worst(_ a: [Float], _ b: [Double]) -> Double {
        zip(a, b).map { abs(Double($0) - $1) }.max()!
    }

    static func worst(_ a: [Float], _ b: [Float]) -> Double {
        zip(a, b).map { abs(Double($0) - Double($1)) }.max()!
    }

    static func with(_ config: TransformerConfig, kvHeads: Int?, window: Int? = nil) -> TransformerConfig {
        var m = config
        m.block.kvHeads = kvHeads
        m.block.slidingWindow = window
        return m
    }

    /// Logits after every token, one decode call each, from an empty cache.
    static func stepByStep(_ rt: DecoderRuntime, _ tokens: [Int]) throws -> [[Float]] {
        rt.reset()
        var times = OperationTimes()
        return try tokens.map { try rt.decode(token: $0, times: &times) }
    }

    static let prompt = (0..<10).map { ($0 * 17 + 3) % 50 }

    @Test("prefill logits and three decode steps' logits match the Double reference within 2e-4, on each kernel",
          arguments: [RuntimeProducts.packed, .openBLAS])
    func matchesReference(_ products: RuntimeProducts) throws {
        let rt = try DecoderRuntime(Self.tiny, maxSequenceLength: 16, products: products)
        var times = OperationTimes()
        let continuation = [4, 41, 29]
        let reference = ReferenceDecoder(rt).logits(tokens: Self.prompt + continuation)
        let first = try rt.prefill(tokens: Self.prompt, times: &times)
        #expect(first.count == 50)
        #expect(Self.worst(first, reference[9]) < Self.referenceTolerance, "prefill: \(Self.worst(first, reference[9]))")
        for (step, token) in continuation.enumerated() {
            let logits = try rt.decode(token: token, times: &times)
            let error = Self.worst(logits, reference[10 + step])
            #expect(error < Self.referenceTolerance, "decode step \(step): \(error)")
        }
        #expect(rt.position == 13)
        #expect(OperationClass.allCases.allSatisfy { times[$0] > 0 })
        // The logits are of order 1, as the tolerance assumes.
        let largest = reference.flatMap { $0 }.map(abs).max()!
        #expect(largest > 0.3 && largest < 10, "largest logit \(largest)")
    }

    @Test("prefill of n tokens then decoding equals decoding token by token (within 1e-5 on OpenBLAS, bit for bit on the packed kernel)",
          arguments: [RuntimeProducts.packed, .openBLAS])
    func prefillEqualsStepByStep(_ products: RuntimeProducts) throws {
        let tokens = Self.prompt + [4, 41, 29]
        let a = try DecoderRuntime(Self.tiny, maxSequenceLength: 16, products: products)
        let b = try DecoderRuntime(Self.tiny, maxSequenceLength: 16, products: products)
        var times = OperationTimes()
        var together = [try a.prefill(tokens: Array(tokens.prefix(10)), times: &times)]
        for token in tokens.dropFirst(10) { together.append(try a.decode(token: token, times: &times)) }
        let separate = try Self.stepByStep(b, tokens)
        for (offset, logits) in together.enumerated() {
            let error = Self.worst(logits, separate[9 + offset])
            #expect(error < Self.pathTolerance, "position \(9 + offset): \(error)")
            if a.level > 0 { #expect(logits == separate[9 + offset], "position \(9 + offset): the packed kernel's bits differ") }
        }
        // reset() starts again from position 0 with the same weights: the same logits.
        a.reset()
        let again = try a.prefill(tokens: Array(tokens.prefix(10)), times: &times)
        #expect(again == together[0])
    }

    @Test("grouped-query attention equals multi-head attention whose key/value heads are copied per group")
    func groupedEqualsCopiedHeads() throws {
        // kvHeads = heads is multi-head attention: the same runtime as no grouping at all.
        let explicit = try DecoderRuntime(Self.with(Self.tiny, kvHeads: 8), maxSequenceLength: 12)
        let implicit = try DecoderRuntime(Self.with(Self.tiny, kvHeads: nil), maxSequenceLength: 12)
        var times = OperationTimes()
        #expect(try explicit.prefill(tokens: Self.prompt, times: &times) == implicit.prefill(tokens: Self.prompt, times: &times))

        // GQA with 2 key/value heads = MHA whose heads 0-3 use key/value head 0 and heads 4-7 head 1.
        let grouped = try DecoderRuntime(Self.tiny, maxSequenceLength: 12)
        let mha = try DecoderRuntime(Self.with(Self.tiny, kvHeads: nil), maxSequenceLength: 12)
        let d = 64, dh = 8, kvWidth = 16
        func copied(_ w: [Float]) -> [Float] {
            var out = [Float](repeating: 0, count: d * d)
            for row in 0..<d {
                for head in 0..<8 {
                    for c in 0..<dh { out[row * d + head * dh + c] = w[row * kvWidth + (head / 4) * dh + c] }
                }
            }
            return out
        }
        mha.layers = grouped.layers.map { layer in
            var expanded = layer
            expanded.wk = WeightMatrix(copied(layer.wk.values), k: d, n: d, level: mha.level)
            expanded.wv = WeightMatrix(copied(layer.wv.values), k: d, n: d, level: mha.level)
            return expanded
        }
        mha.tokenEmbedding = grouped.tokenEmbedding
        mha.finalNorm = grouped.finalNorm
        mha.lmHead = grouped.lmHead
        let groupedSteps = try Self.stepByStep(grouped, Self.prompt), mhaSteps = try Self.stepByStep(mha, Self.prompt)
        for p in 0..<Self.prompt.count {
            #expect(Self.worst(groupedSteps[p], mhaSteps[p]) < Self.pathTolerance, "position \(p)")
        }
    }

    @Test("multi-query attention (one key/value head) matches the reference")
    func multiQuery() throws {
        let rt = try DecoderRuntime(Self.with(Self.tiny, kvHeads: 1), maxSequenceLength: 12)
        var times = OperationTimes()
        let logits = try rt.prefill(tokens: Self.prompt, times: &times)
        let reference = ReferenceDecoder(rt).logits(tokens: Self.prompt)
        #expect(Self.worst(logits, reference[9]) < Self.referenceTolerance)
        #expect(rt.keyCache[0].count == 12 * 8)   // one head of width 8 per position
    }

    @Test("a sliding window of 4 changes the logits only once the context exceeds 4 tokens")
    func slidingWindow() throws {
        let windowed = try DecoderRuntime(Self.with(Self.tiny, kvHeads: 2, window: 4), maxSequenceLength: 12)
        let full = try DecoderRuntime(Self.tiny, maxSequenceLength: 12)
        let a = try Self.stepByStep(windowed, Self.prompt), b = try Self.stepByStep(full, Self.prompt)
        for p in 0..<4 { #expect(a[p] == b[p], "position \(p), context \(p + 1): the window does not bind yet") }
        for p in 4..<Self.prompt.count {
            #expect(Self.worst(a[p], b[p]) > 1e-3, "position \(p), context \(p + 1): the window binds")
        }
        // The masked prefill (several rows, each with its own window) agrees with the reference and with decoding.
        windowed.reset()
        var times = OperationTimes()
        let prefilled = try windowed.prefill(tokens: Self.prompt, times: &times)
        let reference = ReferenceDecoder(windowed).logits(tokens: Self.prompt)
        #expect(Self.worst(prefilled, reference[9]) < Self.referenceTolerance)
        #expect(Self.worst(prefilled, a[9]) < Self.pathTolerance)
        // A prompt in two chunks: the second (positions 6-9) starts past the window, so its rows see different ranges.
        windowed.reset()
        _ = try windowed.prefill(tokens: Array(Self.prompt.prefix(6)), times: &times)
        let chunked = try windowed.prefill(tokens: Array(Self.prompt.suffix(4)), times: &times)
        #expect(Self.worst(chunked, a[9]) < Self.pathTolerance)
    }

    @Test("a long prefill (several blocks of query rows, heads on parallel workers) gives the same bits at 1, 2 and 3 threads, in one call, in two, or ending in a decoding step, with or without a window",
          arguments: [nil, 100] as [Int?])
    func longPrefillBits(window: Int?) throws {
        // 600 rows over 600 positions: Attention.blockRows gives blocks of 432 rows, so one call's rows split into
        // two blocks, and a later call's rows start at another row and (with the window) another first column. A
        // row's products, mask and softmax do not depend on its block, its worker or the call: its columns are
        // grouped into the kernel's k-blocks by absolute position, and the columns it does not see are exact zeros.
        #expect(Attention.blockRows(600, positions: 600) < 600)
        let config = Self.with(Self.tiny, kvHeads: 2, window: window)
        let tokens = (0..<600).map { ($0 * 31 + 7) % 50 }
        let threads = Kernels.threads
        defer { Kernels.setThreads(threads) }
        var runs: [[Float]] = []
        for n in [1, 2, 3] {
            Kernels.setThreads(n)
            let rt = try DecoderRuntime(config, maxSequenceLength: 600, products: .packed)
            var times = OperationTimes()
            runs.append(try rt.prefill(tokens: tokens, times: &times))
            rt.reset()
            _ = try rt.prefill(tokens: Array(tokens.prefix(250)), times: &times)
            let twoCalls = try rt.prefill(tokens: Array(tokens.dropFirst(250)), times: &times)
            rt.reset()
            _ = try rt.prefill(tokens: Array(tokens.dropLast()), times: &times)
            let decoded = try rt.decode(token: tokens.last!, times: &times)
            if rt.level > 0 {
                #expect(twoCalls == runs[0], "\(n) threads: one call and two calls differ")
                #expect(decoded == runs[0], "\(n) threads: prefill and decoding differ")
            } else {
                #expect(Self.worst(twoCalls, runs[0]) < Self.pathTolerance && Self.worst(decoded, runs[0]) < Self.pathTolerance)
            }
        }
        #expect(runs[1] == runs[0] && runs[2] == runs[0], "the bits depend on the thread count")
    }

    @Test("RoPE keeps every pair's length, is the identity at position 0, and turns by p·θ_i")
    func ropePreservesNorm() {
        let dh = 64, heads = 3, half = dh / 2, rows = 5, first = 997
        let table = RotaryTable(positions: first + rows, headDimension: dh, base: 10_000)
        var g = SeededGenerator(seed: 7)
        let original = (0..<(rows * heads * dh)).map { _ in g.uniform(2) }
        var x = original
        Kernels.rope(&x, rows: rows, heads: heads, headDimension: dh, stride: heads * dh, firstPosition: first, table: table)
        var worstLength = 0.0, worstAngle = 0.0
        for r in 0..<rows {
            for head in 0..<heads {
                for i in 0..<half {
                    let at = r * heads * dh + head * dh + i
                    let a = Double(original[at]), b = Double(original[at + half])
                    let a2 = Double(x[at]), b2 = Double(x[at + half])
                    let before = (a * a + b * b).squareRoot(), after = (a2 * a2 + b2 * b2).squareRoot()
                    worstLength = max(worstLength, abs(after - before) / max(before, 1e-30))
                    let angle = Double(first + r) * RotaryTable.frequency(i, headDimension: dh, base: 10_000)
                    worstAngle = max(worstAngle, abs(a2 - (a * cos(angle) - b * sin(angle))),
                                     abs(b2 - (b * cos(angle) + a * sin(angle))))
                }
            }
        }
        #expect(worstLength < 1e-6, "relative change of a pair's length \(worstLength)")
        #expect(worstAngle < 1e-5, "difference from the Double rotation \(worstAngle)")
        var atZero = original
        Kernels.rope(&atZero, rows: 1, heads: heads, headDimension: dh, stride: heads * dh, firstPosition: 0, table: table)
        #expect(Array(atZero.prefix(heads * dh)) == Array(original.prefix(heads * dh)))
    }

    @Test("RMSNorm and the SiLU gate give their worked examples and their definitions on ragged lengths")
    func elementKernels() {
        var y = [Float](repeating: 0, count: 2)
        Kernels.rmsNorm([3, 4], into: &y, rows: 1, columns: 2, gamma: [1, 1])
        #expect(abs(y[0] - 0.848528) < 1e-5 && abs(y[1] - 1.131371) < 1e-5, "\(y)")
        var gate: [Float] = [1], up: [Float] = [2]
        Kernels.siluGate(&gate, up: up, count: 1)
        #expect(abs(gate[0] - 1.462117) < 1e-5, "\(gate)")

        var g = SeededGenerator(seed: 11)
        for n in [1, 7, 8, 9, 37] {
            let x = (0..<(3 * n)).map { _ in g.uniform(3) }, gamma = (0..<n).map { _ in 1 + g.uniform(0.5) }
            var out = [Float](repeating: 0, count: 3 * n)
            Kernels.rmsNorm(x, into: &out, rows: 3, columns: n, gamma: gamma)
            var gates = (0..<n).map { _ in g.uniform(20) }
            let ups = (0..<n).map { _ in g.uniform(2) }, gatesBefore = gates
            Kernels.siluGate(&gates, up: ups, count: n)
            for r in 0..<3 {
                let row = x[(r * n)..<(r * n + n)].map(Double.init)
                let rms = (row.map { $0 * $0 }.reduce(0, +) / Double(n) + 1e-5).squareRoot()
                for j in 0..<n {
                    #expect(abs(Double(out[r * n + j]) - row[j] / rms * Double(gamma[j])) < 1e-5 * max(1, abs(row[j] / rms)))
                }
            }
            for j in 0..<n {
                let exact = Double(gatesBefore[j]) / (1 + exp(-Double(gatesBefore[j]))) * Double(ups[j])
                #expect(abs(Double(gates[j]) - exact) < 1e-5 * max(1, abs(exact)), "n \(n), j \(j)")
            }
        }
    }

    @Test("bad configurations and inputs fail, naming the field")
    func badInputs() throws {
        /// The field the error names; "not a RuntimeError" for any other error; nil when nothing was thrown.
        func field(_ body: () throws -> Void) -> String? {
            do { try body() } catch { return (error as? RuntimeError)?.field ?? "not a RuntimeError" }
            return nil
        }
        var times = OperationTimes()
        #expect(field { _ = try DecoderRuntime(Self.with(Self.tiny, kvHeads: 3), maxSequenceLength: 8) } == "kvHeads")
        var survey = Self.tiny
        survey.block = .survey
        #expect(field { _ = try DecoderRuntime(survey, maxSequenceLength: 8, vocabulary: 50) } == "block.norm")
        var gelu = Self.tiny
        gelu.block.ffn = .gelu
        #expect(field { _ = try DecoderRuntime(gelu, maxSequenceLength: 8) } == "block.ffn")
        var learned = Self.tiny
        learned.block.rotary = false
        #expect(field { _ = try DecoderRuntime(learned, maxSequenceLength: 8) } == "block.rotary")
        var encoder = Self.tiny
        encoder.architecture = .encoder
        #expect(field { _ = try DecoderRuntime(encoder, maxSequenceLength: 8) } == "architecture")
        #expect(field { _ = try DecoderRuntime(Self.tiny, maxSequenceLength: 8, layersToRun: 3) } == "layersToRun")
        #expect(field {
            _ = try DecoderRuntime(.tinyLlama, maxSequenceLength: 4096, memoryLimitBytes: 1_073_741_824)
        } == "memory")

        let rt = try DecoderRuntime(Self.tiny, maxSequenceLength: 8)
        #expect(field { _ = try rt.prefill(tokens: [1, 50], times: &times) } == "tokens")
        #expect(field { _ = try rt.prefill(tokens: [], times: &times) } == "tokens")
        #expect(field { _ = try rt.decode(token: -1, times: &times) } == "token")
        #expect(rt.position == 0, "a rejected call leaves the cache as it was")
        #expect(field { _ = try rt.prefill(tokens: Array(0..<9), times: &times) } == "maxSequenceLength")
        _ = try rt.prefill(tokens: Array(0..<6), times: &times)
        _ = try rt.decode(token: 6, times: &times)
        _ = try rt.decode(token: 7, times: &times)
        #expect(field { _ = try rt.decode(token: 8, times: &times) } == "maxSequenceLength")
        #expect(rt.position == 8)
    }
}
