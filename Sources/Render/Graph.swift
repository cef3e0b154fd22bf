/// A graph node: an id unique in its graph and ordered attributes (`label`, `shape`, `fillcolor`…).
public struct Node: Sendable, Equatable {
    public var id: String
    public var attributes: [(String, String)]
    public init(id: String, attributes: [(String, String)] = []) {
        self.id = id
        self.attributes = attributes
    }
    public static func == (a: Node, b: Node) -> Bool { a.id == b.id && a.attributes.elementsEqual(b.attributes, by: ==) }
}

/// An edge between two node ids, with ordered attributes.
public struct Edge: Sendable, Equatable {
    public var from: String
    public var to: String
    public var attributes: [(String, String)]
    public init(from: String, to: String, attributes: [(String, String)] = []) {
        self.from = from
        self.to = to
        self.attributes = attributes
    }
    public static func == (a: Edge, b: Edge) -> Bool {
        a.from == b.from && a.to == b.to && a.attributes.elementsEqual(b.attributes, by: ==)
    }
}

/// A group of nodes drawn inside a box (a Graphviz `cluster_<id>` subgraph); clusters may nest.
/// A node belongs to at most one cluster (the innermost box it is drawn in).
public struct Cluster: Sendable, Equatable {
    public var id: String
    public var label: String
    public var nodeIDs: [String]
    public var attributes: [(String, String)]
    /// Clusters drawn inside this one.
    public var clusters: [Cluster]
    public init(id: String, label: String, nodeIDs: [String], attributes: [(String, String)] = [],
                clusters: [Cluster] = []) {
        self.id = id
        self.label = label
        self.nodeIDs = nodeIDs
        self.attributes = attributes
        self.clusters = clusters
    }
    public static func == (a: Cluster, b: Cluster) -> Bool {
        a.id == b.id && a.label == b.label && a.nodeIDs == b.nodeIDs && a.attributes.elementsEqual(b.attributes, by: ==)
            && a.clusters == b.clusters
    }
}

/// A graph as a value, rendered in-process through libgvc/libcgraph (never the `dot` program).
/// Attribute order is kept, so the DOT text and the drawings are deterministic. Attribute values are literal
/// text: a newline breaks a label's line, a backslash is drawn as a backslash (Graphviz's own `\l`, `\N`…
/// escapes are not available).
///
/// ```swift
/// var g = Graph(name: "layer")
/// g.nodeDefaults = [("shape", "box"), ("style", "filled")]
/// g.node("wq", label: "W_Q\n768×768", ["fillcolor": "#56B4E9"])
/// g.node("qk", label: "query × key")
/// g.edge("wq", "qk", ["style": "dashed"])
/// g.cluster("mha", label: "Multi-head attention", nodes: ["wq", "qk"])
/// let svg = try Graphviz.svgString(g)
/// ```
public struct Graph: Sendable, Equatable {
    public var name: String
    /// `digraph` with `->` edges when true, `graph` with `--` edges when false.
    public var directed: Bool
    /// Graph attributes such as `rankdir`, in order.
    public var attributes: [(String, String)] = []
    /// Attributes every node starts with (`node [...]`).
    public var nodeDefaults: [(String, String)] = []
    /// Attributes every edge starts with (`edge [...]`).
    public var edgeDefaults: [(String, String)] = []
    public var nodes: [Node] = []
    public var edges: [Edge] = []
    public var clusters: [Cluster] = []

    public init(name: String, directed: Bool = true) {
        self.name = name
        self.directed = directed
    }

    public static func == (a: Graph, b: Graph) -> Bool { a.dot() == b.dot() }

    /// Adds a node; `label` (if any) comes first, then `attributes` in the order written. Returns the id.
    @discardableResult
    public mutating func node(_ id: String, label: String? = nil, _ attributes: KeyValuePairs<String, String> = [:])
        -> String {
        nodes.append(Node(id: id, attributes: (label.map { [("label", $0)] } ?? []) + attributes.map { ($0.key, $0.value) }))
        return id
    }

    /// Adds an edge `from -> to`.
    public mutating func edge(_ from: String, _ to: String, _ attributes: KeyValuePairs<String, String> = [:]) {
        edges.append(Edge(from: from, to: to, attributes: attributes.map { ($0.key, $0.value) }))
    }

    /// Adds a top-level cluster around `nodes` (nest clusters through `Cluster.clusters`).
    public mutating func cluster(_ id: String, label: String, nodes: [String],
                                 _ attributes: KeyValuePairs<String, String> = [:]) {
        clusters.append(Cluster(id: id, label: label, nodeIDs: nodes, attributes: attributes.map { ($0.key, $0.value) }))
    }

    /// Every cluster, outer ones before the clusters inside them, in order.
    var allClusters: [Cluster] {
        func walk(_ cs: [Cluster]) -> [Cluster] { cs.flatMap { [$0] + walk($0.clusters) } }
        return walk(clusters)
    }

    /// Checks ids and names: node and cluster ids non-empty and unique, no id with a backslash or control
    /// character, every edge end and cluster member a node, no node in two clusters, attribute names plain
    /// identifiers.
    public func validate() throws(GraphvizError) {
        let graph = "graph '\(name)'"
        func plain(_ id: String, _ what: String) throws(GraphvizError) {
            if id.unicodeScalars.contains(where: { $0 == "\\" || $0.value < 0x20 || $0.value == 0x7F }) {
                throw GraphvizError("\(graph): \(what) id '\(id)' contains a backslash or control character")
            }
        }
        try plain(name, "graph")
        var seen = Set<String>()
        for n in nodes {
            guard !n.id.isEmpty else { throw GraphvizError("\(graph): a node has an empty id") }
            try plain(n.id, "node")
            guard seen.insert(n.id).inserted else { throw GraphvizError("\(graph): duplicate node id '\(n.id)'") }
        }
        for e in edges {
            for end in [e.from, e.to] where !seen.contains(end) {
                throw GraphvizError("\(graph): edge \(e.from) -> \(e.to) names unknown node '\(end)'")
            }
        }
        var clusterIDs = Set<String>(), owner: [String: String] = [:]
        for c in allClusters {
            guard !c.id.isEmpty else { throw GraphvizError("\(graph): a cluster has an empty id") }
            try plain(c.id, "cluster")
            guard clusterIDs.insert(c.id).inserted else { throw GraphvizError("\(graph): duplicate cluster id '\(c.id)'") }
            for id in c.nodeIDs {
                guard seen.contains(id) else { throw GraphvizError("\(graph): cluster '\(c.id)' names unknown node '\(id)'") }
                if let other = owner.updateValue(c.id, forKey: id) {
                    throw GraphvizError("\(graph): node '\(id)' is in both cluster '\(other)' and cluster '\(c.id)'")
                }
            }
        }
        let named: [(String, [(String, String)])] = [("graph", attributes), ("node defaults", nodeDefaults),
                                                      ("edge defaults", edgeDefaults)]
            + nodes.map { ("node '\($0.id)'", $0.attributes) }
            + edges.map { ("edge \($0.from) -> \($0.to)", $0.attributes) }
            + allClusters.map { ("cluster '\($0.id)'", $0.attributes) }
        for (owner, pairs) in named {
            for (key, _) in pairs where !Self.isIdentifier(key) {
                throw GraphvizError("\(graph): \(owner) has attribute name '\(key)', which is not a plain identifier")
            }
        }
    }

    static func isIdentifier(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else {
            return false
        }
        return s.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }

    /// DOT text quoted with `"…"`: quotes and backslashes escaped, a newline written as Graphviz's `\n`.
    /// cgraph's lexer undoes only `\"`, so the value it reads is `Graphviz.escaped(s)`, as the API path sets.
    static func quote(_ s: String) -> String {
        var out = "\""
        for ch in s {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n", "\r\n", "\r": out += "\\n"
            default: out.append(ch)
            }
        }
        return out + "\""
    }

    /// Deterministic DOT text: graph attributes, defaults, clusters (label, attributes, member nodes, inner
    /// clusters), the remaining nodes, then edges — the order `Graphviz.render` builds the graph in.
    public func dot() -> String {
        let q = Self.quote
        func attrs(_ a: [(String, String)]) -> String {
            a.isEmpty ? "" : " [" + a.map { "\($0.0)=\(q($0.1))" }.joined(separator: ", ") + "]"
        }
        var out = "\(directed ? "digraph" : "graph") \(q(name)) {\n"
        for (k, v) in attributes { out += "  \(k)=\(q(v));\n" }
        if !nodeDefaults.isEmpty { out += "  node\(attrs(nodeDefaults));\n" }
        if !edgeDefaults.isEmpty { out += "  edge\(attrs(edgeDefaults));\n" }
        let byID = Dictionary(nodes.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        func emit(_ c: Cluster, indent: String) {
            out += "\(indent)subgraph \(q("cluster_" + c.id)) {\n\(indent)  label=\(q(c.label));\n"
            for (k, v) in c.attributes { out += "\(indent)  \(k)=\(q(v));\n" }
            for id in c.nodeIDs { out += "\(indent)  \(q(id))\(attrs(byID[id]?.attributes ?? []));\n" }
            for inner in c.clusters { emit(inner, indent: indent + "  ") }
            out += "\(indent)}\n"
        }
        for c in clusters { emit(c, indent: "  ") }
        let clustered = Set(allClusters.flatMap(\.nodeIDs))
        for n in nodes where !clustered.contains(n.id) { out += "  \(q(n.id))\(attrs(n.attributes));\n" }
        let arrow = directed ? "->" : "--"
        for e in edges { out += "  \(q(e.from)) \(arrow) \(q(e.to))\(attrs(e.attributes));\n" }
        return out + "}\n"
    }
}
