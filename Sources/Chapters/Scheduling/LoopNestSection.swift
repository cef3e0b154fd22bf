import ChapterSupport
import Core
import Render

/// §5.1-5.4: the loop nests of Fig. 16-17 with the survey's example mappings, the mappers of Tab. 6, the size of
/// the mapspace, and the two checks behind the cost model (closed form against a walked loop nest, annealing
/// against exhaustive search).
enum LoopNestSection {
    /// Fig. 17's example: a 64×16×64 GEMM; n1, m1 at DRAM, n0 on the array, m0 and k0 local.
    static func figure17() -> (MappingProblem, Mapping) {
        let p = MappingProblem.gemm(name: "example GEMM", m: 64, n: 16, k: 64)
        var m = Mapping.trivial
        m.setFactor(.dram, .k, 4)
        m.setFactor(.dram, .p, 4)
        m.setOrder(.dram, [.k, .p])
        m.setFactor(.columns, .k, 4)
        m.setFactor(.local, .p, 16)
        m.setFactor(.local, .c, 64)
        m.setOrder(.local, [.p, .c])
        return (p, m)
    }

    /// Fig. 16's example: a convolution with P = Q = 28, S = 3, C = K = 128 (R = 1, the figure names no r loop).
    static func figure16() -> (MappingProblem, Mapping) {
        let p = MappingProblem(name: "example convolution", kind: .convolution, sizes: [1, 128, 128, 28, 28, 1, 3])
        var m = Mapping.trivial
        m.setFactor(.dram, .p, 4)
        m.setFactor(.dram, .s, 3)
        m.setOrder(.dram, [.p, .s])
        m.setFactor(.rows, .c, 16)
        m.setFactor(.local, .q, 28)
        m.setFactor(.local, .p, 7)
        m.setFactor(.local, .k, 128)
        m.setFactor(.local, .c, 8)
        m.setOrder(.local, [.q, .p, .k, .c])
        return (p, m)
    }

    /// Tab. 6 as printed: the mappers by search strategy.
    static let table6: [(String, String)] = [
        ("Brute-force / random", "Timeloop, dMazeRunner, Flexflow, Triton, Interstellar, Marvel"),
        ("Feedback-based", "AutoTVM (XGBoost), Ansor (beam search), Halide (beam search, OpenTuner), FlexFlow (MCMC), ConfuciuX (RL), Gamma (genetic algorithm), Mind Mapping (gradient-based)"),
        ("Constrained optimisation", "Polly+Pluto, Tensor Comprehension, Tiramisu, IOOpt, Analytical characterization, CoSA"),
    ]

    /// Small problems on a small array where capacities bind, for the two cross-checks.
    static let checkAccelerator = Accelerator.mappingCheck

    static let checkProblems: [MappingProblem] = [
        .gemm(name: "GEMM 8×4×4", m: 8, n: 4, k: 4),
        .gemm(name: "GEMM 6×4×2", m: 6, n: 4, k: 2),
        MappingProblem(name: "conv 2×2×4×3×2×2 /2", kind: .convolution, sizes: [1, 2, 2, 4, 3, 2, 2], stride: 2),
        // Filters wider than the stride: neighbouring input tiles overlap (the halo the closed form must count).
        MappingProblem(name: "conv 1×2×6×4×3×2 /1 (halo)", kind: .convolution, sizes: [1, 1, 2, 6, 4, 3, 2], stride: 1),
    ]

    /// `8.44e10`-style text for counts too large to group.
    static func scientific(_ x: Double) -> String {
        x >= 1e6 ? NumberFormat.exponential(x, decimals: 2) : NumberFormat.grouped(Int(x))
    }

    /// §5.1-5.4's sections: the example loop nests with Tab. 6, the mapspace's size, and the two checks.
    static func build(_ settings: SchedulingSettings, figures: inout FigureSet) throws -> [SectionOutput] {
        let arch = try MappingArchitecture(accelerator: settings.accelerator)
        return [try nestsSection(settings, arch, figures: &figures), try sizeSection(settings, arch), try checksSection(settings)]
    }

    /// Fig. 16 and 17 with our model's verdict on each, and Tab. 6.
    static func nestsSection(_ settings: SchedulingSettings, _ arch: MappingArchitecture, figures: inout FigureSet) throws
        -> SectionOutput {
        var nests = Section("5.1-5.3 / Fig. 16-17: loop nests and mappings")
        nests.prose("""
            A matmul is three nested loops and a convolution seven (six when the batch is 1). A mapping splits each \
            loop into pieces, one per memory level, orders the pieces at each level, and unrolls some of them across \
            the processing-element array. Core's `Mapping` holds exactly that: a factor per level and dimension, an \
            order per temporal level, and the rows/columns factors. Below are the survey's two example mappings as \
            pseudo-code and as drawings, and what our cost model makes of them on `\(settings.accelerator.name)` \
            (\(arch.meshRows)×\(arch.meshColumns), \(settings.accelerator.dataflow.rawValue.uppercased())). A mapping \
            that cannot run comes back as a reason, not a crash. One difference in drawing: the survey puts its \
            spatial loop above the local level, whose buffers sit inside each PE; Gemmini's scratchpad and \
            accumulator feed the whole array, so in our nest the `parallel_for` sits inside the local loops. The \
            factors are the survey's.
            """)
        var exampleRows: [[String]] = []
        for (key, example, figure) in [("fig17", figure17(), "Fig. 17"), ("fig16", figure16(), "Fig. 16")] {
            let (p, m) = example
            let model = try MappingCostModel(p, architecture: arch)
            var verdict: String
            var row = [figure, p.shapeDescription]
            do {
                let cost = try model.evaluate(m)
                verdict = "valid: \(NumberFormat.grouped(Int(cost.cycles))) cycles, \(NumberFormat.fixed(cost.energyPicojoules / 1e6, decimals: 2)) µJ"
                row += ["valid", NumberFormat.grouped(Int(cost.cycles)), NumberFormat.percent(cost.macs / (cost.cycles * Double(arch.meshRows * arch.meshColumns)), decimals: 1),
                        NumberFormat.fixed(cost.energyPicojoules / 1e6, decimals: 2), cost.bottleneck]
            } catch {
                verdict = error.description
                row += [error.description, "–", "–", "–", "–"]
            }
            exampleRows.append(row)
            nests.code(SchedulingFigures.pseudoCode(p, m))
            nests.figure(try figures.graph("04-\(key)-loop-nest", SchedulingFigures.loopNest(p, m, name: key, title: "\(figure): \(p.name) with the survey's mapping", verdict: verdict)),
                         caption: "\(figure): the loop nest by level (grey DRAM, blue local, orange spatial) and our model's verdict.")
        }
        nests.table(Table(columns: [.init("Figure", alignment: .left), .init("Problem", alignment: .left), .init("Verdict", alignment: .left),
                                    .init("Cycles", alignment: .right), .init("PE utilisation", alignment: .right),
                                    .init("Energy µJ", alignment: .right), .init("Bound by", alignment: .left)], rows: exampleRows,
                          caption: "The survey's example mappings on our model of \(settings.accelerator.name). The figures are schematic (no memory sizes), so a mapping may not fit our memories."))
        nests.subheading("Tab. 6: mappers by search strategy")
        nests.table(Table(columns: [.init("Strategy", alignment: .left), .init("Mappers (Tab. 6)", alignment: .left)],
                          rows: table6.map { [$0.0, $0.1] }))
        nests.prose("Ours belong to the first two rows: a uniform random sampler (Timeloop's random mapper in spirit) and simulated annealing, checked against exhaustive search.")
        nests.takeaway("A mapping is three small decisions per loop (which level, what order, spatial or not); the cost model turns one into cycles and energy, or into the reason it cannot run.")
        return SectionOutput(nests)
    }

    /// The size of one BERT projection's mapspace, as we search it and in general.
    static func sizeSection(_ settings: SchedulingSettings, _ arch: MappingArchitecture) throws -> SectionOutput {
        var size = Section("5.3: how large the mapspace is")
        let l = settings.sequenceLength
        let attention = MappingProblem.gemm(name: "BERT-Base Q/K/V projection, l = \(l)", m: l, n: 768, k: 768)
        let space = try Mapspace(try MappingCostModel(attention, architecture: arch))
        let general = Mapspace.generalSize(attention, meshRows: arch.meshRows, meshColumns: arch.meshColumns)
        let surveySpace = try Mapspace(try MappingCostModel(attention, architecture: arch),
                                       constraints: MapspaceStudySection.surveyConstraints(settings.accelerator))
        size.prose("""
            Count the choices for one BERT-Base attention projection (\(attention.shapeDescription)). For each \
            dimension, T_d is the number of ways to write its size as an ordered product over the levels it may \
            use; at each of the four temporal levels the D = \(space.nontrivial.count) non-trivial loops can come in \
            any of D! orders:

                |mapspace| = Π_d T_d × (D!)^4

            Two versions: the space our mapper searches, which follows Gemmini's wiring (only reduction dimensions \
            on the rows, only output channels on the columns in WS, at most \(arch.meshRows) iterations each, \
            register loops only where the stationary word stays), and the general space in which any dimension may \
            sit at any of the six levels, spatial ones limited to the array side: the survey's count, which \
            includes which loops go spatial.
            """)
        let dims = attention.nontrivialDimensions
        size.table(Table(columns: [.init("Space", alignment: .left)] + dims.map { .init("T_\(attention.displayName($0))", alignment: .right) }
                            + [.init("orders (D!)^L", alignment: .right), .init("|mapspace|", alignment: .right)],
                         rows: [
                            ["Gemmini-wired (searched)"] + dims.map { NumberFormat.grouped(space.tilingChoices[$0.rawValue]) }
                                + [NumberFormat.grouped(Int(space.orderChoices)), scientific(space.size)],
                            [MapspaceStudySection.surveyConstraints(settings.accelerator) == .none ? "no survey-like constraints in this dataflow (= Gemmini-wired)" : "Gemmini's Timeloop constraints (survey-like)"] + dims.map { NumberFormat.grouped(surveySpace.tilingChoices[$0.rawValue]) }
                                + [NumberFormat.grouped(Int(surveySpace.orderChoices)), scientific(surveySpace.size)],
                            ["general (any level, spatial ≤ \(arch.meshRows))"] + dims.map { NumberFormat.grouped(Mapspace.generalTilingChoices(attention.size($0), meshRows: arch.meshRows, meshColumns: arch.meshColumns)) }
                                + [NumberFormat.grouped(Int(space.orderChoices)), scientific(general)],
                         ]))
        let sizeClaims: [Claim] = [
            .statement(id: "mapspace.bert-attention.above-1e12", reference: "§5.3",
                       statement: "BERT attention projection: tiling, spatial choice and loop order give more than 10^12 mappings",
                       expected: "> 10^12", observed: scientific(general), holds: general > 1e12,
                       note: "The general count; the Gemmini-wired space has \(scientific(space.size))" + (MapspaceStudySection.surveyConstraints(settings.accelerator) == .none ? " (no survey-like constraints in this dataflow)." : ", Gemmini's Timeloop constraints leave \(scientific(surveySpace.size)).")),
        ]
        size.table(ClaimFormatting.table(sizeClaims))
        size.takeaway("Even one matmul has trillions of mappings; no mapper enumerates them, so how it samples or searches decides what it finds.")
        return SectionOutput(size, claims: sizeClaims)
    }

    /// Two derivations of the access counts, and annealing against exhaustive search, on small problems.
    static func checksSection(_ settings: SchedulingSettings) throws -> SectionOutput {
        var checks = Section("5.4: checking the cost model and the search")
        checks.prose("""
            Two independent derivations of the access counts. The closed form (`MappingCostModel`) multiplies tile \
            sizes by reload counts; the loop-nest walk (`MappingLoopNest`) steps through every iteration, keeps the \
            tile each level holds, counts elements as sets of coordinates and, whenever a tile changes, records a \
            transfer of the elements the previous tile did not hold; the closed form gets the same sliding-window \
            (halo) reuse from the displacement between consecutive tiles. On small problems on a \(checkAccelerator.meshRows)×\(checkAccelerator.meshColumns) array with \
            a \(checkAccelerator.spCapacityBytes)-byte scratchpad (so capacities bind), we compare them on seeded \
            random valid mappings, and compare simulated annealing's best EDP with exhaustive search's.
            """)
        let checkArch = try MappingArchitecture(accelerator: checkAccelerator)
        var rng = SeededGenerator(seed: settings.seed)
        var agreeing = 0, compared = 0
        var searchRows: [[String]] = []
        var searchAgree = 0
        for p in checkProblems {
            let model = try MappingCostModel(p, architecture: checkArch)
            let space = try Mapspace(model)
            var m = Mapping.trivial, cost = MappingCost(), drawn = 0
            while drawn < 40 {
                space.randomMapping(into: &m, using: &rng)
                guard model.costIfFits(m, into: &cost) else { continue }
                drawn += 1
                let walked = try MappingLoopNest.counts(p, m, architecture: checkArch)
                compared += 1
                if walked.reads == cost.reads && walked.writes == cost.writes { agreeing += 1 }
            }
            var bestEDP = Double.infinity, visited = 0
            try space.exhaustive { _, c in
                visited += 1
                bestEDP = min(bestEDP, c.edp)
            }
            let annealed = MappingSearch.anneal(space, steps: 4_000, restarts: 4, using: &rng)
            let annealedEDP = annealed?.cost.edp ?? .infinity
            if annealedEDP == bestEDP { searchAgree += 1 }
            searchRows.append([p.name, p.shapeDescription, NumberFormat.grouped(visited), NumberFormat.significant(bestEDP, digits: 6),
                               NumberFormat.grouped(annealed?.evaluations ?? 0), NumberFormat.significant(annealedEDP, digits: 6),
                               annealedEDP == bestEDP ? "✔" : "✘"])
        }
        checks.table(Table(columns: [.init("Problem", alignment: .left), .init("Shape", alignment: .left),
                                     .init("exhaustive: mappings", alignment: .right), .init("best EDP (pJ·cycles)", alignment: .right),
                                     .init("annealing: evaluations", alignment: .right), .init("best EDP", alignment: .right),
                                     .init("same", alignment: .center)], rows: searchRows,
                           caption: "Exhaustive search visits every tiling and every order of each level's non-trivial loops."))
        let checkClaims: [Claim] = [
            .number(id: "model.closed-form-equals-walk", reference: "§5.4", statement: "Closed-form access counts equal the walked loop nest's (mappings agreeing)",
                    paper: Double(compared), observed: Double(agreeing), tolerance: .absolute(0), kind: .crossCheck,
                    note: "\(compared) seeded random valid mappings of \(checkProblems.count) small problems; every level, tensor, read and write."),
            .number(id: "search.annealing-equals-exhaustive", reference: "§5.4", statement: "Simulated annealing finds the exhaustive optimum (problems agreeing)",
                    paper: Double(checkProblems.count), observed: Double(searchAgree), tolerance: .absolute(0), kind: .crossCheck),
        ]
        checks.table(ClaimFormatting.table(checkClaims))
        checks.takeaway("The reuse rule (a tile stays while only loops it does not depend on move) is what both derivations compute; annealing reaches the true optimum on spaces small enough to enumerate.")
        return SectionOutput(checks, claims: checkClaims)
    }
}
