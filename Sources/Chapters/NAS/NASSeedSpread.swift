import ChapterSupport
import Core
import Foundation
import Render

/// The headline gains of the default search re-run with other seeds, recorded in `data/nas/seed-spread.tsv` by
/// `tools/nas-seed-spread.py` (a search is ~1 min, so CI does not re-run eight). The chapter shows the record
/// only when its row for the run's seed equals the run's own gains, which ties it to this supernet and these
/// settings; the spread is what justifies the gains' ±30% tolerance.
struct NASSeedSpread: Sendable {
    struct Row: Sendable, Equatable {
        var seed: Int
        /// latency, energy, EDP gain at +0.1, then at +1.
        var gains: [Double]
    }

    static let path = "data/nas/seed-spread.tsv"
    static let header = "seed\tlatency_0.1\tenergy_0.1\tedp_0.1\tlatency_1\tenergy_1\tedp_1"
    var rows: [Row]

    /// Parses the record; a malformed one is an error naming the file and line.
    static func parse(_ text: String, file: String = path) throws -> NASSeedSpread {
        let lines = DataLines.split(text).filter { !$0.text.isEmpty }
        guard lines.first?.text == header else {
            throw ConfigurationError(field: "seed-spread", message: "\(file) does not start with the header '\(header.replacingOccurrences(of: "\t", with: "<TAB>"))'")
        }
        return NASSeedSpread(rows: try lines.dropFirst().map { line in
            let f = line.text.split(separator: "\t", omittingEmptySubsequences: false)
            let gains = f.dropFirst().compactMap { Double($0) }.filter { $0.isFinite && $0 > 0 }
            guard f.count == 7, let seed = Int(f[0]), gains.count == 6 else {
                throw ConfigurationError(field: "seed-spread", message: "line \(line.number) of \(file) is malformed (expected a seed and six positive gains)")
            }
            return Row(seed: seed, gains: gains)
        })
    }

    /// Reads the record beside `checkpoint` (`data/nas/`), if there is one.
    static func load(besideCheckpoint checkpoint: URL) throws -> NASSeedSpread? {
        let url = checkpoint.deletingLastPathComponent().appendingPathComponent("seed-spread.tsv")
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        return try parse(String(decoding: data, as: UTF8.self), file: url.path)
    }

    /// The run's own row, as the record writes it (six decimals).
    static func row(seed: Int, _ low: NASRun.Gains, _ high: NASRun.Gains) -> Row {
        Row(seed: seed, gains: [low.latency, low.energy, low.edp, high.latency, high.energy, high.edp].map { (($0 * 1e6).rounded()) / 1e6 })
    }

    /// The spread's table and its reading, or a line saying why the record does not apply to this run.
    func present(run own: Row, tolerance: Double, into sec: inout Section) {
        guard rows.contains(own) else {
            sec.prose("The recorded seed spread (`\(Self.path)`) was made with another supernet or other settings than this run, so it is not shown; `tools/nas-seed-spread.py` re-records it.")
            return
        }
        let names = ["latency +0.1", "energy +0.1", "EDP +0.1", "latency +1", "energy +1", "EDP +1"]
        var deviations: [Double] = []
        let table = names.indices.map { i -> [String] in
            let values = rows.map { $0.gains[i] }.sorted()
            let median = Statistics.median(values)
            deviations.append(values.map { abs($0 / median - 1) }.max()!)
            return [names[i], NumberFormat.fixed(values.first!, decimals: 2) + "×", NumberFormat.fixed(median, decimals: 2) + "×",
                    NumberFormat.fixed(values.last!, decimals: 2) + "×", "±" + NumberFormat.fixed(deviations[i] * 100, decimals: 0) + "%"]
        }
        sec.table(Table(columns: [.init("gain"), .init("lowest", alignment: .right), .init("median", alignment: .right),
                                  .init("highest", alignment: .right), .init("farthest from the median", alignment: .right)],
                        rows: table,
                        caption: "The headline gains of the default search with seeds \(rows.map(\.seed).min()!)-\(rows.map(\.seed).max()!) (recorded in `\(Self.path)`; this run's seed is among them)."))
        func span(_ indices: [Int]) -> String {
            let d = indices.map { deviations[$0] * 100 }
            return "±" + NumberFormat.fixed(d.min()!, decimals: 0) + "-" + NumberFormat.fixed(d.max()!, decimals: 0) + "%"
        }
        let single = [0, 1, 3, 4], edp = [2, 5], percent = NumberFormat.fixed(tolerance * 100, decimals: 0)
        let singleWidest = single.map { deviations[$0] }.max()!, edpWidest = edp.map { deviations[$0] }.max()!
        func compare(_ widest: Double) -> String {
            widest <= tolerance ? "inside the ±\(percent)% tolerance" : "as wide as the ±\(percent)% tolerance or wider"
        }
        let reading = singleWidest <= tolerance && edpWidest >= 0.9 * tolerance
            ? "So the ±\(percent)%, fixed before the first comparison, is generous for latency and energy and as tight as one run allows for EDP: a narrower bar would judge the seed rather than the method."
            : "A claim whose verdict turns on less than that spread turns on the seed."
        sec.prose("""
            How much the gains themselves move: the search is random, and across \(rows.count) seeds the latency and \
            energy gains move \(span(single)) from their medians, \(compare(singleWidest)), while the EDP gains, the \
            product of the two, move \(span(edp)), \(compare(edpWidest)). \(reading)
            """)
    }
}
