import Foundation
import Testing

/// Compares `text` with `__Snapshots__/<name>.txt` beside this file. A missing snapshot is recorded and the
/// test fails saying so; `RECORD_SNAPSHOTS=1 swift test` re-records every snapshot on purpose.
func assertSnapshot(_ text: String, named name: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("__Snapshots__")
    let url = folder.appendingPathComponent(name + ".txt")
    let record = ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1"
    guard !record, let data = FileManager.default.contents(atPath: url.path) else {
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try? Data(text.utf8).write(to: url)
        if !record {
            Issue.record("no snapshot '\(name)' was on disk; recorded it now — re-run the tests", sourceLocation: sourceLocation)
        }
        return
    }
    let expected = String(decoding: data, as: UTF8.self)
    if expected != text {
        let a = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let b = text.split(separator: "\n", omittingEmptySubsequences: false)
        let line = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
        Issue.record("snapshot '\(name)' differs at line \(line + 1): expected \(line < a.count ? String(a[line]) : "<end>") but got \(line < b.count ? String(b[line]) : "<end>") (RECORD_SNAPSHOTS=1 re-records)",
                     sourceLocation: sourceLocation)
    }
}
