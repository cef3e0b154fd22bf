import Core
import Foundation
import Testing
@testable import GemminiCaseStudy
@testable import Scheduling

/// The peer numbers the chapters quote are constants in code; they must equal the rows of `data/peers/`,
/// which say where each number came from.
struct PeerDataTests {
    /// Reads a `data/peers` CSV (a header row, comma-separated, no quoting) into dictionaries keyed by column.
    static func rows(_ name: String) throws -> [[String: String]] {
        let url = repositoryRoot.appendingPathComponent("data/peers/\(name)")
        let text = try String(contentsOf: url, encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        return try lines.dropFirst().map { line in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == header.count else { throw CocoaError(.fileReadCorruptFile) }
            return Dictionary(uniqueKeysWithValues: zip(header, fields))
        }
    }

    @Test func scaleSimConstantsEqualTheDataFile() throws {
        let rows = try Self.rows("scalesim.csv")
        let recorded = Dictionary(uniqueKeysWithValues: rows.map { ($0["dataflow"]!, Int($0["total_cycles"]!)!) })
        #expect(recorded.count == 3)
        for (dataflow, cycles) in Scheduling.PeerSection.scaleSim { #expect(recorded[dataflow.rawValue] == cycles, "chapter 4, \(dataflow)") }
        for (dataflow, cycles) in GemminiCaseStudy.EngineSection.scaleSim { #expect(recorded[dataflow.rawValue] == cycles, "chapter 6, \(dataflow)") }
        for row in rows { #expect(row["version"] == "3.0.0" && row["m"] == "128" && row["n"] == "3072" && row["k"] == "768") }
    }

    @Test func zigZagConstantsEqualTheDataFile() throws {
        let rows = try Self.rows("zigzag.csv")
        #expect(rows.count == 1)
        let row = try #require(rows.first)
        #expect(Int(row["total_cycles"]!) == Scheduling.PeerSection.zigZagCycles)
        #expect(Int(row["total_cycles"]!) == GemminiCaseStudy.EngineSection.zigZagW1)
        #expect(Double(row["energy_uj"]!) == Scheduling.PeerSection.zigZagMicrojoules)
        #expect(row["version"] == "3.9.1")
    }
}
