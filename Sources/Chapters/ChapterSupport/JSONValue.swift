import Core

/// A JSON document with deterministic serialisation: object keys keep the order they were given in,
/// numbers use one formatter (integers without a decimal point, others with up to 12 significant digits).
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool { a.serialized() == b.serialized() }

    /// Compact when `indent` is nil, else pretty-printed with that many spaces.
    public func serialized(indent: Int? = 2) -> String {
        var out = ""
        write(into: &out, level: 0, indent: indent)
        return out
    }

    private func write(into out: inout String, level: Int, indent: Int?) {
        let newline = indent == nil ? "" : "\n"
        func pad(_ l: Int) -> String { indent.map { String(repeating: " ", count: $0 * l) } ?? "" }
        let colon = indent == nil ? ":" : ": "
        switch self {
        case .null: out += "null"
        case let .bool(b): out += b ? "true" : "false"
        case let .number(x): out += Self.format(x)
        case let .string(s): out += Self.quote(s)
        case let .array(items):
            if items.isEmpty { out += "[]"; return }
            out += "[" + newline
            for (i, item) in items.enumerated() {
                out += pad(level + 1)
                item.write(into: &out, level: level + 1, indent: indent)
                out += (i + 1 < items.count ? "," : "") + newline
            }
            out += pad(level) + "]"
        case let .object(pairs):
            if pairs.isEmpty { out += "{}"; return }
            out += "{" + newline
            for (i, (key, value)) in pairs.enumerated() {
                out += pad(level + 1) + Self.quote(key) + colon
                value.write(into: &out, level: level + 1, indent: indent)
                out += (i + 1 < pairs.count ? "," : "") + newline
            }
            out += pad(level) + "}"
        }
    }

    /// Integers print exactly; other finite values with up to 12 significant digits; non-finite as null.
    static func format(_ x: Double) -> String {
        guard x.isFinite else { return "null" }
        if x == x.rounded(), abs(x) < 9.0e15 { return String(Int64(x)) }
        var s = String(describing: x)            // shortest round-trip representation
        if s.contains("e") { return s }
        if let dot = s.firstIndex(of: "."), s.distance(from: dot, to: s.endIndex) > 13 {
            s = String(s[..<s.index(dot, offsetBy: 13)])
        }
        return s
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20:
                let hex = String(c.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

extension Claim {
    /// The claim as the `--json` schema has it: id, reference, kind, statement, expected, observed, tolerance,
    /// then `holds`, `unexpected` and, for a claim that does not hold, `deviation` (its cause); an illustration
    /// has `agrees` instead and no cause. `note` carries the known deviation's reason after the claim's note.
    public var json: JSONValue {
        func value(_ v: ClaimValue) -> JSONValue {
            switch v {
            case let .number(x): return .number(x)
            case let .text(s): return .string(s)
            }
        }
        var note = self.note
        if let deviation = knownDeviation { note = note.isEmpty ? deviation.reason : note + " " + deviation.reason }
        var pairs: [(String, JSONValue)] = [
            ("id", .string(id)), ("reference", .string(reference)), ("kind", .string(kind.rawValue)),
            ("statement", .string(statement)),
            ("expected", value(expected)), ("observed", value(observed)),
            ("tolerance", tolerance.map { .string($0.summary) } ?? .null),
        ]
        if isIllustration {
            pairs.append(("agrees", .bool(holds)))
        } else {
            pairs.append(("holds", .bool(holds)))
            pairs.append(("unexpected", .bool(!isAsExpected)))
            if let cause = deviation { pairs.append(("deviation", .string(cause.rawValue))) }
        }
        pairs.append(("note", .string(note)))
        return .object(pairs)
    }
}
