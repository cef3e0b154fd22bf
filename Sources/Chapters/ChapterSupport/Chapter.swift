import Core
import Render

/// A file a chapter generates, with its path relative to the output folder (`chapters/…`, `figures/…`).
public struct GeneratedFile: Sendable, Equatable {
    public var path: String
    public var bytes: [UInt8]

    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
    }

    public init(path: String, text: String) {
        self.init(path: path, bytes: Array(text.utf8))
    }
}

/// Everything a chapter computes: its report, its claims, the figures and the machine-readable results.
/// Chapter executables build one of these in a pure function; tests call that function directly.
public struct ChapterResult: Sendable {
    /// The chapter's name in `--json` output, e.g. `workload-analysis`.
    public var name: String
    public var report: Report
    public var claims: [Claim]
    /// Figures and other side files (the report itself is added by ``files``).
    public var figures: [GeneratedFile]
    /// The report's path relative to the output folder.
    public var reportPath: String
    /// The `results` member of the `--json` output.
    public var results: JSONValue

    public init(name: String, report: Report, claims: [Claim], figures: [GeneratedFile], reportPath: String,
                results: JSONValue) {
        self.name = name
        self.report = report
        self.claims = claims
        self.figures = figures
        self.reportPath = reportPath
        self.results = results
    }

    /// The report followed by every figure, in a stable order.
    public var files: [GeneratedFile] {
        [GeneratedFile(path: reportPath, text: report.markdown())] + figures
    }

    /// The `--json` document.
    public var json: JSONValue {
        .object([("chapter", .string(name)), ("claims", .array(claims.map(\.json))), ("results", results)])
    }

    /// One line per claim (✔/✘, observed vs expected) and a closing tally line.
    public var claimLines: [String] {
        var lines = claims.map { claim -> String in
            let mark = claim.holds ? "✔" : "✘"
            let flag = claim.isAsExpected ? "" : "  [UNEXPECTED]"
            let why = claim.knownDeviation.map { "  (\($0))" } ?? ""
            return "\(mark) \(claim.id)  \(claim.reference): \(claim.statement): ours \(ClaimFormatting.text(claim.observed, claim.tolerance)), "
                + "paper \(ClaimFormatting.text(claim.expected, claim.tolerance))\(why)\(flag)"
        }
        let tally = claims.tally
        let known = claims.filter { !$0.holds && $0.knownDeviation != nil }.count
        let unexpected = claims.filter { !$0.isAsExpected }.count
        lines.append("\(name): \(tally.holding) claims hold, \(tally.failing) do not"
            + " (\(known) of them known deviations, \(unexpected) unexpected)")
        return lines
    }
}

/// How claims' values print in reports and on the terminal.
public enum ClaimFormatting {
    public static func text(_ value: ClaimValue, _ tolerance: Tolerance?) -> String {
        switch value {
        case let .text(s): return s
        case let .number(x):
            if let k = tolerance?.displayDecimals { return NumberFormat.fixed(x, decimals: max(k + 1, 2)) }
            if x == x.rounded(), abs(x) < 1e15 { return NumberFormat.fixed(x, decimals: 0) }
            return NumberFormat.significant(x, digits: 5)
        }
    }

    /// The claims table of a report: reference, statement, paper, ours, tolerance, ✔/✘ and the reason.
    public static func table(_ claims: [Claim]) -> Table {
        Table(columns: [
            .init("Ref.", alignment: .left), .init("Claim", alignment: .left), .init("Paper", alignment: .right),
            .init("Ours", alignment: .right), .init("Tol.", alignment: .right), .init("", alignment: .center),
            .init("Note", alignment: .left),
        ], rows: claims.map { c in
            var note = c.note
            if let d = c.knownDeviation { note = note.isEmpty ? d : "\(d) \(note)" }
            return [c.reference, c.statement, text(c.expected, c.tolerance), text(c.observed, c.tolerance),
                    c.tolerance?.summary ?? "", c.holds ? "✔" : "✘", note]
        })
    }
}
