import ChapterSupport
import Core
import Render

/// The companion survey's published results, from data/cited/: tables and accuracy-cost Pareto plots.
enum CitedStudy {
    static func build(_ s: FixedArchitectureSettings, figures: inout FigureSet) throws -> SectionOutput {
        var claims: [Claim] = []
        var section = Section("Cited results: the companion survey's compression and accelerator numbers")
        section.prose("""
            **Everything in this section is cited, not computed.** The rows are the primary papers' numbers that \
            Chitty-Venkata et al. (arXiv 2307.07982) compile; `data/cited/README.md` gives provenance, and each row its \
            source and tag (V: verbatim from the source; V2: verbatim from a secondary copy). The files are parsed \
            strictly at run time. Counting pitfalls: vision papers report multiply-accumulates as \"FLOPs\" (the \
            token-pruning section checks DeiT-S's 4.6G this way); GLUE dev and test scores are not comparable, so \
            the plot uses the test split only; BERT-base appears as 110M and 109M parameters; speed-ups of \
            accelerators have different baselines and scopes and are never put on one axis.
            """)
        for table in s.cited {
            let shown = table.columns.filter { $0 != "tag" }
            section.subheading("`data/cited/\(table.file)`")
            section.table(Table(columns: shown.map { .init($0, alignment: .left) } + [.init("tag", alignment: .center)],
                                rows: table.rows.map { row in shown.map { row[$0] ?? "" } + [row["tag"] ?? ""] }))
        }

        if let vit = s.table("vit-imagenet.csv") {
            func series(_ x: String) -> [Series] {
                ["manual", "NAS", "distilled"].compactMap { design in
                    let points = vit.rows.filter { $0["design"] == design }.compactMap { row -> Point? in
                        guard let xv = vit.number(row, x), let y = vit.number(row, "top1") else { return nil }
                        return Point(x: xv, y: y, label: row["model"])
                    }
                    return points.isEmpty ? nil : Series(name: "\(design) (cited)", points: points)
                }
            }
            let byParams = ScatterChart(title: "Cited: ImageNet top-1 against parameters (Pareto front dashed)",
                                        x: Axis(label: "parameters (M, log scale)", scale: .log10), y: Axis(label: "top-1 (%)"),
                                        series: series("params_m"), paretoFront: .minimiseXMaximiseY)
            section.figure(figures.svg("03-cited-vit-params", try byParams.svg()),
                           caption: "Cited results (data/cited/vit-imagenet.csv): ViT, lightweight and NAS-found models; the dashed line joins the non-dominated ones.")
            let byFlops = ScatterChart(title: "Cited: ImageNet top-1 against reported GFLOPs (multiply-accumulates)",
                                       x: Axis(label: "GFLOPs as reported (= GMACs, log scale)", scale: .log10), y: Axis(label: "top-1 (%)"),
                                       series: series("gflops_as_reported"), paretoFront: .minimiseXMaximiseY)
            section.figure(figures.svg("03-cited-vit-flops", try byFlops.svg()),
                           caption: "Cited results: the same models against compute; NASViT's points have no parameter count and appear only here.")
            let params = vit.rows.filter { vit.number($0, "params_m") != nil && vit.number($0, "top1") != nil }
                .map { Point(x: vit.number($0, "params_m")!, y: vit.number($0, "top1")!, label: $0["model"]) }
            let front = ScatterChart.front(params, sense: .minimiseXMaximiseY).compactMap(\.label)
            section.prose("Pareto front by parameters (cited values): \(front.joined(separator: " → ")).")
        }
        if let kd = s.table("distillation-bert.csv") {
            let points = kd.rows.filter { $0["glue_split"] == "test" }.compactMap { row -> Point? in
                guard let x = kd.number(row, "params_m"), let y = kd.number(row, "glue_avg") else { return nil }
                return Point(x: x, y: y, label: row["model"])
            }
            let chart = ScatterChart(title: "Cited: GLUE test average against parameters (BERT distillation)",
                                     x: Axis(label: "parameters (M, log scale)", scale: .log10), y: Axis(label: "GLUE test average"),
                                     series: [Series(name: "TinyBERT Tab. 1 rows (cited)", points: points)], paretoFront: .minimiseXMaximiseY)
            section.figure(figures.svg("03-cited-bert-distillation", try chart.svg()),
                           caption: "Cited results (data/cited/distillation-bert.csv, test split only).")
            func row(_ model: String) -> [String: String]? { kd.rows.first { $0["model"] == model } }
            if let distil = row("DistilBERT"), let base = row("BERT-base (DistilBERT paper)"),
               let tiny = row("TinyBERT4"), let teacher = row("BERT-base (TinyBERT teacher)") {
                // The survey prints none of these: the cited papers' abstracts against their own tables.
                let kdClaims = [
                    FixedArchitectureChapter.crossCheck("cited.distilbert-40-smaller", "DistilBERT abstract (cited)", "DistilBERT is 40% smaller: 1 − 66M/110M (%)",
                                                        expected: 40, observed: (1 - kd.number(distil, "params_m")! / kd.number(base, "params_m")!) * 100,
                                                        tolerance: .printed(decimals: 0), note: "the abstract against the paper's Tab. 3").illustration(),
                    FixedArchitectureChapter.crossCheck("cited.tinybert-7.5-smaller", "TinyBERT abstract (cited)", "TinyBERT4 is 7.5× smaller: 109M / 14.5M",
                                                        expected: 7.5, observed: kd.number(teacher, "params_m")! / kd.number(tiny, "params_m")!,
                                                        tolerance: .printed(decimals: 1), note: "the abstract against the paper's Tab. 1").illustration(),
                    FixedArchitectureChapter.crossCheck("cited.tinybert-flops-ratio", "TinyBERT Tab. 1 (cited)", "TinyBERT4's FLOPs ratio 22.5B / 1.2B against its 9.4× measured speed-up",
                                                        expected: kd.number(tiny, "speedup_x")!, observed: kd.number(teacher, "gflops")! / kd.number(tiny, "gflops")!,
                                                        tolerance: .relative(0.1),
                                                        note: "FLOPs do not translate into speed: 18.75× fewer FLOPs gave 9.4× on a K80 (cited); the FLOP ratio is twice the measured speed-up").illustration(),
                ]
                claims += kdClaims
                section.claims(kdClaims)
            }
        }
        section.takeaway("Distillation, pruning, quantization and NAS all move models toward the accuracy-cost frontier, but the published numbers mix counting conventions, splits and baselines: compare only like with like.")
        return SectionOutput(section, claims: claims)
    }
}
