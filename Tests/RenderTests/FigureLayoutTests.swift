import Foundation
import Testing
@testable import Render

/// The text and lines of one SVG chart as Render writes it, read back so that its layout can be checked.
struct ChartLayout {
    struct TextBox { var text: String; var x0, y0, x1, y1: Double }
    struct Segment { var x0, y0, x1, y1: Double }

    var width: Double
    var height: Double
    var texts: [TextBox] = []
    /// Data lines, axes, leader and legend lines; the light grid lines are left out (labels may sit on them).
    var lines: [Segment] = []

    static let gridColours: Set<String> = ["#E5E5E5", "#F0F0F0"]

    init(svg: String) {
        func attributes(_ tag: Substring) -> [String: String] {
            var out: [String: String] = [:]
            for m in tag.matches(of: /([a-z-]+)="([^"]*)"/) { out[String(m.1)] = String(m.2) }
            return out
        }
        let root = svg.firstMatch(of: /<svg [^>]*>/).map { attributes($0.0) } ?? [:]
        width = Double(root["width"] ?? "") ?? 0
        height = Double(root["height"] ?? "") ?? 0
        for m in svg.matches(of: /<text ([^>]*)>([^<]*)<\/text>/) {
            let a = attributes(m.1)
            let text = String(m.2).replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
                .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
            let x = Double(a["x"] ?? "") ?? 0, y = Double(a["y"] ?? "") ?? 0, size = Double(a["font-size"] ?? "") ?? 12
            let w = Frame.textWidth(text, size: size) * (a["font-weight"] == "bold" ? 1.08 : 1)
            let left = a["text-anchor"] == "middle" ? x - w / 2 : a["text-anchor"] == "end" ? x - w : x
            // From the ascender to the descender: 0.75 and 0.25 of the font size around the baseline.
            var box = TextBox(text: text, x0: left, y0: y - 0.75 * size, x1: left + w, y1: y + 0.25 * size)
            if a["transform"]?.hasPrefix("rotate(-90") == true {   // turned a quarter anticlockwise about (x, y)
                box = TextBox(text: text, x0: x + (box.y0 - y), y0: y - (box.x1 - x), x1: x + (box.y1 - y), y1: y - (box.x0 - x))
            }
            texts.append(box)
        }
        for m in svg.matches(of: /<line ([^>]*)>/) {
            let a = attributes(m.1)
            guard !Self.gridColours.contains(a["stroke"] ?? "") else { continue }
            lines.append(Segment(x0: Double(a["x1"] ?? "") ?? 0, y0: Double(a["y1"] ?? "") ?? 0,
                                 x1: Double(a["x2"] ?? "") ?? 0, y1: Double(a["y2"] ?? "") ?? 0))
        }
        for m in svg.matches(of: /<polyline points="([^"]*)"/) {
            let points = m.1.split(separator: " ").map { $0.split(separator: ",").compactMap { Double($0) } }
            for (p, q) in zip(points, points.dropFirst()) where p.count == 2 && q.count == 2 {
                lines.append(Segment(x0: p[0], y0: p[1], x1: q[0], y1: q[1]))
            }
        }
    }

    /// Everything wrong with the layout, one line each: text leaving the canvas, two texts overlapping by more
    /// than half a pixel each way, a line running through a text.
    var problems: [String] {
        var out: [String] = []
        for t in texts where t.x0 < -0.5 || t.y0 < -0.5 || t.x1 > width + 0.5 || t.y1 > height + 0.5 {
            out.append("'\(t.text)' leaves the \(Int(width))×\(Int(height)) canvas")
        }
        for (i, a) in texts.enumerated() {
            for b in texts[(i + 1)...] {
                let dx = min(a.x1, b.x1) - max(a.x0, b.x0), dy = min(a.y1, b.y1) - max(a.y0, b.y0)
                if dx > 0.5 && dy > 0.5 { out.append("'\(a.text)' overlaps '\(b.text)'") }
            }
        }
        for t in texts where lines.contains(where: { Self.crosses($0, t) }) {
            out.append("a line runs through '\(t.text)'")
        }
        return out
    }

    /// Whether segment `s` passes through the inside of `t` (shrunk by a pixel on every side), by clipping.
    static func crosses(_ s: Segment, _ t: TextBox) -> Bool {
        let dx = s.x1 - s.x0, dy = s.y1 - s.y0
        var lo = 0.0, hi = 1.0
        for (p, q) in [(-dx, s.x0 - (t.x0 + 1)), (dx, (t.x1 - 1) - s.x0), (-dy, s.y0 - (t.y0 + 1)), (dy, (t.y1 - 1) - s.y0)] {
            if p == 0 {
                if q < 0 { return false }
            } else if p < 0 {
                lo = max(lo, q / p)
            } else {
                hi = min(hi, q / p)
            }
        }
        return lo <= hi
    }
}

/// Issue 17: every chart the chapters draw keeps its text on the canvas, apart, and clear of its lines.
/// Graphviz lays out its own graphs (the `.svg` files with a `.dot` beside them), so only Render's charts are read.
@Suite("Chart layout")
struct FigureLayoutTests {
    static let figures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("figures")

    static func charts() throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: figures.path)
        return names.filter { $0.hasSuffix(".svg") && !names.contains(String($0.dropLast(4)) + ".dot") }.sorted()
    }

    @Test func everyChapterChartKeepsItsTextApartAndOnTheCanvas() throws {
        let charts = try Self.charts()
        #expect(charts.count >= 40, "the chapters draw about 48 charts; found \(charts.count) under figures/")
        for name in charts {
            let svg = try String(contentsOf: Self.figures.appendingPathComponent(name), encoding: .utf8)
            let layout = ChartLayout(svg: svg)
            #expect(!layout.texts.isEmpty && layout.width > 0, "\(name): no text or no size read")
            #expect(layout.problems.isEmpty, "\(name): \(layout.problems.joined(separator: "; "))")
        }
    }

    // The check itself finds what it is meant to find.

    @Test func overlappingLabelsAreFound() throws {
        var svg = SVGBuilder(width: 200, height: 100)
        svg.text("first label", 50, 50, size: 11, anchor: "start")
        svg.text("second label", 60, 53, size: 11, anchor: "start")
        #expect(ChartLayout(svg: svg.document()).problems == ["'first label' overlaps 'second label'"])
    }

    @Test func textOffTheCanvasIsFound() throws {
        var svg = SVGBuilder(width: 200, height: 100)
        svg.text("a legend entry too long", 150, 50, size: 11, anchor: "start")
        svg.text("y axis", 4, 50, size: 12, rotate: true)
        #expect(ChartLayout(svg: svg.document()).problems.count == 2)
    }

    @Test func aLineThroughALabelIsFoundButAGridLineIsNot() throws {
        var svg = SVGBuilder(width: 200, height: 100)
        svg.text("Pareto", 100, 50, size: 11, anchor: "middle")
        svg.line(0, 46, 200, 46, stroke: "#E5E5E5")
        #expect(ChartLayout(svg: svg.document()).problems.isEmpty)
        svg.polyline([(60, 30), (100, 46), (140, 60)], stroke: "#000000")
        #expect(ChartLayout(svg: svg.document()).problems == ["a line runs through 'Pareto'"])
    }

    @Test func aRenderedScatterChartWithCrowdedLabelsPasses() throws {
        let points = (0..<12).map { (i: Int) -> Point in
            let column = Double(i % 4), row = Double(i / 4)
            return Point(x: 1 + column, y: 70 + row + 0.1 * column, label: "model-\(i)")
        }
        let chart = ScatterChart(title: "crowded", x: Axis(label: "x"), y: Axis(label: "y"),
                                 series: [Series(name: "s", points: points)], paretoFront: .minimiseXMaximiseY)
        #expect(ChartLayout(svg: try chart.svg()).problems.isEmpty)
    }
}
