/// A GitHub-flavoured Markdown table.
///
/// ```swift
/// let t = Table(columns: [.init("Model"), .init("GFLOPs", alignment: .right)], rows: [["BERT-Base", "22.42"]])
/// t.markdown()   // "| Model | GFLOPs |\n| :--- | ---: |\n| BERT-Base | 22.42 |\n"
/// ```
public struct Table: Sendable, Equatable {
    /// Horizontal alignment of a column's cells.
    public enum Alignment: Sendable, Equatable { case left, right, center }

    /// A column heading and how its cells are aligned.
    public struct Column: Sendable, Equatable {
        public var title: String
        public var alignment: Alignment
        public init(_ title: String, alignment: Alignment = .left) {
            self.title = title
            self.alignment = alignment
        }
    }

    public var columns: [Column]
    /// Rows of cells. `markdown()` pads a short row with empty cells and cuts a long one to the columns;
    /// use `validated(columns:rows:caption:)` or `validate()` to reject such rows instead.
    public var rows: [[String]]
    /// An optional italic line under the table.
    public var caption: String?

    public init(columns: [Column], rows: [[String]], caption: String? = nil) {
        self.columns = columns
        self.rows = rows
        self.caption = caption
    }

    /// A table whose every row has exactly one cell per column, or an error naming the first row that does not.
    ///
    /// ```swift
    /// let t = try Table.validated(columns: [.init("a"), .init("b")], rows: [["1", "2"]])
    /// ```
    public static func validated(columns: [Column], rows: [[String]], caption: String? = nil) throws(TableError) -> Table {
        let table = Table(columns: columns, rows: rows, caption: caption)
        try table.validate()
        return table
    }

    /// Throws unless there is at least one column and every row has one cell per column.
    public func validate() throws(TableError) {
        let name = caption.map { "table '\($0)'" } ?? "table"
        guard !columns.isEmpty else { throw TableError("\(name): no columns") }
        for (i, row) in rows.enumerated() where row.count != columns.count {
            throw TableError("\(name) row \(i + 1): \(row.count) cell\(row.count == 1 ? "" : "s") for \(columns.count) columns")
        }
    }

    /// The table as GitHub-flavoured Markdown, ending with a newline.
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

/// A table whose rows do not match its columns.
public struct TableError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "markdown: \(message)" }
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
