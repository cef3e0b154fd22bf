import ChapterSupport
import Core
import Render

/// The decoder block: the presets, their parameter counts, the block's graph, its operations and the closed-form
/// cross-checks.
enum BlockSection {
    /// Published parameter counts (the models' configuration files and cards, weights without biases).
    static let publishedParameters: [String: (count: Double, source: String)] = [
        "llama-2-7b": (6_738_415_616, "meta-llama/Llama-2-7b-hf (6.74B)"),
        "llama-3-8b": (8_030_261_248, "meta-llama/Meta-Llama-3-8B (8.03B)"),
        "mistral-7b": (7_241_732_096, "mistralai/Mistral-7B-v0.1 (7.24B)"),
        "tinyllama-1.1b": (1_100_048_384, "TinyLlama/TinyLlama-1.1B (1.1B)"),
    ]

    static func build(_ settings: ModernLLMsSettings, _ workloads: RunWorkloads, figures: inout FigureSet) throws -> SectionOutput {
        let c = settings.convention, l = settings.focusLength, first = settings.models[0]
        var s = Section("The decoder block")
        s.prose("""
            A Llama-style layer keeps the survey's two modules but changes every part of them. RMSNorm comes \
            before each module, not after. W_K and W_V produce only kv heads of width d_head, and each is shared \
            by h/kv query heads: grouped-query attention, with multi-head (kv = h) and multi-query (kv = 1) \
            attention at its two ends. RoPE rotates the queries and keys by their position. The FFN has three \
            matrices: SiLU of a gate projection multiplies an up projection, and a down projection closes it. \
            There are no biases, and the LM head is a matrix of its own, priced once per generated token.
            """)
        s.table(modelTable(settings.models))
        let parameterClaims = try settings.models.compactMap(parameterClaim)
        s.prose("""
            The parameter count is derived twice: from the closed form, and by summing the weight nodes of the \
            layer graph and the output operations (plus the token embedding, which is a lookup and no graph node). \
            The claims below also check the count against each model's published size.
            """)
        s.claims(parameterClaims)
        let shown = settings.models.first { $0.kvHeads < $0.heads } ?? first
        s.figure(try figures.graph("07-decoder-block", DecoderFigures.blockGraph(shown, sequenceLength: l, convention: c)),
                 caption: "One \(shown.displayName) layer in prefill at l = \(l), every operation with its FLOPs, bytes and intensity (whole layer; attention summed over its nodes), coloured by class. Q×K, Softmax and Attn×V run once per key/value head: \(shown.kvHeads) nodes, each serving \(shown.heads / shown.kvHeads) query heads against one shared K and V.")
        s.table(try operationTable(first, sequenceLength: l, convention: c))
        let cross = crossChecks(settings, workloads)
        s.prose("""
            Each model's per-class totals are derived twice, in both phases and at every length of the run. One \
            derivation sums the nodes of the layer graph: one node per key/value head, with the decode summed \
            over its steps. The other is the closed form written from the block's matrix dimensions. The claims \
            require them to agree to 1 part in 10¹².
            """)
        s.table(ClaimFormatting.table(cross))
        s.takeaway("The modern block adds a third FFN matrix, four element-wise operations and an LM head, and narrows K and V; the layer graph carries all of it, and the two derivations agree everywhere.")
        return SectionOutput(s, claims: parameterClaims + cross)
    }

    static func modelTable(_ models: [TransformerConfig]) -> Table {
        Table(columns: [.init("Model"), .init("N", alignment: .right), .init("d", alignment: .right),
                        .init("h", alignment: .right), .init("kv", alignment: .right), .init("d_head", alignment: .right),
                        .init("d_FFN", alignment: .right), .init("FFN"), .init("norm"), .init("vocabulary", alignment: .right),
                        .init("window", alignment: .right), .init("parameters", alignment: .right), .init("source")],
              rows: models.map { m in
                  [m.displayName, "\(m.layers)", "\(m.dModel)", "\(m.heads)", "\(m.kvHeads)", "\(m.headDimension)", "\(m.dFFN)",
                   m.block.ffn == .swiglu ? "SwiGLU" : "GELU", m.block.norm == .rmsNorm ? "RMSNorm (pre)" : "LayerNorm (post)",
                   m.block.vocabulary.map { NumberFormat.grouped($0) } ?? "–",
                   m.block.slidingWindow.map { NumberFormat.grouped($0) } ?? "–", Text.integer(m.parameterCount), m.source]
              })
    }

    /// Parameters by walking the graph: weight matmuls' matrices, norms' parameters, the output operations and
    /// the embedding.
    static func graphParameters(_ m: TransformerConfig) -> Double {
        func parameters(_ ops: [Operation]) -> Double {
            ops.reduce(0) { sum, op in
                switch (op.kind, op.shape) {
                case let (.matmul, .matmul(s)) where op.identity.hasWeights: return sum + Double(s.n * s.k)
                case let (kind, .elementwise(_, length)): return sum + Double(kind.parametersPerFeature * length)
                default: return sum
                }
            }
        }
        let layer = parameters(LayerGraph(LayerShape(m), step: .decoder(step: 1)).operations)
        let embedding = Double((m.block.vocabulary ?? 0) * m.dModel)
        return Double(m.layers) * layer + parameters(LayerGraph.outputOperations(m)) + embedding
    }

    static func parameterClaim(_ m: TransformerConfig) throws -> Claim? {
        let closed = m.parameterCount, walked = graphParameters(m)
        guard let published = publishedParameters[m.name] else {
            return Claim.number(id: "ch7-params-\(m.name)", reference: "closed form", statement: "\(m.displayName): parameters from the layer graph equal the closed form",
                                paper: closed, observed: walked, tolerance: .relative(1e-12), kind: .crossCheck)
        }
        return Claim.number(id: "ch7-params-\(m.name)", reference: published.source,
                            statement: "\(m.displayName): parameters from the layer graph (closed form \(Text.integer(closed)))",
                            paper: published.count, observed: walked, tolerance: .absolute(0), kind: .crossCheck)
    }

    /// Every operation of one layer in prefill at `l` and of one decode step at context `l`.
    static func operationTable(_ m: TransformerConfig, sequenceLength l: Int, convention c: CountingConvention) throws -> Table {
        let prefill = LayerGraph(LayerShape(m), step: .encoder(sequenceLength: l), convention: c)
        let decode = LayerGraph(LayerShape(m), step: .decoder(step: l), convention: c)
        let decodeByID = Dictionary(grouping: decode.operations, by: \.identity).mapValues { $0.reduce(WorkCounts.zero) { $0 + $1.counts } }
        var rows: [[String]] = []
        for (identity, nodes) in prefill.groupedByIdentity {
            let p = nodes.reduce(WorkCounts.zero) { $0 + $1.counts }, d = decodeByID[identity] ?? .zero
            rows.append([identity.name(in: m.block), "`\(identity.path)`", identity.operationClass.label, nodes.count > 1 ? "×\(nodes.count)" : "",
                         Text.si(p.flops), Text.si(p.bytes), Text.fixed(p.intensity), Text.si(d.flops), Text.si(d.bytes),
                         Text.fixed(d.intensity, 2)])
        }
        return Table(columns: [.init("operation"), .init("key"), .init("class"), .init("nodes", alignment: .right),
                               .init("prefill FLOPs", alignment: .right), .init("prefill bytes", alignment: .right),
                               .init("AI", alignment: .right), .init("decode FLOPs", alignment: .right),
                               .init("decode bytes", alignment: .right), .init("AI", alignment: .right)],
                     rows: rows,
                     caption: "\(m.displayName), one layer: prefill of l = \(l) tokens and one decode step with \(l) tokens in context (\(convention(c)) convention, 1 byte per value). Nodes: one per key/value head for attention's operations. The key is the operation's name in `--json`.")
    }

    static func convention(_ c: CountingConvention) -> String { c.argumentSpelling ?? "custom" }

    /// Closed form against enumeration, per model, phase, length and class.
    static func crossChecks(_ settings: ModernLLMsSettings, _ workloads: RunWorkloads) -> [Claim] {
        var claims: [Claim] = []
        for m in settings.models {
            for phase in ModelWorkload.Phase.allCases {
                var worst = 0.0, checked = 0
                for l in settings.sequenceLengths {
                    let enumerated = workloads(m, phase, l).classTotals
                    let closed = ClosedForm.classTotals(m, sequenceLength: l, phase: phase, convention: settings.convention)
                    for cls in OperationClass.allCases {
                        let a = enumerated[cls] ?? .zero, b = closed[cls] ?? .zero
                        for (x, y) in [(a.flops, b.flops), (a.bytes, b.bytes)] where y != 0 {
                            worst = max(worst, abs(x - y) / y)
                            checked += 1
                        }
                    }
                }
                claims.append(Claim.number(
                    id: "ch7-closed-form-\(m.name)-\(phase.rawValue)", reference: "§2.2.1 method",
                    statement: "\(m.displayName) \(phase.rawValue): largest relative gap between graph and closed form over \(checked) class totals (FLOPs and bytes, l = \(settings.sequenceLengths.commaSeparated))",
                    paper: 0, observed: worst, tolerance: .absolute(1e-12), kind: .crossCheck))
            }
        }
        return claims
    }
}
