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

    public func svg() throws(ChartError) -> String {
        guard !series.isEmpty else { throw ChartError("line chart '\(title)': no series") }
        for s in series {
            guard !s.points.isEmpty else { throw ChartError("series '\(s.name)': no points") }
            try validate(s.points.map(\.x), series: s.name, axis: "x", scale: x.scale)
            try validate(s.points.map(\.y), series: s.name, axis: "y", scale: y.scale)
        }
        var frame = Frame(width: width, height: height, title: title)
        let (x0, x1) = Scale.bounds(series.flatMap { $0.points.map(\.x) }, axis: x)
        let (y0, y1) = Scale.bounds(series.flatMap { $0.points.map(\.y) }, axis: y)
        let sx = Scale(scale: x.scale, lo: x0, hi: x1, from: frame.plotLeft, to: frame.plotRight)
        let sy = Scale(scale: y.scale, lo: y0, hi: y1, from: frame.plotBottom, to: frame.plotTop)
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

/// Values of one bar series, one per category.
public struct BarSeries: Sendable, Equatable {
    public var name: String
    public var values: [Double]
    public init(name: String, values: [Double]) {
        self.name = name
        self.values = values
    }
}

/// Grouped or stacked bars over categories.
public struct BarChart: Sendable {
    public enum Mode: Sendable { case grouped, stacked }
    public var title: String
    public var categories: [String]
    public var series: [BarSeries]
    public var mode: Mode
    public var y: Axis
    public var width: Double = 720
    public var height: Double = 420

    public init(title: String, categories: [String], series: [BarSeries], mode: Mode, y: Axis,
                width: Double = 720, height: Double = 420) {
        self.title = title
        self.categories = categories
        self.series = series
        self.mode = mode
        self.y = y
        self.width = width
        self.height = height
    }

    public func svg() throws(ChartError) -> String {
        guard !categories.isEmpty, !series.isEmpty else { throw ChartError("bar chart '\(title)': no categories or series") }
        guard y.scale == .linear else { throw ChartError("bar chart '\(title)': bars need a linear y axis") }
        for s in series {
            guard s.values.count == categories.count else {
                throw ChartError("series '\(s.name)': \(s.values.count) values for \(categories.count) categories")
            }
            try validate(s.values, series: s.name, axis: "y", scale: .linear)
            if mode == .stacked, let i = s.values.firstIndex(where: { $0 < 0 }) {
                throw ChartError("series '\(s.name)' point \(i): stacked bars need non-negative values")
            }
        }
        var frame = Frame(width: width, height: height, title: title)
        let tops: [Double] = mode == .stacked
            ? categories.indices.map { i in series.reduce(0) { $0 + $1.values[i] } }
            : series.flatMap(\.values)
        let (y0, y1) = Scale.bounds(tops + [0], axis: y, includeZero: true)
        let sy = Scale(scale: .linear, lo: y0, hi: y1, from: frame.plotBottom, to: frame.plotTop)
        frame.axes(x: nil, xLabel: "", y: sy, yLabel: y.label, categories: categories)
        let slot = (frame.plotRight - frame.plotLeft) / Double(categories.count)
        for c in categories.indices {
            let x0 = frame.plotLeft + slot * Double(c) + slot * 0.15, barWidth = slot * 0.7
            var base = 0.0
            for (i, s) in series.enumerated() {
                let v = s.values[c], colour = Palette.colour(i)
                switch mode {
                case .stacked:
                    frame.svg.rect(x0, sy(base + v), barWidth, sy(base) - sy(base + v), fill: colour)
                    base += v
                case .grouped:
                    let w = barWidth / Double(series.count)
                    let top = sy(max(0, v)), bottom = sy(min(0, v))
                    frame.svg.rect(x0 + w * Double(i), top, w * 0.92, bottom - top, fill: colour)
                }
            }
        }
        frame.legend(series.enumerated().map { ($0.element.name, Palette.colour($0.offset), false) }, boxes: true)
        return frame.svg.document()
    }
}

/// Overlaid histograms, with linear or log-spaced bins.
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

    public func svg() throws(ChartError) -> String {
        guard bins >= 1 else { throw ChartError("histogram '\(title)': bins = \(bins) must be at least 1") }
        guard !series.isEmpty else { throw ChartError("histogram '\(title)': no series") }
        for s in series {
            guard !s.values.isEmpty else { throw ChartError("series '\(s.name)': no values") }
            try validate(s.values, series: s.name, axis: "x", scale: x.scale)
        }
        var frame = Frame(width: width, height: height, title: title)
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
        frame.legend(series.enumerated().map { ($0.element.name, Palette.colour($0.offset), false) }, boxes: true)
        return frame.svg.document()
    }
}

/// Empirical cumulative distributions as step lines, with optional vertical markers.
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

    public func svg() throws(ChartError) -> String {
        guard !series.isEmpty else { throw ChartError("CDF '\(title)': no series") }
        for s in series {
            guard !s.values.isEmpty else { throw ChartError("series '\(s.name)': no values") }
            try validate(s.values, series: s.name, axis: "x", scale: x.scale)
        }
        try validate(markers.map(\.x), series: "markers", axis: "x", scale: x.scale)
        var frame = Frame(width: width, height: height, title: title)
        let (x0, x1) = Scale.bounds(series.flatMap(\.values) + markers.map(\.x), axis: x)
        let sx = Scale(scale: x.scale, lo: x0, hi: x1, from: frame.plotLeft, to: frame.plotRight)
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

/// Which corner a Pareto front optimises.
public enum ParetoSense: Sendable { case minimiseBoth, minimiseXMaximiseY }

/// Scatter plot with an optional Pareto front drawn as a step line through the non-dominated points.
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

    public func svg() throws(ChartError) -> String {
        guard !series.isEmpty else { throw ChartError("scatter '\(title)': no series") }
        for s in series {
            guard !s.points.isEmpty else { throw ChartError("series '\(s.name)': no points") }
            try validate(s.points.map(\.x), series: s.name, axis: "x", scale: x.scale)
            try validate(s.points.map(\.y), series: s.name, axis: "y", scale: y.scale)
        }
        var frame = Frame(width: width, height: height, title: title)
        let all = series.flatMap(\.points)
        let (x0, x1) = Scale.bounds(all.map(\.x), axis: x)
        let (y0, y1) = Scale.bounds(all.map(\.y), axis: y)
        let sx = Scale(scale: x.scale, lo: x0, hi: x1, from: frame.plotLeft, to: frame.plotRight)
        let sy = Scale(scale: y.scale, lo: y0, hi: y1, from: frame.plotBottom, to: frame.plotTop)
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
        frame.legend(entries)
        return frame.svg.document()
    }
}

/// A grid of values coloured on a sequential scale, each cell labelled.
public struct Heatmap: Sendable {
    public var title: String
    public var rowLabels: [String]
    public var columnLabels: [String]
    public var values: [[Double]]
    public var decimals: Int
    public var xLabel: String
    public var yLabel: String
    public var suffix: String
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

    public func svg() throws(ChartError) -> String {
        guard !rowLabels.isEmpty, !columnLabels.isEmpty else { throw ChartError("heatmap '\(title)': no rows or columns") }
        guard values.count == rowLabels.count else {
            throw ChartError("heatmap '\(title)': \(values.count) rows of values for \(rowLabels.count) row labels")
        }
        for (r, row) in values.enumerated() {
            guard row.count == columnLabels.count else {
                throw ChartError("heatmap '\(title)' row \(r): \(row.count) values for \(columnLabels.count) columns")
            }
            try validate(row, series: "row \(rowLabels[r])", axis: "value", scale: .linear)
        }
        var svg = SVGBuilder(width: width, height: height)
        svg.text(title, width / 2, 24, size: 15, bold: true)
        let left = 110.0, top = 46.0, right = 20.0, bottom = 60.0
        let cw = (width - left - right) / Double(columnLabels.count)
        let ch = (height - top - bottom) / Double(rowLabels.count)
        let flat = values.flatMap { $0 }
        let lo = flat.min()!, hi = flat.max()!
        for (r, row) in values.enumerated() {
            for (c, v) in row.enumerated() {
                let (fill, light) = Self.colour(hi > lo ? (v - lo) / (hi - lo) : 0.5)
                let x = left + cw * Double(c), y = top + ch * Double(r)
                svg.rect(x, y, cw, ch, fill: fill, stroke: "#FFFFFF")
                svg.text(NumberFormat.fixed(v, decimals: decimals) + suffix, x + cw / 2, y + ch / 2 + 5, size: 13,
                         fill: light ? "#000000" : "#FFFFFF")
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
