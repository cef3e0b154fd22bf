import Core
import Render

/// What one named section of a chapter hands back: its report sections in reading order (usually one), the
/// claims it checks and its members of the `--json` results. Every chapter's sections return this one type.
///
/// ```swift
/// static func fig14Left(_ run: Run, figures: inout FigureSet) throws -> SectionOutput {
///     var s = Section("3.4.3 Fig. 14 left: where the baseline's time goes")
///     s.figure(figures.svg("06-fig14-left", chart), caption: "…")
///     return SectionOutput(s, claims: claims, json: [("fig14Left", shares)])
/// }
/// ```
public struct SectionOutput: Sendable {
    public var sections: [Section]
    public var claims: [Claim]
    public var json: [(String, JSONValue)]

    public init(sections: [Section], claims: [Claim] = [], json: [(String, JSONValue)] = []) {
        self.sections = sections
        self.claims = claims
        self.json = json
    }

    public init(_ section: Section, claims: [Claim] = [], json: [(String, JSONValue)] = []) {
        self.init(sections: [section], claims: claims, json: json)
    }
}

/// The chapter kernel: the one place a chapter collects what its sections produce (report sections, claims,
/// figures and `--json` members, in reading order) and turns it into a ``ChapterResult``.
///
/// A chapter computes its run once (a `Run` value: the models evaluated, the searches done), then presents it
/// as a list of named section functions, each a few dozen lines returning a ``SectionOutput``:
///
/// ```swift
/// var cx = ChapterContext()
/// try cx.add { try HardwareSection.build(run, figures: &$0) }   // draws figures
/// cx.add(try EngineSection.build(run))                         // computes only
/// return cx.result(name: name, reportPath: reportPath,
///                  report: Report(title: "…", generatedBy: s.command,
///                                 intro: "… \(ClaimSummary.sentence(cx.claims))", sections: cx.sections))
/// ```
///
/// A section that draws figures takes `figures: inout FigureSet` and is added through the closure form of `add`;
/// one that only computes takes the run alone.
///
/// Moving a section onto the kernel: make its `build` return a ``SectionOutput`` (its `--json` members in
/// `json`, in the order the chapter printed them) and add it as above. Chapter 4's `MapspaceStudySection` and
/// `PeerSection` still return tuples that `SchedulingChapter.build` wraps: `MapspaceStudySection.build` becomes
/// `SectionOutput(section, claims: claims, json: SchedulingChapter.studyJSON(settings, studies, unconstrained: u))`
/// and the wrapping
/// lines in `SchedulingChapter.build` become `try cx.add { try MapspaceStudySection.build(settings, figures: &$0) }`.
/// No function in Sources/Chapters may exceed 80 lines (`FunctionLengthTests`). Number formats are `Render.NumberFormat`'s; graph style and the colours of operation
/// classes are ``GraphStyle`` and ``OperationPalette``.
public struct ChapterContext: Sendable {
    /// The chapter's figure files; a section adds to it and links the path it gets back.
    public var figures = FigureSet()
    /// The report's sections so far, in reading order.
    public private(set) var sections: [Section] = []
    /// Every claim (and illustration) so far, in reading order; ``ChapterResult`` sets the illustrations apart.
    public private(set) var claims: [Claim] = []
    /// The `results` members of `--json` so far.
    public private(set) var json: [(String, JSONValue)] = []

    public init() {}

    /// Appends a section's output.
    public mutating func add(_ output: SectionOutput) {
        sections += output.sections
        claims += output.claims
        json += output.json
    }

    /// Runs a section that draws figures (into ``figures``) and appends its output:
    /// `try cx.add { try BreakdownSection.build(run, figures: &$0) }`.
    public mutating func add(_ section: (inout FigureSet) throws -> SectionOutput) rethrows {
        add(try section(&figures))
    }

    /// Appends one section with its claims and `--json` members.
    public mutating func add(_ section: Section, claims: [Claim] = [], json: [(String, JSONValue)] = []) {
        add(SectionOutput(section, claims: claims, json: json))
    }

    /// The chapter's result: `report` (built from ``sections`` and ``claims``), every claim, the figures and
    /// `extraFiles` (records a later chapter reads) and the `--json` results (by default the members collected).
    public func result(name: String, reportPath: String, report: Report, extraFiles: [GeneratedFile] = [],
                       results: JSONValue? = nil) -> ChapterResult {
        ChapterResult(name: name, report: report, claims: claims, figures: figures.files + extraFiles,
                      reportPath: reportPath, results: results ?? .object(json))
    }
}
