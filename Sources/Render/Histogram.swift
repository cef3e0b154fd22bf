import Foundation

/// Histograms over linear bins or (on a log10 axis) log-spaced bins: one series, several overlaid with
/// semi-transparent bars, or several as small multiples (`panels`: one panel per series, stacked on a shared x
/// axis and a shared count scale, so shapes compare without bars merging into one grey mass).
/// Values beyond fixed axis bounds are counted in the first or last bin.
///
/// ```swift
/// let one = Histogram(title: "Latency", values: samples, bins: 20, x: Axis(label: "ms", scale: .log10))
/// let two = Histogram(title: "EDP", series: [("WS", ws), ("OS", os)], bins: 30, x: Axis(label: "relative EDP"))
/// let svg = try two.svg()
/// ```
public struct Histogram: Sendable {
    public var title: String
    public var series: [(name: String, values: [Double])]
    public var bins: Int
    public var x: Axis
    public var yLabel: String
    public var width: Double = 720
    public var height: Double = 420
    /// Small multiples: each series in its own panel of `panelHeight` pixels (the chart's height follows).
    public var panels = false
    public var panelHeight: Double = 96

    public init(title: String, series: [(name: String, values: [Double])], bins: Int, x: Axis,
                yLabel: String = "count", width: Double = 720, height: Double = 420, panels: Bool = false) {
        self.panels = panels
        self.title = title
        self.series = series
        self.bins = bins
        self.x = x
        self.yLabel = yLabel
        self.width = width
        self.height = height
    }

    /// A single histogram, drawn without a legend.
    public init(title: String, values: [Double], bins: Int, x: Axis, yLabel: String = "count",
                width: Double = 720, height: Double = 420) {
        self.init(title: title, series: [(name: "", values: values)], bins: bins, x: x, yLabel: yLabel,
                  width: width, height: height)
    }

    /// The chart as an SVG document, or the first input that cannot be drawn.
    public func svg() throws(ChartError) -> String {
        guard bins >= 1 else { throw ChartError("histogram '\(title)': bins = \(bins) must be at least 1") }
        guard bins <= 10_000 else { throw ChartError("histogram '\(title)': bins = \(bins) is more than 10000") }
        guard !series.isEmpty else { throw ChartError("histogram '\(title)': no series") }
        try validate(x, name: "x")
        try validate(width: width, height: height, chart: "histogram '\(title)'")
        for s in series {
            guard !s.values.isEmpty else { throw ChartError("series '\(s.name)': no values") }
            try validate(s.values, series: s.name, axis: "x", scale: x.scale)
        }
        if panels && series.count > 1 { return smallMultiples() }
        var frame = Frame(width: width, height: height, title: title, legend: series.map(\.name))
        let all = series.flatMap(\.values)
        let (x0, x1) = Scale.bounds(all, axis: x)
        let sx = Scale(scale: x.scale, lo: x0, hi: x1, from: frame.plotLeft, to: frame.plotRight, explicitTicks: x.ticks)
        let (edges, counts) = binned(x0, x1)
        let (y0, y1) = Scale.bounds(counts.flatMap { $0 } + [0], axis: Axis(label: yLabel), includeZero: true)
        let sy = Scale(scale: .linear, lo: y0, hi: y1, from: frame.plotBottom, to: frame.plotTop)
        frame.axes(x: sx, xLabel: x.label, y: sy, yLabel: yLabel)
        for (i, c) in counts.enumerated() {
            for b in 0..<bins where c[b] > 0 {
                frame.svg.rect(sx(edges[b]), sy(c[b]), sx(edges[b + 1]) - sx(edges[b]), sy(0) - sy(c[b]),
                               fill: Palette.colour(i), opacity: series.count > 1 ? 0.55 : 0.9)
            }
        }
        if series.count == 1 && series[0].name.isEmpty { return frame.svg.document() }
        frame.legend(series.enumerated().map { ($0.element.name, Palette.colour($0.offset), false) }, boxes: true)
        return frame.svg.document()
    }

    /// Bin edges over [x0, x1] and each series' counts.
    func binned(_ x0: Double, _ x1: Double) -> (edges: [Double], counts: [[Double]]) {
        let edges: [Double] = (0...bins).map { i in
            let t = Double(i) / Double(bins)
            return x.scale == .log10 ? x0 * pow(10, t * log10(x1 / x0)) : x0 + t * (x1 - x0)
        }
        let counts: [[Double]] = series.map { s in
            var c = [Double](repeating: 0, count: bins)
            for v in s.values {
                let t = x.scale == .log10 ? log10(v / x0) / log10(x1 / x0) : (v - x0) / (x1 - x0)
                c[min(bins - 1, max(0, Int(t * Double(bins))))] += 1
            }
            return c
        }
        return (edges, counts)
    }

    /// One panel per series, top to bottom, each labelled with its series; x ticks under the last panel only.
    func smallMultiples() -> String {
        let left = 78.0, right = 24.0, top = 40.0, gap = 14.0, bottom = 52.0
        let chartHeight = top + Double(series.count) * (panelHeight + gap) - gap + bottom
        var svg = SVGBuilder(width: width, height: chartHeight)
        svg.text(title, width / 2, 24, size: 15, bold: true)
        let (x0, x1) = Scale.bounds(series.flatMap(\.values), axis: x)
        let sx = Scale(scale: x.scale, lo: x0, hi: x1, from: left, to: width - right, explicitTicks: x.ticks)
        let (edges, counts) = binned(x0, x1)
        let (y0, y1) = Scale.bounds(counts.flatMap { $0 } + [0], axis: Axis(label: yLabel), includeZero: true)
        for (i, c) in counts.enumerated() {
            let panelTop = top + Double(i) * (panelHeight + gap), panelBottom = panelTop + panelHeight
            let sy = Scale(scale: .linear, lo: y0, hi: y1, from: panelBottom, to: panelTop)
            let yTicks = sy.ticks
            for t in [yTicks.first, yTicks.count > 2 ? yTicks[yTicks.count / 2] : nil, yTicks.last].compactMap({ $0 }) {
                svg.line(left, sy(t), width - right, sy(t), stroke: "#E5E5E5")
                svg.text(Scale.label(t, .linear), left - 6, sy(t) + 4, size: 10, anchor: "end")
            }
            for t in sx.ticks { svg.line(sx(t), panelTop, sx(t), panelBottom, stroke: "#F0F0F0") }
            for b in 0..<bins where c[b] > 0 {
                svg.rect(sx(edges[b]), sy(c[b]), sx(edges[b + 1]) - sx(edges[b]), sy(0) - sy(c[b]),
                         fill: Palette.colour(i), opacity: 0.9)
            }
            svg.line(left, panelBottom, width - right, panelBottom, stroke: "#333333")
            svg.line(left, panelTop, left, panelBottom, stroke: "#333333")
            svg.text(series[i].name, width - right - 4, panelTop + 12, size: 11, anchor: "end", bold: true)
        }
        let lastBottom = chartHeight - bottom
        for t in sx.ticks { svg.text(Scale.label(t, x.scale), sx(t), lastBottom + 16, size: 11) }
        svg.text(x.label, (left + width - right) / 2, chartHeight - 14, size: 12)
        svg.text(yLabel + " (same scale in every panel)", 18, (top + lastBottom) / 2, size: 12, rotate: true)
        return svg.document()
    }
}
