import ChapterSupport
import Core
import Render

/// §4.3: Softermax's passes, I-BERT's 2nd-order polynomial against a 5th-order Taylor series, and big-little /
/// speculative decoding and early exit on the decoder workload.
enum TransformerSpecificStudy {
    /// GPT-2 Large (Radford et al. 2019): 36 layers, d = 1280, 20 heads; the "big" model of the decoding study.
    static let gpt2Large = TransformerConfig(name: "gpt2-large", displayName: "GPT-2 Large", layers: 36, dModel: 1280, heads: 20,
                                             dFFN: 5120, architecture: .decoder)

    /// §4.3's sections: passes, the exp approximations, and speculative decoding with early exit.
    static func build(_ s: FixedArchitectureSettings, figures: inout FigureSet) throws -> [SectionOutput] {
        [passesSection(), try polynomialSection(), try decodingSection(s, figures: &figures)]
    }

    /// Softmax, Softermax and LayerNorm passes, measured.
    static func passesSection() -> SectionOutput {
        var passes = Section("4.3: Softmax, Softermax and LayerNorm passes")
        passes.prose("Measured by counting reads per element of a 1,000-element row (Core's `NonlinearPasses`, as chapter 2). Softermax keeps a running maximum and rescales its running sum whenever the maximum grows, so the maximum and the sum come from one pass.")
        let sample = (0..<1000).map { Double(($0 * 7919) % 1009) / 100 - 5 }
        func measure(_ body: (inout CountingRow) -> Void) -> Double {
            var row = CountingRow(sample)
            body(&row)
            return row.readPasses
        }
        let passClaims = [
            Claim.number(id: "passes.softmax", reference: "§2.1.1, §4.3", statement: "Softmax (maximum subtracted): passes", paper: 3,
                         observed: measure { NonlinearPasses.softmax(&$0) }, tolerance: .absolute(0)),
            Claim.number(id: "passes.softermax", reference: "§4.3", statement: "Softermax (online normalisation): passes", paper: 2,
                         observed: measure { NonlinearPasses.onlineSoftmax(&$0) }, tolerance: .absolute(0)),
            Claim.number(id: "passes.layernorm", reference: "§2.1.1", statement: "LayerNorm: passes", paper: 3,
                         observed: measure { NonlinearPasses.layerNorm(&$0) }, tolerance: .absolute(0)),
        ]
        passes.table(ClaimFormatting.table(passClaims))
        passes.takeaway("Online normalisation saves one full read of every attention score row: a third of Softmax's memory traffic.")
        return SectionOutput(passes, claims: passClaims)
    }

    /// I-BERT's polynomial against Taylor series of e^p: error in real and integer arithmetic, operations, energy.
    static func polynomialSection() throws -> SectionOutput {
        var poly = Section("4.3: I-BERT's 2nd-order polynomial against a 5th-order Taylor series")
        poly.prose("""
            Both approximate e^p on p ∈ (−ln 2, 0] after the same range reduction e^x = e^p·2^−z. I-BERT fits \
            a(p + b)² + c (one multiply, the square, and two adds); SpAtten's Taylor series of order 5 needs five \
            multiplies and five adds by Horner's rule. The integer rows run Core's I-BERT `exp` kernel and an \
            integer Horner Taylor kernel on every code of the 2^−14 grid in (−ln 2, 0] (11,357 inputs); energy per \
            evaluation uses Fig. 15's 32-bit integer rows (32b Mult 3.1 pJ, 32b Add 0.1 pJ).
            """)
        let grid = (0...20_000).map { -IBERT_ln2 * Double($0) / 20_001 }
        let polyError = ApproximationError.compare(grid.map { Reference.polynomialExp($0) }, grid.map { Reference.exp($0) })
        var taylorErrors: [Int: ApproximationError] = [:]
        for order in [2, 3, 5] {
            taylorErrors[order] = ApproximationError.compare(grid.map { TaylorExp.evaluate($0, order: order) }, grid.map { Reference.exp($0) })
        }
        let fraction = 14, one = 1 << fraction
        let codes = (0..<Int((IBERT_ln2 * Double(one)).rounded(.down))).map { -Int64($0) }
        let exact = codes.map { Reference.exp(Double($0) / Double(one)) }
        let intPoly = ApproximationError.compare(try codes.map { try IBERT.exp(ScaledInteger($0, scale: 1 / Double(one)), upshift: 0).value }, exact)
        let intTaylor = ApproximationError.compare(try codes.map { try TaylorExp.integer($0, fractionBits: fraction, order: 5).value }, exact)
        let mult = Horowitz45nm.entry(.multiply, .int32)!.energyPicojoules, add = Horowitz45nm.entry(.add, .int32)!.energyPicojoules
        func energy(_ ops: (multiplies: Int, adds: Int)) -> Double { Double(ops.multiplies) * mult + Double(ops.adds) * add }
        poly.table(Table(columns: [.init("Approximation of e^p"), .init("Max error (real)", alignment: .right), .init("Max error (integer kernel)", alignment: .right),
                                   .init("Multiplies", alignment: .right), .init("Adds", alignment: .right), .init("Energy (pJ)", alignment: .right)],
                         rows: [
                            ["I-BERT 0.35815(p + 1.35365)² + 0.34372", NumberFormat.significant(polyError.maximum, digits: 3), NumberFormat.significant(intPoly.maximum, digits: 3), "1", "2", NumberFormat.fixed(energy((1, 2)), decimals: 1)],
                            ["Taylor, order 2", NumberFormat.significant(taylorErrors[2]!.maximum, digits: 3), "–", "2", "2", NumberFormat.fixed(energy(TaylorExp.operations(order: 2)), decimals: 1)],
                            ["Taylor, order 3", NumberFormat.significant(taylorErrors[3]!.maximum, digits: 3), "–", "3", "3", NumberFormat.fixed(energy(TaylorExp.operations(order: 3)), decimals: 1)],
                            ["Taylor, order 5 (SpAtten)", NumberFormat.significant(taylorErrors[5]!.maximum, digits: 3), NumberFormat.significant(intTaylor.maximum, digits: 3), "5", "5", NumberFormat.fixed(energy(TaylorExp.operations(order: 5)), decimals: 1)],
                         ], caption: "Real: 20,001 points of (−ln 2, 0]. Integer: each kernel's output scale; an Int8 step of the output is 3.9e-3."))
        let polyClaims = [
            Claim.statement(id: "exp.taylor5-more-accurate", reference: "§4.3", statement: "the 5th-order Taylor series is more accurate than I-BERT's 2nd-order fit, in real and in integer arithmetic",
                            expected: "Taylor-5 error < I-BERT error",
                            observed: "real \(NumberFormat.significant(taylorErrors[5]!.maximum, digits: 2)) vs \(NumberFormat.significant(polyError.maximum, digits: 2)); integer \(NumberFormat.significant(intTaylor.maximum, digits: 2)) vs \(NumberFormat.significant(intPoly.maximum, digits: 2))",
                            holds: taylorErrors[5]!.maximum < polyError.maximum && intTaylor.maximum < intPoly.maximum,
                            note: "the survey names both methods but does not compare their accuracy").illustration(),
            Claim.statement(id: "exp.poly-beats-taylor2", reference: "§4.3", statement: "at equal order, the fitted polynomial beats the Taylor series",
                            expected: "I-BERT < Taylor-2", observed: "\(NumberFormat.significant(polyError.maximum, digits: 2)) vs \(NumberFormat.significant(taylorErrors[2]!.maximum, digits: 2))",
                            holds: polyError.maximum < taylorErrors[2]!.maximum,
                            note: "the survey does not compare them").illustration(),
            Claim.number(id: "exp.poly-max-error", reference: "I-BERT §3.4", statement: "I-BERT's exp polynomial: max error on (−ln 2, 0]", paper: 1.9e-3,
                         observed: polyError.maximum, tolerance: .relative(0.05), kind: .crossCheck, note: "chapter 2 checks the same with its own grid"),
        ]
        poly.claims(polyClaims)
        poly.takeaway("Both are well below an 8-bit step; I-BERT's fit buys its accuracy with one multiply where the Taylor series needs five, which is why a fitted low-order polynomial is the better trade for Int8 outputs.")
        return SectionOutput(poly, claims: polyClaims, json: [
            ("expError", .object([("ibertPolynomial", .number(polyError.maximum)), ("taylor5", .number(taylorErrors[5]!.maximum)),
                                  ("ibertInteger", .number(intPoly.maximum)), ("taylor5Integer", .number(intTaylor.maximum))])),
        ])
    }

    /// Speculative decoding and early exit on the decoder step graph, priced by the roofline.
    static func decodingSection(_ s: FixedArchitectureSettings, figures: inout FigureSet) throws -> SectionOutput {
        var decoding = Section("4.3: big-little (speculative) decoding and early exit")
        let machine = try RooflineMachine(s.accelerator)
        let context = s.sequenceLength
        let bigStep = try DecoderStepCost.cycles(gpt2Large, contextLength: context, newTokens: 1, machine: machine)
        let verify5 = try DecoderStepCost.cycles(gpt2Large, contextLength: context, newTokens: 5, machine: machine)
        let littleStep = try DecoderStepCost.cycles(.gpt2, contextLength: context, newTokens: 1, machine: machine)
        decoding.prose("""
            Costs come from Core's decoder step graph (Fig. 27) priced by the chapter's roofline on `\(s.accelerator.name)`, at \
            context length \(context). The big model is GPT-2 Large (36 layers, d = 1280), the little one GPT-2 (12 layers, d = 768). \
            One big step takes \(NumberFormat.si(bigStep, decimals: 2)) cycles, a big step verifying 5 tokens \(NumberFormat.si(verify5, decimals: 2)) \
            (\(NumberFormat.fixed(verify5 / bigStep, decimals: 2))×: weights are read once), a little step \(NumberFormat.si(littleStep, decimals: 2)). With each draft accepted \
            with probability α, a round of γ drafts yields E = (1 − α^(γ+1))/(1 − α) tokens; the speed-up is E·T_big / (γ·T_little + T_verify). \
            Early exit: a fraction p of tokens leaves after layer 6 of GPT-2's 12; a memory-bound layer costs the same for every token.
            """)
        let alphas = [0.5, 0.6, 0.7, 0.8, 0.9], gammas = [2, 4, 8]
        var specRows: [[String]] = []
        for g in gammas {
            specRows.append(["γ = \(g)"] + (try alphas.map { NumberFormat.fixed(try SpeculativeDecoding.speedup(big: gpt2Large, little: .gpt2, contextLength: context, acceptance: $0, draftLength: g, machine: machine), decimals: 2) + "×" }))
        }
        decoding.table(Table(columns: [.init("Drafts")] + alphas.map { .init("α = \(NumberFormat.fixed($0, decimals: 1))", alignment: .right) }, rows: specRows,
                             caption: "Speculative decoding speed-up over GPT-2 Large alone."))
        let fine = stride(from: 0.0, through: 1.0, by: 0.05).map { $0 }
        let chart = LineChart(title: "Speculative decoding: GPT-2 Large with a GPT-2 drafter", x: Axis(label: "acceptance rate α"), y: Axis(label: "speed-up (×)", min: 0),
                              series: try gammas.map { g in
                                  Series(name: "γ = \(g)", xy: try fine.map { ($0, try SpeculativeDecoding.speedup(big: gpt2Large, little: .gpt2, contextLength: context, acceptance: $0, draftLength: g, machine: machine)) })
                              })
        decoding.figure(figures.svg("03-speculative-decoding", try chart.svg()), caption: "Speculative decoding: speed-up against the acceptance rate α of the little model's drafts, for γ drafts per round.")
        try earlyExitFigure(into: &decoding, figures: &figures, fine: fine)
        let (decodingClaims, threshold) = try decodingClaims(s, machine: machine, bigStep: bigStep, verify5: verify5, fine: fine)
        decoding.table(ClaimFormatting.table(decodingClaims))
        decoding.takeaway("Because a memory-bound step reads every weight whatever the number of tokens, the big model can check several drafted tokens for about the price of one; the acceptance rate decides the rest.")
        return SectionOutput(decoding, claims: decodingClaims, json: [
            ("speculativeDecoding", .object([("bigStepCycles", .number(bigStep)), ("verify5Cycles", .number(verify5)), ("littleStepCycles", .number(littleStep)),
                                             ("aboutTwoTimesFromAcceptance", threshold.map { .number($0) } ?? .null)])),
        ])
    }

    /// Early exit has its own x axis (the share of tokens that exit), so it gets its own chart.
    static func earlyExitFigure(into decoding: inout Section, figures: inout FigureSet, fine: [Double]) throws {
        let exitChart = LineChart(title: "Early exit: GPT-2 with an exit after layer 6 of 12",
                                  x: Axis(label: "exit rate p (share of tokens leaving after layer 6)", min: 0, max: 1),
                                  y: Axis(label: "speed-up (×)", min: 0),
                                  series: [Series(name: "exit after layer 6 of 12", xy: try fine.map { ($0, try EarlyExit.speedup(layers: 12, exitLayer: 6, exitRate: $0)) })])
        decoding.figure(figures.svg("03-early-exit", try exitChart.svg()), caption: "Early exit: speed-up against the share p of tokens that leave after layer 6; at p = 1 every token runs half the layers (2×).")
    }

    /// The decoding claims, and the acceptance rate from which γ = 4 reaches about 2× (nil if none does).
    static func decodingClaims(_ s: FixedArchitectureSettings, machine: RooflineMachine, bigStep: Double, verify5: Double,
                               fine: [Double]) throws -> ([Claim], Double?) {
        let context = s.sequenceLength
        // BiLD's "∼2×" to its one significant figure: 1.5× and more (Tolerance.approximately).
        let aboutTwo = Tolerance.approximately(significantFigures: 1)
        let threshold = try fine.first {
            let speedup = try SpeculativeDecoding.speedup(big: gpt2Large, little: .gpt2, contextLength: context, acceptance: $0, draftLength: 4, machine: machine)
            return speedup >= 2 || aboutTwo.accepts(observed: speedup, expected: 2)
        }
        let closed = SpeculativeDecoding.expectedTokens(acceptance: 0.8, draftLength: 4)
        let simulated = SpeculativeDecoding.simulatedTokens(acceptance: 0.8, draftLength: 4, rounds: 100_000, seed: 7)
        let exitClosed = try EarlyExit.speedup(layers: 12, exitLayer: 6, exitRate: 0.5)
        let exitSimulated = EarlyExit.simulatedSpeedup(layers: 12, exitLayer: 6, exitRate: 0.5, tokens: 100_000, seed: 8)
        let decodingClaims = [
            Claim.statement(id: "decoding.bild-2x", reference: "§4.3 (Big Little Decoder)", statement: "about 2× is reachable with a little drafter (γ = 4) at a plausible acceptance rate (≤ 0.9)",
                            expected: "∼2× (≥ 1.5×, one significant figure) at α ≤ 0.9", observed: threshold.map { "≥ 1.5× from α = \(NumberFormat.fixed($0, decimals: 2))" } ?? "never ≥ 1.5×", holds: (threshold ?? 1) <= 0.9,
                            note: "a roofline model of speculative decoding, not BiLD's own setup (T5 models, its fallback policy)"),
            FixedArchitectureChapter.crossCheck("decoding.expected-tokens", "§4.3", "tokens per round at α = 0.8, γ = 4: closed form vs 100,000 simulated rounds",
                                                expected: closed, observed: simulated, tolerance: .relative(0.01)),
            FixedArchitectureChapter.crossCheck("decoding.early-exit", "§4.3", "early-exit speed-up at p = 0.5, exit after 6 of 12 layers: closed form vs 100,000 simulated tokens",
                                                expected: exitClosed, observed: exitSimulated, tolerance: .relative(0.01)),
            Claim.statement(id: "decoding.verify-cheap", reference: "§4.3", statement: "verifying 5 tokens costs well under 5 big steps (decoding is memory-bound)",
                            expected: "< 1.5 big steps", observed: "\(NumberFormat.fixed(verify5 / bigStep, decimals: 3)) big steps", holds: verify5 / bigStep < 1.5, kind: .crossCheck),
        ]
        return (decodingClaims, threshold)
    }
}

/// ln 2 (IBERT's own constant is internal to Core).
let IBERT_ln2 = 0.693147180559945309417232121458
