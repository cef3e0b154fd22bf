import Foundation

/// A grid of values coloured on a sequential (viridis-like) scale, each cell printed in black or white,
/// whichever contrasts with its colour.
///
/// ```swift
/// let map = Heatmap(title: "Utilisation", rowLabels: ["64 kB", "128 kB"], columnLabels: ["64 kB", "256 kB"],
///                   values: [[66, 69], [91, 88]], format: { NumberFormat.fixed($0, decimals: 0) + "%" },
///                   xLabel: "scratchpad", yLabel: "accumulator")
/// let svg = try map.svg()
/// ```
public struct Heatmap: Sendable {
    public var title: String
    public var rowLabels: [String]
    public var columnLabels: [String]
    public var values: [[Double]]
    public var decimals: Int
    public var xLabel: String
    public var yLabel: String
    public var suffix: String
    /// Formats a cell's value; when nil, `decimals` places followed by `suffix`.
    public var format: (@Sendable (Double) -> String)?
    /// A smaller second line under each cell's value (e.g. the value a paper prints), same shape as `values`.
    public var notes: [[String]]?
    /// The values the colour scale spans; when nil, the smallest to the largest value (which makes tiny
    /// differences look large).
    public var colourRange: ClosedRange<Double>?
    public var width: Double = 560
    public var height: Double = 420

    public init(title: String, rowLabels: [String], columnLabels: [String], values: [[Double]], decimals: Int = 0,
                suffix: String = "", xLabel: String, yLabel: String, width: Double = 560, height: Double = 420) {
        self.title = title
        self.rowLabels = rowLabels
        self.columnLabels = columnLabels
        self.values = values
        self.decimals = decimals
        self.suffix = suffix
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.width = width
        self.height = height
    }

    /// A heatmap whose cells are printed by `format`.
    public init(title: String, rowLabels: [String], columnLabels: [String], values: [[Double]],
                format: @escaping @Sendable (Double) -> String, xLabel: String, yLabel: String,
                width: Double = 560, height: Double = 420) {
        self.init(title: title, rowLabels: rowLabels, columnLabels: columnLabels, values: values, xLabel: xLabel,
                  yLabel: yLabel, width: width, height: height)
        self.format = format
    }

    /// Viridis at five stops, interpolated linearly.
    static let stops: [(Double, Double, Double)] = [(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)]

    static func colour(_ t: Double) -> (String, Bool) {
        let u = min(1, max(0, t)) * Double(stops.count - 1)
        let i = min(stops.count - 2, Int(u)), f = u - Double(i)
        let a = stops[i], b = stops[i + 1]
        let rgb = [a.0 + (b.0 - a.0) * f, a.1 + (b.1 - a.1) * f, a.2 + (b.2 - a.2) * f].map { Int($0.rounded()) }
        let hex = "#" + rgb.map { v -> String in
            let s = String(v, radix: 16, uppercase: true)
            return s.count == 1 ? "0" + s : s
        }.joined()
        let light = 0.299 * Double(rgb[0]) + 0.587 * Double(rgb[1]) + 0.114 * Double(rgb[2]) > 140
        return (hex, light)
    }

    /// The chart as an SVG document, or the first input that cannot be drawn.
    public func svg() throws(ChartError) -> String {
        guard !rowLabels.isEmpty, !columnLabels.isEmpty else { throw ChartError("heatmap '\(title)': no rows or columns") }
        try validate(width: width, height: height, chart: "heatmap '\(title)'")
        guard values.count == rowLabels.count else {
            throw ChartError("heatmap '\(title)': \(values.count) rows of values for \(rowLabels.count) row labels")
        }
        for (r, row) in values.enumerated() {
            guard row.count == columnLabels.count else {
                throw ChartError("heatmap '\(title)' row \(r): \(row.count) values for \(columnLabels.count) columns")
            }
            try validate(row, series: "row \(rowLabels[r])", axis: "value", scale: .linear)
        }
        if let notes, notes.count != values.count || zip(notes, values).contains(where: { $0.count != $1.count }) {
            throw ChartError("heatmap '\(title)': the notes do not have the values' shape")
        }
        var svg = SVGBuilder(width: width, height: height)
        svg.text(title, width / 2, 24, size: 15, bold: true)
        let left = 110.0, top = 46.0, right = 20.0, bottom = 60.0
        let cw = (width - left - right) / Double(columnLabels.count)
        let ch = (height - top - bottom) / Double(rowLabels.count)
        let flat = values.flatMap { $0 }
        let lo = colourRange?.lowerBound ?? flat.min()!, hi = colourRange?.upperBound ?? flat.max()!
        for (r, row) in values.enumerated() {
            for (c, v) in row.enumerated() {
                let (fill, light) = Self.colour(hi > lo ? (v - lo) / (hi - lo) : 0.5)
                let x = left + cw * Double(c), y = top + ch * Double(r)
                svg.rect(x, y, cw, ch, fill: fill, stroke: "#FFFFFF")
                let note = notes?[r][c]
                svg.text(format?(v) ?? NumberFormat.fixed(v, decimals: decimals) + suffix, x + cw / 2,
                         y + ch / 2 + (note == nil ? 5 : -2), size: 13, fill: light ? "#000000" : "#FFFFFF")
                if let note {
                    svg.text(note, x + cw / 2, y + ch / 2 + 14, size: 10, fill: light ? "#000000" : "#FFFFFF")
                }
            }
            svg.text(rowLabels[r], left - 8, top + ch * (Double(r) + 0.5) + 4, size: 11, anchor: "end")
        }
        for (c, label) in columnLabels.enumerated() {
            svg.text(label, left + cw * (Double(c) + 0.5), height - bottom + 18, size: 11)
        }
        svg.text(xLabel, left + (width - left - right) / 2, height - 16, size: 12)
        svg.text(yLabel, 16, top + (height - top - bottom) / 2, size: 12, rotate: true)
        return svg.document()
    }
}
