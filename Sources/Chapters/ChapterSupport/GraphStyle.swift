import Render

/// How every chapter's Graphviz drawings look: the font, its sizes, the node and cluster boxes and the named
/// colours. Written once here; a chapter's figure file composes these and never spells a font or a colour.
///
/// ```swift
/// var g = GraphStyle.titled("passes", "Fig. 2: passes over the data", rankdir: "LR")
/// g.node("row", label: "row in memory", ["fillcolor": GraphStyle.Colour.yellow])
/// g.clusters.append(Cluster(id: "op0", label: "Softmax", nodeIDs: ["row"], attributes: GraphStyle.cluster))
/// ```
public enum GraphStyle {
    /// The one font of every graph (the SVG charts name the same family in `SVGBuilder`).
    public static let fontName = "Helvetica"

    /// The graph's own font and size (its title): 12 pt, 11 pt in the denser NAS drawings.
    public static func titleFont(size: Int = 12) -> [(String, String)] { [("fontname", fontName), ("fontsize", "\(size)")] }
    /// Node labels: 10 pt.
    public static let nodeFont: [(String, String)] = [("fontname", fontName), ("fontsize", "10")]
    /// Edge labels: 9 pt.
    public static let edgeFont: [(String, String)] = [("fontname", fontName), ("fontsize", "9")]
    /// Nodes are filled, rounded boxes.
    public static let roundedBox: [(String, String)] = [("shape", "box"), ("style", "rounded,filled")]
    /// A group's box (Graphviz cluster) and a removed or optional part: dashed, mid grey.
    public static let cluster: [(String, String)] = [("style", "dashed"), ("color", Colour.outline)]

    /// A graph with a title on top, white rounded boxes and the fonts above; `compound` lets edges end at a
    /// cluster's border.
    public static func titled(_ name: String, _ title: String, rankdir: String, compound: Bool = false) -> Graph {
        var g = Graph(name: name)
        g.attributes = [("rankdir", rankdir)] + titleFont() + [("labelloc", "t"), ("label", title)]
            + (compound ? [("compound", "true")] : [])
        g.nodeDefaults = roundedBox + nodeFont + [("fillcolor", Colour.white)]
        g.edgeDefaults = edgeFont
        return g
    }

    /// The named colours of the drawings: Okabe and Ito's colour-blind-safe set (2008), plus greys.
    /// What each colour means for an operation is ``OperationPalette``'s to say.
    public enum Colour {
        public static let blue = "#56B4E9", orange = "#E69F00", green = "#009E73", pink = "#CC79A7",
                          yellow = "#F0E442", red = "#D55E00"
        /// Hardware that is neither memory nor compute (controllers, DMA) and pruned or idle parts.
        public static let grey = "#DDDDDD"
        public static let white = "#FFFFFF", black = "#000000"
        /// Cluster borders and dashed, removed edges.
        public static let outline = "#999999"
        /// Edges of the dataflow graphs.
        public static let edge = "#555555"
        /// Pale fills for boxes that are neither operations nor hardware (the NAS framework, layers of an
        /// architecture).
        public static let paleGrey = "#f2f2f2", paleBlue = "#deebf7", paleGreen = "#e5f5e0", paleOrange = "#fee6ce"
    }
}
