import Core
import Foundation

/// A malformed cited-results file: which file, which line (1-based, the header is line 1), which column, and why.
public struct CitedTableError: Error, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: String?
    public var message: String
    /// Line 0: the file as a whole (it cannot be read, or is not UTF-8).
    public var description: String {
        "\(file)\(line > 0 ? " line \(line)" : "")\(column.map { ", column '\($0)'" } ?? ""): \(message)"
    }
}

/// One column of a cited table: its name and what its cells must hold.
struct CitedColumn: Sendable {
    enum Kind: Sendable { case text, requiredText, number, tag }
    var name: String
    var kind: Kind
}

/// A parsed cited table: rows of text cells keyed by column, with typed accessors.
public struct CitedTable: Sendable {
    public var file: String
    public var columns: [String]
    public var rows: [[String: String]]

    public func number(_ row: [String: String], _ column: String) -> Double? { row[column].flatMap { Double($0) } }

    /// The schemas of the files under data/cited/, in the order the report shows them.
    static let schemas: [(file: String, columns: [CitedColumn])] = {
        func t(_ n: String) -> CitedColumn { CitedColumn(name: n, kind: .text) }
        func r(_ n: String) -> CitedColumn { CitedColumn(name: n, kind: .requiredText) }
        func n(_ n: String) -> CitedColumn { CitedColumn(name: n, kind: .number) }
        let tail = [CitedColumn(name: "tag", kind: .tag), r("source")]
        return [
            ("distillation-bert.csv", [r("model"), t("teacher"), n("params_m"), n("gflops"), n("speedup_x"), n("glue_avg"), r("glue_split")] + tail),
            ("vit-imagenet.csv", [r("model"), r("design"), n("params_m"), n("gflops_as_reported"), n("top1"), r("pretraining")] + tail),
            ("quantization.csv", [r("method"), r("venue"), r("model"), n("weight_bits"), n("compression_x"), r("reported_result")] + tail),
            ("pruning.csv", [r("method"), t("venue"), r("target"), r("granularity"), n("sparsity_percent"), n("flops_reduction_low_percent"),
                             n("flops_reduction_high_percent"), n("speedup_x"), r("reported_result")] + tail),
            ("nas.csv", [r("method"), r("venue"), r("task"), t("params_m"), r("reported_result")] + tail),
            ("accelerators.csv", [r("design"), r("venue"), r("platform"), r("baseline"), r("scope"), n("speedup_x"), n("energy_x"),
                                  r("reported_result")] + tail),
        ]
    }()

    /// Splits RFC 4180 CSV text into records of fields; quotes may wrap commas and doubled quotes.
    static func records(_ text: String, file: String) throws(CitedTableError) -> [(line: Int, fields: [String])] {
        var out: [(Int, [String])] = []
        var field = "", fields: [String] = [], inQuotes = false, line = 1, recordLine = 1, afterQuote = false
        var chars = Array(text.replacingOccurrences(of: "\r\n", with: "\n"))
        if chars.last != "\n" { chars.append("\n") }
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if inQuotes {
                if c == "\"" {
                    if i + 1 < chars.count, chars[i + 1] == "\"" { field.append("\""); i += 1 } else { inQuotes = false; afterQuote = true }
                } else {
                    if c == "\n" { line += 1 }
                    field.append(c)
                }
            } else if c == "\"" {
                guard field.isEmpty, !afterQuote else {
                    throw CitedTableError(file: file, line: line, column: nil, message: "a quote inside an unquoted field (quote the whole field)")
                }
                inQuotes = true
            } else if c == "," {
                fields.append(field); field = ""; afterQuote = false
            } else if c == "\n" {
                fields.append(field); field = ""; afterQuote = false
                if !(fields.count == 1 && fields[0].isEmpty) { out.append((recordLine, fields)) }
                fields = []
                line += 1
                recordLine = line
            } else {
                guard !afterQuote else {
                    throw CitedTableError(file: file, line: line, column: nil, message: "text after a closing quote")
                }
                field.append(c)
            }
            i += 1
        }
        if inQuotes { throw CitedTableError(file: file, line: recordLine, column: nil, message: "a quoted field is never closed") }
        return out
    }

    /// Parses `text` against the schema of `file` (one of `schemas`), strictly.
    public static func parse(_ text: String, file: String) throws(CitedTableError) -> CitedTable {
        guard let schema = schemas.first(where: { $0.file == file }) else {
            throw CitedTableError(file: file, line: 0, column: nil,
                                  message: "no schema for this file; expected one of " + schemas.map(\.file).joined(separator: ", "))
        }
        let recs = try records(text, file: file)
        guard let header = recs.first else { throw CitedTableError(file: file, line: 1, column: nil, message: "the file is empty") }
        let expected = schema.columns.map(\.name)
        guard header.fields == expected else {
            throw CitedTableError(file: file, line: header.line, column: nil,
                                  message: "header is \(header.fields.joined(separator: ",")); expected \(expected.joined(separator: ","))")
        }
        guard recs.count > 1 else { throw CitedTableError(file: file, line: 2, column: nil, message: "no data rows") }
        var rows: [[String: String]] = []
        for rec in recs.dropFirst() {
            guard rec.fields.count == expected.count else {
                throw CitedTableError(file: file, line: rec.line, column: nil,
                                      message: "\(rec.fields.count) fields; the header has \(expected.count)")
            }
            var row: [String: String] = [:]
            for (col, raw) in zip(schema.columns, rec.fields) {
                let cell = raw.trimmingCharacters(in: .whitespaces)
                switch col.kind {
                case .text: break
                case .requiredText:
                    guard !cell.isEmpty else { throw CitedTableError(file: file, line: rec.line, column: col.name, message: "must not be empty") }
                case .number:
                    guard cell.isEmpty || (Double(cell).map { $0.isFinite } ?? false) else {
                        throw CitedTableError(file: file, line: rec.line, column: col.name, message: "'\(cell)' is not a number (leave it empty if the source gives none)")
                    }
                case .tag:
                    guard ["V", "V2"].contains(cell) else {
                        throw CitedTableError(file: file, line: rec.line, column: col.name, message: "'\(cell)' is not a tag; use V (verbatim) or V2 (verbatim, secondary source)")
                    }
                }
                row[col.name] = cell
            }
            rows.append(row)
        }
        return CitedTable(file: file, columns: expected, rows: rows)
    }

    /// Reads and parses every file of `schemas` from `directory`.
    public static func loadAll(from directory: String) throws -> [CitedTable] {
        try schemas.map { schema in
            let path = (directory as NSString).appendingPathComponent(schema.file)
            guard let data = FileManager.default.contents(atPath: path) else {
                throw CitedTableError(file: schema.file, line: 0, column: nil, message: "cannot read \(path) (no such file)")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw CitedTableError(file: schema.file, line: 0, column: nil, message: "not UTF-8")
            }
            return try parse(text, file: schema.file)
        }
    }
}
