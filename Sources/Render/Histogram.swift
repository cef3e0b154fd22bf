import Foundation

/// Overlaid histograms with semi-transparent bars, over linear bins or (on a log10 axis) log-spaced bins.
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

    public init(title: String, series: [(name: String, values: [Double])], bins: Int, x: Axis,
                yLabel: String = "count", width: Double = 720, height: Double = 420) {
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
        var frame = Frame(width: width, height: height, title: title, legend: series.map(\.name))
        let all = series.flatMap(\.values)
        let (x0, x1) = Scale.bounds(all, axis: x)
        let sx = Scale(scale: x.scale, lo: x0, hi: x1, from: frame.plotLeft, to: frame.plotRight)
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
}
