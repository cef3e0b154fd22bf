import Foundation

/// A chart input that cannot be drawn, with the field at fault.
public struct ChartError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "chart: \(message)" }
}

public enum AxisScale: Sendable, Equatable { case linear, log10 }

/// An axis: its label, scale and optional fixed bounds.
public struct Axis: Sendable, Equatable {
    public var label: String
    public var scale: AxisScale
    public var min: Double?
    public var max: Double?
    public init(label: String, scale: AxisScale = .linear, min: Double? = nil, max: Double? = nil) {
        self.label = label
        self.scale = scale
        self.min = min
        self.max = max
    }
}

public struct Point: Sendable, Equatable {
    public var x: Double
    public var y: Double
    public var label: String?
    public init(x: Double, y: Double, label: String? = nil) {
        self.x = x
        self.y = y
        self.label = label
    }
}

/// A named sequence of points.
public struct Series: Sendable, Equatable {
    public var name: String
    public var points: [Point]
    public var dashed: Bool
    public var markers: Bool
    public init(name: String, points: [Point], dashed: Bool = false, markers: Bool = true) {
        self.name = name
        self.points = points
        self.dashed = dashed
        self.markers = markers
    }
}

/// The colour-blind-safe palette of Okabe and Ito (2008).
public enum Palette {
    public static let colours = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
    public static func colour(_ i: Int) -> String { colours[i % colours.count] }
}

/// Maps data to pixels along one axis and picks readable ticks.
struct Scale {
    let scale: AxisScale
    let lo: Double, hi: Double        // data bounds (already padded / rounded to ticks)
    let from: Double, to: Double      // pixel range

    func callAsFunction(_ v: Double) -> Double {
        let t: Double
        switch scale {
        case .linear: t = hi > lo ? (v - lo) / (hi - lo) : 0.5
        case .log10: t = hi > lo ? (log10(v) - log10(lo)) / (log10(hi) - log10(lo)) : 0.5
        }
        return from + t * (to - from)
    }

    /// Tick values: 1-2-5 steps on linear axes, powers of ten on log axes.
    var ticks: [Double] {
        switch scale {
        case .linear:
            let step = Self.niceStep((hi - lo) / 5)
            var v = (lo / step).rounded(.up) * step, out: [Double] = []
            while v <= hi + step * 1e-9 { out.append(abs(v) < step * 1e-9 ? 0 : v); v += step }
            return out
        case .log10:
            var e = Int(log10(lo).rounded(.down)), out: [Double] = []
            while NumberFormat.power10(e) <= hi * (1 + 1e-9) {
                let v = NumberFormat.power10(e)
                if v >= lo * (1 - 1e-9) { out.append(v) }
                e += 1
            }
            return out
        }
    }

    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        let p = NumberFormat.power10(Int(log10(raw).rounded(.down)))
        for m in [1.0, 2, 5, 10] where m * p >= raw * (1 - 1e-9) { return m * p }
        return 10 * p
    }

    /// Data bounds for values, honouring fixed bounds and rounding to nice ticks.
    static func bounds(_ values: [Double], axis: Axis, includeZero: Bool = false) -> (Double, Double) {
        var lo = axis.min ?? values.min() ?? 0, hi = axis.max ?? values.max() ?? 1
        switch axis.scale {
        case .linear:
            if includeZero && axis.min == nil { lo = Swift.min(lo, 0) }
            if hi == lo { hi = lo + 1 }
            let step = niceStep((hi - lo) / 5)
            if axis.min == nil { lo = (lo / step + 1e-9).rounded(.down) * step }
            if axis.max == nil { hi = (hi / step - 1e-9).rounded(.up) * step }
        case .log10:
            if axis.min == nil { lo = NumberFormat.power10(Int(log10(lo).rounded(.down))) }
            if axis.max == nil { hi = NumberFormat.power10(Int(log10(hi).rounded(.up))) }
            if hi <= lo { hi = lo * 10 }
        }
        return (lo, hi)
    }

    static func label(_ v: Double, _ scale: AxisScale) -> String {
        if scale == .log10 {
            let e = Int(log10(v).rounded())
            if e >= 0 && e < 4 { return NumberFormat.fixed(v, decimals: 0) }
            if e < 0 && e > -4 { return NumberFormat.fixed(v, decimals: -e) }
            return "1e\(e)"
        }
        if abs(v) >= 1e5 || (abs(v) < 1e-3 && v != 0) { return NumberFormat.significant(v, digits: 3) }
        return NumberFormat.trimmed(v, maxDecimals: 6)
    }
}

/// Builds an SVG document with fixed formatting of every coordinate.
struct SVGBuilder {
    let width: Double, height: Double
    var body = ""

    static func n(_ x: Double) -> String { NumberFormat.fixed(x, decimals: 2) }

    static func escape(_ s: String) -> String {
        s.replacingAll("&", with: "&amp;").replacingAll("<", with: "&lt;").replacingAll(">", with: "&gt;")
            .replacingAll("\"", with: "&quot;")
    }

    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String, width w: Double = 1,
                       dash: Bool = false) {
        body += "<line x1=\"\(Self.n(x1))\" y1=\"\(Self.n(y1))\" x2=\"\(Self.n(x2))\" y2=\"\(Self.n(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(Self.n(w))\"\(dash ? " stroke-dasharray=\"5,4\"" : "")/>\n"
    }

    mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String, opacity: Double = 1,
                       stroke: String? = nil) {
        body += "<rect x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" width=\"\(Self.n(max(0, w)))\" height=\"\(Self.n(max(0, h)))\" fill=\"\(fill)\"\(opacity < 1 ? " fill-opacity=\"\(Self.n(opacity))\"" : "")\(stroke.map { " stroke=\"\($0)\"" } ?? "")/>\n"
    }

    mutating func circle(_ x: Double, _ y: Double, r: Double, fill: String) {
        body += "<circle cx=\"\(Self.n(x))\" cy=\"\(Self.n(y))\" r=\"\(Self.n(r))\" fill=\"\(fill)\"/>\n"
    }

    mutating func polyline(_ points: [(Double, Double)], stroke: String, width w: Double = 2, dash: Bool = false) {
        let pts = points.map { "\(Self.n($0.0)),\(Self.n($0.1))" }.joined(separator: " ")
        body += "<polyline points=\"\(pts)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(Self.n(w))\"\(dash ? " stroke-dasharray=\"6,4\"" : "")/>\n"
    }

    mutating func text(_ s: String, _ x: Double, _ y: Double, size: Double = 12, anchor: String = "middle",
                       rotate: Bool = false, fill: String = "#222222", bold: Bool = false) {
        let transform = rotate ? " transform=\"rotate(-90 \(Self.n(x)) \(Self.n(y)))\"" : ""
        body += "<text x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" font-size=\"\(Self.n(size))\" text-anchor=\"\(anchor)\" fill=\"\(fill)\"\(bold ? " font-weight=\"bold\"" : "")\(transform)>\(Self.escape(s))</text>\n"
    }

    func document() -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Self.n(width))\" height=\"\(Self.n(height))\" viewBox=\"0 0 \(Self.n(width)) \(Self.n(height))\" font-family=\"Helvetica, Arial, sans-serif\">\n"
            + "<rect x=\"0\" y=\"0\" width=\"\(Self.n(width))\" height=\"\(Self.n(height))\" fill=\"#FFFFFF\"/>\n"
            + body + "</svg>\n"
    }
}

/// The frame every x-y chart shares: title, plot area, axes with ticks and grid, legend.
struct Frame {
    var svg: SVGBuilder
    let left = 78.0, right = 170.0, top = 40.0, bottom = 56.0
    var plotLeft: Double { left }
    var plotRight: Double { svg.width - right }
    var plotTop: Double { top }
    var plotBottom: Double { svg.height - bottom }

    init(width: Double, height: Double, title: String) {
        svg = SVGBuilder(width: width, height: height)
        svg.text(title, width / 2, 24, size: 15, bold: true)
    }

    mutating func axes(x: Scale?, xLabel: String, y: Scale, yLabel: String, categories: [String] = []) {
        for t in y.ticks {
            let py = y(t)
            svg.line(plotLeft, py, plotRight, py, stroke: "#E5E5E5")
            svg.text(Scale.label(t, y.scale), plotLeft - 6, py + 4, size: 11, anchor: "end")
        }
        if let x {
            for t in x.ticks {
                let px = x(t)
                svg.line(px, plotTop, px, plotBottom, stroke: "#F0F0F0")
                svg.text(Scale.label(t, x.scale), px, plotBottom + 16, size: 11)
            }
        } else {
            let w = (plotRight - plotLeft) / Double(max(1, categories.count))
            for (i, c) in categories.enumerated() {
                svg.text(c, plotLeft + w * (Double(i) + 0.5), plotBottom + 16, size: 11)
            }
        }
        svg.line(plotLeft, plotBottom, plotRight, plotBottom, stroke: "#333333")
        svg.line(plotLeft, plotTop, plotLeft, plotBottom, stroke: "#333333")
        svg.text(xLabel, (plotLeft + plotRight) / 2, svg.height - 16, size: 12)
        svg.text(yLabel, 18, (plotTop + plotBottom) / 2, size: 12, rotate: true)
    }

    /// Legend entries (name, colour, dashed) to the right of the plot.
    mutating func legend(_ entries: [(String, String, Bool)], boxes: Bool = false) {
        for (i, (name, colour, dashed)) in entries.enumerated() {
            let y = plotTop + 8 + Double(i) * 18
            if boxes {
                svg.rect(plotRight + 12, y - 6, 12, 12, fill: colour)
            } else {
                svg.line(plotRight + 10, y, plotRight + 30, y, stroke: colour, width: 2, dash: dashed)
            }
            svg.text(name, plotRight + 36, y + 4, size: 11, anchor: "start")
        }
    }
}

/// Checks that every value is finite (and positive on a log axis), naming the series and point.
func validate(_ values: [Double], series: String, axis: String, scale: AxisScale) throws(ChartError) {
    for (i, v) in values.enumerated() {
        guard v.isFinite else { throw ChartError("series '\(series)' point \(i): \(axis) = \(v) is not finite") }
        if scale == .log10 && v <= 0 {
            throw ChartError("series '\(series)' point \(i): \(axis) = \(NumberFormat.significant(v, digits: 4)) cannot be drawn on a log axis")
        }
    }
}
