import ChapterSupport
import Core
import Render

/// Chapter 5 (§6): hardware-aware neural architecture search.
public enum NASChapter {
    public static let name = "nas"
    static let reportPath = "chapters/05-nas.md"
    /// The headline result that chapter 6 reads (``NASResultRecord``).
    public static let resultPath = "data/nas/nas-result.tsv"

    /// The survey's baseline perplexity is not printed; Fig. 25's axis and Tab. 9's 22.51 at under +0.1 put it at
    /// about 22.4-22.5 (claims file, [D, weak]). We take the middle, 22.45, only to turn the survey's absolute
    /// budgets into fractions of the baseline.
    static let surveyBaselinePerplexity = 22.45
    /// 88.7 = 39.6 (latency, §3.4) × 2.24 (EDP, §6.4) (claims file §0).
    static let surveyHardwareSpeedup = 39.6, surveyNASEDPGain = 2.24, surveyHeadline = 88.7
    /// Our bar for reproducing a gain at CPU scale, fixed before the first comparison: within ±30% of the
    /// survey's ratio. (A smaller model, another corpus and byte-level perplexity change the landscape; the claim
    /// is that the gains have the survey's size, not its digits.)
    static let gainTolerance = Tolerance.relative(0.30)

    /// Claims this reproduction does not meet, with the reason (written after comparing; each test expects the
    /// failure and fails if the claim starts to hold). The reasons quote the run's own counts.
    static func knownDeviations(_ run: NASRun) -> [String: KnownDeviation] {
        let base = run.baseline.perplexity, n = run.evaluated.count
        let within = NASRun.budgets.map { b in run.evaluated.filter { $0.perplexity <= run.gains(b).threshold }.count - 1 }
        let better = run.evaluated.filter { $0.perplexity < base }.count
        let slack = "Trained until its validation loss flattened, our CPU-scale supernet (widths ÷\(run.space.widthDivisor), bytes) has little accuracy to spare: \(better) of the \(n) evaluated sub-networks beat the largest, \(within[0]) others lie within the +0.1 budget and \(within[1]) within +1, and the smallest measures \(NumberFormat.fixed(run.smallest.perplexity / base, decimals: 2))× the largest's perplexity; every unit pruned costs accuracy, so less can be pruned within the survey's budgets. The 2,000-step supernet used before (data/nas/README.md) ranked small sub-networks too kindly (26 of 824 beat the largest), and its gains at +0.1 and its latency gain at +1 were within 30% of the survey's. The survey prints neither its baseline's nor its smallest sub-network's perplexity, so how much room its wider supernet had is not known."
        let energy = "In our cost model energy falls almost exactly as fast as latency (both are dominated by the matmuls' MACs and their on-chip traffic, and weights read once from DRAM are a small share), while the survey's Timeloop energy fell 1.8× faster than its RTL latency; so our EDP gain is close to the latency gain squared. On top of that, the gains are smaller than the survey's: " + slack
        return [
            "gain.edp.0.1": .modelDifference(slack),
            "gain.latency.1": .modelDifference(slack),
            "gain.energy.1": .modelDifference(energy),
            "gain.edp.1": .modelDifference(energy),
            "compose.ours": .modelDifference("Our NAS factor (gain.edp.0.1) is smaller than the survey's 2.24: " + slack),
        ]
    }

    public static func build(_ s: NASSettings = .init(), inputs: NASInputs, source: PerplexitySource = .measure) throws
        -> ChapterResult {
        try s.validate()
        let run = try NASRun.run(s, inputs: inputs, source: source)
        var cx = ChapterContext()
        try cx.add { try NASSections.framework(s, run: run, figures: &$0) }
        try cx.add { try NASSections.training(s, run: run, inputs: inputs, figures: &$0) }
        cx.add(try NASSections.hardware(s, run: run))
        try cx.add { try NASSections.search(s, run: run, figures: &$0) }
        try cx.add { try NASSections.results(s, run: run, inputs: inputs, figures: &$0) }
        cx.add(try NASSections.composition(s, run: run))
        let found = run.gains(NASRun.budgets[0]).lowestEDP
        let result = NASResultRecord(widthDivisor: run.space.widthDivisor, hardwareSequenceLength: s.hardwareSequenceLength,
                                     baseline: run.baseline.architecture, baselinePerplexity: run.baseline.perplexity,
                                     found: found.architecture, foundPerplexity: found.perplexity)
        return cx.result(name: name, reportPath: reportPath, report: report(s, inputs: inputs, cx),
                         extraFiles: [GeneratedFile(path: NASRecord.path, text: NASRecord.text(run)),
                                      GeneratedFile(path: resultPath, text: result.text)])
    }

    /// The report: title, introduction with the claims' tally, the sections, Summary and Exercises.
    static func report(_ s: NASSettings, inputs: NASInputs, _ cx: ChapterContext) -> Report {
        let claims = cx.claims, sections = cx.sections
        return Report(
            title: "Chapter 5 — Hardware-aware neural architecture search (§6)",
            generatedBy: s.command,
            intro: """
                The survey closes its stack at the top: instead of making a fixed Transformer cheaper to run, it \
                searches for a cheaper Transformer. A weight-sharing supernet holds every architecture of a search \
                space; a sub-network's accuracy is read off it without retraining, its cost off a table of the \
                accelerator's per-operation latency and energy, and an evolutionary search keeps the architectures \
                that no other beats in both. Here the same experiment runs at CPU scale: a byte-level language \
                model on the Jargon File, Tab. 8's space with every width divided by \
                \(inputs.checkpoint.widthDivisor), trained on this machine with the sandwich rule; perplexities are \
                measured by running each sub-network on held-out text, and costs come from the Gemmini models of \
                chapters 2 and 6 at the survey's full widths. \(ClaimSummary.sentence(claims))
                """,
            sections: sections,
            summary: [
                "A weight-sharing supernet trained with the sandwich rule lets one training run rank thousands of sub-networks; the largest sub-network is the baseline.",
                "The hardware cost is a table of 10 operations keyed by the widths each depends on; its sum equals a per-layer computation and never falls below the array's ideal time.",
                "The evolutionary search (population \(s.evolution.population), \(s.evolution.iterations) iterations, mutation \(NumberFormat.trimmed(s.evolution.mutationProbability, maxDecimals: 3))) keeps Pareto-optimal (perplexity, EDP) parents and is deterministic for a seed.",
                "Gains in EDP exceed gains in latency or energy alone, and grow with the perplexity budget; see the results table for how close our scale comes to the survey's.",
                "88.7× is 39.6 (latency) × 2.24 (EDP); our own EDP factor is shown beside the survey's.",
            ],
            exercises: [
                "`swift run -c release nas --seed 2 --out lesson/seed2` and `swift run -c release nas --seed 3 --out lesson/seed3` (under a minute each on 2 cores): how much do the found architecture and the gains move between seeds?",
                "`swift run -c release nas --population 20 --iterations 80 --out lesson/p20` and `swift run -c release nas --population 80 --iterations 20 --out lesson/p80` (the same number of children): which finds the cheaper architecture within +0.1?",
                "`swift run -c release nas --mutation-probability 0.05 --out lesson/m005` and `swift run -c release nas --mutation-probability 0.5 --out lesson/m05`: how does the evolution figure change?",
                "`swift run -c release nas --validation-windows 128 --out lesson/` measures every perplexity on four times the text: do the Pareto front and the +0.1 pick survive a less noisy perplexity?",
                "`swift run -c release nas --hw-seq-len 128 --out lesson/` prices the architectures at 128 tokens: which operations' share of the cost shrinks, and does the search pick a different architecture?",
                "`swift run -c release nas --train --train-steps 500 --out lesson/` retrains the supernet for a fixed 500 steps into lesson/data/nas/ (about 3 minutes on 2 cores; the committed one is not touched) and reports on it: compare the gains of an under-trained supernet with the committed report's.",
            ])
    }
}
