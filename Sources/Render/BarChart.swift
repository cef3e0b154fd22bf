import Foundation

/// Values of one bar series, one per category.
public struct BarSeries: Sendable, Equatable {
    public var name: String
    public var values: [Double]
    /// A fixed `#RRGGBB` colour (a chapter's palette for what the series is); nil takes the series' place in
    /// ``Palette``.
    public var colour: String?
    public init(name: String, values: [Double], colour: String? = nil) {
        self.name = name
        self.values = values
        self.colour = colour
    }
}

/// Grouped, stacked or 100%-stacked bars over categories. Grouped bars may use a log y axis (each bar rises
/// from the axis's lower bound), for values that span orders of magnitude such as 0.03 pJ beside 640 pJ.
///
/// ```swift
/// let chart = BarChart(title: "FLOPs by operation", categories: ["l = 128", "l = 4096"],
///                      series: [BarSeries(name: "projections", values: [32, 18]),
///                               BarSeries(name: "attention", values: [68, 82])],
///                      mode: .stackedPercent, y: Axis(label: "share (%)"),
///                      valueLabel: { NumberFormat.fixed($0, decimals: 0) })
/// let svg = try chart.svg()
/// ```
public struct BarChart: Sendable {
    /// How several series share a category: side by side, on top of each other, or on top of each other
    /// as percentages of the category's total.
    public enum Mode: Sendable { case grouped, stacked, stackedPercent }
    public var title: String
    public var categories: [String]
    public var series: [BarSeries]
    public var mode: Mode
    public var y: Axis
    /// A label under the categories; none when empty.
    public var xLabel: String
    /// Formats the value printed on each bar (the percentage in `.stackedPercent`); nil prints none.
    public var valueLabel: (@Sendable (Double) -> String)?
    public var width: Double = 720
    public var height: Double = 420

    public init(title: String, categories: [String], series: [BarSeries], mode: Mode, y: Axis, xLabel: String = "",
                valueLabel: (@Sendable (Double) -> String)? = nil, width: Double = 720, height: Double = 420) {
        self.title = title
        self.categories = categories
        self.series = series
        self.mode = mode
        self.y = y
        self.xLabel = xLabel
        self.valueLabel = valueLabel
        self.width = width
        self.height = height
    }

    /// The chart as an SVG document, or the first input that cannot be drawn.
    public func svg() throws(ChartError) -> String {
        guard !categories.isEmpty else { throw ChartError("bar chart '\(title)': no categories") }
        guard !series.isEmpty else { throw ChartError("bar chart '\(title)': no series") }
        guard y.scale == .linear || mode == .grouped else {
            throw ChartError("bar chart '\(title)': stacked bars need a linear y axis")
        }
        try validate(y, name: "y")
        try validate(width: width, height: height, chart: "bar chart '\(title)'")
        for s in series {
            guard s.values.count == categories.count else {
                throw ChartError("series '\(s.name)': \(s.values.count) values for \(categories.count) categories")
            }
            try validate(s.values, series: s.name, axis: "y", scale: y.scale)
            if mode != .grouped, let i = s.values.firstIndex(where: { $0 < 0 }) {
                throw ChartError("series '\(s.name)' point \(i): stacked bars need non-negative values")
            }
        }
        let totals = categories.indices.map { i in series.reduce(0) { $0 + $1.values[i] } }
        var values = series.map(\.values)
        if mode == .stackedPercent {
            if let c = totals.firstIndex(where: { !($0 > 0) }) {
                throw ChartError("category '\(categories[c])': values sum to 0, so they have no percentages")
            }
            values = values.map { row in row.indices.map { 100 * row[$0] / totals[$0] } }
        }
        var frame = Frame(width: width, height: height, title: title, legend: series.map(\.name))
        let tops: [Double]
        switch mode {
        case .grouped: tops = values.flatMap { $0 }
        case .stacked: tops = totals
        case .stackedPercent: tops = [100]
        }
        let (y0, y1) = y.scale == .log10 ? Scale.bounds(tops, axis: y) : Scale.bounds(tops + [0], axis: y, includeZero: true)
        let sy = Scale(scale: y.scale, lo: y0, hi: y1, from: frame.plotBottom, to: frame.plotTop, explicitTicks: y.ticks)
        let baseline = y.scale == .log10 ? y0 : 0
        frame.axes(x: nil, xLabel: xLabel, y: sy, yLabel: y.label, categories: categories)
        let slot = (frame.plotRight - frame.plotLeft) / Double(categories.count)
        for c in categories.indices {
            let x0 = frame.plotLeft + slot * Double(c) + slot * 0.15, barWidth = slot * 0.7
            var base = 0.0
            for i in series.indices {
                let v = values[i][c], colour = series[i].colour ?? Palette.colour(i)
                switch mode {
                case .stacked, .stackedPercent:
                    let top = sy(base + v), bottom = sy(base)
                    frame.svg.rect(x0, top, barWidth, bottom - top, fill: colour)
                    if let valueLabel, bottom - top >= 14 {
                        frame.svg.text(valueLabel(v), x0 + barWidth / 2, (top + bottom) / 2 + 4, size: 10,
                                       fill: Palette.textColour(on: colour))
                    }
                    base += v
                case .grouped:
                    let w = barWidth / Double(series.count)
                    let top = sy(max(baseline, v)), bottom = sy(min(baseline, v))
                    frame.svg.rect(x0 + w * Double(i), top, w * 0.92, bottom - top, fill: colour)
                    if let valueLabel {
                        frame.svg.text(valueLabel(v), x0 + w * (Double(i) + 0.46), v < 0 ? bottom + 12 : top - 4, size: 10)
                    }
                }
            }
        }
        frame.legend(series.enumerated().map { ($0.element.name, $0.element.colour ?? Palette.colour($0.offset), false) }, boxes: true)
        return frame.svg.document()
    }
}
