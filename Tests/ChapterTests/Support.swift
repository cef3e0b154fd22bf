import ChapterSupport
import Core
import Foundation
import Testing

/// The repository root, found from this file's path.
let repositoryRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// Checks a claim: it must hold, unless it carries a known deviation, in which case it must fail
/// (a known deviation that starts to hold fails the test too).
func check(_ claim: Claim, sourceLocation: SourceLocation = #_sourceLocation) {
    let summary = "\(claim.id) [\(claim.reference)] \(claim.statement): ours \(ClaimFormatting.text(claim.observed, claim.tolerance)), paper \(ClaimFormatting.text(claim.expected, claim.tolerance)) \(claim.note)"
    if let reason = claim.knownDeviation {
        withKnownIssue(Comment(rawValue: reason), sourceLocation: sourceLocation) {
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
