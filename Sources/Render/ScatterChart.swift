import Foundation

/// Which corner a Pareto front optimises: x is always minimised (cost), y is minimised or maximised.
public enum ParetoSense: Sendable { case minimiseBoth, minimiseXMaximiseY }

/// Scatter plot with an optional Pareto front drawn as a dashed step line through the non-dominated points of
/// all series together; a point's `label` is printed beside it.
///
/// ```swift
/// let chart = ScatterChart(title: "Latency against energy", x: Axis(label: "latency (ms)"), y: Axis(label: "energy (mJ)"),
///                          series: [Series(name: "mappings", points: [Point(x: 1, y: 9), Point(x: 2, y: 4, label: "B")])],
///                          paretoFront: .minimiseBoth)
/// let svg = try chart.svg()
/// ```
public struct ScatterChart: Sendable {
    public var title: String
    public var x: Axis
    public var y: Axis
    public var series: [Series]
    public var paretoFront: ParetoSense?
    public var width: Double = 720
    public var height: Double = 420

    public init(title: String, x: Axis, y: Axis, series: [Series], paretoFront: ParetoSense? = nil,
                width: Double = 720, height: Double = 420) {
        self.title = title
        self.x = x
        self.y = y
        self.series = series
        self.paretoFront = paretoFront
        self.width = width
        self.height = height
    }

    /// The non-dominated points of `points`, sorted by x.
    public static func front(_ points: [Point], sense: ParetoSense) -> [Point] {
        let better: (Double, Double) -> Bool = sense == .minimiseBoth ? { $0 < $1 } : { $0 > $1 }
        var front: [Point] = []
        for p in points.sorted(by: { $0.x != $1.x ? $0.x < $1.x : better($0.y, $1.y) }) {
            if let last = front.last, !better(p.y, last.y) { continue }
            front.append(p)
        }
        return front
    }

    /// The chart as an SVG document, or the first input that cannot be drawn.
    public func svg() throws(ChartError) -> String {
        guard !series.isEmpty else { throw ChartError("scatter '\(title)': no series") }
        try validate(x, name: "x")
        try validate(y, name: "y")
        try validate(width: width, height: height, chart: "scatter '\(title)'")
        for s in series {
            guard !s.points.isEmpty else { throw ChartError("series '\(s.name)': no points") }
            try validate(s.points.map(\.x), series: s.name, axis: "x", scale: x.scale)
            try validate(s.points.map(\.y), series: s.name, axis: "y", scale: y.scale)
        }
        var frame = Frame(width: width, height: height, title: title, legend: series.map(\.name) + (paretoFront == nil ? [] : ["Pareto front"]))
        let all = series.flatMap(\.points)
        let (x0, x1) = Scale.bounds(all.map(\.x), axis: x)
        let (y0, y1) = Scale.bounds(all.map(\.y), axis: y)
        let sx = Scale(scale: x.scale, lo: x0, hi: x1, from: frame.plotLeft, to: frame.plotRight, explicitTicks: x.ticks)
        let sy = Scale(scale: y.scale, lo: y0, hi: y1, from: frame.plotBottom, to: frame.plotTop, explicitTicks: y.ticks)
        frame.axes(x: sx, xLabel: x.label, y: sy, yLabel: y.label)
        for (i, s) in series.enumerated() {
            for p in s.points {
                frame.svg.circle(sx(p.x), sy(p.y), r: 3.5, fill: Palette.colour(i))
                if let label = p.label { frame.svg.text(label, sx(p.x) + 5, sy(p.y) - 5, size: 9, anchor: "start") }
            }
        }
        var entries = series.enumerated().map { ($0.element.name, Palette.colour($0.offset), false) }
        if let sense = paretoFront {
            let front = Self.front(all, sense: sense)
            var steps: [(Double, Double)] = []
            for (k, p) in front.enumerated() {
                if k > 0 { steps.append((sx(p.x), sy(front[k - 1].y))) }
                steps.append((sx(p.x), sy(p.y)))
            }
            frame.svg.polyline(steps, stroke: "#000000", width: 1.5, dash: true)
            entries.append(("Pareto front", "#000000", true))
        }
        frame.legend(entries, dots: true)
        return frame.svg.document()
    }
}
