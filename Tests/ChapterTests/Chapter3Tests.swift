import ArgumentParser
import ChapterSupport
import Core
import Foundation
import Testing
@testable import FixedArchitecture

/// The cited tables as committed, and the default run of chapter 3, built once.
let chapter3Cited: [CitedTable] = try! CitedTable.loadAll(from: repositoryRoot.appendingPathComponent("data/cited").path)
let chapter3: ChapterResult = try! FixedArchitectureChapter.build(FixedArchitectureSettings(cited: chapter3Cited))

@Suite("Chapter3 claims")
struct Chapter3ClaimTests {
    @Test("every claim of chapter 3", arguments: chapter3.claims)
    func claim(_ claim: Claim) { check(claim) }

    @Test("claim ids are unique")
    func ids() {
        let ids = chapter3.claims.map(\.id)
        #expect(Set(ids).count == ids.count)
    }
}

@Suite("Chapter3 report and outputs")
struct Chapter3OutputTests {
    @Test("the committed report and figures are what the code generates (run `make` to refresh)")
    func freshness() {
        let stale = stalePaths(chapter3)
        #expect(stale.isEmpty, "stale: \(stale.joined(separator: ", "))")
    }

    @Test("same inputs, same bytes")
    func deterministic() throws {
        let again = try FixedArchitectureChapter.build(FixedArchitectureSettings(cited: chapter3Cited))
        #expect(again.files.count == chapter3.files.count && zip(again.files, chapter3.files).allSatisfy { $0 == $1 })
    }

    @Test("the report has its figures, the cited tables labelled as cited, and the exercises")
    func shape() {
        let md = chapter3.report.markdown()
        for needle in ["figures/03-quantized-linear.svg", "figures/03-pruned-attention.svg", "figures/03-cited-vit-params.svg",
                       "figures/03-cited-vit-flops.svg", "Fig. 15", "Horowitz", "cited, not computed", "data/cited/pruning.csv",
                       "## Exercises", "**Takeaway:**", "multiply-accumulates"] {
            #expect(md.contains(needle), "missing \(needle)")
        }
    }
}

@Suite("Chapter3 quantization")
struct Chapter3QuantizationTests {
    @Test("with rounding to nearest, every Int8 code round-trips through dequantize and quantize",
          arguments: [RoundingRule.toNearestOrEven, .toNearestOrAwayFromZero])
    func roundTrip(_ rounding: RoundingRule) throws {
        for p in [try QuantizationParameters.symmetric(maxAbs: 0.37, rounding: rounding),
                  try QuantizationParameters.asymmetric(min: -2.5, max: 0.8, rounding: rounding)] {
            for q in Int32(Int8.min)...Int32(Int8.max) {
                #expect(try p.quantize(p.dequantize(q)) == q, "\(rounding) code \(q)")
            }
        }
    }

    /// Directed rounding is fragile: S·q / S can land a hair below q in floating point, and ⌊·⌋ then loses a code.
    @Test("with directed rounding, the round trip is off by at most one code, and is off for some codes",
          arguments: [RoundingRule.down, .towardZero])
    func directedRoundTrip(_ rounding: RoundingRule) throws {
        var misses = 0
        for p in [try QuantizationParameters.symmetric(maxAbs: 0.37, rounding: rounding),
                  try QuantizationParameters.asymmetric(min: -2.5, max: 0.8, rounding: rounding)] {
            for q in Int32(Int8.min)...Int32(Int8.max) {
                let back = try p.quantize(p.dequantize(q))
                #expect(abs(back - q) <= 1)
                if back != q { misses += 1 }
            }
        }
        #expect(misses > 0)
    }

    @Test("in-range values come back within half a step; out-of-range values saturate")
    func halfStep() throws {
        let p = try QuantizationParameters.symmetric(maxAbs: 1)
        for i in -1000...1000 {
            let r = Double(i) / 1000
            #expect(abs(p.dequantize(try p.quantize(r)) - r) <= p.scale / 2 + 1e-15)
        }
        #expect(try p.quantize(5) == 127 && p.quantize(-5) == -128)
    }

    @Test("per-channel scales never do worse than one scale on a matrix whose rows differ")
    func perChannel() throws {
        let w = try SyntheticTensors.unevenRows(rows: 32, columns: 64, standardDeviation: 0.02, seed: 3)
        for bits in [4, 8] {
            let tensor = try TensorQuantizer(bits: bits).quantize(w).noise.meanSquared
            let row = try TensorQuantizer(bits: bits, granularity: .perRow).quantize(w).noise.meanSquared
            #expect(row <= tensor)
        }
    }

    @Test("bad quantizer inputs name the field")
    func errors() {
        #expect(throws: ConfigurationError.self) { try TensorQuantizer(bits: 1) }
        #expect(throws: ConfigurationError.self) { try TensorQuantizer(bits: 8, clipFraction: 0) }
        #expect(throws: ConfigurationError.self) { try RealMatrix(rows: 2, columns: 2, values: [1, 2, 3]) }
        do { _ = try TensorQuantizer(bits: 17); Issue.record("accepted 17 bits") } catch { #expect(error.field == "bits") }
    }

    @Test("precision: traffic scales with value width; INT8 energy per MAC is 8b Mult + 32b Add")
    func precision() throws {
        let costs = try NumericFormat.allCases.map { try PrecisionCost.evaluate(.bertBase, sequenceLength: 128, accelerator: .analyticalModel, format: $0) }
        #expect(costs[0].trafficBytes == 4 * costs[2].trafficBytes && costs[1].trafficBytes == 2 * costs[2].trafficBytes)
        #expect(abs(NumericFormat.int8.macEnergyPicojoules - 0.3) < 1e-12)
        #expect(abs(NumericFormat.fp32.macAreaSquareMicrometres - 11884) < 1e-9)
        let w = try ModelWorkload(.bertBase, sequenceLength: 128)
        #expect(abs(costs[2].intensity - w.total.intensity) < 1e-9)   // INT8 = the survey's 1-byte convention
    }
}

@Suite("Chapter3 pruning invariants")
struct Chapter3PruningTests {
    static let weights = (0..<1000).map { Double(($0 * 7919) % 1009) / 1009 - 0.5 }

    @Test("magnitude pruning achieves the sparsity asked, to the nearest unit", arguments: [0.0, 0.1, 0.25, 0.5, 0.9, 0.999, 0.3333])
    func achieved(_ s: Double) throws {
        let mask = try Pruning.magnitude(Self.weights, sparsity: s)
        #expect(mask.prunedCount == Pruning.prunedCount(units: 1000, sparsity: s))
        #expect(abs(mask.sparsity - s) <= 0.5 / 1000)
        if (s * 1000).rounded() == s * 1000 { #expect(mask.sparsity == s) }
        // Every kept weight is at least as large as every pruned one.
        let kept = zip(Self.weights, mask.kept).filter { $1 }.map { abs($0.0) }
        let pruned = zip(Self.weights, mask.kept).filter { !$1 }.map { abs($0.0) }
        if let k = kept.min(), let p = pruned.max() { #expect(k >= p) }
    }

    @Test("ties are broken by index, deterministically")
    func ties() throws {
        let mask = try Pruning.magnitude([1, 1, 1, 1], sparsity: 0.5)
        #expect(mask.kept == [false, false, true, true])
    }

    @Test("2:4 keeps exactly two of every four, the two largest")
    func twoOfFour() throws {
        let w = try RealMatrix(rows: 2, columns: 8, values: [0.1, -0.9, 0.5, 0.2, 1, 2, 3, 4, -4, 3, -2, 1, 0, 0, 0.1, -0.1])
        let mask = try Pruning.nOfM(w, keep: 2, of: 4)
        #expect(mask.sparsity == 0.5)
        #expect(Array(mask.kept[0..<4]) == [false, true, true, false])
        for g in stride(from: 0, to: 16, by: 4) { #expect(mask.kept[g..<(g + 4)].filter { $0 }.count == 2) }
        #expect(throws: ConfigurationError.self) { try Pruning.nOfM(try RealMatrix(rows: 1, columns: 6, values: [1, 2, 3, 4, 5, 6]), keep: 2, of: 4) }
    }

    @Test("structured pruning removes whole heads and neurons")
    func structured() throws {
        let w = try SyntheticTensors.gaussian(rows: 16, columns: 24, standardDeviation: 1, seed: 5)
        let heads = try Pruning.heads(w, heads: 6, sparsity: 0.5)
        #expect(heads.keptHeads.count == 3 && heads.mask.sparsity == 0.5)
        let rows = try Pruning.rows(w, sparsity: 0.25)
        #expect(rows.keptRows.count == 12 && rows.mask.sparsity == 0.25)
        #expect(throws: ConfigurationError.self) { try Pruning.heads(w, heads: 5, sparsity: 0.5) }
    }

    @Test("bad sparsities are errors naming the field", arguments: [-0.1, 1.0, .nan, .infinity])
    func badSparsity(_ s: Double) {
        do { _ = try Pruning.magnitude([1, 2], sparsity: s); Issue.record("accepted \(s)") } catch { #expect(error.field == "sparsity") }
    }

    @Test("the dense layer cost equals chapter 1's layer graph; sparse patterns never add MACs")
    func denseMatchesLayerGraph() throws {
        for l in [1, 128, 512] {
            let ops = try SparseLayerCost.encoderLayer(.bertBase, sequenceLength: l, pattern: .dense, hardware: .denseArray)
            let g = LayerGraph.encoder(.bertBase, sequenceLength: l)
            #expect(abs(ops.reduce(0) { $0 + $1.flops } - g.total.flops) <= 1e-9 * g.total.flops)
            #expect(abs(ops.reduce(0) { $0 + $1.bytes } - g.total.bytes) <= 1e-9 * g.total.bytes)
            for p in [SparsityPattern.unstructured(0.5), .twoOfFour, .structured(keptHeads: 6, keptNeurons: 1536)] {
                for hw in SparseHardware.allCases {
                    let s = try SparseLayerCost.encoderLayer(.bertBase, sequenceLength: l, pattern: p, hardware: hw)
                    #expect(s.reduce(0) { $0 + $1.macs } <= ops.reduce(0) { $0 + $1.macs })
                }
            }
        }
    }

    @Test("token pruning: the enumerated FLOP ratio agrees with the closed form")
    func tokens() throws {
        for r in [0.9, 0.7, 0.5, 0.25] {
            let kept = try TokenPruning.workload(.bertBase, tokens: TokenPruning.uniform(layers: 12, sequenceLength: 512, keepRatio: r))
            let full = try TokenPruning.workload(.bertBase, tokens: Array(repeating: 512, count: 12))
            let ratio = kept.reduce(0) { $0 + $1.flops } / full.reduce(0) { $0 + $1.flops }
            #expect(abs(ratio - (try TokenPruning.flopRatio(.bertBase, sequenceLength: 512, keepRatio: r))) < 0.005)
        }
        #expect(try TokenPruning.stages(layers: 12, sequenceLength: 197, keepRatio: 0.7, stageStarts: [3, 6, 9])
            == [197, 197, 197, 138, 138, 138, 97, 97, 97, 68, 68, 68])
    }
}

@Suite("Chapter3 exp approximations and decoding")
struct Chapter3KernelTests {
    @Test("the integer Taylor kernel tracks its real version on every code of the grid")
    func taylorInteger() throws {
        for q in stride(from: Int64(0), through: -11_356, by: -1) {
            let real = TaylorExp.evaluate(Double(q) / 16_384, order: 5)
            #expect(abs(try TaylorExp.integer(q, fractionBits: 14, order: 5).value - real) < 6 / 16_384.0)
        }
        #expect(throws: QuantizationError.self) { try TaylorExp.integer(1, fractionBits: 14, order: 5) }
    }

    @Test("verification of k tokens reads the weights once")
    func verification() throws {
        let one = try DecoderStepCost.operations(.gpt2, contextLength: 64, newTokens: 1)
        let four = try DecoderStepCost.operations(.gpt2, contextLength: 64, newTokens: 4)
        #expect(abs(four.reduce(0) { $0 + $1.macs } - 4 * one.reduce(0) { $0 + $1.macs }) < 1e-6 * four.reduce(0) { $0 + $1.macs })
        #expect(four.reduce(0) { $0 + $1.bytes } < 2 * one.reduce(0) { $0 + $1.bytes })
        #expect(SpeculativeDecoding.expectedTokens(acceptance: 0, draftLength: 4) == 1)
        #expect(SpeculativeDecoding.expectedTokens(acceptance: 1, draftLength: 4) == 5)
    }
}

@Suite("Chapter3 cited tables")
struct Chapter3CitedTests {
    static let header = "method,venue,task,params_m,reported_result,tag,source"

    @Test("the committed tables parse and every row names a source")
    func committed() {
        #expect(chapter3Cited.count == CitedTable.schemas.count)
        for t in chapter3Cited { #expect(t.rows.allSatisfy { !($0["source"] ?? "").isEmpty }) }
    }

    @Test("quoted fields keep their commas and doubled quotes")
    func quoting() throws {
        let t = try CitedTable.parse(Self.header + "\nA,\"V, 2\",t,,\"say \"\"hi\"\"\",V,s\n", file: "nas.csv")
        #expect(t.rows[0]["venue"] == "V, 2" && t.rows[0]["reported_result"] == "say \"hi\"")
    }

    static let malformed: [(String, String, String)] = [
        ("", "nas.csv", "the file is empty"),
        ("method,venue\nA,B\n", "nas.csv", "header is method,venue"),
        (header + "\n", "nas.csv", "no data rows"),
        (header + "\nA,B,C,,r,V\n", "nas.csv", "line 2: 6 fields; the header has 7"),
        (header + "\nA,B,C,,r,X,s\n", "nas.csv", "column 'tag': 'X' is not a tag"),
        (header + "\nA,B,C,,r,V,\n", "nas.csv", "column 'source': must not be empty"),
        (header + "\nA,B,C,,\"r,V,s\n", "nas.csv", "never closed"),
        (header + "\nA,B\"x\",C,,r,V,s\n", "nas.csv", "a quote inside an unquoted field"),
        ("model,design,params_m,gflops_as_reported,top1,pretraining,tag,source\nM,manual,abc,1,70,IN,V,s\n", "vit-imagenet.csv",
         "line 2, column 'params_m': 'abc' is not a number"),
        ("x\n1\n", "other.csv", "no schema for this file"),
    ]

    @Test("malformed files give errors naming the file, line and column", arguments: malformed)
    func malformedFiles(_ text: String, _ file: String, _ expected: String) {
        do {
            _ = try CitedTable.parse(text, file: file)
            Issue.record("accepted \(text.debugDescription)")
        } catch {
            #expect(error.description.contains(expected) && error.description.contains(file), "\(error.description)")
        }
    }
}

@Suite("Chapter3 command line")
struct Chapter3CLITests {
    static let badInputs: [([String], String)] = [
        (["--bits", "1"], "invalid --bits: 1 is out of range"),
        (["--bits", "8,x"], "'x' is not an integer"),
        (["--bits", "8,8"], "each once"),
        (["--sparsity", "1"], "invalid --sparsity: 1.0 is out of range"),
        (["--sparsity", "-0.2"], "sparsity"),
        (["--sparsity", "half"], "'half' is not a number"),
        (["--tokens-kept", "0"], "invalid --tokens-kept: 0.0 is out of range"),
        (["--tokens-kept", "1.5"], "tokens-kept"),
        (["--tokens-kept", ""], "the list is empty"),
        (["--seq-len", "0"], "seq-len"),
        (["--accelerator", "tpu"], "'tpu' is invalid for '--accelerator"),
        (["--cited", "/nonexistent"], "invalid --cited: cannot read '/nonexistent'"),
        (["--json"], "--check and --json conflict"),
        (["--accelerator", "TPU"], "'TPU' is invalid for '--accelerator <name>'. Please provide one of 'analytical'"),
    ]

    @Test("the built executable exits non-zero on bad input and names the field", arguments: badInputs)
    func badInput(arguments: [String], expected: String) throws {
        let result = try runExecutable("fixed-architecture", ["--check", "--cited", repositoryRoot.appendingPathComponent("data/cited").path] + arguments)
        #expect(result.status != 0)
        #expect(result.err.contains(expected), "\(arguments) → \(result.err)")
    }

    @Test("--help explains every flag")
    func help() {
        let help = FixedArchitectureCommand.helpMessage()
        for flag in ["--bits", "--sparsity", "--tokens-kept", "--seq-len", "--accelerator", "--cited", "--json", "--out", "--check"] {
            #expect(help.contains(flag), "help lacks \(flag)")
        }
    }

    @Test("--json prints the claims and results")
    func json() throws {
        let result = try runExecutable("fixed-architecture", ["--json", "--bits", "6", "--sparsity", "0.75", "--tokens-kept", "0.6",
                                                              "--cited", repositoryRoot.appendingPathComponent("data/cited").path])
        #expect(result.status == 0, "\(result.err)")
        #expect(result.out.contains("\"chapter\": \"fixed-architecture\"") && result.out.contains("\"precision\""))
    }
}
