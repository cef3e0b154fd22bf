/// The frame every x-y chart shares: title, plot area, axes with ticks and grid, legend.
struct Frame {
    var svg: SVGBuilder
    let left = 78.0, top = 40.0, bottom = 56.0
    /// Room right of the plot for the legend: 170 px, or more when its longest label needs it.
    let right: Double
    var plotLeft: Double { left }
    var plotRight: Double { svg.width - right }
    var plotTop: Double { top }
    var plotBottom: Double { svg.height - bottom }

    /// `legend` lists the labels the legend will show, so that the plot leaves room for the longest one.
    init(width: Double, height: Double, title: String, legend: [String] = []) {
        svg = SVGBuilder(width: width, height: height)
        let widest = legend.map { Frame.textWidth($0, size: 11) }.max() ?? 0
        right = min(max(170, 36 + widest + 10), width / 2)
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
        }
        // Category labels wider than their slot are broken at their first space into two lines, so neighbours
        // never run into each other ("128 time" beside "128 FLOPs").
        var wrapped = false
        if x == nil {
            let w = (plotRight - plotLeft) / Double(max(1, categories.count))
            wrapped = categories.contains { Frame.textWidth($0, size: 11) > w - 4 && $0.contains(" ") }
            for (i, c) in categories.enumerated() {
                let cx = plotLeft + w * (Double(i) + 0.5)
                if wrapped, let space = c.firstIndex(of: " ") {
                    svg.text(String(c[..<space]), cx, plotBottom + 16, size: 11)
                    svg.text(String(c[c.index(after: space)...]), cx, plotBottom + 29, size: 11)
                } else {
                    svg.text(c, cx, plotBottom + 16, size: 11)
                }
            }
        }
        svg.line(plotLeft, plotBottom, plotRight, plotBottom, stroke: "#333333")
        svg.line(plotLeft, plotTop, plotLeft, plotBottom, stroke: "#333333")
        svg.text(xLabel, (plotLeft + plotRight) / 2, svg.height - (wrapped ? 6 : 16), size: 12)
        svg.text(yLabel, 18, (plotTop + plotBottom) / 2, size: 12, rotate: true)
    }

    /// An upper estimate of the width of `text` at `size` px in the sans-serif faces SVG viewers substitute for
    /// Helvetica (DejaVu Sans is the widest of them): narrow, wide and other characters in em.
    static func textWidth(_ text: String, size: Double) -> Double {
        var em = 0.0
        for c in text {
            if "iljtfr.,:;'|()[] ".contains(c) { em += 0.36 }
            else if "mwMW@%".contains(c) { em += 0.9 }
            else if c.isUppercase || c.isNumber { em += 0.68 }
            else { em += 0.62 }
        }
        return em * size
    }

    /// Legend entries (name, colour, dashed) to the right of the plot, drawn as boxes (bars), dots (scatter
    /// points) or lines; a dashed entry is always a dashed line.
    mutating func legend(_ entries: [(String, String, Bool)], boxes: Bool = false, dots: Bool = false) {
        for (i, (name, colour, dashed)) in entries.enumerated() {
            let y = plotTop + 8 + Double(i) * 18
            if boxes {
                svg.rect(plotRight + 12, y - 6, 12, 12, fill: colour)
            } else if dots && !dashed {
                svg.circle(plotRight + 20, y, r: 4, fill: colour)
            } else {
                svg.line(plotRight + 10, y, plotRight + 30, y, stroke: colour, width: 2, dash: dashed)
            }
            svg.text(name, plotRight + 36, y + 4, size: 11, anchor: "start")
        }
    }
}
