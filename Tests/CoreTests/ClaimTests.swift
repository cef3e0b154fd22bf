import Testing
@testable import Core

@Suite("Claims and tolerances")
struct ClaimTests {
    @Test("printed precision is half a unit of the last digit")
    func printed() {
        let t = Tolerance.printed(decimals: 2)
        #expect(t.accepts(observed: 7.2478, expected: 7.25))
        #expect(t.accepts(observed: 7.255, expected: 7.25))
        #expect(!t.accepts(observed: 7.2551, expected: 7.25))
        #expect(!t.accepts(observed: .nan, expected: 7.25))
        #expect(Tolerance.printed(decimals: 3).summary == "±0.0005")
        #expect(Tolerance.printed(decimals: 0).summary == "±0.5")
    }

    @Test("figure labels accept rounding or truncation, nothing else")
    func figureLabels() {
        let t = Tolerance.figureLabel(decimals: 0)
        #expect(t.accepts(observed: 159.68, expected: 160))   // rounded
        #expect(t.accepts(observed: 117.96, expected: 117))   // truncated
        #expect(!t.accepts(observed: 118.6, expected: 117))
        #expect(!t.accepts(observed: 116.4, expected: 117))
    }

    @Test("'~N' accepts N to its printed significant figures, nothing wider")
    func approximately() {
        let two = Tolerance.approximately(significantFigures: 2)
        #expect(two.accepts(observed: 116.2, expected: 120) && two.accepts(observed: 125, expected: 120))
        #expect(!two.accepts(observed: 114.9, expected: 120) && !two.accepts(observed: 125.1, expected: 120))
        let one = Tolerance.approximately(significantFigures: 1)
        #expect(one.accepts(observed: 2.49, expected: 2) && !one.accepts(observed: 1.4, expected: 2))
        #expect(one.accepts(observed: 34, expected: 30) && !one.accepts(observed: 36, expected: 30))
        #expect(Tolerance.approximately(significantFigures: 2).accepts(observed: 0.0125, expected: 0.012))
        #expect(!Tolerance.approximately(significantFigures: 2).accepts(observed: 0.0126, expected: 0.012))
    }

    @Test("a share within min(points, fraction of it): ±5 points from 10% up, half the label below")
    func pointsAtMostRelative() {
        let t = Tolerance.pointsAtMostRelative(points: 5, fraction: 0.5)
        #expect(t.accepts(observed: 24, expected: 19) && !t.accepts(observed: 24.1, expected: 19))
        #expect(t.accepts(observed: 2, expected: 4) && !t.accepts(observed: 1.9, expected: 4))
        #expect(!t.accepts(observed: 0.29, expected: 4))
        #expect(t.accepts(observed: 1.4, expected: 1) && !t.accepts(observed: 1.6, expected: 1))
    }

    @Test("a claim knows whether it came out as expected")
    func expectedness() {
        let ok = Claim.number(id: "a", reference: "Tab. 3", statement: "", paper: 1, observed: 1,
                              tolerance: .relative(0.01))
        let typo = Claim.number(id: "b", reference: "Tab. 3", statement: "", paper: 0.006, observed: 0.0094,
                                tolerance: .printed(decimals: 3), knownDeviation: .paperError("typo"))
        let stale = Claim.number(id: "c", reference: "Tab. 3", statement: "", paper: 1, observed: 1,
                                 tolerance: .relative(0.01), knownDeviation: .modelDifference("should fail but holds"))
        #expect(ok.isAsExpected && typo.isAsExpected && !stale.isAsExpected)
        #expect([ok, typo, stale].tally == (2, 1))
    }

    @Test("a claim that does not hold names its cause: the recorded one, else one for the run it failed in")
    func causes() {
        let typo = Claim.number(id: "b", reference: "Tab. 3", statement: "", paper: 0.006, observed: 0.0094,
                                tolerance: .printed(decimals: 3), knownDeviation: .paperError("typo"))
        #expect(typo.deviation == .paperError && typo.isAsExpected)
        let ok = Claim.number(id: "a", reference: "Tab. 3", statement: "", paper: 1, observed: 1, tolerance: .relative(0.01),
                              knownDeviation: .modelDifference("should fail but holds"))
        #expect(ok.deviation == nil && !ok.isAsExpected)
        // Failures nobody recorded (a run on other flags or another machine).
        let modelled = Claim.number(id: "c", reference: "Fig. 19", statement: "", paper: 1, observed: 3, tolerance: .factor(2))
        #expect(modelled.deviation == .modelDifference && !modelled.isAsExpected)
        let measured = Claim.statement(id: "d", reference: "Fig. 7", statement: "", expected: "a", observed: "b", holds: false,
                                       kind: .measured)
        #expect(measured.deviation == .differentMachine)
        #expect(DeviationCause.allCases.map(\.rawValue) == ["paperError", "paperUnderspecified", "modelDifference", "differentMachine"])
    }

    @Test("illustrations are counted neither as holding nor as failing, and carry no cause")
    func illustrations() {
        let shown = Claim.number(id: "e", reference: "cited", statement: "", paper: 9.4, observed: 18.75, tolerance: .relative(0.1))
            .illustration()
        let claim = Claim.number(id: "f", reference: "Tab. 3", statement: "", paper: 2, observed: 3, tolerance: .absolute(0),
                                 knownDeviation: .paperUnderspecified("not stated"))
        #expect(shown.isIllustration && shown.deviation == nil && shown.isAsExpected)
        let t = ClaimTally([shown, claim])
        #expect(t.holding == 0 && t.failing == 1 && t.illustrations == 1 && t.unexpected == 0)
        #expect(t.failingByCause == [.paperUnderspecified: 1])
        #expect([shown, claim].tally == (0, 1))
    }
}
