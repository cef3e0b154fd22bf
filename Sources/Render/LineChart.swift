import Foundation

/// Lines over a linear or log x axis.
///
/// ```swift
/// let chart = LineChart(title: "FLOPs", x: Axis(label: "l", scale: .log10), y: Axis(label: "GFLOPs", scale: .log10),
///                       series: [Series(name: "BERT-Base", points: [Point(x: 128, y: 22.4), Point(x: 512, y: 97.0)])])
/// let svg = try chart.svg()
/// ```
public struct LineChart: Sendable {
    public var title: String
    public var x: Axis
    public var y: Axis
    public var series: [Series]
    public var width: Double = 720
    public var height: Double = 420

    public init(title: String, x: Axis, y: Axis, series: [Series], width: Double = 720, height: Double = 420) {
        self.title = title
        self.x = x
        self.y = y
        self.series = series
        self.width = width
        self.height = height
    }

    /// The chart as an SVG document, or the first input that cannot be drawn.
    public func svg() throws(ChartError) -> String {
        guard !series.isEmpty else { throw ChartError("line chart '\(title)': no series") }
        try validate(x, name: "x")
        try validate(y, name: "y")
        try validate(width: width, height: height, chart: "line chart '\(title)'")
        for s in series {
            guard !s.points.isEmpty else { throw ChartError("series '\(s.name)': no points") }
            try validate(s.points.map(\.x), series: s.name, axis: "x", scale: x.scale)
            try validate(s.points.map(\.y), series: s.name, axis: "y", scale: y.scale)
        }
        var frame = Frame(width: width, height: height, title: title, legend: series.map(\.name))
        let (x0, x1) = Scale.bounds(series.flatMap { $0.points.map(\.x) }, axis: x)
        let (y0, y1) = Scale.bounds(series.flatMap { $0.points.map(\.y) }, axis: y)
        let sx = Scale(scale: x.scale, lo: x0, hi: x1, from: frame.plotLeft, to: frame.plotRight, explicitTicks: x.ticks)
        let sy = Scale(scale: y.scale, lo: y0, hi: y1, from: frame.plotBottom, to: frame.plotTop, explicitTicks: y.ticks)
        frame.axes(x: sx, xLabel: x.label, y: sy, yLabel: y.label)
        for (i, s) in series.enumerated() {
            let colour = Palette.colour(colourIndex(i))
            frame.svg.polyline(s.points.map { (sx($0.x), sy($0.y)) }, stroke: colour, dash: s.dashed)
            if s.markers {
                for p in s.points { frame.svg.circle(sx(p.x), sy(p.y), r: s.dashed ? 2 : 3, fill: colour) }
            }
        }
        frame.legend(series.enumerated().map { ($0.element.name, Palette.colour(colourIndex($0.offset)), $0.element.dashed) })
        return frame.svg.document()
    }

    /// Dashed series reuse the colour of the solid series with the same name prefix (e.g. "BERT-Base (paper)").
    func colourIndex(_ i: Int) -> Int {
        guard series[i].dashed else { return series[..<i].filter { !$0.dashed }.count }
        let solid = series.filter { !$0.dashed }
        if let j = solid.firstIndex(where: { series[i].name.hasPrefix($0.name) }) { return j }
        return solid.count + series[..<i].filter(\.dashed).count
    }
}
