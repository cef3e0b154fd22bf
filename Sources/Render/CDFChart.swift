import Foundation

/// Empirical cumulative distributions as step lines, with optional labelled vertical markers.
///
/// ```swift
/// let chart = CDFChart(title: "EDP of all mappings", series: [("WS", ws), ("OS", os)],
///                      x: Axis(label: "EDP relative to the best", scale: .log10), markers: [(x: 3, label: "3× best")])
/// let svg = try chart.svg()
/// ```
public struct CDFChart: Sendable {
    public var title: String
    public var series: [(name: String, values: [Double])]
    public var x: Axis
    public var markers: [(x: Double, label: String)]
    public var width: Double = 720
    public var height: Double = 420

    public init(title: String, series: [(name: String, values: [Double])], x: Axis,
                markers: [(x: Double, label: String)] = [], width: Double = 720, height: Double = 420) {
        self.title = title
        self.series = series
        self.x = x
        self.markers = markers
        self.width = width
        self.height = height
    }

    /// The chart as an SVG document, or the first input that cannot be drawn.
    public func svg() throws(ChartError) -> String {
        guard !series.isEmpty else { throw ChartError("CDF '\(title)': no series") }
        try validate(x, name: "x")
        try validate(width: width, height: height, chart: "CDF '\(title)'")
        for s in series {
            guard !s.values.isEmpty else { throw ChartError("series '\(s.name)': no values") }
            try validate(s.values, series: s.name, axis: "x", scale: x.scale)
        }
        try validate(markers.map(\.x), series: "markers", axis: "x", scale: x.scale)
        var frame = Frame(width: width, height: height, title: title, legend: series.map(\.name))
        let (x0, x1) = Scale.bounds(series.flatMap(\.values) + markers.map(\.x), axis: x)
        let sx = Scale(scale: x.scale, lo: x0, hi: x1, from: frame.plotLeft, to: frame.plotRight, explicitTicks: x.ticks)
        let sy = Scale(scale: .linear, lo: 0, hi: 1, from: frame.plotBottom, to: frame.plotTop)
        frame.axes(x: sx, xLabel: x.label, y: sy, yLabel: "fraction ≤ x")
        for (i, s) in series.enumerated() {
            let sorted = s.values.sorted()
            var points: [(Double, Double)] = [(sx(sorted[0]), sy(0))]
            // At most ~2 points per pixel column keeps large samples small and the shape exact enough.
            let stride = max(1, sorted.count / 1000)
            var k = 0
            while k < sorted.count {
                let next = min(sorted.count, k + stride)
                points.append((sx(sorted[k]), sy(Double(k) / Double(sorted.count))))
                points.append((sx(sorted[next - 1]), sy(Double(next) / Double(sorted.count))))
                k = next
            }
            frame.svg.polyline(points, stroke: Palette.colour(i), width: 2)
        }
        for m in markers {
            frame.svg.line(sx(m.x), frame.plotTop, sx(m.x), frame.plotBottom, stroke: "#666666", dash: true)
            frame.svg.text(m.label, sx(m.x) + 4, frame.plotTop + 12, size: 10, anchor: "start")
        }
        frame.legend(series.enumerated().map { ($0.element.name, Palette.colour($0.offset), false) })
        return frame.svg.document()
    }
}
