import Render

/// Tab. 13 of the survey is its list of acronyms. Here every report ends with the acronyms it uses, found by
/// reading the report itself, so the list cannot drift from the text; a test requires every all-capitals word
/// of every report to be either expanded here or a proper name listed in ``names``.
public enum Glossary {
    /// Acronyms and abbreviations with their expansions, in our words.
    public static let acronyms: [String: String] = [
        "ACL": "Association for Computational Linguistics (a venue)",
        "AI": "arithmetic intensity: operations per byte moved",
        "ASIC": "application-specific integrated circuit",
        "AVX": "Advanced Vector Extensions, x86's vector instructions (AVX-512F: their 512-bit foundation)",
        "AVX2": "the second Advanced Vector Extensions: 256-bit vectors, with FMA on the CPUs that have them",
        "BERT": "Bidirectional Encoder Representations from Transformers",
        "BLAS": "Basic Linear Algebra Subprograms, the standard matrix-product interface (OpenBLAS here)",
        "BLEU": "bilingual evaluation understudy, a translation score",
        "CDF": "cumulative distribution function",
        "CNN": "convolutional neural network",
        "CPU": "central processing unit",
        "CUDA": "NVIDIA's GPU programming platform",
        "CV": "computer vision",
        "DMA": "direct memory access: the engine that moves tiles between DRAM and the scratchpad",
        "DNN": "deep neural network",
        "DRAM": "dynamic random-access memory, the off-chip main memory",
        "EDP": "energy-delay product",
        "FFN": "feed-forward network: the projections W1 and W2 with GELU between them (in a SwiGLU FFN, W_gate and W_up, SiLU(gate) ⊙ up, W_down)",
        "FLOP": "floating-point operation; FLOPs counts them (one multiply-accumulate is two)",
        "FMA": "fused multiply-add",
        "FP": "floating point (FP32, FP16: its width in bits)",
        "FPGA": "field-programmable gate array",
        "GELU": "Gaussian error linear unit, the FFN's activation",
        "GB": "gigabyte, 10⁹ bytes",
        "GEMM": "general matrix-matrix multiplication",
        "GQA": "grouped-query attention: groups of query heads share one key head and one value head",
        "GFLOP": "10⁹ FLOPs",
        "GLUE": "General Language Understanding Evaluation, a benchmark suite",
        "GMOP": "10⁹ MOPs",
        "GPT": "Generative Pre-trained Transformer",
        "GPU": "graphics processing unit",
        "INT": "integer, with its width in bits (INT8)",
        "IS": "input-stationary dataflow",
        "KV": "key/value, as in the key/value cache of a decoder",
        "LLM": "large language model",
        "LM": "language model, as in the LM head: the projection from the model dimension to the vocabulary",
        "MAC": "multiply-accumulate",
        "MB": "megabyte, 10⁶ bytes",
        "MCMC": "Markov chain Monte Carlo",
        "MHA": "multi-head attention",
        "MNLI": "Multi-Genre Natural Language Inference, a GLUE task",
        "MOP": "memory operation: one byte read or written (the survey's MOPs)",
        "NAS": "neural architecture search",
        "NLP": "natural language processing",
        "OS": "output-stationary dataflow",
        "PE": "processing element, one multiply-accumulate unit of the array",
        "RL": "reinforcement learning",
        "RTL": "register-transfer level: the hardware description (Gemmini's Chisel sources)",
        "SFU": "special function unit, for non-linear operations",
        "SI": "International System of Units (its prefixes k, M, G)",
        "SQNR": "signal-to-quantization-noise ratio",
        "SRAM": "static random-access memory, the on-chip buffers",
        "STS": "Semantic Textual Similarity, a GLUE task (STS-B)",
        "TFLOP": "10¹² FLOPs",
        "TF32": "TensorFloat-32, NVIDIA's tensor-core format with FP32's range and a 10-bit mantissa",
        "TFLOPS": "10¹² FLOPs per second",
        "TLB": "translation lookaside buffer",
        "TPU": "tensor processing unit, Google's systolic-array accelerator (ZigZag models a TPU-like one)",
        "WMT": "the Conference on Machine Translation's shared tasks",
        "WS": "weight-stationary dataflow",
    ]

    /// All-capitals words that are names, not acronyms to expand: models, tools, products, companies and
    /// publication venues.
    public static let names: Set<String> = [
        "ALBERT", "DOTA", "ELSA", "FQ", "FTRANS", "HAT", "PVT", "Q8BERT",          // models and accelerators
        "IB", "PD6", "PKD", "TINY", "SMALL", "LARGE", "XS",                        // parts of model names
        "SCALE", "README", "NVIDIA", "RTX", "TITAN", "AMD", "EPYC", "TX2",         // tools, files, products
        "ASAP7", "CACTI",
        "AAAI", "ASPLOS", "ECCV", "EMNLP", "HPCA", "ICCV", "ICLR", "ICML", "IJCAI", // venues
        "ISCA", "ISLPED", "ISSCC", "KDD", "MICRO",
    ]

    /// The all-capitals words of `markdown` (two or more capitals, digits allowed; a plural `s`, and digits
    /// after a listed word, dropped), outside code spans, link targets and HTML comments, in first-use order.
    public static func words(in markdown: String) -> [String] {
        var text = Substring(markdown)
        var plain = ""
        // Drop HTML comments, code spans and link targets; keep everything else.
        while !text.isEmpty {
            if text.hasPrefix("<!--"), let end = text.range(of: "-->") { text = text[end.upperBound...]; continue }
            if text.hasPrefix("`"), let end = text.dropFirst().firstIndex(of: "`") { text = text[text.index(after: end)...]; continue }
            if text.hasPrefix("]("), let end = text.firstIndex(of: ")") { text = text[text.index(after: end)...]; continue }
            plain.append(text.removeFirst())
        }
        var seen: Set<String> = [], out: [String] = []
        for token in plain.split(whereSeparator: { !($0.isASCII && ($0.isLetter || $0.isNumber)) }) {
            var word = String(token)
            guard word.first!.isLetter, word.filter(\.isUppercase).count >= 2 else { continue }
            if word.hasSuffix("s"), acronyms[String(word.dropLast())] != nil { word.removeLast() }
            // A width or a year after a known word: FP32, INT8, BERT4, ICCV2021.
            let stem = String(word.reversed().drop(while: \.isNumber).reversed())
            if acronyms[word] == nil, !names.contains(word), stem != word, acronyms[stem] != nil || names.contains(stem) { word = stem }
            guard word.allSatisfy({ $0.isUppercase || $0.isNumber }) else { continue }
            if seen.insert(word).inserted { out.append(word) }
        }
        return out
    }

    /// Words of `markdown` that are neither expanded here nor listed as names.
    public static func unknown(in markdown: String) -> [String] {
        words(in: markdown).filter { acronyms[$0] == nil && !names.contains($0) }
    }

    /// The report's Tab. 13: the acronyms it uses, alphabetically, with their expansions.
    public static func section(for markdown: String) -> Section? {
        let used = words(in: markdown).filter { acronyms[$0] != nil }.sorted()
        guard !used.isEmpty else { return nil }
        var section = Section("Acronyms")
        section.table(Table(columns: [.init("acronym", alignment: .left), .init("meaning", alignment: .left)],
                            rows: used.map { [$0, acronyms[$0]!] },
                            caption: "Tab. 13, for this report: the acronyms it uses (read from the report itself)."))
        return section
    }
}
