import ChapterSupport
import Core
import Render

/// Prefill and decode counted apart: FLOPs, bytes and intensity against length.
enum PhaseSection {
    /// One model's whole-model counts at one length.
    struct Row {
        var model: TransformerConfig
        var length: Int
        var prefill: WorkCounts
        var decode: WorkCounts
        /// The decode's weight matmuls alone (projections, FFN, LM head).
        var decodeWeights: WorkCounts
        /// One decode step with `length` tokens in context (all layers and the LM head).
        var token: WorkCounts
    }

    static func rows(_ settings: ModernLLMsSettings, _ workloads: RunWorkloads) -> [Row] {
        settings.models.flatMap { m in
            settings.sequenceLengths.map { l in
                let decode = workloads(m, .decode, l)
                return Row(model: m, length: l, prefill: workloads(m, .prefill, l).total, decode: decode.total,
                           decodeWeights: decode.operations.filter(\.identity.hasWeights).reduce(.zero) { $0 + $1.counts },
                           token: decodeStep(m, context: l, convention: settings.convention))
            }
        }
    }

    /// One decode step of the whole model with `context` tokens in the cache (the new one included): all of it,
    /// or only the operations `including` keeps.
    static func decodeStep(_ m: TransformerConfig, context: Int, batch: Int = 1, convention c: CountingConvention,
                           including: (Operation) -> Bool = { _ in true }) -> WorkCounts {
        let layer = LayerGraph(LayerShape(m), step: .decoder(step: context), batch: batch, convention: c)
        func sum(_ ops: [Operation]) -> WorkCounts { ops.filter(including).reduce(.zero) { $0 + $1.counts } }
        return sum(layer.operations) * Double(m.layers) + sum(LayerGraph.outputOperations(m, batch: batch, convention: c))
    }

    static func build(_ settings: ModernLLMsSettings, _ workloads: RunWorkloads, figures: inout FigureSet) throws -> SectionOutput {
        let rows = rows(settings, workloads)
        var s = Section("Prefill and decode")
        s.prose("""
            Serving a prompt of l tokens is two different workloads. The prefill runs all l tokens at once, like \
            the survey's encoder: every weight is read once per layer and used l times. Then the decode makes \
            each new token alone, reading every weight and the whole key/value cache once per token, like the \
            survey's GPT-2 (Tab. 11). Below, the decode of l tokens sums its steps 1…l, as chapter 1 does. A \
            single step is also shown with l tokens already in context, the cost of one token late in a long \
            generation. Counts are at the survey's 8 bits (one byte per value). At fp16 every byte count doubles \
            and every intensity halves.
            """)
        s.table(table(rows))
        s.figure(figures.svg("07-intensity-vs-length", try DecoderFigures.lengthChart(
            rows, title: "Arithmetic intensity: prefill (solid) and decode (dashed)", yLabel: "FLOPs per byte (8-bit)") { $0.intensity }),
                 caption: "Whole-model arithmetic intensity against length: the prefill of l tokens (solid) and the decode of l tokens (dashed), per model.")
        let traffic = rows.map { $0.decode.bytes / $0.prefill.bytes }
        s.figure(figures.svg("07-bytes-vs-length", try DecoderFigures.lengthChart(
            rows, title: "Bytes moved: prefill (solid) and decode (dashed) of l tokens", yLabel: "bytes (8-bit)") { $0.bytes }),
                 caption: "Whole-model bytes against length for the prefill (solid) and the decode (dashed) of l tokens: the decode reads every weight once per token, so its traffic is \(Text.fixed(traffic.min() ?? 0, 0))–\(Text.fixed(traffic.max() ?? 0, 0)) times the prefill's here.")
        s.figure(figures.svg("07-flops-vs-length", try DecoderFigures.lengthChart(
            rows, title: "FLOPs: prefill (solid) and decode (dashed) of l tokens", yLabel: "FLOPs") { $0.flops }),
                 caption: "Whole-model FLOPs against length for the prefill (solid) and the decode (dashed) of l tokens: nearly the same work, done at very different intensities.")
        let claims = phaseClaims(rows)
        s.claims(claims)
        let maxDecode = rows.map(\.decode.intensity).max() ?? 0, minPrefill = rows.map(\.prefill.intensity).min() ?? 0
        s.takeaway("The decode runs at \(Text.fixed(maxDecode, 2)) FLOPs per byte or less for every model and length here, and the prefill at \(Text.fixed(minPrefill)) or more: the same weights, used once per token instead of l times. Grouped-query attention is the one change that lifts the decode: its key/value heads serve h/kv queries per read, so attention's intensity rises from about 2 to about 2·h/kv, and the models with the largest groups decode at the highest intensity at long contexts.")
        return SectionOutput(s, claims: claims)
    }

    static func table(_ rows: [Row]) -> Table {
        Table(columns: [.init("Model"), .init("l", alignment: .right), .init("prefill FLOPs", alignment: .right),
                        .init("prefill bytes", alignment: .right), .init("AI", alignment: .right),
                        .init("decode FLOPs", alignment: .right), .init("decode bytes", alignment: .right),
                        .init("AI", alignment: .right), .init("one step at context l: FLOPs", alignment: .right),
                        .init("bytes", alignment: .right)],
              rows: rows.map { r in
                  [r.model.displayName, "\(r.length)", Text.si(r.prefill.flops), Text.si(r.prefill.bytes), Text.fixed(r.prefill.intensity),
                   Text.si(r.decode.flops), Text.si(r.decode.bytes), Text.fixed(r.decode.intensity, 2),
                   Text.si(r.token.flops), Text.si(r.token.bytes)]
              }, caption: "Whole model (all layers and the LM head), 8-bit.")
    }

    /// The survey's decoder trend (§2.2.1, Tab. 11: decoding is memory-bound, about 2 FLOPs per byte at 8 bits)
    /// carried to these models. A weight matmul of one token does 2do FLOPs over do + d + o bytes: always below 2.
    /// Grouped-query attention changes the attention's side: per key/value head, a step does 4·g·d_head FLOPs per
    /// cached position over 2·d_head + g bytes (K, V, and the g heads' scores) plus 2·(g + 1)·d_head bytes per
    /// step, so its intensity falls short of 2g by at most g/(2·d_head) + (g + 1)/p at context p. The claim covers
    /// the models where that bound is at most 9% (all four presets at p ≥ 1024), with a 10% tolerance.
    static func phaseClaims(_ rows: [Row]) -> [Claim] {
        let weights = rows.map { ($0, $0.decodeWeights.intensity) }
        let worstWeights = weights.max { $0.1 < $1.1 }!
        let longest = rows.map(\.length).max()!
        let attention = rows.filter { r in
            let g = Double(r.model.heads / r.model.kvHeads)
            return r.length == longest && g / (2 * Double(r.model.headDimension)) + (g + 1) / Double(longest) <= 0.09
        }.map { r -> (Row, Double) in
            let step = LayerGraph(LayerShape(r.model), step: .decoder(step: r.length))
            let actToAct = step.operations.filter { $0.operationClass == .actToAct }.reduce(WorkCounts.zero) { $0 + $1.counts }
            return (r, actToAct.intensity / (2 * Double(r.model.heads / r.model.kvHeads)) - 1)
        }
        let lowestPrefill = rows.min { $0.prefill.intensity < $1.prefill.intensity }!
        var claims = [
            Claim.statement(id: "ch7-decode-weights-below-2", reference: "§2.2.1, Tab. 11 (trend)",
                            statement: "Decoding's weight matmuls stay below 2 FLOPs per byte (8-bit) for every model and length of the run",
                            expected: "< 2", observed: "at most \(Text.fixed(worstWeights.1, 3)) (\(worstWeights.0.model.displayName), l = \(worstWeights.0.length))",
                            holds: worstWeights.1 < 2),
            Claim.statement(id: "ch7-prefill-over-decode", reference: "§2.2.1 (trend)",
                            statement: "The prefill's intensity exceeds the decode's by at least 10× at every length from 128 tokens",
                            expected: "≥ 10×", observed: "at least \(Text.fixed(ratioFloor(rows), 0))× (lowest prefill AI \(Text.fixed(lowestPrefill.prefill.intensity)), \(lowestPrefill.model.displayName), l = \(lowestPrefill.length))",
                            holds: ratioFloor(rows) >= 10),
        ]
        if let worstAttention = attention.max(by: { abs($0.1) < abs($1.1) }) {
            claims.insert(Claim.statement(
                id: "ch7-decode-attention-gqa", reference: "GQA (trend)",
                statement: "A decode step's attention matmuls run at ≈ 2·h/kv FLOPs per byte (8-bit) at context \(longest): within 10% for \(attention.map(\.0.model.displayName).joined(separator: ", ")) (where g/(2·d_head) + (g + 1)/l ≤ 9%)",
                expected: "within 10% of 2·h/kv", observed: "largest gap \(Text.percent(abs(worstAttention.1))) (\(worstAttention.0.model.displayName))",
                holds: abs(worstAttention.1) <= 0.10), at: 1)
        }
        return claims
    }

    static func ratioFloor(_ rows: [Row]) -> Double {
        rows.filter { $0.length >= 128 }.map { $0.prefill.intensity / $0.decode.intensity }.min() ?? .infinity
    }
}
