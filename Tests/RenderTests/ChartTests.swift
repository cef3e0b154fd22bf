import Foundation
import Testing
@testable import Render

@Suite("Render SVG charts")
struct ChartTests {
    static let line = LineChart(title: "FLOPs <&>", x: Axis(label: "l", scale: .log10), y: Axis(label: "GFLOPs", scale: .log10),
                                series: [Series(name: "A", points: [Point(x: 128, y: 22.4), Point(x: 512, y: 97), Point(x: 4096, y: 1323.7)]),
                                         Series(name: "A (paper)", points: [Point(x: 128, y: 22), Point(x: 4096, y: 1324)], dashed: true)])
    static let bars = BarChart(title: "Shares", categories: ["l = 128", "l = 4096"],
                               series: [BarSeries(name: "proj", values: [32, 18]), BarSeries(name: "other", values: [68, 82])],
                               mode: .stacked, y: Axis(label: "%"))

    @Test("a bar series with its own colour keeps it in the bars and the legend; the others take the palette")
    func fixedColour() throws {
        let chart = BarChart(title: "Shares", categories: ["l = 128"],
                             series: [BarSeries(name: "Softmax", values: [60], colour: "#CC79A7"), BarSeries(name: "rest", values: [40])],
                             mode: .stacked, y: Axis(label: "%"))
        let svg = try chart.svg()
        #expect(svg.components(separatedBy: "fill=\"#CC79A7\"").count - 1 == 2)        // one bar, one legend box
        #expect(svg.components(separatedBy: "fill=\"\(Palette.colour(1))\"").count - 1 == 2)
        #expect(!svg.contains("fill=\"\(Palette.colour(0))\""))
    }

    @Test("nice ticks: 1-2-5 steps on linear axes, decades on log axes")
    func ticks() {
        let lin = Scale(scale: .linear, lo: 0, hi: 100, from: 0, to: 1)
        #expect(lin.ticks == [0, 20, 40, 60, 80, 100])
        let log = Scale(scale: .log10, lo: 10, hi: 10000, from: 0, to: 1)
        #expect(log.ticks == [10, 100, 1000, 10000])
        #expect(Scale.niceStep(0.37) == 0.5 && Scale.niceStep(130) == 200)
        #expect(Scale.label(1000, .log10) == "1000" && Scale.label(1e6, .log10) == "1e6" && Scale.label(0.5, .linear) == "0.5")
        #expect(Scale(scale: .linear, lo: 0.1, hi: 0.7, from: 0, to: 1).ticks.map { Scale.label($0, .linear) }
                    == ["0.2", "0.4", "0.6"])
        #expect(Scale(scale: .linear, lo: -250, hi: 750, from: 0, to: 1).ticks == [-200, 0, 200, 400, 600])
        // Short log axes fall back to 1-2-5 multiples; very long ones label every k-th decade.
        #expect(Scale(scale: .log10, lo: 2, hi: 8, from: 0, to: 1).ticks == [2, 5])
        #expect(Scale(scale: .log10, lo: 20, hi: 1e15, from: 0, to: 1).ticks.count == 7)
        #expect(Scale.label(0.05, .log10) == "0.05" && Scale.label(2e6, .log10) == "2e6" && Scale.label(0.01, .log10) == "0.01")
        // Bounds round outwards to the ticks.
        let (lo, hi) = Scale.bounds([3, 97], axis: Axis(label: "y"))
        #expect(lo == 0 && hi == 100)
        let (llo, lhi) = Scale.bounds([3, 97], axis: Axis(label: "y", scale: .log10))
        #expect(llo == 1 && lhi == 100)
    }

    @Test("every chart type renders deterministically")
    func deterministic() throws {
        let histogram = Histogram(title: "EDP", series: [("x", [1, 2, 3, 10, 100, 1000])], bins: 6,
                                  x: Axis(label: "relative EDP", scale: .log10))
        let cdf = CDFChart(title: "CDF", series: [("x", [1, 1.5, 2, 8, 20])], x: Axis(label: "EDP", scale: .log10),
                           markers: [(3, "3× best")])
        let scatter = ScatterChart(title: "Pareto", x: Axis(label: "params"), y: Axis(label: "accuracy"),
                                   series: [Series(name: "models", points: [Point(x: 1, y: 70), Point(x: 2, y: 75, label: "B"), Point(x: 3, y: 72)])],
                                   paretoFront: .minimiseXMaximiseY)
        let heat = Heatmap(title: "Util", rowLabels: ["64", "128"], columnLabels: ["64", "256"], values: [[66, 69], [91, 88]],
                           suffix: "%", xLabel: "scratchpad", yLabel: "accumulator")
        let grouped = BarChart(title: "g", categories: ["a", "b"], series: [BarSeries(name: "s", values: [1, -2])],
                               mode: .grouped, y: Axis(label: "v"))
        let percent = BarChart(title: "p", categories: ["a", "b"], series: [BarSeries(name: "s", values: [1, 3]),
                                                                              BarSeries(name: "t", values: [3, 1])],
                               mode: .stackedPercent, y: Axis(label: "%"), valueLabel: { NumberFormat.fixed($0, decimals: 0) + "%" })
        let single = Histogram(title: "one", values: [0.1, 0.5, 0.52, 0.9], bins: 4, x: Axis(label: "v"))
        let formatted = Heatmap(title: "f", rowLabels: ["r"], columnLabels: ["c", "d"], values: [[0.25, 0.75]],
                                format: { NumberFormat.percent($0, decimals: 0) }, xLabel: "x", yLabel: "y")
        let renders: [() throws -> String] = [Self.line.svg, Self.bars.svg, histogram.svg, cdf.svg, scatter.svg, heat.svg,
                                              grouped.svg, percent.svg, single.svg, formatted.svg]
        for render in renders {
            let a = try render(), b = try render()
            #expect(a == b)
            #expect(a.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\"") && a.hasSuffix("</svg>\n"))
        }
        #expect(try Self.line.svg().contains("FLOPs &lt;&amp;&gt;"))
        let p = try percent.svg()
        #expect(p.contains(">25%</text>") && p.contains(">75%</text>") && p.contains(">100</text>"))
        #expect(try !single.svg().contains("<text x=\"586.00\""))   // no legend beside the plot
        #expect(try formatted.svg().contains(">25%</text>"))
        #expect(try grouped.svg().contains("fill=\"#0072B2\""))
        #expect(SVGBuilder.escape("a\u{1}\"b'") == "a\u{FFFD}&quot;b'")
        #expect(Series(name: "s", xy: [(1, 2)]).points == [Point(x: 1, y: 2)])
    }

    @Test("the Pareto front keeps exactly the non-dominated points")
    func pareto() {
        let pts = [Point(x: 1, y: 5), Point(x: 2, y: 3), Point(x: 3, y: 4), Point(x: 4, y: 1), Point(x: 2, y: 6)]
        #expect(ScatterChart.front(pts, sense: .minimiseBoth).map(\.x) == [1, 2, 4])
        #expect(ScatterChart.front(pts, sense: .minimiseXMaximiseY).map(\.y) == [5, 6])
    }

    @Test("bad chart input throws and names the field")
    func errors() {
        func message(_ body: () throws -> String) -> String {
            do { _ = try body(); return "" } catch { return "\(error)" }
        }
        #expect(message { try LineChart(title: "t", x: Axis(label: "x", scale: .log10), y: Axis(label: "y"),
                                        series: [Series(name: "BERT", points: [Point(x: 0, y: 1)])]).svg() }
                    .contains("series 'BERT' point 0: x = 0 cannot be drawn on a log axis"))
        #expect(message { try LineChart(title: "t", x: Axis(label: "x"), y: Axis(label: "y"),
                                        series: [Series(name: "s", points: [Point(x: 1, y: .nan)])]).svg() }
                    .contains("y = nan is not finite"))
        #expect(message { try LineChart(title: "t", x: Axis(label: "x"), y: Axis(label: "y"), series: []).svg() }.contains("no series"))
        #expect(message { try BarChart(title: "t", categories: ["a"], series: [BarSeries(name: "s", values: [1, 2])],
                                       mode: .stacked, y: Axis(label: "y")).svg() }.contains("2 values for 1 categories"))
        #expect(message { try BarChart(title: "t", categories: ["a"], series: [BarSeries(name: "s", values: [-1])],
                                       mode: .stacked, y: Axis(label: "y")).svg() }.contains("non-negative"))
        #expect(message { try Histogram(title: "t", series: [("s", [1])], bins: 0, x: Axis(label: "x")).svg() }.contains("bins = 0"))
        #expect(message { try Heatmap(title: "t", rowLabels: ["a"], columnLabels: ["b", "c"], values: [[1]],
                                      xLabel: "x", yLabel: "y").svg() }.contains("1 values for 2 columns"))
        #expect(message { try Histogram(title: "t", values: [1, .infinity], bins: 3, x: Axis(label: "x")).svg() }
                    .contains("point 1: x = inf is not finite"))
        #expect(message { try CDFChart(title: "t", series: [("EDP", [2, -1])], x: Axis(label: "x", scale: .log10)).svg() }
                    .contains("series 'EDP' point 1: x = -1 cannot be drawn on a log axis"))
        #expect(message { try CDFChart(title: "t", series: [("EDP", [])], x: Axis(label: "x")).svg() }.contains("series 'EDP': no values"))
        #expect(message { try ScatterChart(title: "t", x: Axis(label: "x"), y: Axis(label: "y", scale: .log10),
                                           series: [Series(name: "BERT-Base", xy: [(1, 1), (2, 2), (3, 3), (4, 0)])]).svg() }
                    .contains("series 'BERT-Base' point 3: y = 0 cannot be drawn on a log axis"))
        #expect(message { try Heatmap(title: "t", rowLabels: ["a"], columnLabels: ["b"], values: [[.nan]],
                                      xLabel: "x", yLabel: "y").svg() }.contains("series 'row a' point 0: value = nan is not finite"))
        #expect(message { try Heatmap(title: "t", rowLabels: ["a", "b"], columnLabels: ["c"], values: [[1]],
                                      xLabel: "x", yLabel: "y").svg() }.contains("1 rows of values for 2 row labels"))
        #expect(message { try LineChart(title: "t", x: Axis(label: "len", scale: .log10, min: 0), y: Axis(label: "y"),
                                        series: [Series(name: "s", xy: [(1, 1)])]).svg() }
                    .contains("x axis 'len': min = 0 cannot be drawn on a log axis"))
        #expect(message { try LineChart(title: "t", x: Axis(label: "x"), y: Axis(label: "share", min: 5, max: 5),
                                        series: [Series(name: "s", xy: [(1, 1)])]).svg() }
                    .contains("y axis 'share': min = 5 is not below max = 5"))
        #expect(message { try LineChart(title: "t", x: Axis(label: "x"), y: Axis(label: "y"),
                                        series: [Series(name: "s", xy: [(1, 1)])], width: 10).svg() }
                    .contains("line chart 't': size 10×420 is below"))
        #expect(message { try BarChart(title: "t", categories: ["a", "b"], series: [BarSeries(name: "s", values: [1, 0])],
                                       mode: .stackedPercent, y: Axis(label: "y")).svg() }
                    .contains("category 'b': values sum to 0"))
        #expect(message { try BarChart(title: "t", categories: ["a"], series: [BarSeries(name: "s", values: [1])],
                                       mode: .stacked, y: Axis(label: "y", scale: .log10)).svg() }.contains("stacked bars need a linear y axis"))
        #expect(message { try BarChart(title: "t", categories: ["a", "b"], series: [BarSeries(name: "s", values: [1, 0])],
                                       mode: .grouped, y: Axis(label: "y", scale: .log10)).svg() }
                    .contains("series 's' point 1: y = 0 cannot be drawn on a log axis"))
        #expect(message { try LineChart(title: "t", x: Axis(label: "l", scale: .log10, ticks: [128, 0]), y: Axis(label: "y"),
                                        series: [Series(name: "s", xy: [(128, 1)])]).svg() }
                    .contains("x axis 'l': tick 1 = 0 cannot be drawn on a log axis"))
        #expect(message { try Histogram(title: "t", series: [], bins: 3, x: Axis(label: "x")).svg() }.contains("no series"))
    }

    @Test("explicit ticks end a log axis at the data: l = 128 … 4096 stops at 4096, not 10⁴")
    func explicitTicks() throws {
        let lengths: [Double] = [128, 256, 512, 1024, 2048, 4096]
        let axis = Axis(label: "l", scale: .log10, ticks: lengths)
        let (lo, hi) = Scale.bounds(lengths, axis: axis)
        #expect(lo == 128 && hi == 4096)
        let scale = Scale(scale: .log10, lo: lo, hi: hi, from: 0, to: 500, explicitTicks: axis.ticks)
        #expect(scale.ticks == lengths)
        #expect(abs(scale(256) - scale(128) - (scale(4096) - scale(2048))) < 1e-9)   // evenly spaced doublings
        let svg = try LineChart(title: "t", x: axis, y: Axis(label: "y", scale: .log10),
                                series: [Series(name: "s", xy: lengths.map { ($0, $0 / 10) })]).svg()
        #expect(svg.contains(">4096</text>") && !svg.contains(">1e4</text>") && !svg.contains(">10000</text>"))
        // Without explicit ticks the same data rounds out to decades.
        #expect(Scale.bounds(lengths, axis: Axis(label: "l", scale: .log10)) == (100, 10000))
    }

    @Test("grouped bars on a log axis rise from the lower bound and keep small values visible")
    func logBars() throws {
        let chart = BarChart(title: "energy", categories: ["8b Add", "DRAM"], series: [BarSeries(name: "pJ", values: [0.03, 640])],
                             mode: .grouped, y: Axis(label: "pJ", scale: .log10))
        let svg = try chart.svg()
        #expect(svg.contains(">0.01</text>") && svg.contains(">1000</text>"))
        // Both bars are at least a decade's worth of pixels tall: the 0.03 pJ bar is not a sliver.
        let heights = svg.split(separator: "<rect").dropFirst().compactMap { r -> Double? in
            guard r.contains("#0072B2"), let h = r.range(of: "height=\"") else { return nil }
            return Double(r[h.upperBound...].prefix { $0 != "\"" })
        }
        #expect(heights.count == 3)   // two bars and the legend box
        #expect(heights.allSatisfy { $0 >= 12 })
    }

    @Test("chart snapshots")
    func snapshots() throws {
        assertSnapshot(try Self.line.svg(), named: "line-chart")
        assertSnapshot(try Self.bars.svg(), named: "stacked-bars")
    }
}
