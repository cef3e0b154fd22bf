import Render

/// Collects a chapter's figure files and hands back the path a report links to.
///
/// ```swift
/// var figures = FigureSet()
/// let path = try figures.graph("02-passes", graph)   // writes .dot, .svg and .png; returns "../figures/02-passes.svg"
/// ```
public struct FigureSet: Sendable {
    public private(set) var files: [GeneratedFile] = []

    public init() {}

    /// An SVG chart.
    public mutating func svg(_ name: String, _ text: String) -> String {
        files.append(GeneratedFile(path: "figures/\(name).svg", text: text))
        return "../figures/\(name).svg"
    }

    /// A Graphviz graph: its DOT source, SVG and PNG.
    public mutating func graph(_ name: String, _ g: Graph) throws -> String {
        files.append(GeneratedFile(path: "figures/\(name).dot", text: g.dot()))
        files.append(GeneratedFile(path: "figures/\(name).svg", bytes: try Graphviz.render(g, format: .svg)))
        files.append(GeneratedFile(path: "figures/\(name).png", bytes: try Graphviz.render(g, format: .png)))
        return "../figures/\(name).svg"
    }
}
