/// A GitHub-flavoured Markdown table.
///
/// ```swift
/// let t = Table(columns: [.init("Model"), .init("GFLOPs", alignment: .right)], rows: [["BERT-Base", "22.42"]])
/// t.markdown()   // "| Model | GFLOPs |\n| :--- | ---: |\n| BERT-Base | 22.42 |\n"
/// ```
public struct Table: Sendable, Equatable {
    public enum Alignment: Sendable, Equatable { case left, right, center }

    public struct Column: Sendable, Equatable {
        public var title: String
        public var alignment: Alignment
        public init(_ title: String, alignment: Alignment = .left) {
            self.title = title
            self.alignment = alignment
        }
    }

    public var columns: [Column]
    /// Rows of cells; a short row is padded with empty cells and a long one is cut to the columns.
    public var rows: [[String]]
    /// An optional italic line under the table.
    public var caption: String?

    public init(columns: [Column], rows: [[String]], caption: String? = nil) {
        self.columns = columns
        self.rows = rows
        self.caption = caption
    }

    public func markdown() -> String {
        func escape(_ s: String) -> String {
            s.replacingAll("|", with: "\\|").replacingAll("\n", with: " ")
        }
        var out = "| " + columns.map { escape($0.title) }.joined(separator: " | ") + " |\n"
        out += "| " + columns.map { c -> String in
            switch c.alignment {
            case .left: return ":---"
            case .right: return "---:"
            case .center: return ":---:"
            }
        }.joined(separator: " | ") + " |\n"
        for row in rows {
            let cells = (0..<columns.count).map { i in i < row.count ? escape(row[i]) : "" }
            out += "| " + cells.joined(separator: " | ") + " |\n"
        }
        if let caption { out += "\n*" + caption + "*\n" }
        return out
    }
}

extension String {
    /// Every occurrence of `target` replaced (no Foundation needed).
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: target) {
            out += rest[..<range.lowerBound]
            out += replacement
            rest = rest[range.upperBound...]
        }
        return out + rest
    }
}
