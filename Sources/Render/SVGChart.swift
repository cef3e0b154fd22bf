import Foundation

/// A chart input that cannot be drawn, with the field at fault, e.g.
/// `series 'BERT-Base' point 3: y = 0 cannot be drawn on a log axis`.
public struct ChartError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "chart: \(message)" }
}

/// How an axis maps values: evenly, or by powers of ten.
public enum AxisScale: Sendable, Equatable { case linear, log10 }

/// An axis: its label, scale, optional fixed bounds (otherwise the bounds round outwards to nice ticks) and
/// optional explicit ticks. With explicit ticks the axis ends at the outermost tick or data value instead of
/// the next decade, so a sweep over l = 128 … 4096 ends at 4096 rather than running on to 10⁴.
///
/// ```swift
/// Axis(label: "sequence length", scale: .log10)
/// Axis(label: "share of FLOPs (%)", min: 0, max: 100)
/// Axis(label: "sequence length l", scale: .log10, ticks: [128, 256, 512, 1024, 2048, 4096])
/// ```
public struct Axis: Sendable, Equatable {
    public var label: String
    public var scale: AxisScale
    public var min: Double?
    public var max: Double?
    /// Tick positions to draw (and label) instead of the automatic ones; nil for automatic ticks.
    public var ticks: [Double]?
    public init(label: String, scale: AxisScale = .linear, min: Double? = nil, max: Double? = nil, ticks: [Double]? = nil) {
        self.label = label
        self.scale = scale
        self.min = min
        self.max = max
        self.ticks = ticks
    }
}

/// One data point, optionally labelled (scatter charts print the label beside it).
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

/// A named sequence of points, drawn as a line (line charts) or as dots (scatter charts).
///
/// ```swift
/// Series(name: "BERT-Base", xy: [(128, 22.4), (512, 97.0)])
/// Series(name: "BERT-Base (paper)", points: [Point(x: 128, y: 22)], dashed: true)
/// ```
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

    /// A series from bare (x, y) pairs.
    public init(name: String, xy: [(x: Double, y: Double)], dashed: Bool = false, markers: Bool = true) {
        self.init(name: name, points: xy.map { Point(x: $0.x, y: $0.y) }, dashed: dashed, markers: markers)
    }
}

/// The colour-blind-safe palette of Okabe and Ito (2008), blue first, then four colours of Paul Tol's "muted"
/// scheme (grey, wine, teal, indigo) so that up to twelve series stay distinct; series take colours in this order.
public enum Palette {
    public static let colours = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
                                 "#999999", "#882255", "#44AA99", "#332288"]
    /// The `i`-th colour, cycling: `colour(12) == colour(0)`.
    public static func colour(_ i: Int) -> String { colours[(i % colours.count + colours.count) % colours.count] }

    /// Black or white, whichever reads better on a `#RRGGBB` background.
    public static func textColour(on background: String) -> String {
        let hex = Array(background.utf8.dropFirst())
        guard hex.count == 6 else { return "#000000" }
        func channel(_ k: Int) -> Double {
            Double(Int(String(decoding: hex[(2 * k)..<(2 * k + 2)], as: UTF8.self), radix: 16) ?? 0)
        }
        return 0.299 * channel(0) + 0.587 * channel(1) + 0.114 * channel(2) > 140 ? "#000000" : "#FFFFFF"
    }
}

/// Checks that every value is finite (and positive on a log axis), naming the series and point.
func validate(_ values: [Double], series: String, axis: String, scale: AxisScale) throws(ChartError) {
    for (i, v) in values.enumerated() {
        guard v.isFinite else { throw ChartError("series '\(series)' point \(i): \(axis) = \(v) is not finite") }
        if scale == .log10 && v <= 0 {
            throw ChartError("series '\(series)' point \(i): \(axis) = \(shown(v)) cannot be drawn on a log axis")
        }
    }
}

/// Checks an axis's fixed bounds: finite, positive on a log axis, and min below max.
func validate(_ axis: Axis, name: String) throws(ChartError) {
    for (field, value) in [("min", axis.min), ("max", axis.max)] {
        guard let v = value else { continue }
        guard v.isFinite else { throw ChartError("\(name) axis '\(axis.label)': \(field) = \(v) is not finite") }
        if axis.scale == .log10 && v <= 0 {
            throw ChartError("\(name) axis '\(axis.label)': \(field) = \(shown(v)) cannot be drawn on a log axis")
        }
    }
    if let ticks = axis.ticks {
        guard !ticks.isEmpty else { throw ChartError("\(name) axis '\(axis.label)': explicit ticks are empty") }
        for (i, t) in ticks.enumerated() {
            guard t.isFinite else { throw ChartError("\(name) axis '\(axis.label)': tick \(i) = \(t) is not finite") }
            if axis.scale == .log10 && t <= 0 {
                throw ChartError("\(name) axis '\(axis.label)': tick \(i) = \(shown(t)) cannot be drawn on a log axis")
            }
        }
    }
    if let lo = axis.min, let hi = axis.max, lo >= hi {
        throw ChartError("\(name) axis '\(axis.label)': min = \(shown(lo)) is not below max = \(shown(hi))")
    }
}

/// Checks a chart's size in pixels.
func validate(width: Double, height: Double, chart: String) throws(ChartError) {
    guard width.isFinite, height.isFinite, width >= 320, height >= 200 else {
        throw ChartError("\(chart): size \(NumberFormat.trimmed(width, maxDecimals: 2))×\(NumberFormat.trimmed(height, maxDecimals: 2)) is below the 320×200 minimum")
    }
}

/// A value in an error message: four significant digits, trailing zeros dropped ("-1", "0.0025", "1.5e-7").
func shown(_ v: Double) -> String {
    let s = NumberFormat.significant(v, digits: 4)
    guard v.isFinite, s.contains(".") else { return s }
    let parts = s.split(separator: "e", maxSplits: 1)
    var mantissa = String(parts[0])
    while mantissa.hasSuffix("0") { mantissa.removeLast() }
    if mantissa.hasSuffix(".") { mantissa.removeLast() }
    return mantissa + (parts.count > 1 ? "e" + parts[1] : "")
}
