import Foundation
import Testing

/// A function (or initialiser) of a Swift source file and how many lines it spans, from the line of its `func` or
/// `init` to the line of its closing brace.
struct FunctionSpan: Equatable, CustomStringConvertible {
    var file: String
    var name: String
    var firstLine: Int
    var lines: Int
    var description: String { "\(file):\(firstLine) \(name) (\(lines) lines)" }
}

/// A small lexer, enough for this repository's sources: it skips comments, string literals (single-line and
/// `"""` multi-line, escapes included) and pairs each `func`/`init` with the brace that closes its body.
/// Declarations without a body (protocol requirements) end at the next `}` or declaration and are not counted.
enum FunctionScanner {
    static func spans(in source: String, file: String) -> [FunctionSpan] {
        let chars = Array(source.unicodeScalars)
        var spans: [FunctionSpan] = []
        var line = 1, i = 0, depth = 0, parens = 0
        var pending: (name: String, line: Int)?
        var open: [(name: String, line: Int, depth: Int)] = []
        func at(_ k: Int, _ s: String) -> Bool {
            let u = Array(s.unicodeScalars)
            return k + u.count <= chars.count && Array(chars[k..<(k + u.count)]) == u
        }
        func isWord(_ c: Unicode.Scalar) -> Bool { CharacterSet.alphanumerics.contains(c) || c == "_" }
        while i < chars.count {
            let c = chars[i]
            if c == "\n" { line += 1; i += 1; continue }
            if at(i, "//") {
                while i < chars.count, chars[i] != "\n" { i += 1 }
                continue
            }
            if at(i, "/*") {
                i += 2
                while i < chars.count, !at(i, "*/") { if chars[i] == "\n" { line += 1 }; i += 1 }
                i += 2
                continue
            }
            if at(i, "\"\"\"") {
                i += 3
                while i < chars.count, !at(i, "\"\"\"") {
                    if chars[i] == "\\" { i += 1 } else if chars[i] == "\n" { line += 1 }
                    i += 1
                }
                i += 3
                continue
            }
            if c == "\"" {
                i += 1
                while i < chars.count, chars[i] != "\"", chars[i] != "\n" { i += chars[i] == "\\" ? 2 : 1 }
                i += 1
                continue
            }
            if isWord(c) {
                var j = i
                while j < chars.count, isWord(chars[j]) { j += 1 }
                let word = String(String.UnicodeScalarView(chars[i..<j]))
                let startsWord = i == 0 || !isWord(chars[i - 1])
                if startsWord, word == "func" {
                    var k = j
                    while k < chars.count, chars[k] == " " { k += 1 }
                    var e = k
                    while e < chars.count, isWord(chars[e]) || "+-*/<>=!&|^%~.".unicodeScalars.contains(chars[e]) { e += 1 }
                    pending = (String(String.UnicodeScalarView(chars[k..<e])), line)
                    parens = 0
                } else if startsWord, word == "init", j < chars.count, chars[j] == "(" || chars[j] == "?" {
                    pending = ("init", line)
                    parens = 0
                }
                i = j
                continue
            }
            switch c {
            case "(": parens += 1
            case ")": parens -= 1
            case "{":
                if let p = pending, parens == 0 {
                    open.append((p.name, p.line, depth))
                    pending = nil
                }
                depth += 1
            case "}":
                depth -= 1
                if parens == 0 { pending = nil }
                if let last = open.last, last.depth == depth {
                    open.removeLast()
                    spans.append(FunctionSpan(file: file, name: last.name, firstLine: last.line, lines: line - last.line + 1))
                }
            default: break
            }
            i += 1
        }
        return spans
    }

    /// Every function of every `.swift` file under `folder`, with paths relative to the repository root.
    static func spans(under folder: URL, root: URL) throws -> [FunctionSpan] {
        let files = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
            .sorted { $0.path < $1.path } ?? []
        return try files.flatMap { url in
            let relative = String(url.standardizedFileURL.path.dropFirst(root.standardizedFileURL.path.count + 1))
            return spans(in: try String(contentsOf: url, encoding: .utf8), file: relative)
        }
    }
}

/// Issue 14: a chapter's `build` reads as a list of named sections of a few dozen lines each, so no function in
/// Sources/Chapters may be longer than 80 lines.
@Suite("Chapter kernel: function length")
struct FunctionLengthTests {
    static let limit = 80

    /// Functions still over the limit, each with who brings it under: a known issue that fails the test once the
    /// function is short, so that this list empties as they are split.
    static let pending: [String: String] = [:]

    @Test("no function in Sources/Chapters is longer than 80 lines")
    func chapterFunctionsAreShort() throws {
        let spans = try FunctionScanner.spans(under: repositoryRoot.appendingPathComponent("Sources/Chapters"),
                                              root: repositoryRoot)
        #expect(spans.count > 100, "the scanner found \(spans.count) functions; it is not reading the sources")
        let long = spans.filter { $0.lines > Self.limit }
        let unexpected = long.filter { Self.pending["\($0.file) \($0.name)"] == nil }
        #expect(unexpected.isEmpty, "functions longer than \(Self.limit) lines: \(unexpected.map(\.description).joined(separator: "; "))")
        for (key, reason) in Self.pending.sorted(by: { $0.key < $1.key }) {
            withKnownIssue(Comment(rawValue: reason)) {
                let span = long.first { "\($0.file) \($0.name)" == key }
                #expect(span == nil, "\(span?.description ?? key) is longer than \(Self.limit) lines")
            }
        }
    }

    @Test("the scanner skips strings and comments and measures from the declaration to its closing brace")
    func scannerCountsLines() {
        let source = """
            struct S {
                // func commented() {
                func short() -> String {
                    "a } brace in a string"
                }
                func long(_ x: Int = { 1 }()) {
                    let text = \"\"\"
                        } an unbalanced brace in a multi-line string
                        \"\"\"
                    _ = [1].map { $0 + 1 }
                }
                init?(value: Int) { nil }
            }
            protocol P { func required() }
            """
        let spans = FunctionScanner.spans(in: source, file: "S.swift")
        #expect(spans.map(\.name) == ["short", "long", "init"])
        #expect(spans.map(\.lines) == [3, 6, 1])
        #expect(spans.map(\.firstLine) == [3, 6, 12])
    }
}
