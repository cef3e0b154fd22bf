import ChapterSupport
import Core
import Render

/// Chapter 4 (§5): mapping and scheduling. Loop nests and mappings (Fig. 16-17, Tab. 6), the mapspace's size,
/// the cost model checked two ways, 100K random mappings per operator (Fig. 18-20), the peers' numbers on one
/// GEMM, and the Softmax/LayerNorm fusion study (Fig. 21-22).
public enum SchedulingChapter {
    public static let name = "scheduling"
    static let reportPath = "chapters/04-scheduling.md"

    /// Every known deviation of the chapter, by claim id (each section's table merged).
    static var knownDeviations: [String: KnownDeviation] {
        MapspaceStudySection.knownDeviations.merging(FusionSection.knownDeviations) { a, _ in a }
    }

    public static func build(_ settings: SchedulingSettings = .init()) throws -> ChapterResult {
        try settings.validate()
        var cx = ChapterContext()
        for part in try LoopNestSection.build(settings, figures: &cx.figures) { cx.add(part) }
        // MapspaceStudySection and PeerSection still return tuples (see ChapterContext on moving them).
        let (study, studyClaims, studies, unconstrained) = try MapspaceStudySection.build(settings, figures: &cx.figures)
        cx.add(study, claims: studyClaims, json: studyJSON(settings, studies, unconstrained: unconstrained))
        let (peers, peerClaims) = try PeerSection.build(settings)
        cx.add(peers, claims: peerClaims)
        let fusion = try FusionSection.build(settings, figures: &cx.figures)
        for part in fusion.sections { cx.add(part) }
        return cx.result(name: name, reportPath: reportPath, report: report(settings, cx, fusionSummary: fusion.summary))
    }

    /// The run's settings and every operator's mapspace statistics, with and without Gemmini's constraints, as
    /// `--json` gives them.
    static func studyJSON(_ settings: SchedulingSettings, _ studies: [MapspaceStudySection.OperatorStudy],
                          unconstrained: [MapspaceStudySection.OperatorStudy]) -> [(String, JSONValue)] {
        [("accelerator", .string(settings.accelerator.name)), ("samples", .number(Double(settings.samples))),
         ("seed", .number(Double(settings.seed))), ("operators", .array(studies.map(studyJSON))),
         ("unconstrainedOperators", .array(unconstrained.map(studyJSON)))]
    }

    /// The report: title, introduction with the claims' tally, the sections, Summary and Exercises.
    static func report(_ settings: SchedulingSettings, _ cx: ChapterContext, fusionSummary: String) -> Report {
        let claims = cx.claims, sections = cx.sections
        let report = Report(
            title: "Chapter 4 — Mapping and scheduling (§5)",
            generatedBy: settings.command,
            intro: """
                The same matmul can run thousands of times slower or faster on the same accelerator depending on how \
                its loops are tiled, ordered and spread over the array. This chapter builds the pieces a mapper needs \
                (problems, a Gemmini-like architecture, mappings that either run or say why not, a cost model derived \
                two ways), measures how large the space is, samples it the way the survey's §5.5.1 does, compares one \
                GEMM with SCALE-Sim and ZigZag, and repeats §5.5.2's fusion study on Gemmini's cycle model with a \
                searched fused schedule: \
                \(ClaimSummary.sentence(claims))
                """,
            sections: sections,
            summary: [
                "A mapping is per-level tiling factors, a loop order per level and the loops on the array; the mapspace of one BERT projection has more than 10^12 of them.",
                "The closed-form access counts agree exactly with a walk of the loop nest, and simulated annealing finds the exhaustive optimum on small problems.",
                "Random valid mappings spread over orders of magnitude in EDP, for BERT's matmuls as for ResNet-50's convolutions, in Gemmini's constrained Timeloop mapspace as in the unconstrained one; few land near the best.",
                "An analytical mapper reaches the ideal cycle count on the peers' GEMM, like ZigZag; SCALE-Sim's 35% more is the array's fill and drain per weight fold. Priced with ZigZag's own energy table, our best mapping matches ZigZag level by level except the accumulator, which Gemmini's one-weight PE feeds every step.",
                fusionSummary,
            ],
            exercises: [
                "`swift run -c release scheduling --samples 10000 --seed 2 --out lesson/seed2` and `swift run -c release scheduling --samples 10000 --seed 3 --out lesson/seed3`: how much do the p10 and within-3× statistics of the EDP table move between the two seeds?",
                "`swift run -c release scheduling --dataflow os --out lesson/`: which operators become easier or harder to schedule than on the committed weight-stationary run, and does the best EDP change?",
                "`swift run -c release scheduling --scratchpad-kib 32 --out lesson/` shrinks the scratchpad: watch the valid share and the worst/best span of each operator.",
                "`swift run -c release scheduling --gemm 512,64,512 --out lesson/` adds your own operator (M, N, K): is a narrow matmul harder to map than W1?",
                "`swift run -c release scheduling --fusion-accumulator-kib 16,32,64,128,256 --out lesson/` gives the fusion study smaller accumulators too: at which size does fusing Q×K with Softmax stop paying at l = 512, how many chunks does each row then take, and where does the search pick the transposed product?",
                "`swift run -c release scheduling --arch data/arch/gemmini.yaml --problem data/arch/resnet50-conv5-3x3.yaml --out lesson/` maps ResNet-50's 3×3 layer with no constraints; add `--constraints data/arch/gemmini-constraints.yaml` and compare the best EDP: what do Gemmini's constraints cost on this layer? Then copy `data/arch/gemmini.yaml`, double the accumulator's `depth`, and map again.",
                "Change `MappingCostModel`'s reuse rule (Sources/Core/Mapping/MappingCostModel.swift) so that streamed tensors also keep a register copy, run `swift run -c release scheduling --out lesson/` and see which claims move; undo the change afterwards.",
            ])
        return report
    }

    static func studyJSON(_ st: MapspaceStudySection.OperatorStudy) -> JSONValue {
                .object([("key", .string(st.op.key)), ("name", .string(st.op.problem.name)), ("macs", .number(Double(st.op.problem.macs))),
                         ("mapspaceSize", .number(st.mapspaceSize)), ("validFraction", .number(st.validFraction)),
                         ("bestEDP", .number(st.bestCost.edp)), ("bestCycles", .number(st.bestCost.cycles)),
                         ("bestEnergyPicojoules", .number(st.bestCost.energyPicojoules)), ("p10", .number(st.p10)),
                         ("median", .number(st.p50)), ("within3x", .number(st.within3x)), ("worstOverBest", .number(st.span))])
    }
}
