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
    /// The claims the tally counts: the survey's statements and our checks of them.
    public var claims: [Claim]
    /// Checks the survey never makes, shown in the report but kept out of the tally (``Claim/isIllustration``).
    public var illustrations: [Claim]
    /// Figures and other side files (the report itself is added by ``files``).
    public var figures: [GeneratedFile]
    /// The report's path relative to the output folder.
    public var reportPath: String
    /// The `results` member of the `--json` output.
    public var results: JSONValue

    /// `claims` holds every check of the chapter; the illustrations among them are set apart here.
    public init(name: String, report: Report, claims: [Claim], figures: [GeneratedFile], reportPath: String,
                results: JSONValue) {
        self.name = name
        var report = report
        // Every chapter's report opens with the same box on how to read its claims tables.
        if !claims.isEmpty { report.intro += "\n\n" + ClaimFormatting.howToRead }
        // And closes with its acronyms (the survey's Tab. 13), read from the report itself.
        report.appendix = Glossary.section(for: report.markdown()).map { [$0] } ?? []
        self.report = report
        self.claims = claims.filter { !$0.isIllustration }
        self.illustrations = claims.filter(\.isIllustration)
        self.figures = figures
        self.reportPath = reportPath
        self.results = results
    }

    /// The report followed by every figure, in a stable order.
    public var files: [GeneratedFile] {
        [GeneratedFile(path: reportPath, text: report.markdown())] + figures
    }

    /// The tally of the claims, illustrations counted apart.
    public var tally: ClaimTally { ClaimTally(claims + illustrations) }

    /// The `--json` document: every claim that does not hold carries `deviation`, its cause; illustrations
    /// come in their own array, outside the tally.
    public var json: JSONValue {
        .object([("chapter", .string(name)), ("tally", ClaimSummary.json(tally)),
                 ("claims", .array(claims.map(\.json))), ("illustrations", .array(illustrations.map(\.json))),
                 ("results", results)])
    }

    /// One line per claim (✔/✘, observed vs expected, and the cause of a ✘), one per illustration (·), and a
    /// closing tally line.
    public var claimLines: [String] {
        var lines = claims.map { claim -> String in
            let mark = claim.holds ? "✔" : "✘"
            var why = ""
            if let d = claim.knownDeviation {
                why = "  (\(claim.holds ? "recorded as " : "")\(d.cause.label): \(d.reason))"
            } else if let cause = claim.deviation {
                why = "  (counted as \(cause.label))"
            }
            let flag = claim.isAsExpected ? "" : "  [UNEXPECTED]"
            return "\(mark) \(claim.id)  \(claim.reference): \(claim.statement): ours \(ClaimFormatting.text(claim.observed, claim.tolerance)), "
                + "paper \(ClaimFormatting.text(claim.expected, claim.tolerance))\(why)\(flag)"
        }
        lines += illustrations.map { c in
            "· \(c.id)  \(c.reference): \(c.statement): ours \(ClaimFormatting.text(c.observed, c.tolerance)), "
                + "compared with \(ClaimFormatting.text(c.expected, c.tolerance)) (\(ClaimSummary.outcome(c)); illustration, not counted)"
        }
        lines.append(ClaimSummary.line(name: name, tally))
        return lines
    }
}

/// The words for claims' causes and tallies: the terminal's tally line, the reports' summary sentences and
/// the cause column all come from here.
public enum ClaimSummary {
    /// The tally line every chapter prints last, e.g. `workload-analysis: 318 claims hold, 53 do not: 31 paper
    /// errors, 20 under-specified, 1 model difference, 1 machine difference (0 unexpected)`.
    public static func line(name: String, _ t: ClaimTally) -> String {
        var line = "\(name): \(t.holding) claims hold, \(t.failing) \(t.failing == 1 ? "does" : "do") not"
        if t.failing > 0 { line += ": " + split(t).joined(separator: ", ") }
        line += " (\(t.unexpected) unexpected)"
        if t.illustrations > 0 { line += "; \(illustrations(t.illustrations)) not counted" }
        return line
    }

    /// The failing claims by cause, in the order of ``DeviationCause/allCases``, causes with none left out.
    public static func split(_ t: ClaimTally) -> [String] {
        DeviationCause.allCases.compactMap { cause in
            t.failingByCause[cause].map { cause.counted($0) }
        }
    }

    /// A report's summary of its claims, for its introduction, e.g. "318 of 371 claims hold; the 53 that do
    /// not (31 paper errors, 20 under-specified, …) are listed with their cause and reason."
    public static func sentence(_ claims: [Claim]) -> String {
        let t = ClaimTally(claims)
        var s: String
        switch t.failing {
        case 0: s = t.counted == 1 ? "The one claim holds" : "All \(t.counted) claims hold"
        case 1: s = "\(t.holding) of \(t.counted) claims hold; the one that does not (\(split(t).joined(separator: ", "))) is listed with its cause and reason"
        default: s = "\(t.holding) of \(t.counted) claims hold; the \(t.failing) that do not (\(split(t).joined(separator: ", "))) are listed with their cause and reason"
        }
        if t.unexpected > 0 {
            s += "; \(t.unexpected) came out otherwise than in the default run (unexpected)"
        }
        s += "."
        if t.illustrations > 0 {
            s += " \(t.illustrations == 1 ? "One further check" : "\(t.illustrations) further checks") that the survey does not make \(t.illustrations == 1 ? "is" : "are") shown as \(t.illustrations == 1 ? "an illustration" : "illustrations"), outside this count."
        }
        return s
    }

    /// A short line for a section's own claims, e.g. "**Claims:** 75 checked, 70 ✔, 5 ✘ (5 paper errors)."
    public static func sectionLine(_ claims: [Claim]) -> String {
        let t = ClaimTally(claims)
        var s = "**Claims:** \(t.counted) checked, \(t.holding) ✔, \(t.failing) ✘"
        if t.failing > 0 { s += " (" + split(t).joined(separator: ", ") + ")" }
        return s + "."
    }

    /// "3 illustrations", "1 illustration".
    static func illustrations(_ n: Int) -> String { n == 1 ? "1 illustration" : "\(n) illustrations" }

    /// Whether an illustration's two values agree within its tolerance, in words (illustrations get no ✔ or ✘).
    public static func outcome(_ c: Claim) -> String { c.holds ? "agrees" : "differs" }

    /// The tally as `--json` has it.
    public static func json(_ t: ClaimTally) -> JSONValue {
        .object([("hold", .number(Double(t.holding))), ("doNotHold", .number(Double(t.failing))),
                 ("byCause", .object(DeviationCause.allCases.map { ($0.rawValue, .number(Double(t.failingByCause[$0] ?? 0))) })),
                 ("unexpected", .number(Double(t.unexpected))), ("illustrations", .number(Double(t.illustrations)))])
    }
}

extension DeviationCause {
    /// The cause as reports and the terminal name it: `paper error`, `under-specified`, `model difference`,
    /// `machine difference`.
    public var label: String {
        switch self {
        case .paperError: return "paper error"
        case .paperUnderspecified: return "under-specified"
        case .modelDifference: return "model difference"
        case .differentMachine: return "machine difference"
        }
    }

    /// `n` claims of this cause: "47 paper errors", "5 under-specified", "1 model difference".
    public func counted(_ n: Int) -> String {
        switch self {
        case .paperUnderspecified: return "\(n) \(label)"
        default: return "\(n) \(label)\(n == 1 ? "" : "s")"
        }
    }
}

/// How claims' values print in reports and on the terminal.
public enum ClaimFormatting {
    /// The box every report shows after its introduction: what the columns of a claims table, the tolerances,
    /// ✘, *known*, the four causes and the illustrations mean. Written once, here, for all six chapters.
    public static let howToRead = """
        > **How to read a claim row.** Each row checks one number or statement of the survey. **Ref.** is where \
        the survey makes it (a table, figure or section; for our own cross-checks, the file of this repository \
        that holds the other side). **Claim** says what is checked, **Paper** is the survey's value and **Ours** \
        the one this chapter computes or measures. **Tol.** is how close counts as agreeing, fixed before the \
        comparison: ±0.005 and the like, half a unit of the last digit the survey prints; *label*, a figure's \
        data label, which the survey rounds or truncates (either reading gives it); ±N%, relative; ±N or \
        *exact*, absolute; ×÷N, within a factor of N. ✔ means Ours is within Tol. of Paper, ✘ that it is \
        not. Every ✘ of the default run is *known*: recorded in the code with its reason (in **Note**) and one \
        of four **Causes**: *paper error* (the survey is wrong: a typo, a rounding, or two of its own numbers \
        disagreeing), *under-specified* (the survey leaves out what the value needs, such as a layer list, a \
        tiling rule or a constant), *model difference* (our model or experiment knowingly differs from the \
        survey's) and *machine difference* (measured on this machine, not the survey's hardware). A ✘ that is \
        not recorded can only come from other flags or another machine; it is called *unexpected* and counted \
        as a machine difference if measured, a model difference otherwise. **Illustrations**, in tables of \
        their own with *agrees* or *differs* instead of ✔ or ✘, are checks the survey does not make (a cited \
        paper against another, a peer tool's output): they are counted neither as holding nor as failing.
        """

    public static func text(_ value: ClaimValue, _ tolerance: Tolerance?) -> String {
        switch value {
        case let .text(s): return s
        case let .number(x):
            if let k = tolerance?.displayDecimals { return NumberFormat.fixed(x, decimals: max(k + 1, 2)) }
            if x == x.rounded(), abs(x) < 1e15 { return NumberFormat.fixed(x, decimals: 0) }
            return NumberFormat.significant(x, digits: 5)
        }
    }

    /// The claims table of a report: reference, statement, paper, ours, tolerance, ✔/✘, the cause of a ✘ and
    /// the reason. Illustrations go in ``illustrationTable(_:)``, never here.
    public static func table(_ claims: [Claim]) -> Table {
        precondition(!claims.contains(where: \.isIllustration), "illustrations belong in ClaimFormatting.illustrationTable")
        return Table(columns: [
            .init("Ref.", alignment: .left), .init("Claim", alignment: .left), .init("Paper", alignment: .right),
            .init("Ours", alignment: .right), .init("Tol.", alignment: .right), .init("", alignment: .center),
            .init("Cause", alignment: .left), .init("Note", alignment: .left),
        ], rows: claims.map { c in
            var note = c.note
            if let d = c.knownDeviation { note = note.isEmpty ? d.reason : "\(d.reason) \(note)" }
            return [c.reference, c.statement, text(c.expected, c.tolerance), text(c.observed, c.tolerance),
                    c.tolerance?.summary ?? "", c.holds ? "✔" : "✘", c.deviation?.label ?? "", note]
        })
    }

    /// Checks the survey never makes: the two values side by side, whether they agree in words, no ✔ or ✘.
    public static func illustrationTable(_ illustrations: [Claim]) -> Table {
        precondition(illustrations.allSatisfy(\.isIllustration), "claims belong in ClaimFormatting.table")
        return Table(columns: [
            .init("Ref.", alignment: .left), .init("Illustration", alignment: .left), .init("Compared with", alignment: .right),
            .init("Ours", alignment: .right), .init("Tol.", alignment: .right), .init("", alignment: .center),
            .init("Note", alignment: .left),
        ], rows: illustrations.map { c in
            [c.reference, c.statement, text(c.expected, c.tolerance), text(c.observed, c.tolerance),
             c.tolerance?.summary ?? "", ClaimSummary.outcome(c), c.note]
        }, caption: "Illustrations: checks the survey does not make, shown for what they teach and counted neither as holding nor as failing.")
    }
}

extension Section {
    /// The claims' table and, if some of them are illustrations, their own table after it.
    public mutating func claims(_ claims: [Claim]) {
        let counted = claims.filter { !$0.isIllustration }, shown = claims.filter(\.isIllustration)
        if !counted.isEmpty { table(ClaimFormatting.table(counted)) }
        if !shown.isEmpty { table(ClaimFormatting.illustrationTable(shown)) }
    }
}
