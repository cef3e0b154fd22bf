import ChapterSupport
import Core
import Render

/// LLM-Viewer's per-layer roofline of Llama-2-7B on two GPUs, reproduced with our layer graph in LLM-Viewer's
/// counting convention and our roofline description of its GPUs.
enum PeerSection {
    /// One layer of one recorded setting: theirs and ours.
    struct Comparison {
        var theirs: LLMViewerRecord.Row
        var operations: Double
        var bytes: Double
        var seconds: Double
        var memoryBound: Bool

        func gap(_ ours: Double, _ reference: Double) -> Double { reference == 0 ? abs(ours) : (ours - reference) / reference }
        var worstGap: Double {
            [gap(operations, theirs.operations), gap(bytes, theirs.bytes), gap(seconds, theirs.seconds)].map(abs).max()!
        }
    }

    /// Why a row cannot agree: LLM-Viewer's own choices, read from its source.
    static let deviations: [String: KnownDeviation] = [
        "mlp_act": .paperError("LLM-Viewer sizes SwiGLU's product by the hidden width d = 4096, not d_FFN = 11008 (model_analyzer.py): its operations and bytes are 4096/11008 of the product's"),
        "lm_head": .paperError("LLM-Viewer charges the LM head one operation per multiply-accumulate (two everywhere else): its operations are half ours; bytes and the memory-bound time agree"),
    ]

    static func comparisons(_ record: LLMViewerRecord) throws -> [Comparison] {
        let m = TransformerConfig.llama2_7B, c = CountingConvention.llmViewer, fp16 = 2.0
        var out: [Comparison] = []
        for setting in record.settings {
            guard let gpu = RooflineHardware.presets.first(where: { $0.name == setting.hardware }) else {
                throw ConfigurationError(field: "peer", message: "no roofline description of '\(setting.hardware)'; known: \(RooflineHardware.presets.map(\.name).joined(separator: ", "))")
            }
            for phase in ModelWorkload.Phase.allCases {
                let step: LayerGraph.Step = phase == .prefill ? .encoder(sequenceLength: setting.sequenceLength) : .decoder(step: setting.sequenceLength)
                let nodes = LayerGraph(LayerShape(m), step: step, batch: setting.batch, convention: c).operations
                    + LayerGraph.outputOperations(m, batch: setting.batch, convention: c)
                for theirs in record.rows where theirs.hardware == setting.hardware && theirs.batch == setting.batch
                    && theirs.sequenceLength == setting.sequenceLength && theirs.phase == phase {
                    let identity = LLMViewerRecord.layers.first { $0.name == theirs.layer }!.identity
                    let counts = nodes.filter { $0.identity == identity }.reduce(WorkCounts.zero) { $0 + $1.counts }
                    let bytes = counts.bytes * fp16
                    out.append(Comparison(theirs: theirs, operations: counts.flops, bytes: bytes,
                                          seconds: gpu.seconds(operations: counts.flops, bytes: bytes),
                                          memoryBound: gpu.isMemoryBound(operations: counts.flops, bytes: bytes)))
                }
            }
        }
        return out
    }

    static func build(_ record: LLMViewerRecord) throws -> SectionOutput {
        let rows = try comparisons(record)
        var s = Section("A cross-check with LLM-Viewer")
        s.prose("""
            LLM-Viewer (Yuan et al. 2024) analyses LLMs layer by layer on named GPUs with a plain roofline. Its \
            numbers for Llama-2-7B at fp16 were recorded once in `data/peers/` (the tool, its commit, the command \
            and the date are there). To reproduce them we describe its GPUs as our own roofline hardware with its \
            parameters: one fp16 peak and one bandwidth each, \
            \(RooflineHardware.presets.map { "\($0.name) \(Text.fixed($0.peakOpsPerSecond / 1e12)) TFLOP/s and \(Text.fixed($0.bandwidthBytesPerSecond / 1e9, 0)) GB/s" }.joined(separator: ", ")). \
            We price our layer graph counted in its convention: Softmax 5 operations per score, norms 7 per element, \
            a residual add reading one operand, every score stored in full. The attention matmuls keep the \
            survey's 2n − 1 FLOPs per dot product against its 2n, a 0.4% remainder at d_head = 128. A decode \
            step appends the new key and value to the cache, a 0.1% remainder in its attention bytes. A norm \
            reads its γ, which LLM-Viewer leaves out, a 0.05% remainder. Each claim takes the largest of the three \
            gaps (operations, bytes, time) and must be within 1%.
            """)
        s.table(table(rows.filter { $0.theirs.hardware == record.settings[0].hardware && $0.theirs.batch == record.settings[0].batch
            && $0.theirs.sequenceLength == record.settings[0].sequenceLength }))
        let claims = rows.map(claim)
        s.claims(claims)
        let holding = claims.filter(\.holds).count
        s.takeaway("\(holding) of \(claims.count) layer rows agree within 1% on operations, bytes and time. The rest are the two places where LLM-Viewer counts differently from its own rules (SwiGLU's product sized by d, the LM head at one operation per multiply-accumulate). Our graph, convention and roofline reproduce a peer's analysis of a modern decoder, and its two slips show up as visible ✘ rows, not as a tolerance.")
        return SectionOutput(s, claims: claims)
    }

    static func table(_ rows: [Comparison]) -> Table {
        func delta(_ ours: Double, _ theirs: Double) -> String {
            let g = theirs == 0 ? 0 : (ours - theirs) / theirs
            return (g >= 0 ? "+" : "") + NumberFormat.percent(g, decimals: 2)
        }
        let first = rows[0].theirs
        return Table(columns: [.init("phase"), .init("layer"), .init("their ops", alignment: .right), .init("ours", alignment: .right),
                               .init("Δ", alignment: .right), .init("their bytes", alignment: .right), .init("ours", alignment: .right),
                               .init("Δ", alignment: .right), .init("their time", alignment: .right), .init("ours", alignment: .right),
                               .init("Δ", alignment: .right), .init("bound")],
                     rows: rows.map { r in
                         [r.theirs.phase.rawValue, r.theirs.layer, Text.si(r.theirs.operations), Text.si(r.operations),
                          delta(r.operations, r.theirs.operations), Text.si(r.theirs.bytes), Text.si(r.bytes), delta(r.bytes, r.theirs.bytes),
                          Text.microseconds(r.theirs.seconds), Text.microseconds(r.seconds), delta(r.seconds, r.theirs.seconds),
                          r.memoryBound == (r.theirs.bound == "memory") ? r.theirs.bound : "\(r.theirs.bound) / ours \(r.memoryBound ? "memory" : "compute")"]
                     }, caption: "Llama-2-7B on \(first.hardware), batch \(first.batch), \(first.sequenceLength) tokens, fp16: one layer (lm_head: the model's one head). Prefill: the prompt at once; decode: one token against a cache of \(first.sequenceLength).")
    }

    static func claim(_ r: Comparison) -> Claim {
        let t = r.theirs
        return Claim.number(id: "ch7-llmviewer-\(t.hardware)-b\(t.batch)-l\(t.sequenceLength)-\(t.phase.rawValue)-\(t.layer)",
                            reference: "LLM-Viewer",
                            statement: "\(t.hardware), batch \(t.batch), l = \(t.sequenceLength), \(t.phase.rawValue), \(t.layer): largest gap of operations, bytes and time",
                            paper: 0, observed: r.worstGap, tolerance: .absolute(0.01), kind: .crossCheck,
                            knownDeviation: deviations[t.layer])
    }
}
