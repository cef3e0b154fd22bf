import ArgumentParser
import Foundation
import Testing
@testable import FixedArchitecture
@testable import GemminiCaseStudy
@testable import ModernLLMs
@testable import NASChapter
@testable import NonlinearHardware
@testable import Scheduling
@testable import WorkloadAnalysis

/// Issue 17: an exercise must run as pasted. Here every `swift run -c release …` command of the committed
/// reports' Exercises sections is parsed by its chapter's command (validation included) and must write under
/// lesson/, never over the committed chapters/ and figures/. `make check` then runs them all
/// (scripts/exercises.sh), since several take minutes in a debug build.
struct ExerciseTests {
    static let commands: [String: any ParsableCommand.Type] = [
        "workload-analysis": WorkloadAnalysisCommand.self, "nonlinear-hardware": NonlinearHardwareCommand.self,
        "fixed-architecture": FixedArchitectureCommand.self, "scheduling": SchedulingCommand.self,
        "nas": NASCommand.self, "gemmini-case-study": GemminiCaseStudyCommand.self,
        "modern-llms": ModernLLMsCommand.self,
    ]

    /// The backquoted commands of each report's Exercises section, with the report's file name.
    static func exerciseCommands() throws -> [(report: String, command: String)] {
        let folder = repositoryRoot.appendingPathComponent("chapters")
        var out: [(String, String)] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() where name.hasSuffix(".md") {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            guard let start = text.range(of: "\n## Exercises\n") else { continue }
            let section = text[start.upperBound...].components(separatedBy: "\n## ")[0]
            for m in section.matches(of: /`([^`]+)`/) where m.1.hasPrefix("swift run -c release ") {
                out.append((name, String(m.1)))
            }
        }
        return out
    }

    @Test("every chapter has exercises, and each swift command parses and writes under lesson/")
    func everyExerciseCommandParses() throws {
        let all = try Self.exerciseCommands()
        #expect(Set(all.map(\.report)).count == 7, "reports with exercise commands: \(Set(all.map(\.report)).sorted())")
        for (report, command) in all {
            let words = command.split(separator: "|")[0].split(separator: " ").map(String.init)
            let executable = words[4], arguments = Array(words.dropFirst(5))
            guard let type = Self.commands[executable] else {
                Issue.record("\(report): unknown executable '\(executable)' in `\(command)`")
                continue
            }
            do {
                _ = try type.parseAsRoot(arguments)
            } catch {
                Issue.record("\(report): `\(command)` does not parse: \(type.message(for: error))")
            }
            let out = arguments.firstIndex(of: "--out").map { arguments.indices.contains($0 + 1) ? arguments[$0 + 1] : "" }
            #expect(out?.hasPrefix("lesson/") == true, "\(report): `\(command)` must write under lesson/, not over the committed reports")
        }
    }

    @Test("a bad exercise command is caught")
    func aBadCommandIsCaught() {
        #expect(throws: (any Error).self) { _ = try WorkloadAnalysisCommand.parseAsRoot(["--seq-lens", "0"]) }
        #expect(throws: (any Error).self) { _ = try NASCommand.parseAsRoot(["--population", "1"]) }
    }
}
