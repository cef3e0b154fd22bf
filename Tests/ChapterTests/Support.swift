import ArgumentParser
import ChapterSupport
import Core
import Foundation
import Testing

/// The repository root, found from this file's path.
let repositoryRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// Checks a claim: it must hold, unless it carries a known deviation, in which case it must fail
/// (a known deviation that starts to hold fails the test too). The known issue names the cause.
func check(_ claim: Claim, sourceLocation: SourceLocation = #_sourceLocation) {
    let summary = "\(claim.id) [\(claim.reference)] \(claim.statement): ours \(ClaimFormatting.text(claim.observed, claim.tolerance)), paper \(ClaimFormatting.text(claim.expected, claim.tolerance)) \(claim.note)"
    if let deviation = claim.knownDeviation {
        withKnownIssue(Comment(rawValue: "\(deviation.cause.label): \(deviation.reason)"), sourceLocation: sourceLocation) {
            #expect(claim.holds, Comment(rawValue: summary), sourceLocation: sourceLocation)
        }
    } else {
        #expect(claim.holds, Comment(rawValue: summary), sourceLocation: sourceLocation)
    }
}

/// Compares a chapter's generated files with the committed ones; returns the stale paths.
func stalePaths(_ chapter: ChapterResult) -> [String] {
    chapter.files.compactMap { file in
        let url = repositoryRoot.appendingPathComponent(file.path)
        guard let data = FileManager.default.contents(atPath: url.path) else { return file.path + " (missing)" }
        return [UInt8](data) == file.bytes ? nil : file.path
    }
}

/// Runs a built executable of this package and returns its exit status, stdout and stderr.
func runExecutable(_ name: String, _ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
    let binDir = Bundle.main.bundleURL.deletingLastPathComponent()
    var candidates = [binDir.appendingPathComponent(name)]
    for config in ["debug", "release"] {
        candidates.append(repositoryRoot.appendingPathComponent(".build/\(config)/\(name)"))
    }
    guard let exe = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
        throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: name])
    }
    let p = Process()
    p.executableURL = exe
    p.arguments = arguments
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}

/// Parses `arguments` as `command` would (validation included) and expects a usage error: its message contains
/// `expected`, and the exit status is 64 (EX_USAGE), as for every bad input in every chapter.
func expectUsageError<C: ParsableCommand>(_ command: C.Type, _ arguments: [String], contains expected: String,
                                          sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        let parsed = try command.parseAsRoot(arguments)
        Issue.record("accepted \(arguments): \(parsed)", sourceLocation: sourceLocation)
    } catch {
        let message = command.message(for: error)
        #expect(message.contains(expected), "\(arguments) → \(message)", sourceLocation: sourceLocation)
        #expect(command.exitCode(for: error) == .validationFailure, "\(arguments) → exit \(command.exitCode(for: error).rawValue)",
                sourceLocation: sourceLocation)
    }
}

/// A file that exists (this source file), for flags that must refuse a file where a folder belongs.
let existingFile = URL(fileURLWithPath: #filePath).path

/// Writes `text` to a fresh temporary file named `name` and returns its path.
func temporaryFile(_ name: String, _ text: String) throws -> String {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fsti-tests-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let url = folder.appendingPathComponent(name)
    try Data(text.utf8).write(to: url)
    return url.path
}
