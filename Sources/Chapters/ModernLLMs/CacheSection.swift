import ChapterSupport
import Core
import Render

/// The key/value cache against context and batch, and the decode step's intensity against batch size.
enum CacheSection {
    static func build(_ settings: ModernLLMsSettings, figures: inout FigureSet) throws -> SectionOutput {
        var s = Section("The key/value cache and batching")
        s.prose("""
            Each layer keeps, for every token in context, one key and one value per key/value head: \
            2 · N · kv · d_head values per token. Grouped-query attention divides this by the group size h/kv, \
            and a sliding window stops it growing past the window. The table gives it at the survey's 8 bits and \
            at fp16, the precision LLMs are usually served at, for one sequence and for a batch of 32, next to \
            the weights.
            """)
        s.table(cacheTable(settings))
        s.figure(figures.svg("07-kv-cache", try DecoderFigures.cacheChart(settings.models, lengths: settings.sequenceLengths)),
                 caption: "KV cache of one sequence at fp16 against context length (solid), against the weights at fp16 (dashed, flat).")
        let cacheClaims = self.cacheClaims(settings)
        s.claims(cacheClaims)
        let context = settings.focusLength
        s.prose("""
            Batching is how decode is made efficient: B sequences share each weight read, so the projections' \
            intensity grows with B. Attention does not share: each sequence reads its own cache. The table and \
            chart give one decode step at context \(context) for each batch size, counting the weight matmuls \
            alone (projections, FFN and LM head) and the whole step, at fp16 and at the survey's 8 bits. The \
            last columns compare the whole step with the ridges of LLM-Viewer's A100: \
            \(Text.fixed(RooflineHardware.nvidiaA100_40GB.ridgeIntensity)) operations per byte at fp16 and \
            \(Text.fixed(RooflineHardware.nvidiaA100_40GB.int8OpsPerSecond / RooflineHardware.nvidiaA100_40GB.bandwidthBytesPerSecond)) \
            at Int8. Below the ridge the step is memory-bound.
            """)
        let batching = batchRows(settings, context: context)
        s.table(batchTable(batching, context: context))
        s.figure(figures.svg("07-intensity-vs-batch", try DecoderFigures.batchChart(batching, context: context)),
                 caption: "Decode intensity at fp16 against batch size, one step at context \(context): the weight matmuls alone (solid) and the whole step with attention (dashed). The grey line is the A100's ridge.")
        let batchClaims = self.batchClaims(batching)
        s.claims(batchClaims)
        s.takeaway("Batching makes the weights cheap but not the cache: at long contexts attention's traffic, not the weights', sets the decode step's intensity, and grouped-query attention is what moves that limit.")
        return SectionOutput(s, claims: cacheClaims + batchClaims)
    }

    static let fp16 = 2.0

    static func cacheTable(_ settings: ModernLLMsSettings) -> Table {
        var rows: [[String]] = []
        for m in settings.models {
            for l in settings.sequenceLengths {
                rows.append([m.displayName, "\(l)", Text.bytes(m.kvCacheBytes(context: l)),
                             Text.bytes(m.kvCacheBytes(context: l, bytesPerValue: fp16)),
                             Text.bytes(m.kvCacheBytes(context: l, batch: 32, bytesPerValue: fp16)),
                             Text.bytes(m.parameterCount * fp16)])
            }
        }
        return Table(columns: [.init("Model"), .init("context", alignment: .right), .init("KV cache, 1 sequence, 8-bit", alignment: .right),
                               .init("1 sequence, fp16", alignment: .right), .init("32 sequences, fp16", alignment: .right),
                               .init("weights, fp16", alignment: .right)],
                     rows: rows, caption: "The survey's 8 bits (1 byte per value) and fp16 (2 bytes).")
    }

    /// The cache read off the layer graph: the K and V projections' output elements per token, kept for each
    /// token in context (up to the window), in every layer.
    static func graphCacheBytes(_ m: TransformerConfig, context: Int) -> Double {
        let graph = LayerGraph(LayerShape(m), step: .decoder(step: 1))
        let perToken = graph.operations.filter { $0.identity == .keyProjection || $0.identity == .valueProjection }
            .reduce(0.0) { $0 + Double($1.shape.elements) }
        return perToken * Double(min(context, m.block.slidingWindow ?? context)) * Double(m.layers) * fp16
    }

    static func cacheClaims(_ settings: ModernLLMsSettings) -> [Claim] {
        var claims = settings.models.map { m in
            let l = settings.sequenceLengths.max()!
            return Claim.number(id: "ch7-kv-cache-\(m.name)", reference: "KV cache",
                                statement: "\(m.displayName): KV cache at context \(l), fp16, from the graph's K and V nodes against 2·N·kv·d_head·l·2 B",
                                paper: m.kvCacheBytes(context: l, bytesPerValue: fp16), observed: graphCacheBytes(m, context: l),
                                tolerance: .relative(1e-12), kind: .crossCheck)
        }
        let names = Dictionary(uniqueKeysWithValues: settings.models.map { ($0.name, $0) })
        if let mha = names["llama-2-7b"], let gqa = names["llama-3-8b"] {
            let l = settings.focusLength
            claims.append(Claim.number(
                id: "ch7-gqa-cache-ratio", reference: "Ainslie et al. 2023 (GQA)",
                statement: "Llama-3-8B's KV cache over Llama-2-7B's at context \(l): kv/h = 8/32 (same N, d_head)",
                paper: 0.25, observed: gqa.kvCacheBytes(context: l) / mha.kvCacheBytes(context: l), tolerance: .relative(1e-12),
                kind: .crossCheck))
        }
        if let mistral = names["mistral-7b"], let window = mistral.block.slidingWindow,
           let long = settings.sequenceLengths.filter({ $0 > window }).max() {
            claims.append(Claim.number(
                id: "ch7-window-cache", reference: "Jiang et al. 2023 (Mistral 7B), §2",
                statement: "Mistral-7B's KV cache at context \(long) equals its cache at the \(window)-token window",
                paper: mistral.kvCacheBytes(context: window), observed: graphCacheBytes(mistral, context: long) / fp16,
                tolerance: .relative(1e-12), kind: .crossCheck))
        }
        return claims
    }

    struct BatchRow {
        var model: TransformerConfig
        var batch: Int
        /// Weight matmuls only (projections, FFN, LM head), fp16 bytes.
        var weights: WorkCounts
        /// The whole step, fp16 bytes.
        var step: WorkCounts
    }

    static func batchRows(_ settings: ModernLLMsSettings, context: Int) -> [BatchRow] {
        settings.models.flatMap { m in
            settings.batchSizes.map { b in
                let c = settings.convention
                let weighted = PhaseSection.decodeStep(m, context: context, batch: b, convention: c) { $0.identity.hasWeights }
                let step = PhaseSection.decodeStep(m, context: context, batch: b, convention: c)
                return BatchRow(model: m, batch: b, weights: WorkCounts(flops: weighted.flops, bytes: weighted.bytes * fp16),
                                step: WorkCounts(flops: step.flops, bytes: step.bytes * fp16))
            }
        }
    }

    static func batchTable(_ rows: [BatchRow], context: Int) -> Table {
        let a100 = RooflineHardware.nvidiaA100_40GB
        let ridge16 = a100.ridgeIntensity, ridge8 = a100.int8OpsPerSecond / a100.bandwidthBytesPerSecond
        func bound(_ intensity: Double, _ ridge: Double) -> String { intensity >= ridge ? "compute" : "memory" }
        return Table(columns: [.init("Model"), .init("batch", alignment: .right), .init("weight matmuls AI, fp16", alignment: .right),
                               .init("whole step AI, fp16", alignment: .right), .init("8-bit", alignment: .right),
                               .init("attention's share of bytes", alignment: .right), .init("A100, fp16"), .init("A100, Int8")],
                     rows: rows.map { r in
                         let attention = 1 - r.weights.bytes / r.step.bytes
                         return [r.model.displayName, "\(r.batch)", Text.fixed(r.weights.intensity), Text.fixed(r.step.intensity),
                                 Text.fixed(2 * r.step.intensity), Text.percent(attention), bound(r.step.intensity, ridge16),
                                 bound(2 * r.step.intensity, ridge8)]
                     }, caption: "One decode step at context \(context); the weight matmuls' bytes include their activations. At 8 bits every byte count halves, so every intensity doubles.")
    }

    /// "Decode intensity ≈ batch size for the projections" (fp16). Each weight matmul d×o at batch B does 2Bdo
    /// FLOPs over 2(do + B(d + o)) bytes: B / (1 + B(1/d + 1/o)). With TinyLlama's narrowest matrix (W_K, W_V:
    /// 2048 → 256) the shortfall at B = 16 is at most 16 · (1/2048 + 1/256) = 7%, so 10% bounds every preset.
    static func batchClaims(_ rows: [BatchRow]) -> [Claim] {
        let small = rows.filter { $0.batch <= 16 }
        guard !small.isEmpty else { return [] }
        let worst = small.max { abs($0.weights.intensity / Double($0.batch) - 1) < abs($1.weights.intensity / Double($1.batch) - 1) }!
        let gap = abs(worst.weights.intensity / Double(worst.batch) - 1)
        return [Claim.statement(
            id: "ch7-decode-intensity-batch", reference: "decode trend",
            statement: "Decode intensity ≈ batch size for the weight matmuls at fp16 (within 10% for every batch ≤ 16)",
            expected: "within 10% of B", observed: "largest gap \(Text.percent(gap)) (\(worst.model.displayName), B = \(worst.batch))",
            holds: gap <= 0.10)]
    }
}
