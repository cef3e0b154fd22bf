/// One measured point of a CPU profile: a model at a sequence length, seconds per operation class for the
/// whole model (scaled from the layers actually run when fewer than all were timed).
public struct ProfilePoint: Sendable, Equatable {
    public var model: String
    public var sequenceLength: Int
    /// Layers actually run; the seconds are scaled by layers / layersRun.
    public var layersRun: Int
    public var layers: Int
    public var repeats: Int
    public var seconds: OperationTimes

    public init(model: String, sequenceLength: Int, layersRun: Int, layers: Int, repeats: Int, seconds: OperationTimes) {
        self.model = model
        self.sequenceLength = sequenceLength
        self.layersRun = layersRun
        self.layers = layers
        self.repeats = repeats
        self.seconds = seconds
    }
}

/// How to time a forward pass: thread count, warm-up runs, repeats (the median is kept per class), and how
/// many layers to run.
public struct ProfileSettings: Sendable {
    public var threads: Int
    public var warmups: Int
    public var repeats: Int
    /// nil runs every layer.
    public var layersToRun: Int?

    public init(threads: Int = 2, warmups: Int = 1, repeats: Int = 3, layersToRun: Int? = nil) {
        self.threads = threads
        self.warmups = warmups
        self.repeats = repeats
        self.layersToRun = layersToRun
    }
}

/// Times the runtime per operation class (survey §2.2.2, Fig. 7-9).
public enum Profiler {
    /// Runs `model` at length `l` (`warmups` untimed runs, then `repeats` timed ones) and returns the median
    /// seconds of each class, scaled to the full layer count.
    public static func measure(_ model: TransformerConfig, sequenceLength l: Int,
                               settings: ProfileSettings = .init()) throws(RuntimeError) -> ProfilePoint {
        guard settings.threads >= 1, settings.repeats >= 1, settings.warmups >= 0 else {
            throw RuntimeError(field: "profile", message: "threads and repeats must be at least 1, warm-ups at least 0")
        }
        let runtime = try TransformerRuntime(model, maxSequenceLength: l, layersToRun: settings.layersToRun)
        TransformerRuntime.setThreads(settings.threads)
        func once() throws(RuntimeError) -> OperationTimes {
            var times = OperationTimes()
            switch model.architecture {
            case .encoder: _ = try runtime.encode(tokens: Array(0..<l), times: &times)
            case .decoder: _ = try runtime.generate(steps: l, times: &times)
            }
            return times
        }
        for _ in 0..<settings.warmups { _ = try once() }
        var samples: [OperationTimes] = []
        for _ in 0..<settings.repeats { samples.append(try once()) }
        let scale = Double(model.layers) / Double(runtime.layersToRun)
        var median = OperationTimes()
        for c in OperationClass.allCases {
            let sorted = samples.map { $0[c] }.sorted()
            median[c] = sorted[sorted.count / 2] * scale
        }
        return ProfilePoint(model: model.name, sequenceLength: l, layersRun: runtime.layersToRun, layers: model.layers,
                            repeats: settings.repeats, seconds: median)
    }
}

/// A recorded CPU profile: measured points plus where they were measured (`# key: value` lines).
///
/// The text form is CSV with a header row `model,seqLen,layersRun,layers,repeats,projection_s,actToAct_s,ffn_s,nonlinear_s`
/// after the provenance lines, one row per point. Parsing is strict and names the line of any error.
public struct CPUProfile: Sendable, Equatable {
    public var provenance: [(key: String, value: String)]
    public var points: [ProfilePoint]

    public init(provenance: [(key: String, value: String)], points: [ProfilePoint]) {
        self.provenance = provenance
        self.points = points
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.points == b.points && a.provenance.map { "\($0.key)=\($0.value)" } == b.provenance.map { "\($0.key)=\($0.value)" }
    }

    static let header = "model,seqLen,layersRun,layers,repeats,projection_s,actToAct_s,ffn_s,nonlinear_s"

    public func point(_ model: String, _ l: Int) -> ProfilePoint? {
        points.first { $0.model == model && $0.sequenceLength == l }
    }

    public func provenance(_ key: String) -> String? { provenance.first { $0.key == key }?.value }

    /// The CSV text, with seconds to 6 significant digits.
    public func csv() -> String {
        var lines = provenance.map { "# \($0.key): \($0.value)" }
        lines.append(Self.header)
        for p in points {
            let s = OperationClass.allCases.map { Self.format(p.seconds[$0]) }
            lines.append(([p.model, "\(p.sequenceLength)", "\(p.layersRun)", "\(p.layers)", "\(p.repeats)"] + s)
                .joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func format(_ x: Double) -> String {
        // Microsecond resolution is far below the run-to-run noise and keeps the file stable to read.
        let micro = (x * 1e6).rounded()
        let whole = Int(micro) / 1_000_000, frac = Int(micro) % 1_000_000
        let digits = String(frac)
        return "\(whole)." + String(repeating: "0", count: 6 - digits.count) + digits
    }

    /// Parses the CSV text, throwing an error that names the line and field at fault.
    public static func parse(_ text: String) throws(RuntimeError) -> CPUProfile {
        var provenance: [(key: String, value: String)] = []
        var points: [ProfilePoint] = []
        var sawHeader = false
        var seen: Set<String> = []
        for raw in DataLines.split(text) {
            let line = raw.text.trimmingWhitespace()
            let where_ = "line \(raw.number)"
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                let body = line.dropFirst().trimmingWhitespace()
                guard let colon = body.firstIndex(of: ":") else {
                    throw RuntimeError(field: "profile", message: "\(where_): a comment must read '# key: value'")
                }
                provenance.append((String(body[..<colon]).trimmingWhitespace(),
                                   String(body[body.index(after: colon)...]).trimmingWhitespace()))
                continue
            }
            if !sawHeader {
                guard line == header else {
                    throw RuntimeError(field: "profile", message: "\(where_): expected the header '\(header)'")
                }
                sawHeader = true
                continue
            }
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard cells.count == 9 else {
                throw RuntimeError(field: "profile", message: "\(where_): expected 9 fields, found \(cells.count)")
            }
            guard let l = Int(cells[1]), l >= 1, let run = Int(cells[2]), run >= 1, let layers = Int(cells[3]),
                  layers >= run, let repeats = Int(cells[4]), repeats >= 1 else {
                throw RuntimeError(field: "profile", message: "\(where_): seqLen, layersRun, layers and repeats must be positive integers with layersRun ≤ layers")
            }
            var seconds = OperationTimes()
            for (i, c) in OperationClass.allCases.enumerated() {
                guard let s = Double(cells[5 + i]), s.isFinite, s >= 0 else {
                    throw RuntimeError(field: "profile", message: "\(where_): \(c.rawValue)_s '\(cells[5 + i])' is not a non-negative number")
                }
                seconds[c] = s
            }
            guard TransformerConfig.presets.contains(where: { $0.name == cells[0] }) else {
                throw RuntimeError(field: "profile", message: "\(where_): unknown model '\(cells[0])'; the profile measures "
                    + TransformerConfig.presets.map(\.name).joined(separator: ", "))
            }
            guard seen.insert("\(cells[0]),\(l)").inserted else {
                throw RuntimeError(field: "profile", message: "\(where_): a second row for \(cells[0]) at seqLen \(l)")
            }
            guard OperationClass.allCases.contains(where: { seconds[$0] > 0 }) else {
                throw RuntimeError(field: "profile", message: "\(where_): every time is zero (a measurement takes time)")
            }
            points.append(ProfilePoint(model: cells[0], sequenceLength: l, layersRun: run, layers: layers,
                                       repeats: repeats, seconds: seconds))
        }
        guard sawHeader else { throw RuntimeError(field: "profile", message: "no header line '\(header)'") }
        guard !points.isEmpty else { throw RuntimeError(field: "profile", message: "no measurements") }
        return CPUProfile(provenance: provenance, points: points)
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\r" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s = s.dropLast() }
        return String(s)
    }
}
