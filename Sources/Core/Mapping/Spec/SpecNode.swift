import Yams

/// Why a spec file cannot be read: the file, the line, the key (a dotted path such as
/// `architecture.nodes[3].attributes.depth`) and what is wrong, in one line.
///
/// ```swift
/// MappingSpecError(file: "my-arch.yaml", line: 12, key: "architecture.nodes[3].attributes.depht",
///                  message: "unknown key; allowed: datawidth, depth, ...").description
/// // "my-arch.yaml:12: architecture.nodes[3].attributes.depht: unknown key; allowed: datawidth, depth, ..."
/// ```
public struct MappingSpecError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var key: String
    public var message: String

    public init(file: String, line: Int, key: String, message: String) {
        self.file = file
        self.line = line
        self.key = key
        self.message = message
    }

    public var description: String { "\(file):\(line): \(key): \(message)" }
}

/// Where a YAML value was written: enough to name it in an error after its node is gone.
struct SpecLocation: Sendable, Hashable {
    var file: String, line: Int, key: String
    func error(_ message: String) -> MappingSpecError { MappingSpecError(file: file, line: line, key: key, message: message) }
}

/// A YAML node with its file, its key path and its line: typed reads that throw ``MappingSpecError``.
struct SpecNode {
    let node: Node
    let file: String
    let key: String

    var line: Int { node.mark?.line ?? 1 }

    /// The first document of `text`; a YAML syntax error names its line.
    static func parse(_ text: String, file: String, root: String) throws(MappingSpecError) -> SpecNode {
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw MappingSpecError(file: file, line: 1, key: root, message: "the file is empty; expected a '\(root):' mapping")
            }
            return SpecNode(node: node, file: file, key: "")
        } catch let error as MappingSpecError {
            throw error
        } catch let error as YamlError {
            throw MappingSpecError(file: file, line: Self.line(of: error), key: "(YAML syntax)", message: Self.problem(of: error))
        } catch {
            throw MappingSpecError(file: file, line: 1, key: "(YAML syntax)", message: "\(error)")
        }
    }

    static func line(of error: YamlError) -> Int {
        switch error {
        case let .scanner(_, _, mark, _), let .parser(_, _, mark, _), let .composer(_, _, mark, _): return mark.line
        default: return 1
        }
    }

    static func problem(of error: YamlError) -> String {
        switch error {
        case let .scanner(context, problem, _, _), let .parser(context, problem, _, _), let .composer(context, problem, _, _):
            return "malformed YAML: " + ((context?.text).map { $0 + " " } ?? "") + problem
        default: return "malformed YAML: \(error)"
        }
    }

    func error(_ message: String) -> MappingSpecError {
        MappingSpecError(file: file, line: line, key: key.isEmpty ? "(top level)" : key, message: message)
    }

    var location: SpecLocation { SpecLocation(file: file, line: line, key: key.isEmpty ? "(top level)" : key) }

    func child(_ name: String, _ node: Node) -> SpecNode {
        SpecNode(node: node, file: file, key: key.isEmpty ? name : key + "." + name)
    }

    /// The entries of a mapping; an unknown or repeated key, or a missing required one, is an error naming it.
    func mapping(allowed: [String], required: [String] = []) throws(MappingSpecError) -> [String: SpecNode] {
        guard case let .mapping(m) = node else { throw error("expected a mapping with keys \(allowed.joined(separator: ", "))") }
        var out: [String: SpecNode] = [:]
        for (k, v) in m {
            guard let name = k.string else { throw child("?", k).error("a key must be a plain name") }
            let entry = SpecNode(node: v, file: file, key: key.isEmpty ? name : key + "." + name)
            guard allowed.contains(name) else {
                throw SpecNode(node: k, file: file, key: entry.key).error("unknown key; allowed here: \(allowed.joined(separator: ", "))")
            }
            guard out[name] == nil else { throw SpecNode(node: k, file: file, key: entry.key).error("the key appears twice") }
            out[name] = entry
        }
        for name in required where out[name] == nil {
            throw error("missing key '\(name)'; required here: \(required.joined(separator: ", "))")
        }
        return out
    }

    func sequence() throws(MappingSpecError) -> [SpecNode] {
        guard case let .sequence(s) = node else { throw error("expected a list") }
        return s.enumerated().map { SpecNode(node: $1, file: file, key: "\(key)[\($0)]") }
    }

    func string() throws(MappingSpecError) -> String {
        guard case let .scalar(s) = node else { throw error("expected a single value") }
        return s.string
    }

    func int(in range: ClosedRange<Int>) throws(MappingSpecError) -> Int {
        guard case .scalar = node, let v = node.int else { throw error("expected an integer, got '\((try? string()) ?? "a collection")'") }
        guard range.contains(v) else { throw error("\(v) is out of range; allowed \(range.lowerBound)...\(range.upperBound)") }
        return v
    }

    func double(in range: ClosedRange<Double>) throws(MappingSpecError) -> Double {
        guard case .scalar = node, let v = node.float, v.isFinite else {
            throw error("expected a number, got '\((try? string()) ?? "a collection")'")
        }
        guard range.contains(v) else { throw error("\(v) is out of range; allowed \(range.lowerBound)...\(range.upperBound)") }
        return v
    }

    /// Timeloop's `version` field: this reader takes 0.4.
    func version() throws(MappingSpecError) {
        let v = try string()
        guard v == "0.4" else { throw error("version \(v) is not supported; this reader takes Timeloop's 0.4 format") }
    }

    /// A list of names, written as a YAML list or as one space-separated string.
    func names() throws(MappingSpecError) -> [(String, SpecNode)] {
        if case .scalar = node { return try string().split(separator: " ").map { (String($0), self) } }
        return try sequence().map { n throws(MappingSpecError) in (try n.string(), n) }
    }
}
