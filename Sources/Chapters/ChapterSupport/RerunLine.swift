import ArgumentParser
import Foundation

/// The report's first line: the command a reader types to make the same report again. It is derived from the
/// parsed flags, never from a second copy of their defaults: a command gathers the flags that shape its report in
/// one `ParsableArguments` group (no `validate()` there, so parsing no arguments is cheap and has no effects),
/// and the line names each flag whose parsed value differs from what parsing no arguments gives, in declaration
/// order (nested `@OptionGroup`s in place), in the value's canonical spelling (``ArgumentSpelling``).
///
/// A flag's name is the property's, as ArgumentParser's `.long` spells it (`seqLens` → `--seq-lens`), so the
/// group's options take `name: .long` (the default) and properties are named for their flags (`scratchpadKib`).
public enum RerunLine {
    /// `swift run -c release <command> --flag value …` for the flags of `options` that differ from their defaults.
    public static func render<Command: ParsableCommand, Options: ParsableArguments>(_ command: Command.Type,
                                                                                    _ options: Options) -> String {
        let name = command.configuration.commandName ?? String(describing: command)
        return (["swift run -c release \(name)"] + words(options).map(quoted)).joined(separator: " ")
    }

    /// The flags and values of `options` that differ from their defaults, as separate arguments (unquoted).
    public static func words<Options: ParsableArguments>(_ options: Options) -> [String] {
        guard let defaults = try? Options.parse([]) else {
            preconditionFailure("\(Options.self): every flag of a re-run group needs a default or must be optional")
        }
        return words(options, defaults: defaults)
    }

    /// The flag names of `options` in declaration order, as ``words(_:)`` writes them (for tests: each must parse).
    public static func flags<Options: ParsableArguments>(_ options: Options) -> [String] {
        leaves(options).map { "--" + flagName($0.label) }
    }

    static func words(_ options: Any, defaults: Any) -> [String] {
        zip(leaves(options), leaves(defaults)).flatMap { parsed, base in
            parsed.leaf.words(flag: flagName(parsed.label), default: base.leaf)
        }
    }

    /// The options and flags of a group in declaration order, nested groups flattened in place.
    static func leaves(_ options: Any) -> [(label: String, leaf: RerunLeaf)] {
        Mirror(reflecting: options).children.flatMap { child -> [(label: String, leaf: RerunLeaf)] in
            let label = child.label ?? "?"
            if let group = child.value as? RerunGroup { return leaves(group.groupValue) }
            guard let leaf = child.value as? RerunLeaf else {
                preconditionFailure("\(type(of: options)).\(label): \(type(of: child.value)) is not an option whose value has an ArgumentSpelling, a Bool flag or an option group")
            }
            return [(label, leaf)]
        }
    }

    /// ArgumentParser's `.long` name of a property: the wrapper's storage label without its `_`, words separated
    /// by `-` at each lower-to-upper case change and before the last capital of a run (`dFFN` → `d-ffn`,
    /// `cpuFMALatency` → `cpu-fma-latency`), all lowercase.
    static func flagName(_ label: String) -> String {
        let key = Array(label.hasPrefix("_") ? label.dropFirst() : Substring(label))
        var name = ""
        for (i, c) in key.enumerated() {
            if c.isUppercase, i > 0 {
                let afterLower = !key[i - 1].isUppercase && key[i - 1] != "-"
                let endsRun = key[i - 1].isUppercase && i + 1 < key.count && key[i + 1].isLowercase
                if afterLower || endsRun { name += "-" }
            }
            name += c.lowercased()
        }
        return name
    }

    /// `text` as a shell word: as it is when it holds only characters a shell leaves alone, else single-quoted.
    static func quoted(_ text: String) -> String {
        let plain = !text.isEmpty && text.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || ",._/:=+-@%".unicodeScalars.contains($0)
        }
        return plain ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

/// An `@Option` or `@Flag` the re-run line can write.
protocol RerunLeaf {
    /// `--flag value` (or `--flag`) when this parsed value differs from `base`'s, else nothing.
    func words(flag: String, default base: RerunLeaf) -> [String]
}

/// An `@OptionGroup`, whose flags the re-run line writes in place.
protocol RerunGroup {
    var groupValue: Any { get }
}

extension Option: RerunLeaf where Value: ArgumentSpelling {
    func words(flag: String, default base: RerunLeaf) -> [String] {
        let value = wrappedValue.argumentSpelling
        guard let value, value != (base as? Self)?.wrappedValue.argumentSpelling else { return [] }
        return ["--\(flag)", value]
    }
}

extension Flag: RerunLeaf where Value == Bool {
    func words(flag: String, default base: RerunLeaf) -> [String] {
        let byDefault = (base as? Self)?.wrappedValue ?? false
        precondition(!byDefault, "--\(flag): the re-run line writes flags that are off by default")
        return wrappedValue ? ["--\(flag)"] : []
    }
}

extension OptionGroup: RerunGroup {
    var groupValue: Any { wrappedValue }
}
