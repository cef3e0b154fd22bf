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
}
