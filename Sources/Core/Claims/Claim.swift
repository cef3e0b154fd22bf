/// How close an observed value must be to the paper's value.
public enum Tolerance: Sendable, Hashable, Codable {
    /// Within half a unit of the last printed digit: what "agrees to the printed precision" means for a
    /// number in the paper's text or tables.
    case printed(decimals: Int)
    /// A data label read off a figure: the observed value, rounded or truncated to the label's digits, gives
    /// the label. (The survey's labels do both: Fig. 6 prints 159.68 as 160 but 117.96 as 117.)
    case figureLabel(decimals: Int)
    /// |observed − expected| ≤ fraction · |expected|.
    case relative(Double)
    /// |observed − expected| ≤ amount.
    case absolute(Double)
    /// Within a factor: 1/f ≤ observed / expected ≤ f (for quantities compared by order of magnitude, such as
    /// statistics of random samples from a different model).
    case factor(Double)
    /// What "~N" or "about N" in the survey's text states: N to its printed significant figures, so
    /// |observed − N| ≤ half a unit in N's last significant place. Trailing zeros of a whole number printed
    /// without a decimal point are not significant, so the caller passes the count as printed: "~120×" has two
    /// (115…125), "~30×" and "~2×" one (25…35, 1.5…2.5).
    ///
    /// ```swift
    /// Tolerance.approximately(significantFigures: 2).accepts(observed: 116.2, expected: 120)   // true
    /// Tolerance.approximately(significantFigures: 1).accepts(observed: 1.4, expected: 2)       // false
    /// ```
    case approximately(significantFigures: Int)
    /// Within `points` of the expected value, but never more than `fraction` of it:
    /// |observed − expected| ≤ min(points, fraction · |expected|). For a share compared on an absolute scale where
    /// the small values would otherwise pass whatever they were (±5 points around a 1% share).
    case pointsAtMostRelative(points: Double, fraction: Double)

    public func accepts(observed: Double, expected: Double) -> Bool {
        guard observed.isFinite, expected.isFinite else { return false }
        switch self {
        case let .printed(k):
            let scale = Self.power10(k)
            return abs(observed * scale - expected * scale) <= 0.5 + 1e-9
        case let .figureLabel(k):
            let scale = Self.power10(k)
            let rounded = (observed * scale).rounded(.toNearestOrAwayFromZero)
            let truncated = (observed * scale + 1e-9).rounded(.towardZero)
            let target = (expected * scale).rounded()
            return rounded == target || truncated == target
        case let .relative(fraction):
            return abs(observed - expected) <= fraction * abs(expected) + 1e-12
        case let .absolute(amount):
            return abs(observed - expected) <= amount + 1e-12
        case let .factor(f):
            guard observed > 0, expected > 0 else { return false }
            return max(observed / expected, expected / observed) <= f * (1 + 1e-12)
        case let .approximately(figures):
            return abs(observed - expected) <= Self.halfUnit(of: expected, significantFigures: figures) * (1 + 1e-12)
        case let .pointsAtMostRelative(points, fraction):
            return abs(observed - expected) <= min(points, fraction * abs(expected)) + 1e-12
        }
    }

    /// Half a unit in the last of `significantFigures` places of `value`: 5 for 120 at two figures, 0.5 for 2 at one.
    static func halfUnit(of value: Double, significantFigures: Int) -> Double {
        let magnitude = abs(value)
        guard magnitude > 0, magnitude.isFinite else { return 0 }
        var unit = 1.0                                  // the place of the leading digit: 100 for 120
        while unit * 10 <= magnitude { unit *= 10 }
        while unit > magnitude { unit /= 10 }
        for _ in 1..<max(1, significantFigures) { unit /= 10 }   // the last significant place: 10 for 120 at 2
        return unit / 2
    }

    /// Digits worth showing for values judged with this tolerance.
    public var displayDecimals: Int? {
        switch self {
        case let .printed(k), let .figureLabel(k): return k
        case .relative, .absolute, .factor, .approximately, .pointsAtMostRelative: return nil
        }
    }

    /// A short human description, e.g. `±0.005` or `±1%`.
    public var summary: String {
        switch self {
        case let .printed(k): return "±0." + String(repeating: "0", count: max(0, k)) + "5"
        case let .figureLabel(k): return k == 0 ? "label (round/trunc)" : "label, \(k) dp"
        case let .relative(f):
            let pct = f * 100
            return pct == pct.rounded() ? "±\(Int(pct))%" : "±\(pct)%"
        case let .absolute(a): return a == 0 ? "exact" : "±\(a)"
        case let .factor(f): return "×÷\(f == f.rounded() ? String(Int(f)) : String(f))"
        case let .approximately(figures): return "~, \(figures) s.f."
        case let .pointsAtMostRelative(points, fraction):
            let pct = fraction * 100
            return "±\(points), ≤ ±\(pct == pct.rounded() ? String(Int(pct)) : String(pct))%"
        }
    }

    private static func power10(_ k: Int) -> Double {
        var x = 1.0
        for _ in 0..<max(0, k) { x *= 10 }
        return x
    }
}

/// What sort of statement a claim checks (DESIGN §4).
public enum ClaimKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// A number the paper prints, against ours.
    case paperNumber
    /// A trend or ordering the paper states ("rises to 512, then falls").
    case ordering
    /// Two of our own derivations that must agree (closed form vs enumeration).
    case crossCheck
    /// Measured on this machine.
    case measured
}

/// A claim's expected or observed value: a number, or a short text for orderings.
public enum ClaimValue: Sendable, Hashable, Codable {
    case number(Double)
    case text(String)

    public var number: Double? {
        if case let .number(x) = self { return x }
        return nil
    }
}

/// Why a claim does not hold: one of exactly four causes (DESIGN §4).
public enum DeviationCause: String, Sendable, Hashable, Codable, CaseIterable {
    /// The survey is wrong: a typo, a rounding or truncation, or two of its own numbers contradicting each other.
    case paperError
    /// The survey leaves out what is needed to compute the value (a layer list, a tiling rule, a constant).
    case paperUnderspecified
    /// Our model or tool knowingly differs from the survey's (a cost model's rule, a smaller experiment).
    /// A debt: the aim is to remove it by modelling the real thing.
    case modelDifference
    /// Measured here, not on the survey's hardware.
    case differentMachine
}

/// A claim the reproduction does not meet: the cause, and the reason in words.
///
/// ```swift
/// let typo = KnownDeviation.paperError("printed \"30\" for 0.30")
/// typo.cause    // .paperError
/// ```
public struct KnownDeviation: Sendable, Hashable, Codable {
    public var cause: DeviationCause
    public var reason: String

    public init(_ cause: DeviationCause, _ reason: String) {
        self.cause = cause
        self.reason = reason
    }

    public static func paperError(_ reason: String) -> KnownDeviation { KnownDeviation(.paperError, reason) }
    public static func paperUnderspecified(_ reason: String) -> KnownDeviation { KnownDeviation(.paperUnderspecified, reason) }
    public static func modelDifference(_ reason: String) -> KnownDeviation { KnownDeviation(.modelDifference, reason) }
    public static func differentMachine(_ reason: String) -> KnownDeviation { KnownDeviation(.differentMachine, reason) }
}

/// One checkable statement of the paper, with our value, shared by tests (one test per claim) and reports
/// (one row per claim).
///
/// A claim the reproduction does not meet keeps `holds == false` and carries a `knownDeviation` saying why and
/// naming its cause; its test then expects the failure, and fails if the claim ever starts to hold.
///
/// A check the survey never makes (a cited paper's numbers against each other, a peer tool's output) is an
/// *illustration* (``illustration()``): it is computed and shown, but counted neither as holding nor as failing,
/// and carries no deviation.
///
/// ```swift
/// let c = Claim.number(id: "tab3.l128.proj.gflops", reference: "Tab. 3", statement: "MHA proj GFLOPs, l = 128",
///                      paper: 7.25, observed: 7.2478, tolerance: .printed(decimals: 2))
/// c.holds    // true
/// ```
public struct Claim: Sendable, Hashable, Identifiable, Codable {
    public var id: String
    /// Where the paper says it: `Tab. 3`, `Fig. 6`, `§2.2.1`.
    public var reference: String
    /// What is claimed, in our words.
    public var statement: String
    public var kind: ClaimKind
    public var expected: ClaimValue
    public var observed: ClaimValue
    public var tolerance: Tolerance?
    public var holds: Bool
    /// Context: how the value was derived, or what a typo should have read.
    public var note: String
    /// Why the reproduction does not meet the claim, and the cause; nil if it should hold.
    public var knownDeviation: KnownDeviation?
    /// A check the survey never makes, shown but kept out of the tally.
    public var isIllustration: Bool

    public init(id: String, reference: String, statement: String, kind: ClaimKind, expected: ClaimValue,
                observed: ClaimValue, tolerance: Tolerance?, holds: Bool, note: String = "",
                knownDeviation: KnownDeviation? = nil, isIllustration: Bool = false) {
        self.id = id
        self.reference = reference
        self.statement = statement
        self.kind = kind
        self.expected = expected
        self.observed = observed
        self.tolerance = tolerance
        self.holds = holds
        self.note = note
        self.knownDeviation = knownDeviation
        self.isIllustration = isIllustration
    }

    /// A number the paper prints, judged with `tolerance`.
    public static func number(id: String, reference: String, statement: String, paper: Double, observed: Double,
                              tolerance: Tolerance, kind: ClaimKind = .paperNumber, note: String = "",
                              knownDeviation: KnownDeviation? = nil) -> Claim {
        Claim(id: id, reference: reference, statement: statement, kind: kind, expected: .number(paper),
              observed: .number(observed), tolerance: tolerance,
              holds: tolerance.accepts(observed: observed, expected: paper), note: note,
              knownDeviation: knownDeviation)
    }

    /// A statement that is true or false (an ordering or trend), with both sides described in words.
    public static func statement(id: String, reference: String, statement: String, expected: String,
                                 observed: String, holds: Bool, kind: ClaimKind = .ordering, note: String = "",
                                 knownDeviation: KnownDeviation? = nil) -> Claim {
        Claim(id: id, reference: reference, statement: statement, kind: kind, expected: .text(expected),
              observed: .text(observed), tolerance: nil, holds: holds, note: note, knownDeviation: knownDeviation)
    }

    /// Whether the claim came out as the project expects: holding, or failing for its stated reason.
    /// An illustration expects nothing.
    public var isAsExpected: Bool { isIllustration || holds == (knownDeviation == nil) }

    /// The same check as an illustration: shown, not counted. An illustration explains itself in `note`;
    /// it has no deviation.
    public func illustration() -> Claim {
        precondition(knownDeviation == nil, "\(id): an illustration has no known deviation; say why in its note")
        var c = self
        c.isIllustration = true
        return c
    }

    /// Why the claim does not hold: nil when it holds or is an illustration; otherwise its known deviation's
    /// cause, or, for a failure nobody recorded (possible only on other flags than the defaults),
    /// ``unexpectedFailureCause``.
    public var deviation: DeviationCause? {
        guard !holds, !isIllustration else { return nil }
        return knownDeviation?.cause ?? unexpectedFailureCause
    }

    /// The cause a failure with no recorded deviation is counted under. Every recorded deviation is a failure
    /// of the default run, so such a failure comes from a run on other settings or another machine: a claim
    /// measured on this machine (`measured`) has failed because of the machine it was measured on; any other
    /// has failed because our model was run on settings the survey did not use, a difference of our model.
    public var unexpectedFailureCause: DeviationCause {
        kind == .measured ? .differentMachine : .modelDifference
    }
}

/// What a list of claims adds up to: illustrations apart, the claims that hold, those that do not by cause,
/// and those that came out otherwise than recorded.
public struct ClaimTally: Sendable, Hashable {
    public var holding = 0
    public var failing = 0
    /// Failing claims by cause (``Claim/deviation``); the counts sum to `failing`.
    public var failingByCause: [DeviationCause: Int] = [:]
    /// Claims that are not as expected (``Claim/isAsExpected``).
    public var unexpected = 0
    public var illustrations = 0

    public init(_ claims: [Claim]) {
        for c in claims {
            if c.isIllustration { illustrations += 1; continue }
            if c.holds { holding += 1 } else { failing += 1 }
            if let cause = c.deviation { failingByCause[cause, default: 0] += 1 }
            if !c.isAsExpected { unexpected += 1 }
        }
    }

    /// Claims counted (illustrations excluded).
    public var counted: Int { holding + failing }
}

extension Array where Element == Claim {
    /// Counts of holding and failing claims; illustrations are not counted.
    public var tally: (holding: Int, failing: Int) {
        let t = ClaimTally(self)
        return (t.holding, t.failing)
    }
}
