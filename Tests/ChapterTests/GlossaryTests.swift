import ChapterSupport
import Foundation
import Testing

/// Tab. 13: every all-capitals word of every committed report is expanded in its Acronyms table or is a name.
struct GlossaryTests {
    static func reports() throws -> [(name: String, text: String)] {
        let folder = repositoryRoot.appendingPathComponent("chapters")
        return try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".md") }.sorted().map {
            ($0, try String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8))
        }
    }

    @Test("every acronym of every report is expanded, and every report lists its own")
    func everyAcronymIsExpanded() throws {
        let reports = try Self.reports()
        #expect(reports.count == 7)
        var used: Set<String> = []
        for (name, text) in reports {
            #expect(Glossary.unknown(in: text).isEmpty, "\(name): expand or list as a name: \(Glossary.unknown(in: text))")
            let body = text.components(separatedBy: "\n## Acronyms\n")
            #expect(body.count == 2, "\(name) has no Acronyms section")
            let listed = Glossary.words(in: body[0]).filter { Glossary.acronyms[$0] != nil }
            for word in listed { #expect(body.count == 2 && body[1].contains("| \(word) |"), "\(name): \(word) is used but not in its table") }
            used.formUnion(listed)
        }
        #expect(Set(Glossary.acronyms.keys).subtracting(used).isEmpty,
                "expanded but used by no report: \(Set(Glossary.acronyms.keys).subtracting(used).sorted())")
        #expect(Glossary.names.isDisjoint(with: Glossary.acronyms.keys))
    }

    @Test("words are read outside code, links and comments; plurals fold onto their acronym")
    func reading() {
        let text = "<!-- by `nas --ABC` --> The PEs of a GEMM ([see](../FOO.md)) `XYZ` and FLOPs; W_Q, L2, Int32, I-BERT."
        #expect(Glossary.words(in: text) == ["PE", "GEMM", "FLOP", "BERT"])
        #expect(Glossary.unknown(in: "The QQQ unit") == ["QQQ"])
    }
}
