import ArgumentParser
import Core
import Foundation
import Render

/// Flags every chapter executable shares (DESIGN §3).
public struct ChapterOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Folder to write chapters/ and figures/ into.", valueName: "dir"))
    public var out: String = "."

    @Flag(name: .long, help: "Write nothing; exit non-zero, naming the files, if the committed report or figures differ.")
    public var check = false

    @Flag(name: .long, help: "Print the claims and results as JSON on stdout and write no files.")
    public var json = false

    @Flag(name: .long, help: "Print only the closing tally line, not one line per claim.")
    public var quiet = false

    public init() {}

    /// Writes, checks or prints the chapter as the flags say. Throws `ExitCode.failure` when `--check` finds
    /// differences.
    public func emit(_ chapter: ChapterResult) throws {
        let root = URL(fileURLWithPath: out, isDirectory: true)
        if check {
            let stale = chapter.files.filter { file in
                let url = root.appendingPathComponent(file.path)
                guard let data = FileManager.default.contents(atPath: url.path) else { return true }
                return [UInt8](data) != file.bytes
            }
            if !stale.isEmpty {
                var err = StandardError()
                print("\(chapter.name): out of date (re-run the chapter and commit):", to: &err)
                for f in stale { print("  \(f.path)", to: &err) }
                throw ExitCode.failure
            }
            print("\(chapter.name): \(chapter.files.count) files up to date")
            return
        }
        if json {
            print(chapter.json.serialized())
            return
        }
        for file in chapter.files {
            let url = root.appendingPathComponent(file.path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(),
                                                    withIntermediateDirectories: true)
            try Data(file.bytes).write(to: url)
        }
        let lines = chapter.claimLines
        for line in quiet ? Array(lines.suffix(1)) : lines { print(line) }
        print("wrote \(chapter.reportPath) and \(chapter.figures.count) figure files under \(out)")
    }
}

/// stderr as a `TextOutputStream`.
public struct StandardError: TextOutputStream {
    public init() {}
    public mutating func write(_ string: String) {
        FileHandle.standardError.write(Data(string.utf8))
    }
}

/// Parses a comma-separated list of positive integers, naming the flag in the error.
public func parseIntegerList(_ text: String, flag: String) throws -> [Int] {
    let parts = text.split(separator: ",", omittingEmptySubsequences: false)
    var values: [Int] = []
    for part in parts {
        let trimmed = part.trimmingCharacters(in: .whitespaces)
        guard let v = Int(trimmed) else {
            throw ValidationError("invalid --\(flag): '\(trimmed)' is not an integer (expected a comma-separated list such as 128,512)")
        }
        values.append(v)
    }
    guard !values.isEmpty else { throw ValidationError("invalid --\(flag): the list is empty") }
    return values
}

/// Bytes for a `--…-kib` flag: nil when the flag is absent; an error naming the flag outside 1...2²⁰ KiB.
public func kibibytes(_ value: Int?, flag: String) throws -> Int? {
    guard let value else { return nil }
    guard (1...(1 << 20)).contains(value) else {
        throw ValidationError("invalid --\(flag): \(value) is out of range; allowed 1...\(1 << 20)")
    }
    return value * 1024
}
