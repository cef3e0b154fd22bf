import ChapterSupport
import Core
import Foundation
import Testing

/// Issue 14, point 4: in every chapter's default run, each claim that does not hold says why in a machine-readable
/// cause, and checks the survey never makes stay out of the tally.
@Suite("Deviation causes and illustrations")
struct DeviationTests {
    static let chapters: [ChapterResult] = [chapter1, chapter2, chapter3, chapter4, Chapter5Fixture.chapter, chapter6, chapter7]
    static let causes = Set(DeviationCause.allCases.map(\.rawValue))

    /// The `--json` document as a tool reads it.
    static func document(_ chapter: ChapterResult) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(chapter.json.serialized().utf8)) as! [String: Any]
    }

    @Test("every claim that does not hold carries one of the four causes in --json, and no other claim does",
          arguments: chapters.map(\.name))
    func causes(_ name: String) throws {
        let chapter = Self.chapters.first { $0.name == name }!
        let claims = try Self.document(chapter)["claims"] as! [[String: Any]]
        #expect(claims.count == chapter.claims.count)
        for claim in claims {
            let id = claim["id"] as! String
            if claim["holds"] as! Bool {
                #expect(claim["deviation"] == nil, "\(id) holds but names a cause")
            } else {
                let cause = claim["deviation"] as? String
                #expect(cause.map(Self.causes.contains) == true, "\(id): deviation \(cause ?? "missing")")
                // In the default run the cause is the recorded one, never the fallback for an unexpected failure.
                #expect(claim["unexpected"] as? Bool == false, "\(id) fails unexpectedly")
            }
        }
        // The JSON tally agrees with the claims.
        let tally = try Self.document(chapter)["tally"] as! [String: Any]
        let failing = claims.filter { !($0["holds"] as! Bool) }
        #expect(tally["doNotHold"] as? Int == failing.count)
        let byCause = tally["byCause"] as! [String: Int]
        for cause in Self.causes {
            #expect(byCause[cause] == failing.filter { $0["deviation"] as? String == cause }.count, "\(name): \(cause)")
        }
    }

    @Test("illustrations are outside the tally: their own --json array, no holds, no cause, not in the tally line",
          arguments: chapters.map(\.name))
    func illustrations(_ name: String) throws {
        let chapter = Self.chapters.first { $0.name == name }!
        let doc = try Self.document(chapter)
        let shown = doc["illustrations"] as! [[String: Any]]
        let claimIDs = Set((doc["claims"] as! [[String: Any]]).map { $0["id"] as! String })
        #expect(shown.count == chapter.illustrations.count)
        for item in shown {
            let id = item["id"] as! String
            #expect(!claimIDs.contains(id), "\(id) is both a claim and an illustration")
            #expect(item["holds"] == nil && item["deviation"] == nil && (item["agrees"] as? Bool) != nil, "\(id)")
        }
        #expect(chapter.claims.allSatisfy { !$0.isIllustration })
        #expect(chapter.illustrations.allSatisfy { $0.isIllustration && $0.knownDeviation == nil })
        let tally = doc["tally"] as! [String: Any]
        #expect(tally["hold"] as? Int == chapter.claims.filter(\.holds).count)
        #expect(tally["illustrations"] as? Int == chapter.illustrations.count)
        // Every illustration is shown in the report, in an illustrations table.
        let md = chapter.report.markdown()
        for c in chapter.illustrations { #expect(md.contains("| \(c.reference) | \(c.statement) |"), "\(c.id) not in the report") }
        // The tally line counts the claims only.
        let line = chapter.claimLines.last!
        #expect(line.hasPrefix("\(name): \(chapter.claims.filter(\.holds).count) claims hold, \(chapter.claims.filter { !$0.holds }.count) "))
    }

    @Test("the constructed checks are illustrations, not claims")
    func constructed() {
        #expect(Set(chapter3.illustrations.map(\.id)) == ["cited.distilbert-40-smaller", "cited.tinybert-7.5-smaller",
                                                          "cited.tinybert-flops-ratio", "tokens.dynamicvit", "tokens.deit-s-gmacs",
                                                          "exp.taylor5-more-accurate", "exp.poly-beats-taylor2"])
        #expect(Set(chapter4.illustrations.map(\.id)) == ["peers.mapper-vs-zigzag.cycles", "peers.mapper-vs-zigzag.energy",
                                                          "peers.mapper-vs-zigzag.energy-on-zigzag-table", "peers.mapper-vs-zigzag.energy-gemmini-pe",
                                                          "peers.closed-form-vs-scalesim.ws", "peers.ordering"])
        #expect(Set(chapter6.illustrations.map(\.id)) == ["scalesim.ws", "scalesim.os", "scalesim.is"])
        #expect(chapter1.illustrations.isEmpty && chapter2.illustrations.isEmpty && Chapter5Fixture.chapter.illustrations.isEmpty)
    }

    @Test("the tally line splits the claims that do not hold by cause, in the causes' order")
    func tallyLine() {
        #expect(chapter1.claimLines.last == "workload-analysis: 319 claims hold, 52 do not: 31 paper errors, 20 under-specified, 1 model difference (0 unexpected)")
        #expect(chapter3.claimLines.last == "fixed-architecture: 31 claims hold, 0 do not (0 unexpected); 7 illustrations not counted")
    }
}
