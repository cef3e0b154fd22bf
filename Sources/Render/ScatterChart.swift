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
            for p in s.points { frame.svg.circle(sx(p.x), sy(p.y), r: 3.5, fill: Palette.colour(i)) }
        }
        var steps: [(Double, Double)] = []
        if let sense = paretoFront {
            let front = Self.front(all, sense: sense)
            for (k, p) in front.enumerated() {
                if k > 0 { steps.append((sx(p.x), sy(front[k - 1].y))) }
                steps.append((sx(p.x), sy(p.y)))
            }
        }
        let labelled = all.compactMap { p in p.label.map { (sx(p.x), sy(p.y), $0) } }
        // Labels may use the strip between the title and the plot; they keep off the Pareto line.
        let plot = Box(x0: frame.plotLeft, y0: frame.plotTop - 8, x1: frame.plotRight, y1: frame.plotBottom)
        let frontSegments = zip(steps, steps.dropFirst()).map { Segment(from: $0, to: $1) }
        for placed in Self.placeLabels(labelled, within: plot, avoiding: frontSegments) {
            if let leader = placed.leaderLine { frame.svg.line(leader.from.0, leader.from.1, leader.to.0, leader.to.1, stroke: "#888888", width: 0.6) }
            frame.svg.text(placed.text, placed.x, placed.y, size: 9, anchor: placed.anchor)
        }
        var entries = series.enumerated().map { ($0.element.name, Palette.colour($0.offset), false) }
        if !steps.isEmpty {
            frame.svg.polyline(steps, stroke: "#000000", width: 1.5, dash: true)
            entries.append(("Pareto front", "#000000", true))
        }
        frame.legend(entries, dots: true)
        return frame.svg.document()
    }

    /// An axis-aligned rectangle in SVG coordinates (y grows downwards).
    struct Box: Equatable {
        var x0, y0, x1, y1: Double
        func overlap(_ o: Box) -> Double {
            max(0, min(x1, o.x1) - max(x0, o.x0)) * max(0, min(y1, o.y1) - max(y0, o.y0))
        }
        var area: Double { (x1 - x0) * (y1 - y0) }
        /// Whether segment `s` passes through the box shrunk by `margin` on every side (Liang-Barsky clipping).
        func crossed(by s: Segment, margin: Double = 1) -> Bool {
            let (px, py) = s.from, dx = s.to.0 - px, dy = s.to.1 - py
            var t0 = 0.0, t1 = 1.0
            for (p, q) in [(-dx, px - (x0 + margin)), (dx, (x1 - margin) - px), (-dy, py - (y0 + margin)), (dy, (y1 - margin) - py)] {
                if p == 0 {
                    if q < 0 { return false }
                } else if p < 0 {
                    t0 = max(t0, q / p)
                } else {
                    t1 = min(t1, q / p)
                }
            }
            return t0 <= t1
        }
    }

    /// A straight line drawn on the chart (a Pareto step, a leader line), in SVG coordinates.
    struct Segment {
        var from: (Double, Double)
        var to: (Double, Double)
    }

    /// A point label as drawn: baseline position, anchor, its box, and where a leader line starts when the label
    /// had to move away from its point.
    struct PlacedLabel {
        var text: String
        var x, y: Double
        var anchor: String
        var box: Box
        var leader: (Double, Double)?
        /// The leader line from the point to just below the label's baseline, when there is one.
        var leaderLine: Segment? { leader.map { Segment(from: $0, to: (x, y - 3)) } }
    }

    /// Greedy placement of 9 px point labels (issue 17: "Swin-S" on "Swin-B", "TinyBERT4" on "MobileBERT-TINY").
    /// Each label takes the first candidate position (up-right of its point, then down-right, up-left,
    /// down-left, above, below, then further up or down with a leader line) whose box, estimated with
    /// `Frame.textWidth`, stays inside `plot` and overlaps no point and no label placed before it (a leader line crossing one counts too)
    /// and is crossed by none of the `lines` (the Pareto front) nor by an earlier label's leader line; when every
    /// candidate collides, the one with the least overlap wins.
    static func placeLabels(_ points: [(x: Double, y: Double, text: String)], within plot: Box,
                            avoiding lines: [Segment] = []) -> [PlacedLabel] {
        let dots = points.map { Box(x0: $0.x - 4, y0: $0.y - 4, x1: $0.x + 4, y1: $0.y + 4) }
        let candidates = points.map { p -> [PlacedLabel] in
            let w = Frame.textWidth(p.text, size: 9)
            func label(_ bx: Double, _ by: Double, _ anchor: String, leader: Bool = false) -> PlacedLabel {
                let x0 = anchor == "start" ? bx : anchor == "end" ? bx - w : bx - w / 2
                return PlacedLabel(text: p.text, x: bx, y: by, anchor: anchor,
                                   box: Box(x0: x0, y0: by - 8, x1: x0 + w, y1: by + 2),
                                   leader: leader ? (p.x, p.y) : nil)
            }
            var list = [label(p.x + 5, p.y - 5, "start"), label(p.x + 5, p.y + 11, "start"),
                        label(p.x - 5, p.y - 5, "end"), label(p.x - 5, p.y + 11, "end"),
                        label(p.x, p.y - 7, "middle"), label(p.x, p.y + 14, "middle")]
            for step in 1...4 {
                let d = Double(step) * 11
                for (dx, anchor) in [(5.0, "start"), (-5.0, "end")] {
                    list.append(label(p.x + dx, p.y - 5 - d, anchor, leader: true))
                    list.append(label(p.x + dx, p.y + 11 + d, anchor, leader: true))
                }
            }
            return list
        }
        /// How badly candidate `c` of label `k` collides with the plot's edge, the other points, the `lines` and
        /// the labels placed so far.
        func cost(_ c: PlacedLabel, _ k: Int, _ placed: [PlacedLabel?]) -> Double {
            let others = placed.enumerated().compactMap { $0.offset == k ? nil : $0.element }
            let outside = c.box.area - c.box.overlap(plot)
            var hits = others.reduce(0) { $0 + c.box.overlap($1.box) }
            for (j, d) in dots.enumerated() where j != k { hits += c.box.overlap(d) }
            // A line through the text makes it hard to read: as bad as covering a quarter of a label.
            let crossing = lines + others.compactMap(\.leaderLine)
            hits += 100 * Double(crossing.filter { c.box.crossed(by: $0) }.count)
            // A leader line that runs through another point or label would point at the wrong thing.
            if let leader = c.leaderLine {
                let obstacles = dots.enumerated().filter { $0.offset != k }.map(\.element) + others.map(\.box)
                hits += 200 * Double(obstacles.filter { $0.crossed(by: leader, margin: 0) }.count)
            }
            return outside * 10 + hits
        }
        /// The first candidate of label `k` that collides with nothing, else the one that collides least.
        func best(_ k: Int, _ placed: [PlacedLabel?]) -> (PlacedLabel, Double) {
            var best = candidates[k][0], bestCost = Double.infinity
            for c in candidates[k] {
                let v = cost(c, k, placed)
                if v < bestCost { best = c; bestCost = v }
                if v == 0 { break }
            }
            return (best, bestCost)
        }
        // Greedily in order, each label against those before it; then, while some label can do strictly better
        // against all the others (a label placed early may block a later one), move it (at most 8 rounds).
        var placed = [PlacedLabel?](repeating: nil, count: points.count)
        for k in points.indices { placed[k] = best(k, placed).0 }
        for _ in 0..<8 {
            var moved = false
            for k in points.indices {
                let (c, v) = best(k, placed)
                if v < cost(placed[k]!, k, placed) { placed[k] = c; moved = true }
            }
            if !moved { break }
        }
        return placed.map { $0! }
    }
}
