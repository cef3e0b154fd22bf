import Core
import Foundation
import Testing

/// The counted instruction mixes of the host CPU (`data/cpu/rv64-mix.tsv`, chapter 6): the parser, the recorded
/// file against its source, and what counted mixes do to the cycles.
@Suite("HostCPU counted mixes")
struct HostCPUMixTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let recordedPath = "data/cpu/rv64-mix.tsv"
    static let sourcePath = "tools/rv64-mix/kernels.c"

    /// A well-formed file with made-up counts (small integers, so cycles are exact).
    static let good = """
        # a comment
        @source-sha256\t\(String(repeating: "ab", count: 32))
        @compiler\tcc 1.0
        @flags\t-O2
        @libc\tlibc 1
        @qemu\tqemu 1
        @tracing\tsinglestep
        @date\t2026-01-01
        operation\tper\tinteger\tbranch\tload\tstore\tconvert\tfma\tdivide\texpf\terff
        dequantize\telement\t2\t1\t1\t1\t1\t1\t0\t0\t0
        quantize\telement\t6\t9\t1\t1\t9\t1\t0\t0\t0
        softmax\telement\t6\t7\t3\t2\t5\t3\t0\t1\t0
        softmax\trow\t9\t2\t0\t0\t2\t0\t1\t0\t0
        layernorm\telement\t7\t3\t5\t1\t0\t6\t0\t0\t0
        layernorm\trow\t7\t3\t0\t0\t6\t1\t4\t0\t0
        gelu\telement\t2\t2\t1\t1\t0\t4\t0\t0\t1
        resadd\telement\t3\t1\t2\t1\t0\t1\t0\t0\t0
        expf\tcall\t11\t2\t8\t0\t6\t8\t0\t0\t0
        erff\tcall\t26.5\t7\t25.25\t9\t3.5\t13.5\t1.25\t0\t0

        """

    static func lines(_ text: String) -> [String] { text.components(separatedBy: "\n") }

    /// `good` with line `number` (1-based) replaced by `replacement`, or removed when nil.
    static func edited(_ number: Int, _ replacement: String?) -> String {
        var all = lines(good)
        if let replacement { all[number - 1] = replacement } else { all.remove(at: number - 1) }
        return all.joined(separator: "\n")
    }

    @Test("a good file parses into its rows and provenance, LF or CRLF")
    func goodFile() throws {
        let mixes = try HostCPUMixes(parsing: Self.good, file: "good.tsv")
        #expect(mixes.perElement(.residualAdd) == .init(integer: 3, branch: 1, load: 2, store: 1, fma: 1))
        #expect(mixes.perElement(.softmax).expCalls == 1)
        #expect(mixes.perElement(.gelu).erfCalls == 1)
        #expect(mixes.perRow(.layerNorm) == .init(integer: 7, branch: 3, convert: 6, fma: 1, divide: 4))
        #expect(mixes.perRow(.gelu) == .init())
        #expect(mixes.erfPerCall == .init(integer: 26.5, branch: 7, load: 25.25, store: 9, convert: 3.5, fma: 13.5, divide: 1.25))
        #expect(mixes.provenance("compiler") == "cc 1.0")
        #expect(mixes.provenance.map(\.key) == ["source-sha256", "compiler", "flags", "libc", "qemu", "tracing", "date"])
        let crlf = try HostCPUMixes(parsing: Self.good.replacingOccurrences(of: "\n", with: "\r\n"), file: "good.tsv")
        #expect(crlf == mixes)
    }

    /// Each kind of bad line or missing piece, the line it is on (nil: the whole file), and what the message says.
    static let bad: [(String, Int?, String)] = [
        (lines(good).prefix(8).joined(separator: "\n"), nil, "no header row"),
        (edited(9, nil), 9, "expected the header"),
        (edited(9, "operation\tper\tinteger"), 9, "expected the header"),
        (edited(10, "dequantize\telement\t2\t1\t1\t1\t1\t1\t0\t0"), 10, "10 fields, expected 11"),
        (edited(10, "dequantize\telement\tx\t1\t1\t1\t1\t1\t0\t0\t0"), 10, "integer 'x' is not a count"),
        (edited(10, "dequantize\telement\t-1\t1\t1\t1\t1\t1\t0\t0\t0"), 10, "integer '-1' is not a count"),
        (edited(10, "dequantize\telement\t2\t1\t1\t1\t1\tnan\t0\t0\t0"), 10, "fma 'nan' is not a count"),
        (edited(10, "dequantize\telement\t2\t1\t1\t1\t1\t1\tinf\t0\t0"), 10, "divide 'inf' is not a count"),
        (edited(10, "dequantise\telement\t2\t1\t1\t1\t1\t1\t0\t0\t0"), 10, "unknown operation 'dequantise' per element"),
        (edited(10, "gelu\trow\t2\t1\t1\t1\t1\t1\t0\t0\t0"), 10, "unknown operation 'gelu' per row"),
        (edited(10, "dequantize\telements\t2\t1\t1\t1\t1\t1\t0\t0\t0"), 10, "unknown scope 'elements'"),
        (edited(18, "logf\tcall\t11\t2\t8\t0\t6\t8\t0\t0\t0"), 18, "unknown function 'logf' per call"),
        (edited(18, "expf\tcall\t11\t2\t8\t0\t6\t8\t0\t1\t0"), 18, "must call neither"),
        (edited(11, "dequantize\telement\t2\t1\t1\t1\t1\t1\t0\t0\t0"), 11, "repeats 'dequantize element'"),
        (edited(3, "@compiler"), 3, "malformed provenance line"),
        (edited(3, "@compiler\t "), 3, "malformed provenance line"),
        (edited(4, "@compiler\tcc 2"), 4, "repeats '@compiler'"),
        (edited(8, nil), nil, "no '@date' line"),
        (edited(2, "@source-sha256\t" + String(repeating: "AB", count: 32)), nil, "not 64 lowercase hexadecimal digits"),
        (edited(2, "@source-sha256\tabc"), nil, "not 64 lowercase hexadecimal digits"),
        (edited(16, nil), nil, "no row 'gelu<TAB>element'"),
        (edited(13, nil), nil, "no row 'softmax<TAB>row'"),
        (edited(19, nil), nil, "no row 'erff<TAB>call'"),
    ]

    @Test("a bad file is refused with the file, the line and what is wrong", arguments: 0..<bad.count)
    func badFile(_ index: Int) {
        let (text, line, expected) = Self.bad[index]
        do {
            _ = try HostCPUMixes(parsing: text, file: "mix.tsv")
            Issue.record("accepted: \(expected)")
        } catch {
            #expect(error.field == "cpuMixes")
            #expect(error.message.contains(expected), "\(error.message)")
            #expect(error.message.hasPrefix("'mix.tsv'" + (line.map { " line \($0):" } ?? ":")), "\(error.message)")
        }
    }

    @Test("the recorded file parses and its @source-sha256 is the sha256 of tools/rv64-mix/kernels.c")
    func recordedMatchesSource() throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent(Self.recordedPath), encoding: .utf8)
        let mixes = try HostCPUMixes(parsing: text, file: Self.recordedPath)
        let source = try Data(contentsOf: Self.root.appendingPathComponent(Self.sourcePath))
        #expect(mixes.provenance("source-sha256") == SHA256.hex([UInt8](source)),
                "data/cpu/rv64-mix.tsv was counted from another kernels.c: run `python3 tools/rv64-mix/count.py`")
    }

    @Test("the test's own SHA-256 gives the standard's answers")
    func sha256() {
        // FIPS 180-2, appendix B.1 and B.2, and the empty message.
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test("counted mixes change the cycles by exactly their counts at the Rocket latencies; hand stays as before")
    func countedCycles() throws {
        let hand = HostCPUCostModel.rocket
        var counted = hand
        counted.mixSource = .counted(try HostCPUMixes(parsing: Self.good, file: "good.tsv"))
        // Hand, as the model priced it before counted mixes existed.
        let dequantizeMemory: Double = 8.0 / 64 * 100, resaddMemory: Double = 12.0 / 64 * 100
        #expect(hand.cyclesPerElement(.dequantize) == 11 + dequantizeMemory)
        #expect(hand.cyclesPerRow(.softmax) == 26 + 2 * 3)
        #expect(hand.cyclesPerRow(.layerNorm) == 2 * 26 + 10 * 3)
        #expect(hand.cyclesPerRow(.gelu) == 0)
        // resadd: 3 integer + 1 branch + 2 loads × 2 + 1 store + 1 add × 3, and 12 bytes streamed.
        let resaddInstructions: Double = 3 + 1 + 4 + 1 + 3
        #expect(counted.instructionCycles(counted.mix(.residualAdd)) == resaddInstructions)
        #expect(counted.cyclesPerElement(.residualAdd) == resaddInstructions + resaddMemory)
        // The bytes streamed are the operation's, whichever source counts the instructions.
        for op in HostCPUCostModel.Operation.allCases {
            #expect(counted.memoryCycles(counted.mix(op)) == hand.memoryCycles(hand.mix(op)))
        }
        // softmax: its own instructions plus one expf call (11 + 2 + 16 + 0 + 12 + 24 = 65 cycles).
        let own: Double = 6 + 7 + 6 + 2 + 10 + 9
        #expect(counted.directCycles(counted.expMix) == 65)
        #expect(counted.instructionCycles(counted.mix(.softmax)) == own + 65)
        var noLibm = counted
        noLibm.libmScale = 0
        #expect(noLibm.instructionCycles(noLibm.mix(.softmax)) == own)
        // gelu: its own 2 + 2 + 2 + 1 + 12 = 19 plus erff's 26.5 + 7 + 50.5 + 9 + 7 + 40.5 + 32.5 = 173.
        #expect(counted.instructionCycles(counted.mix(.gelu)) == 19 + 173)
        #expect(counted.instructions(counted.mix(.gelu)) == 10 + 86)
        // Per row: layernorm 7 + 3 + 12 + 3 + 104.
        #expect(counted.cyclesPerRow(.layerNorm) == 129)
        // A latency acts on the counted classes: doubling the divide adds LayerNorm's 4 per-row divisions again.
        var slowDivide = counted
        slowDivide.fpDivide *= 2
        #expect(slowDivide.cyclesPerRow(.layerNorm) - counted.cyclesPerRow(.layerNorm) == 4 * 26)
    }

    @Test("an encoder layer on the baseline prices its CPU categories with the counted mixes")
    func encoderLayer() throws {
        var counted = HostCPUCostModel.rocket
        counted.mixSource = .counted(try HostCPUMixes(parsing: Self.good, file: "good.tsv"))
        let hand = try GemminiEncoderModel(.bertBase, sequenceLength: 128, accelerator: .gemminiBaseline)
        let layer = try GemminiEncoderModel(.bertBase, sequenceLength: 128, accelerator: .gemminiBaseline, host: counted)
        #expect(layer.matmulCycles == hand.matmulCycles)
        // Softmax: 12 heads × 128 × 128 scores and 12 × 128 rows; LayerNorm: 2 × 128 × 768 values in 2 × 128 rows.
        let scores = 12.0 * 128 * 128, rows = 12.0 * 128
        #expect(layer.cycles[.softmax] == scores * counted.cyclesPerElement(.softmax) + rows * counted.cyclesPerRow(.softmax))
        #expect(layer.cycles[.layerNorm] == 2 * 128 * 768 * counted.cyclesPerElement(.layerNorm) + 2 * 128 * counted.cyclesPerRow(.layerNorm))
        #expect(layer.cycles[.gelu]! > hand.cycles[.gelu]!)          // erff: 173 counted cycles against 72 by hand
        #expect(layer.cycles[.quantization]! > hand.cycles[.quantization]!)
    }
}

/// SHA-256 (FIPS 180-4), for checking the recorded file against its source without a crypto dependency.
enum SHA256 {
    static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2]

    static func hex(_ message: [UInt8]) -> String {
        var h: [UInt32] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
        var data = message + [0x80]
        while data.count % 64 != 56 { data.append(0) }
        let bits = UInt64(message.count) * 8
        for shift in stride(from: 56, through: 0, by: -8) { data.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift))) }
        func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }
        for chunk in stride(from: 0, to: data.count, by: 64) {
            var w = [UInt32](repeating: 0, count: 64)
            for i in 0..<16 {
                w[i] = (0..<4).reduce(0) { $0 << 8 | UInt32(data[chunk + 4 * i + $1]) }
            }
            for i in 16..<64 {
                let s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3)
                let s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10)
                w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
            }
            var (a, b, c, d, e, f, g, hh) = (h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7])
            for i in 0..<64 {
                let t1 = hh &+ (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) &+ ((e & f) ^ (~e & g)) &+ k[i] &+ w[i]
                let t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) &+ ((a & b) ^ (a & c) ^ (b & c))
                (hh, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ t2)
            }
            for (i, v) in [a, b, c, d, e, f, g, hh].enumerated() { h[i] = h[i] &+ v }
        }
        return h.map { String(repeating: "0", count: 8 - String($0, radix: 16).count) + String($0, radix: 16) }.joined()
    }
}
