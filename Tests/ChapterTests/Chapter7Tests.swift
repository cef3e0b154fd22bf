import ArgumentParser
import ChapterSupport
@testable import Core
import Foundation
import Testing
@testable import ModernLLMs

/// The default run of chapter 7, built once, with the repository's LLM-Viewer record.
let chapter7: ChapterResult = try! ModernLLMsChapter.build(
    peer: try! LLMViewerRecord(parsing: String(contentsOf: repositoryRoot.appendingPathComponent(LLMViewerRecord.defaultPath), encoding: .utf8),
                               file: LLMViewerRecord.defaultPath))

@Suite("Chapter7 claims")
struct Chapter7ClaimTests {
    @Test("every claim of chapter 7", arguments: chapter7.claims)
    func claim(_ claim: Claim) { check(claim) }

    @Test("claim ids are unique; the committed report and figures are what the code generates")
    func idsAndFreshness() {
        let ids = chapter7.claims.map(\.id)
        #expect(Set(ids).count == ids.count)
        #expect(stalePaths(chapter7).isEmpty, "stale: \(stalePaths(chapter7)); run `swift run -c release modern-llms`")
    }

    @Test("the LLM-Viewer cross-check covers every recorded row, and only its two known slips miss")
    func peer() throws {
        let record = try LLMViewerRecord(parsing: String(contentsOf: repositoryRoot.appendingPathComponent(LLMViewerRecord.defaultPath), encoding: .utf8),
                                         file: "llm-viewer.csv")
        let peerClaims = chapter7.claims.filter { $0.id.hasPrefix("ch7-llmviewer-") }
        #expect(peerClaims.count == record.rows.count)
        let missing = Set(peerClaims.filter { !$0.holds }.map { $0.id.split(separator: "-").last.map(String.init) ?? "" })
        #expect(missing == ["mlp_act", "lm_head"], "\(missing)")
    }

    @Test("the report reads like the other chapters: sections, takeaways, summary, exercises, the block's graph")
    func report() {
        let md = chapter7.report.markdown()
        for heading in ["## The decoder block", "## Prefill and decode", "## The key/value cache and batching",
                        "## A cross-check with LLM-Viewer", "## On the accelerators", "## Where the survey's conclusions change", "## On this machine's CPU", "## Summary",
                        "## Exercises"] {
            #expect(md.contains(heading), "\(heading)")
        }
        #expect(md.components(separatedBy: "**Takeaway:**").count - 1 == 7)
        for figure in ["07-decoder-block.svg", "07-intensity-vs-length.svg", "07-bytes-vs-length.svg", "07-flops-vs-length.svg", "07-kv-cache.svg",
                       "07-intensity-vs-batch.svg", "07-gemmini-shares.svg"] {
            #expect(chapter7.files.contains { $0.path == "figures/\(figure)" }, "\(figure)")
        }
    }

    @Test("--json gives results.operations rows with a phase, decode summed over the l generated tokens")
    func jsonRows() throws {
        guard case let .object(members) = chapter7.results, case let .array(rows)? = members.first(where: { $0.0 == "operations" })?.1 else {
            Issue.record("no operations")
            return
        }
        let settings = ModernLLMsSettings()
        #expect(rows.count == settings.models.reduce(0) { n, m in
            n + settings.sequenceLengths.count * ((try? ModelWorkload(m, sequenceLength: 128, phase: .prefill).operations.count) ?? 0)
                + settings.sequenceLengths.count * ((try? ModelWorkload(m, sequenceLength: 128, phase: .decode).operations.count) ?? 0)
        })
        guard case let .object(first) = rows[0] else { return }
        #expect(first.map(\.0) == ["model", "phase", "seqLen", "name", "class", "flops", "bytes"])
    }
}

@Suite("Chapter7 workload")
struct Chapter7WorkloadTests {
    /// Random decoders of every block style: heads, key/value heads dividing them, widths, windows, vocabularies.
    static func randomDecoders(count: Int, seed: UInt64) -> [TransformerConfig] {
        var rng = SeededGenerator(seed: seed)
        return (0..<count).map { i in
            let heads = Int.random(in: 1...16, using: &rng), dh = Int.random(in: 1...80, using: &rng)
            let divisors = (1...heads).filter { heads % $0 == 0 }
            let block = BlockStyle(kvHeads: divisors.randomElement(using: &rng), ffn: Bool.random(using: &rng) ? .swiglu : .gelu,
                                   norm: Bool.random(using: &rng) ? .rmsNorm : .layerNorm, rotary: Bool.random(using: &rng),
                                   slidingWindow: Bool.random(using: &rng) ? Int.random(in: 1...300, using: &rng) : nil,
                                   vocabulary: Bool.random(using: &rng) ? Int.random(in: 1...5000, using: &rng) : nil,
                                   biases: Bool.random(using: &rng))
            return TransformerConfig(name: "random\(i)", layers: Int.random(in: 1...40, using: &rng), dModel: heads * dh,
                                     heads: heads, dFFN: Int.random(in: 1...4096, using: &rng), architecture: .decoder, block: block)
        }
    }

    @Test("closed form equals graph enumeration on random decoders (GQA, SwiGLU, RMSNorm, RoPE, windows), both phases, batches",
          arguments: [CountingConvention.survey, .itemised, .llmViewer])
    func closedForm(convention: CountingConvention) throws {
        var rng = SeededGenerator(seed: 2302_14017)
        for m in Self.randomDecoders(count: 60, seed: 19) {
            let l = Int.random(in: 1...600, using: &rng), batch = Int.random(in: 1...9, using: &rng)
            for phase in ModelWorkload.Phase.allCases {
                let enumerated = try ModelWorkload(m, sequenceLength: l, phase: phase, batch: batch, convention: convention).classTotals
                let closed = ClosedForm.classTotals(m, sequenceLength: l, phase: phase, batch: batch, convention: convention)
                for cls in OperationClass.allCases {
                    let a = enumerated[cls] ?? .zero, b = closed[cls] ?? .zero
                    #expect(abs(a.flops - b.flops) <= 1e-9 * b.flops, "\(m.name) \(m.block) l=\(l) B=\(batch) \(phase) \(cls) FLOPs")
                    #expect(abs(a.bytes - b.bytes) <= 1e-9 * b.bytes, "\(m.name) \(m.block) l=\(l) B=\(batch) \(phase) \(cls) bytes")
                }
            }
        }
    }

    @Test("a windowed, grouped decode summed in closed form equals the step-by-step sum exactly")
    func decodeSteps() throws {
        for m in Self.randomDecoders(count: 12, seed: 23) + TransformerConfig.modernPresets {
            for l in [1, 2, 3, 97, 300] {
                let fast = try ModelWorkload(m, sequenceLength: l, phase: .decode, batch: 3, convention: .itemised)
                let slow = try ModelWorkload(m, sequenceLength: l, phase: .decode, batch: 3, convention: .itemised, stepByStep: true)
                #expect(fast.operations == slow.operations, "\(m.name) l=\(l)")
            }
        }
    }

    @Test("the survey's block through the same builder: GQA with kv = h, GELU, post-LayerNorm is GPT-2's graph")
    func surveyBlockIsUnchanged() throws {
        var explicit = TransformerConfig.gpt2
        explicit.block = BlockStyle(kvHeads: 12)
        #expect(try ModelWorkload(explicit, sequenceLength: 256).operations == ModelWorkload(.gpt2, sequenceLength: 256).operations)
    }

    @Test("grouped-query attention: one attention node per key/value head, K and V narrowed, multi-query at kv = 1")
    func grouping() {
        var m = TransformerConfig.llama3_8B
        let graph = LayerGraph(LayerShape(m), step: .encoder(sequenceLength: 64))
        #expect(graph.nodes(.scores).count == 8)
        guard case let .matmul(k) = graph.nodes(.keyProjection)[0].shape, case let .matmul(q) = graph.nodes(.scores)[0].shape else {
            Issue.record("not matmuls")
            return
        }
        #expect(k.n == 8 * 128)
        #expect(q.m == 4 * 64)   // the group's 4 query heads × 64 tokens
        m.block.kvHeads = 1
        #expect(LayerGraph(LayerShape(m), step: .decoder(step: 10)).nodes(.context).count == 1)
        // Head pruning keeps whole groups, and the batch.
        let batched = LayerGraph(LayerShape(.llama3_8B), step: .decoder(step: 10), batch: 4)
        #expect(batched.keepingHeads(16).shape.kvHeads == 4 && batched.keepingHeads(16).nodes(.scores).count == 4)
        #expect(batched.keepingHeads(6).shape.kvHeads == 6)
        #expect(batched.keepingNeurons(1024).batch == 4)
    }

    @Test("KV cache, parameters and the roofline GPUs against their recorded sources")
    func sources() throws {
        #expect(TransformerConfig.llama2_7B.kvCacheBytes(context: 4096, bytesPerValue: 2) == 2 * 1_073_741_824)
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("data/peers/llm-viewer-hardware.csv"), encoding: .utf8)
        for line in text.split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",").map(String.init)
            let gpu = try #require(RooflineHardware.presets.first { $0.name == f[0] })
            #expect(abs(gpu.bandwidthBytesPerSecond - Double(f[1])!) <= 1e-9 * gpu.bandwidthBytesPerSecond)
            #expect(abs(gpu.peakOpsPerSecond - Double(f[2])!) <= 1e-6 * gpu.peakOpsPerSecond)
            #expect(abs(gpu.int8OpsPerSecond - Double(f[3])!) <= 1e-9 * gpu.int8OpsPerSecond)
        }
    }
}

@Suite("Chapter7 command line")
struct Chapter7CLITests {
    static let badInputs: [([String], String)] = [
        (["--model", "custom", "--layers", "4", "--d-model", "512", "--heads", "8", "--kv-heads", "3"], "invalid --kv-heads: 3 key/value heads do not divide 8 heads"),
        (["--model", "custom", "--layers", "4", "--d-model", "512", "--heads", "8", "--kv-heads", "0"], "invalid --kv-heads"),
        (["--model", "custom", "--layers", "4", "--d-model", "512", "--heads", "8", "--window", "9000"], "invalid --window: 9000 positions is longer than every --seq-lens length"),
        (["--model", "custom", "--layers", "4", "--d-model", "512", "--heads", "8", "--window", "0"], "invalid --window"),
        (["--model", "custom", "--layers", "4", "--d-model", "500", "--heads", "8"], "do not divide d-model = 500"),
        (["--model", "custom", "--layers", "4", "--d-model", "512", "--heads", "8", "--vocab", "0"], "invalid --vocab"),
        (["--model", "custom"], "needs --layers, --d-model and --heads"),
        (["--kv-heads", "8"], "add 'custom' to --model"),
        (["--ffn", "relu"], "'relu' is invalid for '--ffn"),
        (["--norm", "batch"], "'batch' is invalid for '--norm"),
        (["--model", "bert-base"], "unknown model 'bert-base'"),
        (["--model", "llama-2-7b,llama-2-7b"], "models repeat"),
        (["--seq-lens", "0"], "seq-lens"),
        (["--seq-lens", "128,128"], "repeat"),
        (["--batch-sizes", "0"], "invalid --batch-sizes"),
        (["--batch-sizes", "5000"], "invalid --batch-sizes"),
        (["--convention", "fancy"], "'fancy' is invalid for '--convention"),
        (["--peer", "/nonexistent/llm-viewer.csv"], "invalid --peer: cannot read"),
        (["--check", "--json"], "--check and --json conflict"),
        (["--out", existingFile], "is a file, not a folder"),
    ]

    @Test("bad inputs give a message naming the flag, before any work", arguments: badInputs)
    func badInput(arguments: [String], expected: String) {
        expectUsageError(ModernLLMsCommand.self, arguments, contains: expected)
    }

    @Test("a malformed LLM-Viewer record is refused, naming the file and line")
    func badRecord() throws {
        let path = try temporaryFile("llm-viewer.csv", LLMViewerRecord.header + "\nnvidia_A6000,1,1024,prefill,q_proj,abc\n")
        expectUsageError(ModernLLMsCommand.self, ["--peer", path], contains: "llm-viewer.csv:2")
    }

    @Test("a custom model is Llama-like by default: SwiGLU, RMSNorm, Llama's FFN width rule")
    func customDefaults() throws {
        let command = try ModernLLMsCommand.parseAsRoot(["--model", "custom", "--layers", "2", "--d-model", "4096", "--heads", "32",
                                                         "--kv-heads", "8"]) as! ModernLLMsCommand
        let m = try command.settings().models[0]
        #expect(m.block.ffn == .swiglu && m.block.norm == .rmsNorm && m.kvHeads == 8 && m.dFFN == 11008)
    }
}
