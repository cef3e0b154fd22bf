import ChapterSupport
import Core
import Render

extension NASSections {
    /// What one search-sized sample of text says about a pick: the unseen windows are cut into blocks as long
    /// as the sample the search ranked on, and each pick's loss against the baseline is measured on every
    /// block. The spread across blocks is the noise a ranking on one such sample carries.
    struct BlockSpread {
        var budget: NASRun.Budget
        /// The pick's perplexity loss against the baseline on each block, as fractions, in block order.
        var losses: [Double]
        var sorted: [Double] { losses.sorted() }
        var median: Double { Statistics.median(losses) }
        var withinBudget: Int { losses.filter { $0 <= budget.relative }.count }
    }

    /// The spread's table and the sentence that reads it.
    static func present(_ spreads: [BlockSpread], windowsPerBlock: Int, into sec: inout Section) {
        func percent(_ x: Double) -> String { NumberFormat.fixed(x * 100, decimals: 2) + "%" }
        guard let first = spreads.first, !first.losses.isEmpty else { return }
        let blocks = first.losses.count
        sec.table(Table(columns: [.init("pick"), .init("budget", alignment: .right), .init("lowest", alignment: .right),
                                  .init("median", alignment: .right), .init("highest", alignment: .right),
                                  .init("blocks within budget", alignment: .right)],
                        rows: spreads.map { s in
                            ["lowest EDP within \(s.budget.label)", percent(s.budget.relative), percent(s.sorted.first!),
                             percent(s.median), percent(s.sorted.last!), "\(s.withinBudget) of \(blocks)"]
                        },
                        caption: "Each pick's loss against the baseline on \(blocks) blocks of \(windowsPerBlock) unseen windows each, the size of the sample the search ranked on."))
        let parts = spreads.map { s in
            "the \(s.budget.label) pick's loss runs from \(percent(s.sorted.first!)) to \(percent(s.sorted.last!)) "
                + "(\(s.withinBudget) of \(blocks) blocks within its \(percent(s.budget.relative)))"
        }
        sec.prose("""
            How much one sample of \(windowsPerBlock) windows can mislead: measured block by block, \
            \(parts.joined(separator: ", and ")). A spread wider than a budget means that a single sample of this \
            size cannot tell whether a pick is inside it.
            """)
    }
}
