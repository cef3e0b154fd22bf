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

    /// Whether the run writes files under `--out` (neither `--check` nor `--json`).
    public var writes: Bool { !check && !json }

    /// Whether long work may report progress on stderr (not under `--quiet` or `--json`).
    public var showsProgress: Bool { !quiet && !json }

    /// Refuses conflicting flags and an output folder that cannot be written, before any work is done.
    public func validate() throws {
        if check && json {
            throw ValidationError("--check and --json conflict: --check compares files, --json prints them; choose one")
        }
        guard writes else { return }
        try OutputFolder.validate(out, flag: "out")
    }

    /// Writes, checks or prints the chapter as the flags say. Throws `ExitCode.failure` when `--check` finds
    /// differences. Files are written into a staging folder first and moved into place only when every one of
    /// them was written, so a failed write never leaves a report that links to missing figures.
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
        try OutputFolder.write(chapter.files, into: out, flag: "out")
        let lines = chapter.claimLines
        for line in quiet ? Array(lines.suffix(1)) : lines { print(line) }
        print("wrote \(chapter.reportPath) and \(chapter.figures.count) figure files under \(out)")
    }
}

/// The folder a chapter writes into: checked before any work, written all or nothing.
public enum OutputFolder {
    /// Throws a `ValidationError` naming `--flag` unless `path` is (or can be made) a writable folder.
    public static func validate(_ path: String, flag: String) throws {
        guard !path.isEmpty else {
            throw ValidationError("invalid --\(flag): the folder name is empty (use --\(flag) . for the current folder)")
        }
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw ValidationError("invalid --\(flag): '\(path)' is a file, not a folder") }
        } else {
            // Folder by folder with mkdir(2), so that the message carries the system's reason.
            var prefix = path.hasPrefix("/") ? "/" : ""
            for part in path.split(separator: "/") {
                prefix += part + "/"
                if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                    throw ValidationError("invalid --\(flag): cannot create the folder '\(prefix)' (\(String(cString: strerror(errno))))")
                }
            }
        }
        // Probe with the same kind of staging folder the writer uses.
        let probe = URL(fileURLWithPath: path, isDirectory: true).appendingPathComponent(".staging-probe-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        do {
            try fm.createDirectory(at: probe, withIntermediateDirectories: false)
            try fm.removeItem(at: probe)
        } catch {
            throw ValidationError("invalid --\(flag): the folder '\(path)' is not writable (\(reason(error)))")
        }
    }

    /// Writes every file (paths relative to `folder`) into a staging folder inside `folder`, then moves each
    /// into place. An error names `--flag` and the file; on failure no file of the chapter has been replaced.
    public static func write(_ files: [GeneratedFile], into folder: String, flag: String) throws {
        let fm = FileManager.default
        let root = URL(fileURLWithPath: folder, isDirectory: true)
        let staging = root.appendingPathComponent(".staging-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? fm.removeItem(at: staging) }
        for file in files {
            let url = staging.appendingPathComponent(file.path)
            do {
                try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(file.bytes).write(to: url)
            } catch {
                throw ValidationError("cannot write \(file.path) under --\(flag) '\(folder)' (\(reason(error))); nothing was replaced")
            }
        }
        // Every target folder exists and no target is a folder before the first file moves; rename(2) then
        // replaces each file in one step.
        for file in files {
            var isDirectory: ObjCBool = false
            var path = root.appendingPathComponent(file.path)
            if fm.fileExists(atPath: path.path, isDirectory: &isDirectory), isDirectory.boolValue {
                throw ValidationError("cannot write \(file.path) under --\(flag) '\(folder)': a folder of that name is in the way; nothing was replaced")
            }
            while path.path != root.path, path.pathComponents.count > root.pathComponents.count {
                path.deleteLastPathComponent()
                if fm.fileExists(atPath: path.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                    throw ValidationError("cannot write \(file.path) under --\(flag) '\(folder)': '\(path.lastPathComponent)' is a file, not a folder; nothing was replaced")
                }
            }
        }
        for file in files {
            let target = root.appendingPathComponent(file.path)
            do {
                try fm.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            } catch {
                throw ValidationError("cannot create the folder of \(file.path) under --\(flag) '\(folder)' (\(reason(error))); nothing was replaced")
            }
        }
        for file in files {
            let source = staging.appendingPathComponent(file.path), target = root.appendingPathComponent(file.path)
            guard rename(source.path, target.path) == 0 else {
                throw ValidationError("cannot move \(file.path) into --\(flag) '\(folder)' (\(String(cString: strerror(errno))))")
            }
        }
    }

    /// The operating system's reason for a file error, without Foundation's domain and code noise.
    static func reason(_ error: Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        return ns.localizedDescription
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

/// A finite number in `range` for a `Double` flag: nil when the flag is absent; an error naming the flag otherwise.
public func bounded(_ value: Double?, in range: ClosedRange<Double>, flag: String) throws -> Double? {
    guard let value else { return nil }
    guard value.isFinite, range.contains(value) else {
        throw ValidationError("invalid --\(flag): \(value) is out of range; allowed a number in \(NumberFormat.trimmed(range.lowerBound, maxDecimals: 6))...\(NumberFormat.trimmed(range.upperBound, maxDecimals: 6))")
    }
    return value
}
