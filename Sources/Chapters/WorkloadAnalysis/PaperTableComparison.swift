import Core

/// One printed table of the survey (Tab. 3, 10 or 11) next to our counts: the claims, cell by cell.
struct PaperTableComparison {
    let reference: String          // "Tab. 3"
    let idPrefix: String           // "tab3"
    let model: TransformerConfig
    let printed: PaperValues.PrintedTable
    /// 100 when shares are printed as percent, 1 when printed as fractions (Tab. 10).
    let shareScale: Double
    let convention: CountingConvention
    /// Reasons for claims that do not hold, by claim id.
    let knownDeviations: [String: KnownDeviation]
    /// Notes for particular claims (what a typo should have read), by claim id.
    let notes: [String: String]

    static let rowKeys = ["proj", "act", "ffn", "other", "total"]
    static let columnKeys = ["gflops", "flopShare", "gmops", "mopShare", "intensity"]
    static let columnTitles = ["GFLOPs", "% FLOPs", "GMOPs", "% MOPs", "Arith. int."]

    /// Our value for each printed cell: rows proj, act, ffn, other, total; columns as ``columnKeys``.
    func ourCells(seqLen l: Int) throws -> [[Double]] {
        let w = try ModelWorkload(model, sequenceLength: l, convention: convention)
        let classes = w.classTotals
        let total = w.total
        let parts = OperationClass.allCases.map { classes[$0] ?? .zero } + [total]
        return parts.map { c in
            [c.flops / 1e9, c.flops / total.flops * shareScale, c.bytes / 1e9, c.bytes / total.bytes * shareScale,
             c.intensity]
        }
    }

    func claims() throws -> [Claim] {
        var out: [Claim] = []
        for (l, rows) in printed {
            let ours = try ourCells(seqLen: l)
            for (r, row) in rows.enumerated() {
                let cells = [row.gflops, row.flopShare, row.gmops, row.mopShare, row.intensity]
                for (c, text) in cells.enumerated() {
                    let id = "\(idPrefix).l\(l).\(Self.rowKeys[r]).\(Self.columnKeys[c])"
                    out.append(.number(id: id, reference: reference,
                                       statement: "\(model.displayName) l = \(l), \(row.label): \(Self.columnTitles[c])",
                                       paper: PaperValues.value(text), observed: ours[r][c],
                                       tolerance: .printed(decimals: PaperValues.decimals(text)),
                                       note: notes[id] ?? "", knownDeviation: knownDeviations[id]))
                }
            }
        }
        return out
    }
}
