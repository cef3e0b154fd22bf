import ChapterSupport
import Core
import Render

/// Chapter 7, beyond the survey: its method (§2's counts, §3.3's analytical model, §3.4's Gemmini) carried to
/// today's decoders: grouped-query attention, SwiGLU, RMSNorm, rotary embedding, an untied LM head; prefill and
/// decode counted apart; the key/value cache and batching; a cross-check against LLM-Viewer.
public enum ModernLLMsChapter {
    public static let name = "modern-llms"
    static let reportPath = "chapters/07-modern-llms.md"

    /// Builds the report, claims, figures and results. Pure: no files are touched except reading the recorded
    /// LLM-Viewer rows.
    public static func build(_ settings: ModernLLMsSettings = .init(), peer: LLMViewerRecord? = nil) throws -> ChapterResult {
        try settings.validate()
        let peer = try peer ?? LLMViewerRecord.load()
        let workloads = try RunWorkloads(settings)
        let gemmini = try AcceleratorSection.gemminiRows(settings.models, sequenceLength: AcceleratorSection.gemminiLength)
        var cx = ChapterContext()
        try cx.add { try BlockSection.build(settings, workloads, figures: &$0) }
        try cx.add { try PhaseSection.build(settings, workloads, figures: &$0) }
        try cx.add { try CacheSection.build(settings, figures: &$0) }
        cx.add(try PeerSection.build(peer))
        try cx.add { try AcceleratorSection.build(settings, gemmini, figures: &$0) }
        cx.add(try ConclusionsSection.build(settings, workloads, gemmini))
        cx.add(cpuSection())
        cx.add(operationRows(settings, workloads))
        return cx.result(name: name, reportPath: reportPath, report: report(settings, cx))
    }

    /// The CPU runtime's decoder: what it runs and how it is checked and timed (timings are the machine's, so
    /// they live in `make bench`, not in this report).
    static func cpuSection() -> SectionOutput {
        var s = Section("On this machine's CPU")
        s.prose("""
            Chapter 1 measures BERT and GPT-2 on the CPU runtime. The runtime also runs this chapter's block \
            (`DecoderRuntime` in `Sources/Core/Kernels/Runtime`): fp32 weights drawn from a seeded generator, \
            RMSNorm, RoPE, grouped-query attention over a key/value cache with an optional sliding window, SwiGLU \
            and the untied LM head, with the matrix products on the runtime's own kernel (weights packed once; \
            OpenBLAS where that kernel does not run or was timed clearly slower) and the element-wise kernels in a fixed order. `swift test --filter \
            Chapter7Runtime` checks it against a plain Double reference, token by token. The tests also check \
            that grouped-query attention with kv = h is multi-head attention, and that a prefill followed by \
            decoding gives the same logits as decoding from the start (on the runtime's kernel, the same bits). \
            `make bench BENCH=llama` times TinyLlama-1.1B's shape: prefill tokens per second for a 128-token \
            prompt and milliseconds per decoded token, at 1 and 2 threads. PyTorch runs the same computation \
            in the same run when torch is installed. Timings depend on the machine, so they stay out of this \
            report.
            """)
        s.takeaway("The counts above describe a block this repository also runs: the same operations, executed and checked against a reference, and timed next to PyTorch by `make bench`.")
        return SectionOutput(s)
    }

    /// `--json`'s `results.operations`: every operation of each model, phase and length (whole model; attention
    /// summed over heads; decode summed over the l generated tokens), as chapter 1 gives them.
    static func operationRows(_ settings: ModernLLMsSettings, _ workloads: RunWorkloads) -> SectionOutput {
        var rows: [JSONValue] = []
        for m in settings.models {
            for phase in ModelWorkload.Phase.allCases {
                for l in settings.sequenceLengths {
                    for op in workloads(m, phase, l).operations {
                        rows.append(.object([("model", .string(m.name)), ("phase", .string(phase.rawValue)),
                                             ("seqLen", .number(Double(l))), ("name", .string(op.path)),
                                             ("class", .string(op.operationClass.rawValue)),
                                             ("flops", .number(op.counts.flops)), ("bytes", .number(op.counts.bytes))]))
                    }
                }
            }
        }
        let convention = settings.convention.argumentSpelling ?? "custom"
        return SectionOutput(sections: [], json: [("convention", .string(convention)), ("operations", .array(rows))])
    }

    /// The report: title, introduction with the claims' tally, the sections, Summary and Exercises.
    static func report(_ settings: ModernLLMsSettings, _ cx: ChapterContext) -> Report {
        Report(
            title: "Chapter 7 — Modern decoders (beyond the survey)",
            generatedBy: settings.command,
            intro: """
                The survey stops at BERT and GPT-2. A course taught from it today is asked at once what its method \
                says about a Llama-class decoder. This chapter carries the method to four of them: Llama-2-7B, \
                Llama-3-8B, Mistral-7B and TinyLlama-1.1B. Each one gets §2's counts, §3.3's analytical model and \
                §3.4's Gemmini. All four share one block: grouped-query attention (GQA), a SwiGLU feed-forward \
                network, RMSNorm before each module, rotary position embedding (RoPE), no biases and an untied LM \
                head. Every count comes from the same layer graph as chapters 1-6, with the new operations added \
                as nodes, and a closed form checks each one. The prompt's prefill and the token-by-token decode \
                are counted apart. The numbers are checked against LLM-Viewer, a peer tool that draws rooflines of \
                LLMs on GPUs. The survey says nothing about these models, so in this chapter's claim tables the \
                *Paper* column holds the reference: a published parameter count, LLM-Viewer's number, a trend the \
                survey states for GPT-2 carried over, or the other derivation of the same number. \
                \(ClaimSummary.sentence(cx.claims))
                """,
            sections: cx.sections,
            summary: summary(settings),
            exercises: [
                "`swift run -c release modern-llms --model llama-2-7b,custom --layers 32 --d-model 4096 --heads 32 --kv-heads 8 --d-ffn 11008 --out lesson/` gives Llama-2-7B grouped-query attention with 8 key/value heads. Compare the two KV-cache rows and the decode intensities: which operations gain, and by how much?",
                "`swift run -c release modern-llms --model llama-3-8b,custom --layers 32 --d-model 4096 --heads 32 --kv-heads 1 --d-ffn 14336 --batch-sizes 16,64,256,1024,4096 --out lesson/` puts multi-query attention beside Llama-3-8B's eight key/value heads. In the batching table, which of the two reaches the A100's ridge, at what batch, and what share of the step's bytes is then attention's?",
                "`swift run -c release modern-llms --model custom --layers 32 --d-model 4096 --heads 32 --d-ffn 16384 --ffn gelu --norm layer --out lesson/` is close to the survey's own block (post-LayerNorm and GELU, though with RoPE and no biases) at Llama's width. How much of the non-linear share in the accelerator tables comes from the block's kind, and how much from its width?",
                "`swift run -c release modern-llms --model mistral-7b --seq-lens 1024,4096,16384,32768 --out lesson/` runs past Mistral's 4,096-token window. Where does the KV cache stop growing, and what happens to the decode FLOPs per token?",
                "`swift run -c release modern-llms --model llama-2-7b --convention llm-viewer --out lesson/` counts everything the way LLM-Viewer does. Which rows of the per-operation table change, and why do the survey's rules give a smaller Softmax?",
            ])
    }

    /// The Summary's bullets, in words from this run's numbers.
    static func summary(_ settings: ModernLLMsSettings) -> [String] {
        [
            "Prefill is the survey's encoder with a few more operations: weight matmuls dominate, the intensity is in the hundreds, and the accelerator's array is busy.",
            "Decode reads every weight once per token at about 2 FLOPs per byte (8-bit), whatever the model. Batching lifts the projections' intensity about in proportion to the batch, but attention's stays where it is, because each sequence reads its own KV cache.",
            "Grouped-query attention divides the KV cache, and the decode traffic of attention, by the group size: 4× for Llama-3-8B and Mistral-7B, 8× for TinyLlama.",
            "On a CNN-tuned Gemmini the non-linear operations still take most of a prefill layer's cycles, as they take BERT's: RMSNorm, SiLU and RoPE replace LayerNorm and GELU without making the host CPU's share small. Integer units for them buy less than for BERT, because a Llama layer's matmuls are larger, and much less in decode, where the one-token matmuls take most of the time.",
            "Our counts reproduce LLM-Viewer's per-layer roofline of Llama-2-7B within 1% where both count the same thing. The misses come from two of its own choices, both visible: SwiGLU's product is sized by the hidden width, and the LM head is charged one operation per multiply-accumulate.",
        ]
    }
}

/// Every model's whole-model workload in both phases at every length of the run, in the run's convention: counted
/// once, read by the tables, the cross-checks, the claims and `--json`.
struct RunWorkloads {
    private var table: [String: ModelWorkload] = [:]

    init(_ settings: ModernLLMsSettings) throws {
        for m in settings.models {
            for phase in ModelWorkload.Phase.allCases {
                for l in settings.sequenceLengths {
                    table[Self.key(m, phase, l)] = try ModelWorkload(m, sequenceLength: l, phase: phase, convention: settings.convention)
                }
            }
        }
    }

    private static func key(_ m: TransformerConfig, _ phase: ModelWorkload.Phase, _ l: Int) -> String { "\(m.name)/\(phase)/\(l)" }

    /// The workload of a model, phase and length of the run.
    func callAsFunction(_ m: TransformerConfig, _ phase: ModelWorkload.Phase, _ l: Int) -> ModelWorkload {
        table[Self.key(m, phase, l)]!
    }
}

/// Short formatting helpers shared by the sections.
enum Text {
    static func si(_ x: Double) -> String { NumberFormat.si(x, decimals: 2) }
    static func fixed(_ x: Double, _ decimals: Int = 1) -> String { NumberFormat.fixed(x, decimals: decimals) }
    static func percent(_ x: Double, _ decimals: Int = 1) -> String { NumberFormat.percent(x, decimals: decimals) }
    static func bytes(_ x: Double) -> String { NumberFormat.si(x, decimals: 2) + "B" }
    static func microseconds(_ seconds: Double) -> String { NumberFormat.fixed(seconds * 1e6, decimals: 2) + " µs" }
    static func integer(_ x: Double) -> String { NumberFormat.grouped(Int(x.rounded())) }
}
