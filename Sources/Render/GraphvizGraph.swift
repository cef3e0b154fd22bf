import CGraphviz
import Foundation

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

/// A group of nodes drawn inside a box (a Graphviz `cluster_` subgraph).
public struct Cluster: Sendable, Equatable {
    public var id: String
    public var label: String
    public var nodeIDs: [String]
    public var attributes: [(String, String)]
    public init(id: String, label: String, nodeIDs: [String], attributes: [(String, String)] = []) {
        self.id = id
        self.label = label
        self.nodeIDs = nodeIDs
        self.attributes = attributes
    }
    public static func == (a: Cluster, b: Cluster) -> Bool {
        a.id == b.id && a.label == b.label && a.nodeIDs == b.nodeIDs && a.attributes.elementsEqual(b.attributes, by: ==)
    }
}

/// A directed graph as a value, rendered in-process through libgvc/libcgraph (never the `dot` program).
/// Attribute order is kept, so the DOT text and the drawings are deterministic.
///
/// ```swift
/// var g = Graph(name: "layer")
/// g.nodes = [Node(id: "wq", attributes: [("label", "W_Q\n768×768×128")]), Node(id: "qk")]
/// g.edges = [Edge(from: "wq", to: "qk")]
/// let svg = try Graphviz.render(g, format: .svg)
/// ```
public struct Graph: Sendable, Equatable {
    public var name: String
    public var attributes: [(String, String)] = []
    public var nodeDefaults: [(String, String)] = []
    public var edgeDefaults: [(String, String)] = []
    public var nodes: [Node] = []
    public var edges: [Edge] = []
    public var clusters: [Cluster] = []

    public init(name: String) { self.name = name }

    public static func == (a: Graph, b: Graph) -> Bool { a.dot() == b.dot() }

    /// Checks ids: non-empty, unique, every edge and cluster member names a node.
    public func validate() throws(GraphvizError) {
        var seen = Set<String>()
        for n in nodes {
            guard !n.id.isEmpty else { throw GraphvizError("graph '\(name)': a node has an empty id") }
            guard seen.insert(n.id).inserted else { throw GraphvizError("graph '\(name)': duplicate node id '\(n.id)'") }
        }
        for e in edges {
            for end in [e.from, e.to] where !seen.contains(end) {
                throw GraphvizError("graph '\(name)': edge \(e.from) -> \(e.to) names unknown node '\(end)'")
            }
        }
        for c in clusters {
            for id in c.nodeIDs where !seen.contains(id) {
                throw GraphvizError("graph '\(name)': cluster '\(c.id)' names unknown node '\(id)'")
            }
        }
    }

    /// DOT text: quoted ids and values, a newline in a value written as Graphviz's `\n`.
    public func dot() -> String {
        func q(_ s: String) -> String {
            var out = "\""
            for ch in s {
                switch ch {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                default: out.append(ch)
                }
            }
            return out + "\""
        }
        func attrs(_ a: [(String, String)]) -> String {
            a.isEmpty ? "" : " [" + a.map { "\($0.0)=\(q($0.1))" }.joined(separator: ", ") + "]"
        }
        var out = "digraph \(q(name)) {\n"
        for (k, v) in attributes { out += "  \(k)=\(q(v));\n" }
        if !nodeDefaults.isEmpty { out += "  node\(attrs(nodeDefaults));\n" }
        if !edgeDefaults.isEmpty { out += "  edge\(attrs(edgeDefaults));\n" }
        let clustered = Set(clusters.flatMap(\.nodeIDs))
        let byID = Dictionary(nodes.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for c in clusters {
            out += "  subgraph \(q("cluster_" + c.id)) {\n    label=\(q(c.label));\n"
            for (k, v) in c.attributes { out += "    \(k)=\(q(v));\n" }
            for id in c.nodeIDs { out += "    \(q(id))\(attrs(byID[id]?.attributes ?? []));\n" }
            out += "  }\n"
        }
        for n in nodes where !clustered.contains(n.id) { out += "  \(q(n.id))\(attrs(n.attributes));\n" }
        for e in edges { out += "  \(q(e.from)) -> \(q(e.to))\(attrs(e.attributes));\n" }
        return out + "}\n"
    }
}

/// A graph that cannot be built, laid out or rendered.
public struct GraphvizError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "graphviz: \(message)" }
}

/// In-process Graphviz. Every call into the (not thread-safe) C library holds one global lock.
public enum Graphviz {
    public enum OutputFormat: String, Sendable { case svg, png }

    private final class Context: @unchecked Sendable {
        let pointer: OpaquePointer
        init() {
            _ = agseterr(AGMAX)          // keep libcgraph quiet on stderr; errors come back through aglasterr
            pointer = gvContext()
        }
    }
    private static let lock = NSLock()
    private static let context = Context()

    /// Builds the graph through cgraph's API and renders it.
    public static func render(_ graph: Graph, format: OutputFormat = .svg, engine: String = "dot")
        throws(GraphvizError) -> [UInt8] {
        try graph.validate()
        lock.lock()
        defer { lock.unlock() }
        guard let g = cString(graph.name, { agopen($0, cgv_directed(), cgv_discipline()) }) else {
            throw GraphvizError("cannot create graph '\(graph.name)'")
        }
        defer { agclose(g) }
        for (k, v) in graph.attributes { cString(k) { n in cString(v) { val in _ = agattr(g, AGRAPH, n, val) } } }
        for (k, v) in graph.nodeDefaults { cString(k) { n in cString(v) { val in _ = agattr(g, AGNODE, n, val) } } }
        for (k, v) in graph.edgeDefaults { cString(k) { n in cString(v) { val in _ = agattr(g, AGEDGE, n, val) } } }
        func set(_ object: UnsafeMutableRawPointer, _ pairs: [(String, String)]) {
            for (k, v) in pairs { cString(k) { n in cString(v) { val in cString("") { d in _ = agsafeset(object, n, val, d) } } } }
        }
        var handles: [String: UnsafeMutablePointer<Agnode_t>] = [:]
        let byID = Dictionary(graph.nodes.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for c in graph.clusters {
            guard let sub = cString("cluster_" + c.id, { agsubg(g, $0, 1) }) else {
                throw GraphvizError("cannot create cluster '\(c.id)'")
            }
            set(UnsafeMutableRawPointer(sub), [("label", c.label)] + c.attributes)
            for id in c.nodeIDs {
                guard let n = cString(id, { agnode(sub, $0, 1) }) else { throw GraphvizError("cannot create node '\(id)'") }
                handles[id] = n
                set(UnsafeMutableRawPointer(n), byID[id]?.attributes ?? [])
            }
        }
        for node in graph.nodes where handles[node.id] == nil {
            guard let n = cString(node.id, { agnode(g, $0, 1) }) else { throw GraphvizError("cannot create node '\(node.id)'") }
            handles[node.id] = n
            set(UnsafeMutableRawPointer(n), node.attributes)
        }
        for e in graph.edges {
            guard let edge = agedge(g, handles[e.from]!, handles[e.to]!, nil, 1) else {
                throw GraphvizError("cannot create edge \(e.from) -> \(e.to)")
            }
            set(UnsafeMutableRawPointer(edge), e.attributes)
        }
        return try layoutAndRender(g, format: format, engine: engine)
    }

    /// Parses DOT text and renders it.
    public static func render(dot: String, format: OutputFormat = .svg, engine: String = "dot")
        throws(GraphvizError) -> [UInt8] {
        lock.lock()
        defer { lock.unlock() }
        guard let g = agmemread(dot) else { throw GraphvizError("cannot parse DOT: \(lastError())") }
        defer { agclose(g) }
        return try layoutAndRender(g, format: format, engine: engine)
    }

    private static func layoutAndRender(_ g: UnsafeMutablePointer<Agraph_t>, format: OutputFormat, engine: String)
        throws(GraphvizError) -> [UInt8] {
        guard gvLayout(context.pointer, g, engine) == 0 else {
            throw GraphvizError("layout with engine '\(engine)' failed: \(lastError())")
        }
        defer { gvFreeLayout(context.pointer, g) }
        var buffer: UnsafeMutablePointer<CChar>? = nil
        var length: UInt32 = 0
        guard gvRenderData(context.pointer, g, format.rawValue, &buffer, &length) == 0, let buffer else {
            throw GraphvizError("rendering \(format.rawValue) failed: \(lastError())")
        }
        defer { gvFreeRenderData(buffer) }
        return buffer.withMemoryRebound(to: UInt8.self, capacity: Int(length)) {
            Array(UnsafeBufferPointer(start: $0, count: Int(length)))
        }
    }

    private static func lastError() -> String {
        guard let e = aglasterr() else { return "unknown error" }
        defer { free(e) }
        return String(cString: e).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// cgraph takes `char *` for names and values it copies; pass a temporary mutable view.
    @discardableResult
    private static func cString<R>(_ s: String, _ body: (UnsafeMutablePointer<CChar>) -> R) -> R {
        s.withCString { body(UnsafeMutablePointer(mutating: $0)) }
    }
}
