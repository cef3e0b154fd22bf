import ChapterSupport
import Core
import Foundation
import Render

/// The reference GEMM of `data/peers/` (BERT-Base FFN W1 at 128 tokens, 128×3072×768) through every
/// model we have, next to SCALE-Sim's and ZigZag's numbers, with the reason for each gap; and our mapper's best
/// mapping priced with ZigZag's own energy table (`data/peers/zigzag-energy.yaml`).
enum PeerSection {
    /// SCALE-Sim 3.0.0 on a 16×16 array, 64 kB SRAMs, no DRAM stalls (`data/peers/scalesim.csv`, measured
    /// 2026-11-22; `PeerDataTests` checks these equal the file): total cycles per dataflow.
    static let scaleSim: [(Dataflow, Int)] = [(.weightStationary, 1_603_583), (.outputStationary, 1_225_727), (.inputStationary, 1_197_311)]
    /// ZigZag (zigzag-dse 3.9.1), `tpu_like.yaml` resized to 16×16 WS: best mapping's cycles and energy
    /// (`data/peers/zigzag.csv`); its LOMA search evaluated 720 mappings in 2.5 s.
    static let zigZagCycles = 1_191_968
    static let zigZagMicrojoules = 337.8
    /// ZigZag's energies and breakdown, read from the repository (``RepositoryData/root``).
    static let zigZagEnergyPath = "data/peers/zigzag-energy.yaml"
    /// Tolerances fixed before the comparison: cycles within 2% of ZigZag's (both are analytical models of the
    /// same array without fill/drain per fold); energy on our table within a factor of 2 (different tables); on
    /// ZigZag's own table within 10% (issue 16's target: same prices, so what is left is the counting).
    static let cycleTolerance = Tolerance.relative(0.02)
    static let energyTolerance = Tolerance.factor(2)
    static let zigZagTableTolerance = Tolerance.relative(0.10)

    /// The peer GEMM: 8-bit operands; 32-bit partial sums on Gemmini (ours), 16-bit as the ZigZag run declared them;
    /// 8-bit final outputs in both (Gemmini's scaled `mvout`; the run's `O_final: 8`).
    static func problem(partialSumBits: Int) -> MappingProblem {
        var p = MappingProblem.gemm(name: "BERT-Base FFN W1, l = 128", m: 128, n: 3072, k: 768)
        p.partialSumBits = partialSumBits
        return p
    }

    /// Our annealer's best mapping of `p` on `arch` (the unconstrained space, which contains the survey-like one).
    static func best(_ p: MappingProblem, _ arch: MappingArchitecture, seed: UInt64,
                     constraints: MapspaceConstraints = .none) throws -> MappingSearch.Result {
        let space = try Mapspace(try MappingCostModel(p, architecture: arch), constraints: constraints)
        var rng = SeededGenerator(seed: seed)
        guard let best = MappingSearch.anneal(space, steps: 30_000, restarts: 4, using: &rng) else {
            throw ConfigurationError(field: "accelerator", message: "no valid mapping of \(p.shapeDescription) found")
        }
        return best
    }

    static func readZigZag() throws -> ZigZagEnergyRecord {
        guard let root = RepositoryData.root, let data = FileManager.default.contents(atPath: root.appendingPathComponent(zigZagEnergyPath).path) else {
            throw ConfigurationError(field: "zigzag-energy", message: "cannot read the repository's \(zigZagEnergyPath) (run inside the repository)")
        }
        do { return try ZigZagEnergyRecord(yaml: String(decoding: data, as: UTF8.self), file: zigZagEnergyPath) } catch {
            throw ConfigurationError(field: "zigzag-energy", message: error.description)
        }
    }

    static func build(_ settings: SchedulingSettings) throws -> (Section, [Claim]) {
        var s = Section("Peers: one GEMM through SCALE-Sim, ZigZag and our models")
        let a = settings.accelerator
        let ours = try best(problem(partialSumBits: a.accumulatorBits), try MappingArchitecture(accelerator: a), seed: settings.seed)
        let zigZag = try readZigZag()
        let gemminiOnZigZagTable = try best(problem(partialSumBits: 16), try MappingArchitecture(accelerator: a, energy: zigZag.table), seed: settings.seed)
        var tpuLike = MappingArchitecture.zigZagTPULike16
        tpuLike.energy = zigZag.table
        let onZigZag = try best(problem(partialSumBits: 16), tpuLike, seed: settings.seed, constraints: .noL2)
        s.prose("""
            The peer runs recorded in `data/peers/` (tool versions, commands, inputs and dates in its README) put the same GEMM, 128×3072×768, through SCALE-Sim (cycle-level) and ZigZag \
            (analytical, with its own mapper). Here it goes through our mapper (simulated annealing, \
            \(NumberFormat.grouped(ours.evaluations)) evaluations, on `\(a.name)`), the register-level closed forms of \
            Core/Evaluation/Systolic (which the cycle-by-cycle simulator reproduces exactly; see `make bench`), and Gemmini's \
            tile-level model with its default tiling (chapter 6). The ideal is MACs / \(a.meshRows * a.meshColumns).
            """)
        s.table(try cycleTable(ours, a))
        s.prose("Our best mapping, outermost level first:")
        s.code(SchedulingFigures.pseudoCode(problem(partialSumBits: a.accumulatorBits), ours.mapping))
        energySection(&s, ours: ours, gemmini: gemminiOnZigZagTable, onZigZag: onZigZag, zigZag: zigZag)
        s.prose("Our best mapping on ZigZag's TPU-like architecture, priced with its table, outermost level first (the PE's register loops run inside one weight-register tile; the partial-sum register accumulates the C loop inside the first output loop):")
        s.code(SchedulingFigures.pseudoCode(problem(partialSumBits: 16), onZigZag.mapping))
        let claims = checks(ours: ours, gemmini: gemminiOnZigZagTable, onZigZag: onZigZag, zigZag: zigZag, a)
        s.claims(claims)
        s.takeaway("The 35% between SCALE-Sim and ZigZag is the array's fill and drain, charged per weight fold by one and once by the other; an analytical mapper like ours sits with ZigZag at the ideal. Priced with ZigZag's own table on Gemmini's one-weight PE, partial sums go to the accumulator at every array step (a third more energy than ZigZag); on ZigZag's own TPU-like PE (128 weights and a partial-sum register per PE) our mapper accumulates them in place and lands on ZigZag's energy level by level.")
        return (s, claims)
    }

    static func cycleTable(_ ours: MappingSearch.Result, _ a: Accelerator) throws -> Table {
        let shape = GEMMShape(m: 128, n: 3072, k: 768)
        let array = try SystolicArray(rows: a.meshRows, columns: a.meshColumns)
        let ideal = array.idealCycles(shape)
        let gemmini = try GemminiMatmul.cycles(shape, accelerator: a)
        var rows: [[String]] = []
        func row(_ source: String, _ cycles: Double, _ energy: String, _ why: String) {
            rows.append([source, NumberFormat.grouped(Int(cycles.rounded())), NumberFormat.fixed(cycles / ideal, decimals: 3), energy, why])
        }
        row("ideal", ideal, "–", "every PE busy every cycle")
        row("our mapper (best, annealing)", ours.cost.cycles, NumberFormat.fixed(ours.cost.energyPicojoules / 1e6, decimals: 1),
            "bound by \(ours.cost.bottleneck); no fill/drain or weight preload: a throughput model, like ZigZag's; per-word energies (Horowitz, Eyeriss)")
        row("ZigZag 3.9.1 (data/peers/zigzag.csv)", Double(zigZagCycles), NumberFormat.fixed(zigZagMicrojoules, decimals: 1),
            "ideal + 12,288 cycles of on-load and 32 of off-load, charged once per layer; its own energy table (below)")
        for (df, cycles) in scaleSim {
            let closed = array.closedFormCycles(shape, df)
            row("closed form \(df.rawValue.uppercased()) (Core/Evaluation/Systolic)", Double(closed), "–", closedFormReason(df))
            row("SCALE-Sim 3.0.0 \(df.rawValue.uppercased()) (data/peers/scalesim.csv)", Double(cycles), "–", "the closed form minus one cycle (its counter's offset)")
        }
        row("Gemmini tile model (ch. 6)", Double(gemmini.totalCycles), "–",
            "WS closed form per block of \(gemmini.tiling.tileI * gemmini.tiling.dim) rows plus DMA stalls; blocks re-load operands")
        return Table(columns: [.init("Model", alignment: .left), .init("Cycles", alignment: .right), .init("× ideal", alignment: .right),
                               .init("Energy µJ", alignment: .right), .init("Why it differs", alignment: .left)], rows: rows)
    }

    /// Where the energy goes: our best mapping on our per-word table and on ZigZag's, beside ZigZag's own breakdown.
    static func energySection(_ s: inout Section, ours: MappingSearch.Result, gemmini: MappingSearch.Result, onZigZag: MappingSearch.Result,
                              zigZag: ZigZagEnergyRecord) {
        s.prose("""
            Energy needs the same prices on both sides. `data/peers/zigzag-energy.yaml` records ZigZag's own \
            per-access energies for its TPU-like array (zigzag-dse 3.9.1's `tpu_like.yaml`: DRAM 700 pJ per 64-bit \
            read, its 2 MB SRAM 416 pJ per 2048-bit read, 0.095 pJ per weight-register access, 0.021 pJ per 16-bit \
            partial-sum register access, 0.04 pJ per MAC) and ZigZag's breakdown of this GEMM, re-run to record it \
            (16-bit partial sums, 8-bit final outputs: the run that gives the notes' 337.8 µJ). Our levels take the \
            memory that plays their part in tpu_like; what tpu_like does not have or keep there (an L2, weights on \
            chip outside the PEs, an input register) costs nothing. With ZigZag's table our annealer searches again, \
            on the GEMM as ZigZag ran it, twice: on Gemmini's array, whose PE holds one weight, and on ZigZag's own \
            architecture (`MappingArchitecture.zigZagTPULike16`, the same as `data/arch/zigzag-tpu-like.yaml`: \
            `tpu_like.yaml` resized to 16 × 16, each PE with `rf_128B`, 128 weights, and `rf_2B`, one 16-bit partial \
            sum; one 2 MB SRAM for inputs and outputs; no L2; a 64-bit DRAM port).
            """)
        let c = ours.cost, g = gemmini.cost, z = onZigZag.cost
        func uj(_ x: Double) -> String { NumberFormat.fixed(x / 1e6, decimals: 1) }
        let levels = MappingArchitecture.Level.allCases.map { level in
            [level.description, uj(c.picojoules(level)), NumberFormat.percent(c.picojoules(level) / c.energyPicojoules, decimals: 1),
             uj(g.picojoules(level)), uj(z.picojoules(level)), NumberFormat.fixed(PeerRemainder.zigZagPart(zigZag, level), decimals: 1)]
        }
        s.table(Table(columns: [.init("Level", alignment: .left), .init("ours: µJ", alignment: .right), .init("share", alignment: .right),
                                .init("Gemmini's PE, ZigZag's table: µJ", alignment: .right), .init("ZigZag's tpu_like PE and table: µJ", alignment: .right),
                                .init("ZigZag itself: µJ", alignment: .right)],
                      rows: levels + [["MACs", uj(c.macPicojoules), NumberFormat.percent(c.macPicojoules / c.energyPicojoules, decimals: 1), uj(g.macPicojoules),
                                       uj(z.macPicojoules), NumberFormat.fixed(PeerRemainder.part(zigZag, ["MACs"]), decimals: 1)],
                                      ["total", uj(c.energyPicojoules), "100.0%", uj(g.energyPicojoules), uj(z.energyPicojoules),
                                       NumberFormat.fixed(zigZag.totalMicrojoules, decimals: 1)]],
                      caption: "Our best mapping's energy by level: with our per-word table on Gemmini (Core/Mapping/MappingEnergyTable.swift; 32-bit partial sums, as Gemmini's accumulator); the best mapping found with ZigZag's table (16-bit partial sums, as the ZigZag run) on Gemmini's array and on ZigZag's tpu_like architecture; and ZigZag's own breakdown summed onto our levels (below)."))
        s.table(Table(columns: [.init("ZigZag's breakdown (its re-run)", alignment: .left), .init("µJ", alignment: .right)],
                      rows: zigZag.breakdown.map { [$0.part, NumberFormat.fixed($0.microjoules, decimals: 3)] }
                          + [["total", NumberFormat.fixed(zigZag.totalMicrojoules, decimals: 3)]],
                      caption: "From data/peers/zigzag-energy.yaml, summed onto our levels in the last column above: DRAM (weights, inputs, final outputs), SRAM (our scratchpad for inputs, accumulator for outputs), registers (weights and partial sums) and MACs."))
    }

    static func checks(ours: MappingSearch.Result, gemmini: MappingSearch.Result, onZigZag: MappingSearch.Result, zigZag: ZigZagEnergyRecord,
                       _ a: Accelerator) -> [Claim] {
        let shape = GEMMShape(m: 128, n: 3072, k: 768)
        let array = try? SystolicArray(rows: a.meshRows, columns: a.meshColumns)
        let ideal = array?.idealCycles(shape) ?? 0
        let wsClosed = array?.closedFormCycles(shape, .weightStationary) ?? 0
        // The survey runs neither tool: these compare our models with the peers', not with the survey.
        let checks: [Claim] = [
            .number(id: "peers.mapper-vs-zigzag.cycles", reference: "data/peers/zigzag.csv", statement: "Our mapper's best cycles against ZigZag's best",
                    paper: Double(zigZagCycles), observed: ours.cost.cycles, tolerance: cycleTolerance, kind: .crossCheck),
            .number(id: "peers.mapper-vs-zigzag.energy", reference: "data/peers/zigzag.csv", statement: "Our mapper's best energy (µJ, our per-word table) against ZigZag's",
                    paper: zigZagMicrojoules, observed: ours.cost.energyPicojoules / 1e6, tolerance: energyTolerance, kind: .crossCheck,
                    note: "Different tables: ours prices a DRAM byte at 160 pJ (Horowitz: 640 pJ per 32-bit read) against ZigZag's 87.5 (700 pJ per 64-bit access), SRAM by √capacity per 64-bit word (the 64 KiB accumulator 28 pJ against ZigZag's 2 MB SRAM at 0.2 pJ per bit), every operand's register access at 0.3 pJ, and Gemmini's 32-bit partial sums; the per-level table above shows where it goes, and the next row prices the same search with ZigZag's table."),
            .number(id: "peers.mapper-vs-zigzag.energy-on-zigzag-table", reference: "data/peers/zigzag-energy.yaml",
                    statement: "Our mapper's best energy (µJ) priced with ZigZag's own table, against ZigZag's",
                    paper: zigZag.totalMicrojoules, observed: onZigZag.cost.energyPicojoules / 1e6, tolerance: zigZagTableTolerance, kind: .crossCheck,
                    note: PeerRemainder.note(onZigZag.cost, zigZag)),
            .number(id: "peers.mapper-vs-zigzag.energy-gemmini-pe", reference: "data/peers/zigzag-energy.yaml",
                    statement: "The same on Gemmini's one-weight PE (µJ, ZigZag's table)",
                    paper: zigZag.totalMicrojoules, observed: gemmini.cost.energyPicojoules / 1e6, tolerance: zigZagTableTolerance, kind: .crossCheck,
                    note: PeerRemainder.gemminiNote(gemmini.cost, zigZag)),
            .number(id: "peers.closed-form-vs-scalesim.ws", reference: "data/peers/scalesim.csv", statement: "WS closed form against SCALE-Sim's WS cycles (difference)",
                    paper: 1, observed: Double(wsClosed - scaleSim[0].1), tolerance: .absolute(0), kind: .crossCheck),
            .statement(id: "peers.ordering", reference: "data/peers/", statement: "ideal ≤ our mapper ≤ ZigZag < SCALE-Sim WS (fill and drain per fold)",
                       expected: "ideal ≤ ours ≤ ZigZag < SCALE-Sim", observed: "\(NumberFormat.grouped(Int(ideal))) ≤ \(NumberFormat.grouped(Int(ours.cost.cycles))) ≤ \(NumberFormat.grouped(zigZagCycles)) < \(NumberFormat.grouped(scaleSim[0].1))",
                       holds: ideal <= ours.cost.cycles && ours.cost.cycles <= Double(zigZagCycles) && zigZagCycles < scaleSim[0].1, kind: .crossCheck),
        ]
        return checks.map { $0.illustration() }
    }

    static func closedFormReason(_ d: Dataflow) -> String {
        switch d {
        case .weightStationary: return "⌈K/R⌉·⌈N/C⌉·(2R + C + M − 2): preload, fill and drain (46 cycles) for each of 9,216 folds of 128 rows"
        case .outputStationary: return "⌈M/R⌉·⌈N/C⌉·(R + C + K − 2): fill and drain once per output tile, amortised over K = 768"
        case .inputStationary: return "⌈K/R⌉·⌈M/C⌉·(2R + C + N − 2): amortised over N = 3072"
        }
    }
}

/// The explanation of what remains between our mapper on ZigZag's table and ZigZag itself, from the numbers, level by
/// level: on ZigZag's tpu_like architecture every level should match ZigZag's part; on Gemmini's array the
/// accumulator carries the gap.
enum PeerRemainder {
    static func part(_ z: ZigZagEnergyRecord, _ names: [String]) -> Double {
        z.breakdown.filter { names.contains($0.part) }.reduce(0) { $0 + $1.microjoules }
    }

    /// ZigZag's breakdown (µJ) summed onto one of our levels, as `data/peers/zigzag-energy.yaml`'s `levels` maps them.
    static func zigZagPart(_ z: ZigZagEnergyRecord, _ level: MappingArchitecture.Level) -> Double {
        switch level {
        case .dram: return part(z, ["weights / dram", "inputs / dram", "outputs / dram"])
        case .l2: return 0
        case .scratchpad: return part(z, ["inputs / sram_2MB"])
        case .accumulator: return part(z, ["outputs / sram_2MB"])
        case .registers: return part(z, ["weights / rf_128B", "outputs / rf_2B"])
        }
    }

    static func levels(_ c: MappingCost, _ z: ZigZagEnergyRecord) -> String {
        func uj(_ x: Double) -> String { NumberFormat.fixed(x, decimals: 1) }
        return [MappingArchitecture.Level.dram, .scratchpad, .accumulator, .registers].map { level in
            "\(level == .scratchpad ? "input SRAM" : level == .accumulator ? "output SRAM (our accumulator)" : level.description) \(uj(c.picojoules(level) / 1e6)) against \(uj(zigZagPart(z, level)))"
        }.joined(separator: ", ") + ", MACs \(uj(c.macPicojoules / 1e6)) against \(uj(part(z, ["MACs"])))"
    }

    static func note(_ c: MappingCost, _ z: ZigZagEnergyRecord) -> String {
        let gap = c.energyPicojoules / 1e6 - z.totalMicrojoules
        let writes = c.writes.accumulator.outputs * z.table.picojoules(.accumulator, .outputs, elementBits: 16, write: true) / 1e6
        let reads = c.reads.accumulator.outputs * z.table.picojoules(.accumulator, .outputs, elementBits: 16, write: false) / 1e6
        func uj(_ x: Double) -> String { NumberFormat.fixed(x, decimals: 2) }
        return "Our mapper on ZigZag's tpu_like architecture (MappingArchitecture.zigZagTPULike16, data/arch/zigzag-tpu-like.yaml), priced with ZigZag's table, level by level (µJ): \(levels(c, z)). The PE's partial-sum register accumulates the C steps of its register loops in place, so partial sums reach the output SRAM once per output (\(NumberFormat.grouped(Int(c.writes.accumulator.outputs))) 16-bit writes, \(uj(writes)) µJ), as in ZigZag. The remainder, \(uj(gap)) µJ (\(NumberFormat.percent(gap / z.totalMicrojoules, decimals: 2))), is at that SRAM: ZigZag's \(uj(zigZagPart(z, .accumulator))) µJ for outputs there is about our writes alone, and we also read each of the \(NumberFormat.grouped(Int(c.reads.accumulator.outputs))) finished outputs out at 16 bits on its way to DRAM (\(uj(reads)) µJ); ZigZag's breakdown does not split its SRAM reads from its writes, so which count differs is not recorded. No constant was tuned: ZigZag's prices, our counts."
    }

    static func gemminiNote(_ c: MappingCost, _ z: ZigZagEnergyRecord) -> String {
        let gap = c.energyPicojoules / 1e6 - z.totalMicrojoules
        return "Gemmini's array (the survey's) with ZigZag's prices, level by level (µJ): \(levels(c, z)). The gap (\(NumberFormat.fixed(gap, decimals: 1)) µJ) is the accumulator: Gemmini's PE holds one weight and no partial sum, so every array step sends its partial sums to the accumulator SRAM, while tpu_like's PE keeps 128 weights and a 16-bit partial-sum register and reduces 48 C steps in place before writing once (previous row). An architecture difference, not a price."
    }
}
