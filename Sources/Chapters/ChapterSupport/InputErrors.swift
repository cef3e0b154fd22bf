import ArgumentParser
import Core
import Foundation

extension ConfigurationError {
    /// The error as the command line reports it: Core's field name replaced by the flag the user typed.
    /// `flags` maps Core's field names (`scratchpadBytes`) to flag names (`scratchpad-kib`); a field it does not
    /// name is its own flag, spelled in kebab case (`dModel` → `d-model`).
    public func flagError(_ flags: [String: String] = [:]) -> ValidationError {
        ValidationError("invalid --\(Self.flag(for: field, flags)): \(message)")
    }

    /// Core's field names whose flag is not their kebab-case spelling (before `flags` is consulted).
    static let irregularFlags = ["sequenceLength": "seq-len", "dFFN": "d-ffn"]

    /// The flag for a Core field (or for a field that is already a flag name, which maps to itself).
    public static func flag(for field: String, _ flags: [String: String] = [:]) -> String {
        let key = coreName(field)
        return flags[field] ?? flags[key] ?? irregularFlags[key] ?? kebabCase(key)
    }

    /// The field in Core's camel case, whichever spelling it came in (`scratchpad-bytes` → `scratchpadBytes`).
    public static func coreName(_ field: String) -> String {
        let words = field.split(separator: "-", omittingEmptySubsequences: false)
        return words.enumerated().map { i, w in i == 0 ? String(w) : w.prefix(1).uppercased() + w.dropFirst() }.joined()
    }

    /// `dModel` → `d-model`, `l2Bandwidth` → `l2-bandwidth`.
    static func kebabCase(_ name: String) -> String {
        var out = ""
        for c in name {
            if c.isUppercase {
                out += "-" + c.lowercased()
            } else {
                out.append(c)
            }
        }
        return out
    }
}

/// Runs `body`, turning a Core `ConfigurationError` into a usage error that names the user's flag.
public func naming<T>(_ flags: [String: String] = [:], _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as ConfigurationError {
        throw error.flagError(flags)
    }
}

/// The repository's `data/` folder, found the same way by every chapter: from the current folder upwards, then
/// from the executable's folder upwards (a binary under `.build/release/` finds its checkout). A path the user
/// gives with a flag is taken as typed (relative to the current folder); only defaults are looked up here.
public enum RepositoryData {
    /// The first folder at or above the current folder, or above the executable, that holds `Package.swift` and `data/`.
    public static let root: URL? = {
        let fm = FileManager.default
        // The executable's own path: /proc/self/exe on Linux (argv[0] is a bare name when run through PATH).
        let executable = (try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments.first ?? "."
        let starts = [URL(fileURLWithPath: fm.currentDirectoryPath, isDirectory: true),
                      URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()]
        for start in starts {
            var folder = start.standardizedFileURL
            while true {
                var isDirectory: ObjCBool = false
                if fm.fileExists(atPath: folder.appendingPathComponent("Package.swift").path),
                   fm.fileExists(atPath: folder.appendingPathComponent("data").path, isDirectory: &isDirectory), isDirectory.boolValue {
                    return folder
                }
                let parent = folder.deletingLastPathComponent()
                if parent.path == folder.path { break }
                folder = parent
            }
        }
        return nil
    }()

    /// Where the file or folder for `--flag` is: `value` as typed when the user changed it, else the default
    /// path (relative to the repository) inside the repository found by ``root``. Throws a usage error naming
    /// the flag when it does not exist.
    public static func locate(_ value: String, default defaultPath: String, flag: String) throws -> URL {
        let fm = FileManager.default
        if value != defaultPath {
            guard !value.isEmpty else { throw ValidationError("invalid --\(flag): the path is empty") }
            guard fm.fileExists(atPath: value) else { throw ValidationError("invalid --\(flag): cannot read '\(value)' (no such file)") }
            return URL(fileURLWithPath: value)
        }
        guard let root else {
            throw ValidationError("invalid --\(flag): cannot find the repository's \(defaultPath) (no folder with Package.swift and data/ above '\(fm.currentDirectoryPath)' or the executable); run inside the repository or pass --\(flag) PATH")
        }
        let url = root.appendingPathComponent(defaultPath)
        guard fm.fileExists(atPath: url.path) else {
            throw ValidationError("invalid --\(flag): the repository at '\(root.path)' has no \(defaultPath); pass --\(flag) PATH")
        }
        return url
    }
}
