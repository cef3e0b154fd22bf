import ChapterSupport
import Core
import Render

/// Chapter 1: §2 and App. A.1-A.4 of the survey. What a Transformer layer costs in FLOPs and bytes, how that
/// changes with sequence length, model and decoding, and how it compares with a CNN.
public enum WorkloadAnalysisChapter {
    public static let name = "workload-analysis"
    static let reportPath = "chapters/01-workload-analysis.md"

    /// Builds the report, claims, figures and results. Pure: no files are touched.
    public static func build(_ settings: WorkloadAnalysisSettings = .init()) throws -> ChapterResult {
        try settings.validate()
        var cx = ChapterContext()
        try cx.add { try modelsSection(settings, figures: &$0) }
        cx.add(try countingSection(settings))
        for table in PrintedTable.allCases { try cx.add { try printedTableSection(table, settings, figures: &$0) } }
        try cx.add { try sweepsSection(settings, figures: &$0) }
        if let profile = settings.profile {
            try cx.add { figures in
                let claims = Profiling.claims(profile)
                return SectionOutput(try Profiling.section(profile, claims: claims, figures: &figures), claims: claims)
            }
        }
        try cx.add { try resnetSection(settings, figures: &$0) }
        cx.add(try textSection(settings))
        cx.add(try detailSection(settings))
        return cx.result(name: name, reportPath: reportPath, report: report(settings, cx))
    }

    /// §2.1: the models of Tab. 1, the matmuls of Tab. 2, Fig. 1 and Fig. 3.
    static func modelsSection(_ settings: WorkloadAnalysisSettings, figures: inout FigureSet) throws -> SectionOutput {
        let c = settings.convention, transformerModels = settings.models
        var models = Section("2.1 Models and the operations of a layer")
        models.prose("""
            A Transformer layer is a multi-head attention (MHA) module followed by a feed-forward network (FFN), \
            each closed by a residual add and a LayerNorm. The survey's Tab. 1 fixes three models; the sequence \
            length l is a free parameter (the survey ignores BERT's 512-token limit, and so do we).
            """)
        models.table(modelTable(transformerModels))
        models.prose("""
            Tab. 2 lists the matmuls of one layer in m×n×k notation (inputs m×n and n×k, output m×k). The two \
            activation-to-activation (act-to-act) matmuls are repeated once per head.
            """)
        models.table(operationTable(transformerModels.first ?? .bertBase, sequenceLength: 128))
        let first = transformerModels.first(where: { $0.architecture == .encoder }) ?? .bertBase
        models.figure(try figures.graph("01-encoder-layer", ChapterFigures.encoderGraph(first, sequenceLength: 128, convention: c)),
                      caption: "Fig. 1 as a dataflow graph: one \(first.displayName) encoder layer at l = 128, every operation with its FLOPs, bytes and arithmetic intensity (AI), coloured by class.")
        models.figure(try figures.graph("01-variants", ChapterFigures.variantsGraph()),
                      caption: "Fig. 3: encoder-only, decoder-only and encoder-decoder Transformers.")
        models.takeaway("Per layer, six matmuls (four projections, two act-to-act per head) and a handful of non-linear operations: everything else in this chapter is counting them.")
        return SectionOutput(models)
    }

    /// §2.2.1: the counting convention and the closed-form cross-checks.
    static func countingSection(_ settings: WorkloadAnalysisSettings) throws -> SectionOutput {
        let c = settings.convention, transformerModels = settings.models
        var counting = Section("2.2.1 How we count")
        counting.prose("""
            The survey counts at 8-bit precision (one byte per value), reads and writes every matrix once per \
            operation (so local memory is assumed large enough: the intensities are upper bounds on reuse), \
            charges 2n FLOPs per output of a projection and 2n − 1 per act-to-act dot product of length n, and \
            defines arithmetic intensity as FLOPs per byte. It does not itemise the non-linear operations; the \
            counts below are the smallest integers per element that reproduce every "Other" row of Tab. 3, 10 \
            and 11, so treat them as a fit, not a statement of the paper.
            """)
        counting.table(conventionTable(c))
        counting.prose("""
            Two further conventions are needed for the decoder. Generation is open-ended (no prompt) and totals \
            are summed over all l steps with a key/value cache; the survey's act-to-act totals (2·d·l²·N) count \
            the causal triangle as its area l²/2 rather than the exact l(l+1)/2, and every step re-reads the \
            weights and the LayerNorm parameters. Each count is derived twice: by summing the nodes of the \
            layer graph (each head separately, each decoder step separately) and from closed forms written from \
            Tab. 2; the cross-check claims below require them to agree to 1 part in 10¹².
            """)
        let cross = try ChapterClaims.crossChecks(models: transformerModels + [.bertBase4Heads].filter { m in
            !transformerModels.contains(m) }, lengths: settings.sequenceLengths, convention: c)
        counting.table(ClaimFormatting.table(cross))
        counting.takeaway("The linear operations follow from the survey's stated rules exactly; the non-linear ones need a fitted per-element count, which this chapter states and tests rather than hides.")
        return SectionOutput(counting, claims: cross)
    }

    /// The three printed tables the chapter regenerates cell by cell.
    enum PrintedTable: CaseIterable {
        case table3, table10, table11

        /// Title, claims' id prefix, reference, model and printed values.
        var spec: (title: String, idPrefix: String, reference: String, model: TransformerConfig,
                   printed: PaperValues.PrintedTable) {
            switch self {
            case .table3: return ("Tab. 3: BERT-Base, operation by operation", "tab3", "Tab. 3", .bertBase, PaperValues.table3)
            case .table10: return ("Tab. 10: a hypothetical BERT-Base with 4 heads", "tab10", "Tab. 10", .bertBase4Heads,
                                   PaperValues.table10)
            case .table11: return ("Tab. 11: GPT-2 decoding with a key/value cache", "tab11", "Tab. 11", .gpt2, PaperValues.table11)
            }
        }
        /// Tab. 10 prints shares as fractions, the others as percentages.
        var shareScale: Double { self == .table10 ? 1 : 100 }
    }

    /// Tab. 3, 10 or 11: every printed cell against ours, the claims that miss, and the table's figures.
    static func printedTableSection(_ table: PrintedTable, _ settings: WorkloadAnalysisSettings,
                                    figures: inout FigureSet) throws -> SectionOutput {
        let c = settings.convention
        let spec = table.spec
        let comparison = PaperTableComparison(reference: spec.reference, idPrefix: spec.idPrefix, model: spec.model,
                                              printed: spec.printed, shareScale: table.shareScale, convention: c,
                                              knownDeviations: ChapterClaims.knownDeviations,
                                              notes: ChapterClaims.notes)
        let tableClaims = try comparison.claims()
        var s = Section(spec.title)
        let legend = "Each cell shows our value to one digit more than the survey prints; ✔ means it matches the printed value to the printed precision (within half a unit of its last digit), ✘ shows the printed value, with the reason below."
        s.prose(table.shareScale == 1 ? "Shares are fractions, as the survey prints them. " + legend : legend)
        s.table(try comparisonTable(comparison, claims: tableClaims))
        appendClaimSummary(&s, tableClaims)
        switch table {
        case .table3:
            let lengths = settings.sequenceLengths
            s.figure(figures.svg("01-bert-base-flop-shares", try ChapterFigures.breakdownChart(
                title: "BERT-Base: share of FLOPs by class", model: .bertBase, lengths: lengths, bytes: false,
                convention: c)), caption: "Tab. 3 over every sequence length of the run: where the FLOPs go.")
            s.figure(figures.svg("01-bert-base-byte-shares", try ChapterFigures.breakdownChart(
                title: "BERT-Base: share of bytes by class", model: .bertBase, lengths: lengths, bytes: true,
                convention: c)), caption: "The same for memory operations: non-linear operations take over as l grows.")
            s.takeaway("At l = 128 the FFN alone is two thirds of the FLOPs and the projections most of the rest; by l = 4096 the act-to-act matmuls are the largest class and the non-linear operations (mostly Softmax over l² scores) move half of all bytes at an intensity near 2.")
        case .table10:
            s.takeaway("Fewer, wider heads make the act-to-act matmuls \(try headGainText(c)) (each head writes its own l × l score matrix, and the longer l is, the more those matrices dominate the act-to-act traffic, so the gain approaches \(TransformerConfig.bertBase.heads)/\(TransformerConfig.bertBase4Heads.heads) = \(NumberFormat.fixed(Double(TransformerConfig.bertBase.heads) / Double(TransformerConfig.bertBase4Heads.heads), decimals: 0))×): the head count trades accuracy against memory traffic.")
        case .table11:
            s.figure(try figures.graph("01-decoder-step", ChapterFigures.decoderGraph(.gpt2, step: 128, convention: c)),
                     caption: "Fig. 27 as a dataflow graph: one GPT-2 decoder layer at generation step t = 128. The projections are matrix-vector products; the caches grow by one row per step.")
            s.takeaway("A decoder reads every weight once per generated token, so its projections run at 2 FLOPs per byte whatever l is: the same FLOPs as BERT-Base at l = 128, but 80 times the bytes.")
        }
        return SectionOutput(s, claims: tableClaims)
    }

    /// Tab. 10's takeaway: how much more intense the act-to-act matmuls get with 4 heads, from the counts.
    static func headGainText(_ c: CountingConvention) throws -> String {
        let headGain = try [128, 4096].map { l -> (Int, Double) in
            let twelve = try ModelWorkload(.bertBase, sequenceLength: l, convention: c).classTotals[.actToAct]!
            let four = try ModelWorkload(.bertBase4Heads, sequenceLength: l, convention: c).classTotals[.actToAct]!
            return (l, four.intensity / twelve.intensity)
        }
        return "\(NumberFormat.fixed(headGain[0].1, decimals: 1))× as intense at l = \(headGain[0].0), growing with l to \(NumberFormat.fixed(headGain[1].1, decimals: 1))× at l = \(headGain[1].0)"
    }

    /// Fig. 4-6: FLOPs, bytes and intensity of the run's models over its lengths, and the figures' claims.
    static func sweepsSection(_ settings: WorkloadAnalysisSettings, figures: inout FigureSet) throws -> SectionOutput {
        let c = settings.convention
        var sweeps = Section("Fig. 4-6: FLOPs, bytes and intensity against sequence length")
        sweeps.prose("""
            Totals for the whole model (all layers; for GPT-2 all l generation steps), over the sequence lengths \
            of the run. Dashed lines are the survey's data labels where it prints them.
            """)
        let sweepModels = settings.models
        let lengths = settings.sequenceLengths
        if sweepModels.isEmpty {
            sweeps.prose("No Transformer model was selected with `--model`, so there is nothing to sweep; the figure claims below use the paper's three models.")
        } else {
            let fig4 = try ChapterFigures.sweepChart(title: "Fig. 4: FLOPs", yLabel: "GFLOPs", models: sweepModels,
                                                      lengths: lengths, logY: true, paper: PaperValues.figure4,
                                                      convention: c) { $0.flops / 1e9 }
            sweeps.figure(figures.svg("01-fig4-flops", fig4), caption: "Fig. 4: GFLOPs grow quadratically with l once the act-to-act matmuls dominate.")
            let fig5 = try ChapterFigures.sweepChart(title: "Fig. 5: memory operations", yLabel: "GMOPs (GB moved)",
                                                      models: sweepModels, lengths: lengths, logY: true,
                                                      paper: PaperValues.figure5, convention: c) { $0.bytes / 1e9 }
            sweeps.figure(figures.svg("01-fig5-mops", fig5), caption: try fig5Caption(settings))
            let fig6 = try ChapterFigures.sweepChart(title: "Fig. 6: arithmetic intensity", yLabel: "FLOPs per byte",
                                                      models: sweepModels, lengths: lengths, logY: true,
                                                      paper: PaperValues.figure6, convention: c) { $0.intensity }
            sweeps.figure(figures.svg("01-fig6-intensity", fig6), caption: "Fig. 6: encoders peak at l = 512, then Softmax and the act-to-act matmuls pull intensity down; GPT-2 stays at 2.")
            sweeps.table(try sweepTable(models: sweepModels, lengths: lengths, convention: c))
        }
        let figureClaims = try ChapterClaims.figureClaims(convention: c)
        appendClaimSummary(&sweeps, figureClaims)
        sweeps.takeaway("Encoders are compute-heavy and fairly intense until l ≈ 512; decoders sit at about 2 FLOPs per byte at every length, which is why the same FLOPs take far longer to generate than to encode.")
        return SectionOutput(sweeps, claims: figureClaims)
    }

    /// Fig. 5's caption: GPT-2's bytes as a multiple of BERT-Base's over the run's lengths, when both are run.
    static func fig5Caption(_ settings: WorkloadAnalysisSettings) throws -> String {
        let c = settings.convention
        let byteRatios = try settings.sequenceLengths.map { l in
            (l, try ModelWorkload(.gpt2, sequenceLength: l, convention: c).total.bytes
                / ModelWorkload(.bertBase, sequenceLength: l, convention: c).total.bytes)
        }
        let most = byteRatios.max { $0.1 < $1.1 }!
        let fewest = byteRatios.min { $0.1 < $1.1 }!
        return settings.models.contains(.gpt2) && settings.models.contains(.bertBase)
            ? "Fig. 5: GPT-2 moves \(NumberFormat.fixed(fewest.1, decimals: 0)) (l = \(fewest.0)) to \(NumberFormat.fixed(most.1, decimals: 0)) (l = \(most.0)) times BERT-Base's bytes, reloading every weight per token."
            : "Fig. 5: bytes moved by each model of the run; a decoder reloads every weight per token."
    }

    /// Tab. 4, Tab. 12 and Fig. 28: ResNet-50 counted the same way.
    static func resnetSection(_ settings: WorkloadAnalysisSettings, figures: inout FigureSet) throws -> SectionOutput {
        var resnet = Section("ResNet-50: Tab. 4, Tab. 12 and Fig. 28")
        resnet.prose("""
            The CNN baseline, counted the same way: convolutions at 2 FLOPs per multiply-accumulate, BatchNorm as \
            a scale and shift, ReLU as one operation per element, each tensor moved once. We count every layer \
            of He et al.'s ResNet-50 (the original version, with the stride in the first 1×1 convolution of a \
            stage). Fusing folds BatchNorm into the convolution weights and applies ReLU before the output is \
            written.
            """)
        let resnetClaims = ChapterClaims.resnetClaims()
        resnet.table(resnetTable(resnetClaims))
        resnet.table(table12(resnetClaims))
        appendClaimSummary(&resnet, resnetClaims)
        resnet.figure(try figures.graph("01-resnet-bottleneck", ChapterFigures.bottleneckGraph()),
                      caption: "Fig. 28 (one bottleneck block): the 3×3 convolution does most of the work at the highest intensity; BatchNorm and ReLU are pure traffic.")
        resnet.figure(try figures.graph("01-fig29-window-operations", ChapterFigures.windowOperationsGraph()),
                      caption: ChapterFigures.windowOperationsCaption())
        resnet.takeaway(try resnetTakeaway(settings.convention))
        return SectionOutput(resnet, claims: resnetClaims)
    }

    /// ResNet-50's intensities against BERT-Base's at l = 128, compared in words from the counts.
    static func resnetTakeaway(_ c: CountingConvention) throws -> String {
        let cnn = CNNWorkload(fused: false), cnnFused = CNNWorkload(fused: true).total
        let conv = cnn.classTotals[.convolution]!.intensity
        let bert128 = try ModelWorkload(.bertBase, sequenceLength: 128, convention: c)
        let proj = bert128.classTotals[.projection]!.intensity, ffn = bert128.classTotals[.ffn]!.intensity
        let convVersusBERT = conv < min(proj, ffn) ? "below" : (conv > max(proj, ffn) ? "above" : "between")
        let fusedVersusBERT = cnnFused.intensity < bert128.total.intensity ? "still below" : "above"
        func f(_ x: Double) -> String { NumberFormat.fixed(x, decimals: 1) }
        return "Convolutions reuse every weight at every output position, yet ResNet-50's convolutions run at \(f(conv)) FLOPs per byte, \(convVersusBERT) BERT-Base's projections (\(f(proj))) and FFN (\(f(ffn))) at l = 128. BatchNorm and ReLU traffic pulls the whole network down to \(f(cnn.total.intensity)); fusing them lifts it to \(f(cnnFused.intensity)), \(fusedVersusBERT) BERT-Base's \(f(bert128.total.intensity)) at l = 128."
    }

    /// The qualitative statements of §2.2.1 and App. A.
    static func textSection(_ settings: WorkloadAnalysisSettings) throws -> SectionOutput {
        var text = Section("What the text claims")
        let textClaims = try ChapterClaims.textClaims(convention: settings.convention)
        text.table(ClaimFormatting.table(textClaims))
        text.takeaway("Every qualitative statement of §2.2.1 holds on our counts; the ResNet-50 ratios miss because the survey's ResNet-50 totals are not reproducible from any standard layer list (see the notes).")
        return SectionOutput(text, claims: textClaims)
    }

    /// Every operation of each model of the run: tables at the shortest and longest length, `--json` at all.
    static func detailSection(_ settings: WorkloadAnalysisSettings) throws -> SectionOutput {
        let c = settings.convention, lengths = settings.sequenceLengths
        var detail = Section("Per-operation detail")
        detail.prose("Every operation of each model of this run, at the shortest and longest sequence length (whole model; attention summed over heads, decoder over steps). The `--json` output has every length.")
        var rows: [JSONValue] = []
        for m in settings.models {
            for l in lengths {
                let w = try ModelWorkload(m, sequenceLength: l, convention: c)
                for op in w.operations {
                    rows.append(.object([("model", .string(m.name)), ("seqLen", .number(Double(l))),
                                         ("name", .string(op.path)), ("class", .string(op.operationClass.rawValue)),
                                         ("flops", .number(op.counts.flops)), ("bytes", .number(op.counts.bytes))]))
                }
                if l == lengths.min() || l == lengths.max() {
                    detail.table(try detailTable(w))
                }
            }
        }
        let convention = c == .survey ? "survey" : (c == .itemised ? "itemised" : "custom")
        return SectionOutput(detail, json: [("convention", .string(convention)), ("operations", .array(rows))])
    }

    /// The report: title, introduction with the claims' tally, the sections, Summary and Exercises.
    static func report(_ settings: WorkloadAnalysisSettings, _ cx: ChapterContext) -> Report {
        let claims = cx.claims, sections = cx.sections
        let report = Report(
            title: "Chapter 1 — Workload analysis (§2 and App. A.1-A.4)",
            generatedBy: settings.command,
            intro: """
                What does a Transformer ask of the hardware? This chapter counts every operation of BERT-Base, \
                BERT-Large and GPT-2 (and ResNet-50 for contrast) the way Kim et al. do in §2 of *Full Stack \
                Optimization of Transformer Inference* (arXiv 2302.14017), regenerates their Tab. 3, 4, 10, 11 \
                and 12 and Fig. 4-6, and checks each printed number: \(ClaimSummary.sentence(claims))
                """,
            sections: sections,
            summary: [
                "FLOPs of an encoder grow linearly in l for the projections and FFN and quadratically for attention; matmuls are over 99% of them at every length.",
                "Arithmetic intensity of an encoder rises until about l = 512 and then falls, as Softmax and the l×l score matrices start to dominate memory traffic.",
                "A decoder with a KV cache does about the same FLOPs as an encoder over the same tokens but at 2 FLOPs per byte: generation is memory-bound.",
                "Fusing element-wise operations into the preceding matmul or convolution is worth as much as the operations are cheap: it nearly doubles ResNet-50's intensity.",
                "The survey's tables are reproducible to the printed digit from its stated conventions, except for a few typos and the ResNet-50 and BERT-Large totals, which are flagged.",
            ],
            exercises: [
                "`swift run -c release workload-analysis --model bert-base,bert-large --seq-lens 320,384,448,512,576,640,704,768,832,896 --out lesson/` sweeps the lengths around the peak (on the default powers of two both models peak at 512, so no difference shows). In the intensity column of the Fig. 4-6 table, where does each model peak, and why does the wider BERT-Large peak later than BERT-Base?",
                "`swift run -c release workload-analysis --model bert-base,custom --layers 6 --d-model 768 --heads 12 --d-ffn 3072 --out lesson/` adds chapter 5's NAS baseline beside BERT-Base: compare the two per-operation tables.",
                "`swift run -c release workload-analysis --model custom --layers 12 --d-model 768 --heads 4 --d-ffn 3072 --out lesson/` is BERT-Base with 4 heads: check the act-to-act intensities of its per-operation table against Tab. 10 in the same report.",
                "`swift run -c release workload-analysis --model gpt2,custom --decoder --layers 24 --d-model 1024 --heads 16 --d-ffn 4096 --out lesson/` runs a decoder of GPT-2 Medium's shape beside GPT-2. Does the intensity depend on the model's size? Derive the limit 2d/(d + 2) for the projections.",
                "`swift run -c release workload-analysis --convention itemised --out lesson/` counts every operand read and written once and the exact causal triangle: which of the survey's cells stop matching (the new ✘ rows, which the tally calls unexpected)?",
            ])
        return report
    }
}
