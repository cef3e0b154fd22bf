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

/// A number flag given a negative number (`--seed -1`) must be refused as a bad value of that flag. By default
/// ArgumentParser reads `-1` as a short option and says "Missing value for '--seed'", which names the flag but
/// tells a user who did give a value the wrong thing; the number flags read their next word whatever it is.
/// And a refused value names a flag the user can type, not the Core field behind it (`--dim` for `--mesh-dim`).
@Suite("Number flags")
struct NumericFlagTests {
    static let commands: [(name: String, type: any ParsableCommand.Type)] = [
        ("workload-analysis", WorkloadAnalysisCommand.self), ("nonlinear-hardware", NonlinearHardwareCommand.self),
        ("fixed-architecture", FixedArchitectureCommand.self), ("scheduling", SchedulingCommand.self),
        ("nas", NASCommand.self), ("gemmini-case-study", GemminiCaseStudyCommand.self), ("modern-llms", ModernLLMsCommand.self),
    ]

    /// The flags that take a word, not a number (a path, a name, a list of names): for these a leading dash
    /// still starts the next option, so that `--out --quiet` does not write into a folder named `--quiet`.
    static let wordFlags: [String: Set<String>] = [
        "workload-analysis": ["--out", "--model", "--profile", "--convention"],
        "nonlinear-hardware": ["--out", "--model", "--profile", "--accelerator", "--dataflow"],
        "fixed-architecture": ["--out", "--cited", "--accelerator"],
        "scheduling": ["--out", "--operators", "--dataflow", "--arch", "--problem", "--constraints", "--mapper"],
        "nas": ["--out", "--corpus", "--checkpoint"],
        "gemmini-case-study": ["--out", "--model", "--nas-result", "--cpu-mixes"],
        "modern-llms": ["--out", "--model", "--convention", "--ffn", "--norm", "--peer"],
    ]

    /// Every `--flag <value>` of a command's help.
    static func valueFlags(_ command: any ParsableCommand.Type) -> [String] {
        let help = command.helpMessage(columns: 10_000)
        let pattern = /(--[a-z0-9-]+) <[^>]+>/
        return Array(Set(help.matches(of: pattern).map { String($0.output.1) })).sorted()
    }

    @Test("a refused value names a flag the command has", arguments: commands.map(\.name))
    func namedFlagsExist(name: String) throws {
        let command = try #require(Self.commands.first { $0.name == name }).type
        let flags = Set(Self.valueFlags(command)).union(command.helpMessage(columns: 10_000).matches(of: /--[a-z0-9-]+/).map { String($0.output) })
        var unknown: [String] = []
        for flag in Self.valueFlags(command) where !(Self.wordFlags[name] ?? []).contains(flag) {
            for value in ["0", "33", "4097", "1000000", "nan"] {
                do {
                    _ = try command.parseAsRoot([flag, value])
                } catch {
                    let message = command.message(for: error)
                    for named in message.matches(of: /invalid (--[a-z0-9-]+)/) where !flags.contains(String(named.output.1)) {
                        unknown.append("\(flag) \(value): \(message)")
                    }
                }
            }
        }
        #expect(unknown.isEmpty, "\(name): \(unknown)")
    }

    @Test("a negative number is refused as a bad value of its flag, not as a missing one", arguments: commands.map(\.name))
    func negativeNumbers(name: String) throws {
        let command = try #require(Self.commands.first { $0.name == name }).type
        var missing: Set<String> = []
        for flag in Self.valueFlags(command) {
            do {
                _ = try command.parseAsRoot([flag, "-3"])
                Issue.record("\(name) \(flag) -3 was accepted")
            } catch {
                let message = command.message(for: error)
                if message.contains("Missing value") { missing.insert(flag) }
                else { #expect(message.contains(flag), "\(name) \(flag) -3 → \(message)") }
                #expect(command.exitCode(for: error) == .validationFailure, "\(name) \(flag) -3 → exit \(command.exitCode(for: error).rawValue)")
            }
        }
        #expect(missing == Self.wordFlags[name] ?? [], "\(name)")
    }
}
