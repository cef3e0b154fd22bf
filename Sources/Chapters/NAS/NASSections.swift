import ChapterSupport
import Core
import Render

/// The report's sections, top to bottom.
enum NASSections {
    static func ppl(_ x: Double) -> String { NumberFormat.fixed(x, decimals: 3) }
    static func ratio(_ x: Double) -> String { NumberFormat.fixed(x, decimals: 2) + "×" }
    static func list(_ v: [Int]) -> String { "[" + v.map(String.init).joined(separator: ", ") + "]" }
    static func cycles(_ x: Double) -> String { NumberFormat.si(x, decimals: 3) }
    static func millijoules(_ pj: Double) -> String { NumberFormat.fixed(pj * 1e-9, decimals: 3) }
    /// Weight-matrix entries of an architecture's layers: 4·d·h·d_head (W_Q, W_K, W_V, W_out) + 2·d·d_FFN.
    static func layerParameters(_ a: NASArchitecture, headWidth: Int) -> Int {
        zip(a.heads, a.ffn).reduce(0) { $0 + 4 * a.dModel * $1.0 * headWidth + 2 * a.dModel * $1.1 }
    }

    /// `3.715×10¹²`.
    static func scientific(_ x: Double) -> String { NumberFormat.timesTenPower(x, decimals: 3) }

    // MARK: 6.1-6.3

    static func framework(_ s: NASSettings, run: NASRun, figures: inout FigureSet) throws -> SectionOutput {
        var sec = Section("6.1-6.3: searching for the architecture")
        sec.prose("""
            Early NAS trained every candidate from scratch and paid for it in GPU-years. Two ideas made it cheap: \
            searching over a few repeated building blocks or per-layer choices instead of whole graphs, and \
            weight sharing, where one large network is trained once and every candidate is a slice of it. For \
            Transformers the per-layer choices are the width, the number of heads and the FFN width of each \
            layer, and the search is usually evolutionary (Tab. 7). Hardware-aware NAS adds the cost of running \
            a candidate on the target accelerator as a second objective.
            """)
        sec.table(Table(columns: [.init("domain"), .init("method"), .init("search space"), .init("search"),
                                  .init("weight sharing")], rows: [
            ["NLP", "Evolved Transformer", "cell", "evolutionary", "none"],
            ["NLP", "HAT", "layer", "evolutionary", "once-for-all"],
            ["NLP", "NAS-BERT", "layer", "evolutionary", "single-path one-shot"],
            ["NLP", "Primer", "cell", "evolutionary", "none"],
            ["CV", "Autoformer", "layer", "evolutionary", "single-path one-shot"],
            ["CV", "GLiT", "layer", "evolutionary", "single-path one-shot"],
            ["CV", "ViT-ResNAS", "layer", "evolutionary", "single-path one-shot"],
            ["CV", "NAS-ViT", "layer", "evolutionary", "BigNAS"],
            ["CV", "BurgerFormer", "layer", "evolutionary", "single-path one-shot"],
        ], caption: "Tab. 7: Transformer NAS methods as the survey classifies them."))
        sec.figure(try figures.graph("05-fig24-methods", methodsGraph()),
                   caption: "Fig. 24: a controller trained by reinforcement learning, an evolving population, or a gradient on relaxed choices steers the search; every method in Tab. 7 evolves.")
        sec.figure(try figures.graph("05-fig23-framework", frameworkGraph(s, run: run)),
                   caption: "Fig. 23, as built here: the search space, the supernet trained once, the two evaluators and the search loop.")
        let scaled = run.space, survey = NASSearchSpace.survey
        func range(_ v: [Int]) -> String {
            v.count > 5 ? "\(v.min()!)–\(v.max()!), step \(v[1] - v[0])" : "{" + v.map(String.init).joined(separator: ", ") + "}"
        }
        sec.table(Table(columns: [.init("parameter"), .init("Tab. 8 (survey, priced by the hardware cost)"),
                                  .init("trained here (÷\(scaled.widthDivisor))"), .init("per layer")], rows: [
            ["N (layers)", range(survey.layerChoices), range(scaled.layerChoices), "no"],
            ["h (heads)", range(survey.headChoices), range(scaled.headChoices), "yes"],
            ["d (model width)", range(survey.dModelChoices), range(scaled.dModelChoices), "no"],
            ["d_FFN", range(survey.ffnChoices), range(scaled.ffnChoices), "yes"],
            ["head width", "\(survey.headDimension)", "\(scaled.headDimension)", "no"],
        ], caption: "Tab. 8: the search space. The trained copy divides every width by the same factor, so its choices correspond one to one."))
        let sameSize = scaled.size == survey.size
        let claim = Claim.statement(id: "tab8.scaled-space", reference: "Tab. 8",
                                    statement: "the scaled space has exactly Tab. 8's choices (one-to-one), hence its size",
                                    expected: scientific(survey.size) + " architectures",
                                    observed: scientific(scaled.size) + " architectures",
                                    holds: sameSize, kind: .crossCheck)
        sec.table(ClaimFormatting.table([claim]))
        sec.takeaway("The search space holds \(scientific(survey.size)) architectures; only weight sharing makes measuring their accuracy affordable.")
        return SectionOutput(sec, claims: [claim],
                       json: [("space_size", .number(survey.size)), ("width_divisor", .number(Double(scaled.widthDivisor)))])
    }

    static func frameworkGraph(_ s: NASSettings, run: NASRun) -> Graph {
        var g = Graph(name: "nas_framework")
        g.attributes = [("rankdir", "TB")] + GraphStyle.titleFont(size: 11)
        g.nodeDefaults = GraphStyle.roundedBox + [("fillcolor", GraphStyle.Colour.paleGrey)] + GraphStyle.nodeFont
        g.edgeDefaults = GraphStyle.edgeFont
        let sp = run.space
        g.node("space", label: "search space (Tab. 8)\nN, d, per-layer h and d_FFN\n÷\(sp.widthDivisor) for training", ["fillcolor": GraphStyle.Colour.paleBlue])
        g.node("corpus", label: "Jargon File 4.4.7\nbyte corpus\ntrain / validation split", ["shape": "note"])
        g.node("supernet", label: "weight-sharing supernet\nsandwich rule: largest, smallest,\n2 random per step", ["fillcolor": GraphStyle.Colour.paleBlue])
        g.node("search", label: "evolutionary search\npopulation \(s.evolution.population), \(s.evolution.iterations) iterations\nmutation \(NumberFormat.trimmed(s.evolution.mutationProbability, maxDecimals: 3)), crossover\nPareto-optimal parents", ["fillcolor": GraphStyle.Colour.paleOrange])
        g.node("evaluator", label: "accuracy evaluator\nrun the sub-network on\n\(s.validationWindows) validation windows", ["fillcolor": GraphStyle.Colour.paleGreen])
        g.node("hardware", label: "hardware cost\nper-operation lookup table\nGemmini: 64 KiB sp, 256 KiB acc,\nI-BERT units, l = \(s.hardwareSequenceLength)", ["fillcolor": GraphStyle.Colour.paleGreen])
        g.node("front", label: "Pareto front\n(perplexity, EDP)", ["shape": "ellipse"])
        g.edge("space", "supernet", ["label": "maximum widths"])
        g.edge("corpus", "supernet", ["label": "train split"])
        g.edge("space", "search", ["label": "genes"])
        g.edge("search", "evaluator", ["label": "candidate"])
        g.edge("supernet", "evaluator", ["label": "shared weights"])
        g.edge("evaluator", "search", ["label": "perplexity"])
        g.edge("search", "hardware", ["label": "full-width twin"])
        g.edge("hardware", "search", ["label": "latency, energy, EDP"])
        g.edge("search", "front")
        return g
    }

    // MARK: training

    static func training(_ s: NASSettings, run: NASRun, inputs: NASInputs, figures: inout FigureSet) throws -> SectionOutput {
        var sec = Section("6.4.1: the supernet, trained on this machine")
        let c = inputs.checkpoint, shape = c.supernet.shape, t = c.training
        let trainBytes = inputs.corpus.train.count
        let epochs = Double(t.steps * t.sequencesPerStep * shape.context) / Double(trainBytes)
        let phases = TrainingPhases(inputs.log, peak: t.peakLearningRate)
        sec.prose("""
            The survey trains a 6-layer, 768-wide supernet on WikiText-2 for 50 epochs on GPUs. We run the same \
            recipe where it can run on two CPU cores: a byte-level model (256 symbols, no tokeniser) on the Jargon \
            File, cut into training and validation text by fixed byte offsets, with Tab. 8's widths divided by \
            \(c.widthDivisor). Every step trains the largest, the smallest and two random sub-networks on the same \
            batch and averages their gradients (the sandwich rule). \(phases.prose) The weights are recorded in \
            `\(NASData.checkpointPath)`, so this report renders without training; `nas --train` repeats the run.
            """)
        sec.table(Table(columns: [.init("setting"), .init("survey"), .init("here")], rows: [
            ["corpus", "WikiText-2 (37k training, 4k validation examples)", "Jargon File 4.4.7: \(NumberFormat.grouped(trainBytes)) training, \(NumberFormat.grouped(inputs.corpus.validation.count)) validation bytes"],
            ["tokens", "words / subwords", "bytes (vocabulary 256)"],
            ["largest sub-network", "6 × (d 768, 12 heads of 64, d_FFN 3072)", "\(shape.maxLayers) × (d \(shape.maxDModel), \(shape.maxHeads) heads of \(shape.headDimension), d_FFN \(shape.maxFFN))"],
            ["parameters", NumberFormat.grouped(layerParameters(NASSearchSpace.survey.largest, headWidth: NASSearchSpace.survey.headDimension)) + " (layer weights)",
             NumberFormat.grouped(layerParameters(run.space.largest, headWidth: run.space.headDimension)) + " (layer weights); "
                + NumberFormat.grouped(c.supernet.parameters.count) + " in all"],
            ["context × batch", "512 × 16", "\(shape.context) × \(t.sequencesPerStep)"],
            ["training", "50 epochs, Adam, linear schedule", "\(NumberFormat.grouped(t.steps)) steps (\(NumberFormat.fixed(epochs, decimals: 2)) epochs), Adam, \(phases.summary)"],
            ["peak learning rate", "{5, 2, 1, 0.5} × 10⁻⁵", NumberFormat.significant(t.peakLearningRate, digits: 3)],
            ["sub-networks per step", "4 (sandwich rule)", "4 (sandwich rule)"],
            ["seed", "not stated", "\(t.seed)"],
        ], caption: "Training setup. Provenance of the recorded run (machine, wall time): data/nas/README.md."))
        let (chart, window) = trainingCurve(inputs.log)
        sec.figure(figures.svg("05-training", try chart.svg()),
                   caption: "The recorded training log (data/nas/training-log.tsv): training loss (solid, mean over \(window) steps) and validation loss at each check (dashed).")
        let lastSlice = inputs.log.suffix(window)
        let lastLargest = lastSlice.map { $0.losses[0] }.reduce(0, +) / Double(lastSlice.count)
        let lastSmallest = lastSlice.map { $0.losses[1] }.reduce(0, +) / Double(lastSlice.count)
        let b = run.baseline, sm = run.smallest
        sec.prose("""
            At the end of training the largest sub-network's training loss is \(NumberFormat.fixed(lastLargest, decimals: 3)) \
            nats per byte and the smallest's \(NumberFormat.fixed(lastSmallest, decimals: 3)). Measured on \
            \(s.validationWindows) validation windows of \(shape.context) bytes, the largest has perplexity \
            \(ppl(b.perplexity)) (the baseline of every comparison below) and the smallest \(ppl(sm.perplexity)). \
            Byte-level perplexities are small numbers (a uniform guess is 256), so a difference of 0.1 means more \
            here than on WikiText-2's word-level scale; the results section therefore carries the survey's \
            budgets over as fractions of the baseline.
            """)
        let claims = trainingClaims(inputs.log, window: window, phases: phases, cap: NASSettings.flatteningCap, baseline: b, smallest: sm)
        sec.table(ClaimFormatting.table(claims))
        sec.takeaway("One training run of \(NumberFormat.grouped(t.steps)) sandwich steps gives every sub-network usable weights; the largest is the most accurate.")
        return SectionOutput(sec, claims: claims, json: [
            ("training", .object([("steps", .number(Double(t.steps))), ("seed", .number(Double(t.seed))),
                                  ("final_loss_largest", .number(lastLargest)), ("final_loss_smallest", .number(lastSmallest))])),
            ("baseline_perplexity", .number(b.perplexity)), ("smallest_perplexity", .number(sm.perplexity)),
        ])
    }

    /// The training curve: each sub-network's training loss as a mean over windows of steps, and the validation
    /// checks of the largest and the smallest.
    static func trainingCurve(_ log: [SupernetTrainingRun.LogEntry]) -> (LineChart, window: Int) {
        let window = max(1, min(50, log.count / 20))
        func smoothed(_ index: Int) -> [Point] {
            stride(from: 0, to: log.count - window + 1, by: window).map { start in
                let slice = log[start..<(start + window)]
                return Point(x: Double(slice.last!.step), y: slice.map { $0.losses[index] }.reduce(0, +) / Double(window))
            }
        }
        func validation(_ index: Int) -> [Point] {
            log.compactMap { e in e.validation.map { Point(x: Double(e.step), y: $0[index]) } }
        }
        let chart = LineChart(title: "Sandwich training: loss per sub-network",
                              x: Axis(label: "step"), y: Axis(label: "loss (nats per byte)"),
                              series: [Series(name: "largest", points: smoothed(0), markers: false),
                                       Series(name: "smallest", points: smoothed(1), markers: false),
                                       Series(name: "random (first of two)", points: smoothed(2), markers: false),
                                       Series(name: "largest (validation)", points: validation(0), dashed: true),
                                       Series(name: "smallest (validation)", points: validation(1), dashed: true)])
        return (chart, window)
    }

    static func trainingClaims(_ log: [SupernetTrainingRun.LogEntry], window: Int, phases: TrainingPhases, cap: Int,
                               baseline b: NASEvaluated, smallest sm: NASEvaluated) -> [Claim] {
        let first = log.prefix(window).map { $0.losses[0] }.reduce(0, +) / Double(min(window, log.count))
        let last = log.suffix(window).map { $0.losses[0] }.reduce(0, +) / Double(min(window, log.count))
        var claims = [
            Claim.statement(id: "train.loss-falls", reference: "§6.4.1", statement: "training lowers the largest sub-network's loss",
                            expected: "last \(window) steps below the first \(window)",
                            observed: "\(NumberFormat.fixed(first, decimals: 3)) → \(NumberFormat.fixed(last, decimals: 3)) nats/byte",
                            holds: last < first - 1, kind: .measured),
            Claim.statement(id: "train.largest-beats-smallest", reference: "§6.4.1",
                            statement: "measured on held-out text, the largest sub-network is more accurate than the smallest",
                            expected: "perplexity(largest) < perplexity(smallest)",
                            observed: "\(ppl(b.perplexity)) vs \(ppl(sm.perplexity))",
                            holds: b.perplexity < sm.perplexity, kind: .measured),
        ]
        if let end = phases.constantEnd {
            claims.append(Claim.statement(id: "train.flattened", reference: "data/nas/README.md",
                                          statement: "the supernet was trained until its validation loss flattened by the rule stated before the run",
                                          expected: "the rule holds before the cap of \(NumberFormat.grouped(cap)) steps",
                                          observed: "constant phase ended at step \(NumberFormat.grouped(end))",
                                          holds: end < cap, kind: .measured))
        }
        return claims
    }

    // MARK: hardware cost

    static func hardware(_ s: NASSettings, run: NASRun) throws -> SectionOutput {
        var sec = Section("6.4.1: the hardware cost")
        let hw = run.hardware
        let base = run.baseline.fullWidth, small = run.smallest.fullWidth
        sec.prose("""
            The survey prices a candidate by summing a table of per-operation latencies and energies for a \
            Gemmini with a 64 KiB scratchpad, a 256 KiB accumulator and I-BERT's integer units. We build that \
            table from chapter 6's models: the Gemmini engine (double-buffered weights, two loops in flight) for the eight matmuls of a layer, the \
            integer-unit model for Softmax, LayerNorm, GELU and the residual adds, and chapter 4's per-access \
            energy table (Horowitz 45 nm, SRAM energy growing with √capacity) for energy. Each entry is keyed only \
            by the widths its operation depends on, so \(hw.table.count) entries cover the whole space. Every \
            architecture is priced at the survey's full width (d and d_FFN multiplied back by \
            \(run.space.widthDivisor)) for one inference of l = \(s.hardwareSequenceLength) tokens through its \
            layers; the embedding and output projection are left out (they are the same for every architecture \
            of one d).
            """)
        let layer = try hw.layer(base.dModel, base.heads[0], base.ffn[0])
        let ops = try NASHardwareCost.operationCosts(layer, energy: hw.energyTable)
        let total = ops.reduce(NASHardwareCost.Cost.zero) { $0 + $1.1 }
        sec.table(Table(columns: [.init("operation"), .init("cycles", alignment: .right), .init("share", alignment: .right),
                                  .init("energy (µJ)", alignment: .right), .init("share", alignment: .right)],
                        rows: ops.map { op, c in
                            [op.name, cycles(c.cycles), NumberFormat.percent(c.cycles / total.cycles, decimals: 1),
                             NumberFormat.fixed(c.picojoules * 1e-6, decimals: 1), NumberFormat.percent(c.picojoules / total.picojoules, decimals: 1)]
                        } + [["one layer", cycles(total.cycles), "100%", NumberFormat.fixed(total.picojoules * 1e-6, decimals: 1), "100%"]],
                        caption: "The table's entries for one baseline layer (d 768, 12 heads, d_FFN 3072), l = \(s.hardwareSequenceLength)."))
        let baseLUT = run.baseline.cost, smallLUT = run.smallest.cost
        let baseDirect = try hw.directCost(base), smallDirect = try hw.directCost(small)
        let baseIdeal = try hw.idealCycles(base), smallIdeal = try hw.idealCycles(small)
        sec.table(Table(columns: [.init("architecture"), .init("latency (cycles)", alignment: .right),
                                  .init("energy (mJ)", alignment: .right), .init("EDP (J·cycles)", alignment: .right),
                                  .init("ideal cycles (MACs / peak)", alignment: .right), .init("array busy", alignment: .right)], rows: [
            ["baseline (largest)", cycles(baseLUT.cycles), millijoules(baseLUT.picojoules), NumberFormat.significant(baseLUT.edp, digits: 4),
             cycles(baseIdeal), NumberFormat.percent(baseIdeal / baseLUT.cycles, decimals: 1)],
            ["smallest", cycles(smallLUT.cycles), millijoules(smallLUT.picojoules), NumberFormat.significant(smallLUT.edp, digits: 4),
             cycles(smallIdeal), NumberFormat.percent(smallIdeal / smallLUT.cycles, decimals: 1)],
        ], caption: "Table sums at full width. The survey re-times its Pareto-optimal networks with an RTL simulator; we have no RTL, so all latencies are chapter 6's Gemmini engine's (tile level, equal to its register-level mesh block by block)."))
        func agree(_ a: NASHardwareCost.Cost, _ b: NASHardwareCost.Cost) -> Double {
            max(abs(a.cycles - b.cycles) / b.cycles, abs(a.picojoules - b.picojoules) / b.picojoules)
        }
        // Monotonicity: widening any one gene of any evaluated architecture never makes it cheaper.
        var checked = 0, violations: [String] = []
        let full = NASSearchSpace.survey
        for e in run.evaluated.prefix(60) {
            let a = e.fullWidth
            var wider: [NASArchitecture] = []
            if let d = full.dModelChoices.first(where: { $0 > a.dModel }) { wider.append(NASArchitecture(dModel: d, heads: a.heads, ffn: a.ffn)) }
            for i in 0..<a.layers {
                if let h = full.headChoices.first(where: { $0 > a.heads[i] }) { var w = a; w.heads[i] = h; wider.append(w) }
                if let f = full.ffnChoices.first(where: { $0 > a.ffn[i] }) { var w = a; w.ffn[i] = f; wider.append(w) }
            }
            if a.layers < full.maxLayers { wider.append(NASArchitecture(dModel: a.dModel, heads: a.heads + [full.headChoices[0]], ffn: a.ffn + [full.ffnChoices[0]])) }
            for w in wider {
                let cw = try hw.cost(w)
                checked += 1
                if cw.cycles < e.cost.cycles || cw.picojoules < e.cost.picojoules { violations.append(w.description) }
            }
        }
        let claims = [
            Claim.number(id: "hw.lut-equals-direct", reference: "§6.4.1", statement: "table sum vs per-layer models, largest relative difference (baseline and smallest)",
                         paper: 0, observed: max(agree(baseLUT, baseDirect), agree(smallLUT, smallDirect)),
                         tolerance: .absolute(1e-12), kind: .crossCheck,
                         note: "the table keys each operation by the widths it depends on; a wrong key would show here"),
            Claim.statement(id: "hw.above-ideal", reference: "§6.4.1", statement: "engine latency is never below the ideal MACs / peak",
                            expected: "cycles ≥ ideal for baseline and smallest",
                            observed: "busy \(NumberFormat.percent(baseIdeal / baseLUT.cycles, decimals: 1)) and \(NumberFormat.percent(smallIdeal / smallLUT.cycles, decimals: 1))",
                            holds: baseLUT.cycles >= baseIdeal && smallLUT.cycles >= smallIdeal, kind: .crossCheck),
            Claim.statement(id: "hw.monotone", reference: "§6.4.1", statement: "widening one gene never lowers latency or energy",
                            expected: "no violation", observed: "\(violations.count) violations in \(checked) widenings",
                            holds: violations.isEmpty && checked > 0, kind: .crossCheck,
                            note: violations.prefix(3).joined(separator: "; ")),
        ]
        sec.table(ClaimFormatting.table(claims))
        sec.takeaway("Per-operation costs keyed by the widths they depend on make pricing an architecture a sum of \(10 * 6) table look-ups at most.")
        return SectionOutput(sec, claims: claims, json: [
            ("hardware_sequence_length", .number(Double(s.hardwareSequenceLength))),
            ("baseline_cost", costJSON(baseLUT)), ("smallest_cost", costJSON(smallLUT)),
        ])
    }

    static func costJSON(_ c: NASHardwareCost.Cost) -> JSONValue {
        .object([("cycles", .number(c.cycles)), ("picojoules", .number(c.picojoules.rounded())),
                 ("edp_joule_cycles", .number(c.edp))])
    }

    // MARK: search

    static func search(_ s: NASSettings, run: NASRun, figures: inout FigureSet) throws -> SectionOutput {
        var sec = Section("6.4.1: the evolutionary search")
        let e = s.evolution
        sec.prose("""
            The search starts from the largest and the smallest architecture and \(e.population - 2) random ones. \
            Each iteration keeps the population's Pareto-optimal members (in perplexity and EDP) as parents and \
            fills the rest of the next population with children: half by uniform crossover of two parents, half \
            by mutation, which redraws each gene with probability \(NumberFormat.trimmed(e.mutationProbability, maxDecimals: 3)). \
            A sub-network's perplexity is measured once and cached; \(run.result.evaluations) distinct \
            architectures were run in \(e.iterations) iterations (seed \(e.seed)). The children of a generation \
            are drawn before any of them is measured, so each generation's new architectures run together, in \
            parallel; the forward pass that measures them sums every product in a fixed order, with our own exp and \
            erf and no BLAS, so its perplexities are the same bits on any x86-64 CPU and for any number of threads.
            """)
        let base = run.baseline.cost.edp
        let shown = Array(Swift.Set([0, e.iterations / 4, e.iterations / 2, 3 * e.iterations / 4, e.iterations])).sorted()
        let series = shown.map { g in
            Series(name: "generation \(g)", points: run.result.generations[g].map { Point(x: $0.perplexity, y: $0.cost / base) })
        }
        let evolution = ScatterChart(title: "The population over the iterations",
                                     x: Axis(label: "validation perplexity"), y: Axis(label: "EDP / baseline EDP"),
                                     series: series)
        sec.figure(figures.svg("05-evolution", try evolution.svg()),
                   caption: "Normalised EDP against measured perplexity for the population of selected generations.")
        // The front, cross-checked against a brute-force scan of everything evaluated.
        let candidates = run.evaluated.map { NASCandidate(architecture: $0.architecture, perplexity: $0.perplexity, cost: $0.cost.edp) }
        let brute = Swift.Set(candidates.filter { c in !candidates.contains { $0.dominates(c) } }.map(\.architecture))
        let front = Swift.Set(run.result.front.map(\.architecture))
        let byArchitecture = Dictionary(run.evaluated.map { ($0.architecture, $0) }, uniquingKeysWith: { a, _ in a })
        sec.table(Table(columns: [.init("perplexity", alignment: .right), .init("EDP / baseline", alignment: .right),
                                  .init("latency / baseline", alignment: .right), .init("energy / baseline", alignment: .right),
                                  .init("architecture (trained widths)")],
                        rows: run.result.front.map { c in
                            let x = byArchitecture[c.architecture]!
                            return [ppl(c.perplexity), NumberFormat.fixed(c.cost / base, decimals: 3),
                                    NumberFormat.fixed(x.cost.cycles / run.baseline.cost.cycles, decimals: 3),
                                    NumberFormat.fixed(x.cost.picojoules / run.baseline.cost.picojoules, decimals: 3),
                                    c.architecture.description]
                        }, caption: "The Pareto front of (perplexity, EDP) over every evaluated architecture."))
        let claim = Claim.statement(id: "search.front-is-pareto", reference: "§6.4.1",
                                    statement: "the search's front equals a brute-force scan for non-dominated architectures",
                                    expected: "\(brute.count) architectures", observed: "\(front.count) architectures, same set: \(brute == front)",
                                    holds: brute == front, kind: .crossCheck)
        sec.table(ClaimFormatting.table([claim]))
        sec.takeaway("Keeping only Pareto-optimal parents pulls the population towards the lower-left corner within a few iterations.")
        return SectionOutput(sec, claims: [claim], json: [
            ("evaluations", .number(Double(run.result.evaluations))),
            ("front", .array(run.result.front.map { .object([("architecture", .string($0.architecture.description)),
                                                             ("perplexity", .number($0.perplexity)),
                                                             ("normalised_edp", .number($0.cost / base))]) })),
        ])
    }

    // MARK: results

    static func results(_ s: NASSettings, run: NASRun, inputs: NASInputs, figures: inout FigureSet) throws -> SectionOutput {
        var sec = Section("6.4.2: results (Figs. 25-26, Tab. 9)")
        let b = run.baseline
        let low = run.gains(NASRun.budgets[0]), high = run.gains(NASRun.budgets[1])
        let found = low.lowestEDP
        sec.prose("""
            The survey reads its gains off the evaluated architectures: the cheapest one that loses at most 0.1 \
            (or 1) perplexity against the baseline. It does not print the baseline's perplexity; reading its \
            Fig. 25 axis and Tab. 9's 22.51 (a pick within +0.1), we infer about \
            \(NumberFormat.trimmed(NASChapter.surveyBaselinePerplexity, maxDecimals: 2)) (our inference, not a \
            printed number), so those budgets are about \(NumberFormat.trimmed(low.budget.relative * 100, maxDecimals: 2))% and \
            \(NumberFormat.trimmed(high.budget.relative * 100, maxDecimals: 1))% of it; we apply the same fractions to our baseline (\(ppl(b.perplexity))), giving thresholds \
            \(ppl(low.threshold)) and \(ppl(high.threshold)). Each metric takes the best architecture within the \
            budget for that metric; the architecture reported in Tab. 9's form is the lowest-EDP one within the \
            small budget.
            """)
        let better = run.evaluated.filter { $0.perplexity < b.perplexity }
        let best = run.evaluated.min { ($0.perplexity, $0.architecture.description) < ($1.perplexity, $1.architecture.description) }!
        if !better.isEmpty {
            sec.prose("""
                \(better.count) of the \(run.evaluated.count) evaluated sub-networks measure a lower perplexity than the \
                baseline (the lowest, \(ppl(best.perplexity)), at \(NumberFormat.fixed(best.cost.edp / b.cost.edp, decimals: 2))× \
                its EDP): after a short training run the largest slice of the shared weights is not the most accurate \
                one. The budgets are still measured from the baseline, as the survey measures them.
                """)
        } else {
            let inBudget = run.evaluated.filter { $0.perplexity <= low.threshold }.count - 1
            sec.prose("""
                No evaluated sub-network measures a lower perplexity than the baseline: trained until its validation \
                loss flattened, the supernet ranks its largest slice first, and only \(inBudget) of the other \
                \(run.evaluated.count - 1) lie within the +0.1 budget.
                """)
        }
        try paretoFigures(run, found: found, settings: s, into: &sec, figures: &figures)
        sec.table(gainsTable(run))
        table9(found, baseline: b, into: &sec)
        sec.figure(try figures.graph("05-found-architecture", architectureGraph(found, baseline: b)),
                   caption: "The found architecture layer by layer, at the full width it is priced at.")
        let unseenLosses = try heldOut(s, run: run, inputs: inputs, picks: [low, high], into: &sec)
        let claims = gainClaims(run)
        if let spread = inputs.seedSpread, case let .relative(tolerance) = NASChapter.gainTolerance {
            spread.present(run: NASSeedSpread.row(seed: Int(s.evolution.seed), low, high), tolerance: tolerance, into: &sec)
        }
        sec.table(ClaimFormatting.table(claims))
        sec.takeaway(heldOutTakeaway(picks: [low, high], baseline: b, unseenLosses: unseenLosses))
        return SectionOutput(sec, claims: claims, json: [
            ("found", .object([("architecture", .string(found.architecture.description)), ("full_width", .string(found.fullWidth.description)),
                               ("perplexity", .number(found.perplexity)), ("cost", costJSON(found.cost))])),
            ("gains", .array([low, high].map { g in .object([("budget", .string(g.budget.label)), ("threshold", .number(g.threshold)),
                                                             ("latency", .number(g.latency)), ("energy", .number(g.energy)),
                                                             ("edp", .number(g.edp))]) })),
        ])
    }

    /// Fig. 25 (latency, energy) and Fig. 26 (EDP) against perplexity, the baseline and the found one marked.
    static func paretoFigures(_ run: NASRun, found: NASEvaluated, settings s: NASSettings, into sec: inout Section,
                              figures: inout FigureSet) throws {
        let b = run.baseline
        func chart(_ title: String, _ label: String, _ value: (NASEvaluated) -> Double, file: String) throws -> String {
            let others = run.evaluated.filter { $0.architecture != b.architecture && $0.architecture != found.architecture }
            let series = [
                Series(name: "evaluated architectures", points: others.map { Point(x: $0.perplexity, y: value($0)) }),
                Series(name: "baseline (largest)", points: [Point(x: b.perplexity, y: value(b))]),
                Series(name: "found (+0.1)", points: [Point(x: found.perplexity, y: value(found))]),
            ]
            let c = ScatterChart(title: title, x: Axis(label: "validation perplexity (bytes)"), y: Axis(label: label),
                                 series: series, paretoFront: .minimiseBoth)
            return figures.svg(file, try c.svg())
        }
        sec.figure(try chart("Fig. 25 (left): latency against perplexity", "latency (10⁶ cycles)", { $0.cost.cycles / 1e6 },
                             file: "05-fig25-latency"),
                   caption: "Every evaluated architecture; the dashed line is the front of this plot's two metrics.")
        sec.figure(try chart("Fig. 25 (right): energy against perplexity", "energy (mJ)", { $0.cost.picojoules * 1e-9 },
                             file: "05-fig25-energy"),
                   caption: "Energy per inference of l = \(s.hardwareSequenceLength) tokens at full width.")
        sec.figure(try chart("Fig. 26: normalised EDP against perplexity", "EDP / baseline EDP", { $0.cost.edp / b.cost.edp },
                             file: "05-fig26-edp"),
                   caption: "EDP normalised to the baseline, as the survey plots it.")
    }

    /// The gains within each budget, as fractions (the claims') and as absolute perplexity points.
    static func gainsTable(_ run: NASRun) -> Table {
        let low = run.gains(NASRun.budgets[0]), high = run.gains(NASRun.budgets[1])
        let absLow = run.gains(NASRun.budgets[0], absolute: true), absHigh = run.gains(NASRun.budgets[1], absolute: true)
        func row(_ g: NASRun.Gains, _ how: String) -> [String] {
            let paper = g.budget.surveyGains
            return [g.budget.label + " " + how, ppl(g.threshold), "\(g.candidates)",
                    ratio(g.latency) + " (" + ratio(paper.latency) + ")", ratio(g.energy) + " (" + ratio(paper.energy) + ")",
                    ratio(g.edp) + " (" + ratio(paper.edp) + ")"]
        }
        return Table(columns: [.init("budget"), .init("perplexity ≤", alignment: .right), .init("within", alignment: .right),
                                  .init("latency gain (survey)", alignment: .right), .init("energy gain (survey)", alignment: .right),
                                  .init("EDP gain (survey)", alignment: .right)], rows: [
            row(low, "(as a fraction, used for the claims)"), row(high, "(as a fraction, used for the claims)"),
            row(absLow, "(absolute, for comparison)"), row(absHigh, "(absolute, for comparison)"),
        ], caption: "Gains over the baseline of the best evaluated architecture within each budget, per metric.")
    }

    /// Tab. 9: the found architecture beside the survey's sample.
    static func table9(_ found: NASEvaluated, baseline b: NASEvaluated, into sec: inout Section) {
        sec.subheading("Tab. 9: the architecture found")
        let fw = found.fullWidth
        sec.table(Table(columns: [.init(""), .init("survey's sample (Tab. 9)"), .init("found here (full width)"), .init("as trained")], rows: [
            ["N", "6", "\(fw.layers)", "\(found.architecture.layers)"],
            ["h", "[12, 6, 12, 8, 10, 6]", list(fw.heads), list(found.architecture.heads)],
            ["d", "672", "\(fw.dModel)", "\(found.architecture.dModel)"],
            ["d_FFN", "[1280, 1280, 2560, 768, 2048, 1024]", list(fw.ffn), list(found.architecture.ffn)],
            ["EDP", "3.6×10⁹ (units not stated)", NumberFormat.significant(found.cost.edp, digits: 3) + " J·cycles", ""],
            ["EDP / baseline", "1 / 2.2", NumberFormat.fixed(found.cost.edp / b.cost.edp, decimals: 3), ""],
            ["perplexity", "22.51", ppl(found.perplexity) + " (baseline " + ppl(b.perplexity) + ")", "bytes"],
        ], caption: "The lowest-EDP architecture within the +0.1 budget."))
    }

    /// The gains' claims at both budgets, their ordering, and Tab. 9's pick checked against the Pareto front.
    static func gainClaims(_ run: NASRun) -> [Claim] {
        let low = run.gains(NASRun.budgets[0]), high = run.gains(NASRun.budgets[1])
        let deviations = NASChapter.knownDeviations(run)
        let found = low.lowestEDP
        var claims: [Claim] = []
        for g in [low, high] {
            let paper = g.budget.surveyGains
            for (metric, ours, theirs, ref) in [("latency", g.latency, paper.latency, "Fig. 25"), ("energy", g.energy, paper.energy, "Fig. 25"),
                                                ("edp", g.edp, paper.edp, "Fig. 26")] {
                let id = "gain.\(metric).\(g.budget.idKey)"
                claims.append(Claim.number(id: id, reference: "\(ref), §6.4.2",
                                           statement: "\(metric == "edp" ? "EDP" : metric) gain within \(g.budget.label) perplexity (as a fraction of the baseline)",
                                           paper: theirs, observed: ours, tolerance: NASChapter.gainTolerance,
                                           note: "trend at CPU scale: byte-level model ÷\(run.space.widthDivisor), Jargon File",
                                           knownDeviation: deviations[id]))
            }
        }
        let grows = high.latency >= low.latency && high.energy >= low.energy && high.edp >= low.edp
        claims.append(Claim.statement(id: "gain.grows-with-budget", reference: "§6.4.2", statement: "every gain is at least as large at +1 as at +0.1",
                                      expected: "latency 1.4→2.4, energy 1.6→4.4, EDP 2.2→10.6",
                                      observed: "latency \(ratio(low.latency))→\(ratio(high.latency)), energy \(ratio(low.energy))→\(ratio(high.energy)), EDP \(ratio(low.edp))→\(ratio(high.edp))",
                                      holds: grows, knownDeviation: deviations["gain.grows-with-budget"]))
        let edpLargest = low.edp >= max(low.latency, low.energy) && high.edp >= max(high.latency, high.energy)
        claims.append(Claim.statement(id: "gain.edp-largest", reference: "§6.4.2", statement: "the EDP gain exceeds the latency and the energy gain at both budgets",
                                      expected: "EDP > latency, energy", observed: "\(ratio(low.edp)) and \(ratio(high.edp))",
                                      holds: edpLargest, knownDeviation: deviations["gain.edp-largest"]))
        let pick = run.frontPick(threshold: low.threshold)
        claims.append(Claim.statement(id: "tab9.lowest-edp", reference: "Tab. 9", statement: "the found architecture is the lowest-EDP one within +0.1 (front vs scan of all evaluated)",
                                      expected: found.architecture.description, observed: pick?.architecture.description ?? "none",
                                      holds: pick?.architecture == found.architecture, kind: .crossCheck))
        return claims
    }

    /// How many more windows than the search measured the held-out check reads.
    static let heldOutFactor = 8

    /// The picks re-measured on validation windows the search never read: the search selects on
    /// `validationWindows` windows, so a pick can sit inside its budget by the luck of that sample.
    /// Returns the first pick's perplexity loss against the baseline on the unseen windows (a fraction), nil when
    /// the split has no unseen window.
    /// The results' takeaway, led by what the picks lose on text the search never read (when it was measured),
    /// since a gain bought outside its accuracy budget is not the survey's gain.
    static func heldOutTakeaway(picks: [NASRun.Gains], baseline b: NASEvaluated, unseenLosses: [Double]?) -> String {
        func percent(_ x: Double) -> String { NumberFormat.percent(x, decimals: 2) }
        func searchedLoss(_ g: NASRun.Gains) -> Double { g.lowestEDP.perplexity / b.perplexity - 1 }
        guard let losses = unseenLosses, losses.count == picks.count, !picks.isEmpty else {
            let parts = picks.map { "the \($0.budget.label) pick loses \(percent(searchedLoss($0))) against \(percent($0.budget.relative)) for \(ratio($0.edp)) lower EDP" }
            return "On the windows the search ranked on, " + parts.joined(separator: "; ") + "; held-out perplexity was not measured in this run, so these gains are only as good as that short sample."
        }
        let parts = zip(picks, losses).map { g, loss -> String in
            let within = loss <= g.budget.relative
            return "the \(g.budget.label) pick loses \(percent(loss)) against its \(percent(g.budget.relative)) budget (\(percent(searchedLoss(g))) on the searched windows), "
                + (within ? "within it, so its \(ratio(g.edp)) lower EDP holds" : "outside it, so its \(ratio(g.edp)) lower EDP is not a gain within the budget")
        }
        let outside = zip(picks, losses).contains { $0.1 > $0.0.budget.relative }
        return "Held-out perplexity decides which gains count: on text the search never read, " + parts.joined(separator: "; ") + "."
            + (outside ? " Ranking on a short sample flatters a small budget." : "")
    }

    static func heldOut(_ s: NASSettings, run: NASRun, inputs: NASInputs, picks: [NASRun.Gains], into sec: inout Section) throws
        -> [Double]? {
        let net = inputs.checkpoint.supernet, context = net.shape.context
        let validation = inputs.corpus.validation
        let start = min(validation.count, s.validationWindows * context)
        let unseen = Array(validation[start...])
        let available = max(0, (unseen.count - 1) / context)
        let windows = min(available, s.validationWindows * heldOutFactor)
        guard windows > 0 else {
            sec.prose("The validation split has no window beyond the \(s.validationWindows) the search measured, so no held-out check is possible.")
            return nil
        }
        // One pass over the unseen windows gives every perplexity below, whole and block by block.
        let measured = try SupernetEvaluator(net, threads: s.evaluationThreads)
            .perplexities([run.baseline.architecture] + picks.map(\.lowestEDP.architecture), on: unseen,
                          windows: windows, windowsPerBlock: s.validationWindows)
        let base = measured.whole[0]
        var rows = [["baseline (largest)", ppl(run.baseline.perplexity), ppl(base), "", ""]]
        var verdicts: [String] = []
        var losses: [Double] = []
        for (i, g) in picks.enumerated() {
            let p = measured.whole[i + 1]
            let limit = base * (1 + g.budget.relative)
            let change = (p / base - 1) * 100, searched = (g.lowestEDP.perplexity / run.baseline.perplexity - 1) * 100
            losses.append(p / base - 1)
            rows.append(["lowest EDP within \(g.budget.label)", ppl(g.lowestEDP.perplexity), ppl(p),
                         NumberFormat.fixed(searched, decimals: 2) + "% → " + NumberFormat.fixed(change, decimals: 2) + "%",
                         p <= limit ? "yes" : "no"])
            verdicts.append("the \(g.budget.label) pick \(p <= limit ? "stays within" : "falls outside") its budget "
                + "(\(NumberFormat.fixed(change, decimals: 2))% against \(NumberFormat.fixed(g.budget.relative * 100, decimals: 2))%)")
        }
        sec.subheading("The picks on text the search never read")
        sec.prose("""
            The search ranks architectures on the first \(s.validationWindows) validation windows \
            (\(s.validationWindows * context) bytes), and a budget of \(NumberFormat.fixed(picks[0].budget.relative * 100, decimals: 2))% \
            is small next to the noise of so short a sample, so a pick may be inside its budget by luck. Re-measured \
            on the next \(windows) windows (\(windows * context) bytes that no step of the search read), \
            \(verdicts.joined(separator: ", and ")).
            """)
        sec.table(Table(columns: [.init("architecture"), .init("searched windows", alignment: .right),
                                  .init("unseen windows", alignment: .right), .init("loss against the baseline", alignment: .right),
                                  .init("within budget", alignment: .center)], rows: rows,
                        caption: "Validation perplexity on the windows the search used and on \(windows) windows it did not."))
        if measured.blocks[0].count >= 2 {
            let spreads = picks.enumerated().map { i, g in
                BlockSpread(budget: g.budget, losses: zip(measured.blocks[i + 1], measured.blocks[0]).map { $0 / $1 - 1 })
            }
            present(spreads, windowsPerBlock: s.validationWindows, into: &sec)
        }
        return losses
    }

    static func architectureGraph(_ e: NASEvaluated, baseline: NASEvaluated) -> Graph {
        var g = Graph(name: "found_architecture")
        let a = e.fullWidth, w = NASSearchSpace.survey.headDimension
        g.attributes = [("rankdir", "TB")] + GraphStyle.titleFont(size: 11) + [("label", "found: d = \(a.dModel), EDP = \(NumberFormat.fixed(e.cost.edp / baseline.cost.edp, decimals: 3)) × baseline, perplexity \(ppl(e.perplexity))")]
        g.nodeDefaults = GraphStyle.roundedBox + [("fillcolor", GraphStyle.Colour.paleGrey)] + GraphStyle.nodeFont
        g.node("input", label: "bytes → embedding (d = \(a.dModel))", ["shape": "ellipse"])
        var previous = "input"
        for i in 0..<a.layers {
            let id = "layer\(i + 1)"
            g.node(id, label: "layer \(i + 1)\nMHA: \(a.heads[i]) heads × \(w) = \(a.heads[i] * w)\nFFN: d_FFN = \(a.ffn[i])",
                   ["fillcolor": a.heads[i] == 12 && a.ffn[i] == 3072 ? GraphStyle.Colour.paleGrey : GraphStyle.Colour.paleBlue])
            g.edge(previous, id)
            previous = id
        }
        g.node("output", label: "LayerNorm → next-byte logits", ["shape": "ellipse"])
        g.edge(previous, "output")
        return g
    }

    // MARK: composition

    static func composition(_ s: NASSettings, run: NASRun) throws -> SectionOutput {
        var sec = Section("The full stack: where 88.7× comes from")
        let ours = run.gains(NASRun.budgets[0]).edp
        sec.prose("""
            The survey's headline multiplies chapter 6's latency gain of the Transformer-tuned Gemmini over the \
            CNN-tuned one (39.6×) by the NAS's EDP gain at +0.1 perplexity (2.24×): two different metrics. Our \
            NAS factor, measured above, is \(ratio(ours)); with the survey's 39.6 it composes to \
            \(NumberFormat.fixed(NASChapter.surveyHardwareSpeedup * ours, decimals: 1))×.
            """)
        let claims = [
            Claim.number(id: "compose.survey", reference: "§0, conclusion", statement: "39.6 (latency) × 2.24 (EDP)",
                         paper: NASChapter.surveyHeadline, observed: NASChapter.surveyHardwareSpeedup * NASChapter.surveyNASEDPGain,
                         tolerance: .printed(decimals: 1), kind: .crossCheck),
            Claim.number(id: "compose.ours", reference: "§0", statement: "39.6 (cited) × our EDP gain at +0.1",
                         paper: NASChapter.surveyHeadline, observed: NASChapter.surveyHardwareSpeedup * ours,
                         tolerance: NASChapter.gainTolerance, knownDeviation: NASChapter.knownDeviations(run)["compose.ours"]),
        ]
        sec.table(ClaimFormatting.table(claims))
        sec.takeaway("NAS multiplies whatever the hardware gives: the architecture is the last layer of the stack to co-design.")
        return SectionOutput(sec, claims: claims, json: [("nas_edp_factor", .number(ours))])
    }
}

/// The learning-rate phases of a recorded training log: the warm-up, the constant phase of a run until flat
/// (its last step), and the decay.
struct TrainingPhases {
    var warmup: Int
    /// When the run kept the peak rate until its validation loss flattened: the validation check at which the
    /// rule held (or the cap was reached), the last check at the peak rate; nil for a fixed-length run, whose
    /// checks all fall in its decay.
    var constantEnd: Int?
    /// Steps after `constantEnd` (or the warm-up), the first of them still at the peak.
    var decay: Int

    /// The phases as the log's learning rates show them (the log, not the flags of the run reading it, tells
    /// how the checkpoint was trained).
    init(_ log: [SupernetTrainingRun.LogEntry], peak: Double) {
        warmup = min(log.count, log.prefix { $0.learningRate < peak }.count + 1)   // its last step reaches the peak
        constantEnd = log.last { $0.learningRate == peak && $0.validation != nil }?.step
        decay = log.count - (constantEnd ?? warmup)
    }

    var prose: String {
        guard let end = constantEnd else {
            return "Adam warms up linearly over \(NumberFormat.grouped(warmup)) steps and decays linearly to 0."
        }
        return "Adam warms up linearly over \(NumberFormat.grouped(warmup)) steps, keeps its peak rate until the "
            + "validation loss flattens (by the rule stated in data/nas/README.md before the run: here at step "
            + "\(NumberFormat.grouped(end))) and then decays linearly to 0 over \(NumberFormat.grouped(decay)) steps."
    }

    var summary: String {
        guard let end = constantEnd else { return "linear warm-up and decay" }
        return "warm-up \(NumberFormat.grouped(warmup)) steps, peak rate to step \(NumberFormat.grouped(end)) "
            + "(validation flat), linear decay over \(NumberFormat.grouped(decay))"
    }
}
