import ChapterSupport
import Dispatch
import Foundation
import Render

/// One measured figure of `benchmarks --json`: a ratio only where both sides were measured in this run.
struct Measurement: Encodable {
    var name: String
    var unit: String
    var value: Double
    /// value / (the same figure of `ratioTo`), both measured in this run.
    var ratio: Double?
    var ratioTo: String?
    /// A peer's figure recorded elsewhere (printed for scale, never divided into a ratio in the JSON).
    var reference: Reference?

    struct Reference: Encodable {
        var value: Double
        var unit: String
        var source: String
    }

    enum CodingKeys: String, CodingKey { case name, unit, value, ratio, ratioTo = "ratio_to", reference }
}

/// Where a run's results go: text lines on standard output, or, with --json, nothing until one JSON document
/// at the end.
final class Report {
    let json: Bool
    private(set) var measurements: [Measurement] = []
    /// What a run could not do (a chapter binary not built, PyTorch failing midway), for --json too.
    private(set) var notes: [String] = []
    var machine: Machine?
    var pytorch: PyTorchStatus?

    init(json: Bool) { self.json = json }

    /// A line of the text output.
    func say(_ line: String) {
        if !json { print(line) }
    }

    /// A line of the text output that --json keeps among its notes.
    func note(_ line: String) {
        notes.append(line.trimmingCharacters(in: .whitespaces))
        say(line)
    }

    /// Records a measurement; nothing is printed (the caller prints its own line).
    func record(_ name: String, unit: String, _ value: Double, ratio: Double? = nil, to: String? = nil,
                reference: Measurement.Reference? = nil) {
        measurements.append(Measurement(name: name, unit: unit, value: value.isFinite ? value : 0,
                                        ratio: ratio.flatMap { $0.isFinite ? $0 : nil }, ratioTo: ratio == nil ? nil : to,
                                        reference: reference))
    }

    /// A timing line, `label ... 12.345 ms extra`, and its measurement in seconds.
    func time(_ name: String, _ label: String, _ seconds: Double, _ extra: String = "", ratio: Double? = nil,
              to: String? = nil, reference: Measurement.Reference? = nil) {
        record(name, unit: "s", seconds, ratio: ratio, to: to, reference: reference)
        let ms = NumberFormat.fixed(seconds * 1e3, decimals: 3)
        say(label.padding(toLength: 58, withPad: " ", startingAt: 0) + ms.leftPadded(10) + " ms" + extra)
    }

    /// The JSON document: the machine, PyTorch's side when the runtime benchmark ran, and every measurement.
    func document() throws -> String {
        struct Document: Encodable {
            var machine: Machine?
            var pytorch: PyTorchStatus?
            var measurements: [Measurement]
            var notes: [String]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(Document(machine: machine, pytorch: pytorch, measurements: measurements, notes: notes))
        return String(decoding: data, as: UTF8.self)
    }
}

/// Median wall time of `body` over `repeats` runs after one warm-up, in seconds.
func time(_ repeats: Int, _ body: () throws -> Void) rethrows -> Double {
    try body()
    var samples: [Double] = []
    for _ in 0..<repeats {
        samples.append(try seconds(body))
    }
    return median(samples)
}

/// Wall time of one run of `body`, in seconds.
func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func median(_ samples: [Double]) -> Double {
    let sorted = samples.sorted()
    guard !sorted.isEmpty else { return .nan }
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

/// Peak resident set size from /proc/self/status (VmHWM), in MiB.
func peakMemoryMiB() -> Double? {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
          let kib = Double(line.split(separator: " ").dropFirst().first ?? "") else { return nil }
    return kib / 1024
}

/// Median wall time of a sibling release binary run with `--json` (output discarded), or nil with a hint when it
/// is not built.
func timeChapterBinary(_ name: String, repeats: Int, report: Report) throws -> Double? {
    let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name)
    guard FileManager.default.isExecutableFile(atPath: binary.path) else {
        report.note("  (\(name) not timed: build it first, swift build -c release)")
        return nil
    }
    return try time(repeats) {
        let p = Process()
        p.executableURL = binary
        p.arguments = ["--json"]
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
    }
}

/// The repository's root, from this file's place in it.
/// The checkout, found as every chapter finds it (from the current folder, then from the executable's), never
/// from a path compiled into the binary; the current folder when neither lies in one.
let repositoryRoot = RepositoryData.root ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}
