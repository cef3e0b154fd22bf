import CGraphviz
import Foundation

/// A graph that cannot be built, parsed, laid out or rendered, with Graphviz's own message where it gave one.
public struct GraphvizError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "graphviz: \(message)" }
}

/// In-process Graphviz through libcgraph and libgvc (never the `dot` program).
///
/// The C library is not thread-safe, so every call into it holds one global lock; renders from many tasks are
/// safe and run one at a time. Both paths use a deterministic object-id discipline (see `CGraphviz/shim.h`), so
/// the same graph gives the same bytes on every run, and building a `Graph` through the API gives the same SVG
/// as parsing its `dot()` text. Nothing is printed to stderr: Graphviz's messages come back in `GraphvizError`.
///
/// ```swift
/// let svg = try Graphviz.svgString(graph)                      // build through cgraph, lay out with dot
/// let png = try Graphviz.render(graph, format: .png)           // bytes starting 89 50 4E 47
/// let same = try Graphviz.render(dot: graph.dot())             // parse DOT text instead
/// ```
public enum Graphviz {
    /// What `render` produces.
    public enum OutputFormat: String, Sendable { case svg, png }

    /// Builds `graph` through cgraph's API (clusters as `cluster_<id>` subgraphs) and renders it.
    public static func render(_ graph: Graph, format: OutputFormat = .svg, engine: String = "dot")
        throws(GraphvizError) -> [UInt8] {
        try graph.validate()
        return try withLibrary { () throws(GraphvizError) -> [UInt8] in
            let description = graph.directed ? cgv_directed() : cgv_undirected()
            guard let g = cString(graph.name, { agopen($0, description, cgv_discipline()) }) else {
                throw failure("cannot create graph '\(graph.name)'")
            }
            defer { agclose(g) }
            try build(graph, into: g)
            return try layoutAndRender(g, format: format, engine: engine)
        }
    }

    /// Parses DOT text and renders it.
    public static func render(dot: String, format: OutputFormat = .svg, engine: String = "dot")
        throws(GraphvizError) -> [UInt8] {
        guard !dot.utf8.contains(0) else { throw GraphvizError("DOT text contains a NUL character") }
        return try withLibrary { () throws(GraphvizError) -> [UInt8] in
            let reader = MemoryReader(Array(dot.utf8))
            var discipline = cgv_discipline().pointee
            discipline.io = readDiscipline.pointer
            let parsed = withExtendedLifetime(reader) {
                agread(Unmanaged.passUnretained(reader).toOpaque(), &discipline)
            }
            guard let g = parsed else { throw failure("cannot parse DOT", orElse: "the text holds no graph") }
            defer { agclose(g) }
            return try layoutAndRender(g, format: format, engine: engine)
        }
    }

    /// The SVG of `graph` as text.
    public static func svgString(_ graph: Graph, engine: String = "dot") throws(GraphvizError) -> String {
        String(decoding: try render(graph, format: .svg, engine: engine), as: UTF8.self)
    }

    /// The SVG of DOT text as text.
    public static func svgString(dot: String, engine: String = "dot") throws(GraphvizError) -> String {
        String(decoding: try render(dot: dot, format: .svg, engine: engine), as: UTF8.self)
    }

    // MARK: - The C library, behind one lock

    private final class Context: @unchecked Sendable {
        let pointer: OpaquePointer
        init() {
            _ = agseterr(AGMAX)          // keep cgraph quiet on stderr; messages come back through aglasterr
            pointer = gvContext()
        }
    }

    /// An I/O discipline whose reader is a `MemoryReader`; cgraph keeps a pointer to it, so it lives forever.
    private final class ReadDiscipline: @unchecked Sendable {
        let pointer: UnsafeMutablePointer<Agiodisc_t>
        init() {
            let base = cgv_discipline().pointee.io.pointee
            pointer = .allocate(capacity: 1)
            pointer.initialize(to: Agiodisc_t(afread: { channel, buffer, size in
                guard let channel, let buffer, size > 0 else { return 0 }
                return Unmanaged<MemoryReader>.fromOpaque(channel).takeUnretainedValue().read(into: buffer, size: Int(size))
            }, putstr: base.putstr, flush: base.flush))
        }
    }

    /// DOT bytes handed to cgraph's lexer a line at a time, as `agmemread` does.
    private final class MemoryReader {
        let bytes: [UInt8]
        var cursor = 0
        init(_ bytes: [UInt8]) { self.bytes = bytes }

        func read(into buffer: UnsafeMutablePointer<CChar>, size: Int) -> Int32 {
            var n = 0
            while cursor < bytes.count && n < size {
                let byte = bytes[cursor]
                buffer[n] = CChar(bitPattern: byte)
                cursor += 1
                n += 1
                if byte == UInt8(ascii: "\n") { break }
            }
            return Int32(n)
        }
    }

    private static let lock = NSLock()
    private static let context = Context()
    private static let readDiscipline = ReadDiscipline()

    /// Runs `body` holding the global lock, with the context created and cgraph's error count reset.
    private static func withLibrary<R>(_ body: () throws(GraphvizError) -> R) throws(GraphvizError) -> R {
        lock.lock()
        defer { lock.unlock() }
        _ = context
        _ = agreseterrors()
        return try body()
    }

    /// Creates clusters (and their member nodes), the other nodes, then the edges — the order `Graph.dot()`
    /// writes them in, so both paths intern names identically.
    private static func build(_ graph: Graph, into g: UnsafeMutablePointer<Agraph_t>) throws(GraphvizError) {
        for (k, v) in graph.attributes { declare(g, AGRAPH, k, v) }
        for (k, v) in graph.nodeDefaults { declare(g, AGNODE, k, v) }
        for (k, v) in graph.edgeDefaults { declare(g, AGEDGE, k, v) }
        let byID = Dictionary(graph.nodes.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var handles: [String: UnsafeMutablePointer<Agnode_t>] = [:]

        func addNode(_ id: String, in parent: UnsafeMutablePointer<Agraph_t>) throws(GraphvizError) {
            guard let n = cString(id, { agnode(parent, $0, 1) }) else { throw failure("cannot create node '\(id)'") }
            handles[id] = n
            set(UnsafeMutableRawPointer(n), byID[id]?.attributes ?? [])
        }
        func addCluster(_ c: Cluster, in parent: UnsafeMutablePointer<Agraph_t>) throws(GraphvizError) {
            guard let sub = cString("cluster_" + c.id, { agsubg(parent, $0, 1) }) else {
                throw failure("cannot create cluster '\(c.id)'")
            }
            set(UnsafeMutableRawPointer(sub), [("label", c.label)] + c.attributes)
            for id in c.nodeIDs { try addNode(id, in: sub) }
            for inner in c.clusters { try addCluster(inner, in: sub) }
        }

        for c in graph.clusters { try addCluster(c, in: g) }
        for node in graph.nodes where handles[node.id] == nil { try addNode(node.id, in: g) }
        for e in graph.edges {
            guard let tail = handles[e.from], let head = handles[e.to], let edge = agedge(g, tail, head, nil, 1) else {
                throw failure("cannot create edge \(e.from) -> \(e.to)")
            }
            set(UnsafeMutableRawPointer(edge), e.attributes)
        }
    }

    /// A graph attribute or a node/edge default, declared on the root graph.
    private static func declare(_ g: UnsafeMutablePointer<Agraph_t>, _ kind: Int32, _ name: String, _ value: String) {
        cString(name) { n in cString(escaped(value)) { v in _ = agattr(g, kind, n, v) } }
    }

    /// Attributes of one object, declared on the root graph (default "") where new.
    private static func set(_ object: UnsafeMutableRawPointer, _ pairs: [(String, String)]) {
        for (k, v) in pairs {
            cString(k) { n in cString(escaped(v)) { val in cString("") { d in _ = agsafeset(object, n, val, d) } } }
        }
    }

    /// A literal value in Graphviz's escaped-string form: a backslash doubled, a line break as `\n` — what
    /// cgraph's lexer reads from `Graph.dot()`, so both paths set identical values.
    static func escaped(_ value: String) -> String {
        guard value.contains(where: { $0 == "\\" || $0.isNewline }) else { return value }
        var out = ""
        for ch in value {
            switch ch {
            case "\\": out += "\\\\"
            case "\n", "\r\n", "\r": out += "\\n"
            default: out.append(ch)
            }
        }
        return out
    }

    /// Lays out and renders; frees the rendered data, then the layout (the caller closes the graph).
    private static func layoutAndRender(_ g: UnsafeMutablePointer<Agraph_t>, format: OutputFormat, engine: String)
        throws(GraphvizError) -> [UInt8] {
        guard gvLayout(context.pointer, g, engine) == 0 else {
            throw failure("layout with engine '\(engine)' failed")
        }
        defer { gvFreeLayout(context.pointer, g) }
        var buffer: UnsafeMutablePointer<CChar>? = nil
        var length: UInt32 = 0              // `unsigned int *` in Graphviz 2.42/2.43
        guard gvRenderData(context.pointer, g, format.rawValue, &buffer, &length) == 0, let buffer else {
            throw failure("rendering \(format.rawValue) failed")
        }
        defer { gvFreeRenderData(buffer) }
        return buffer.withMemoryRebound(to: UInt8.self, capacity: Int(length)) {
            Array(UnsafeBufferPointer(start: $0, count: Int(length)))   // PNG holds NULs: copy `length` bytes
        }
    }

    /// An error with Graphviz's last message, if it reported one since `withLibrary` reset the count.
    private static func failure(_ what: String, orElse fallback: String = "no message from Graphviz") -> GraphvizError {
        guard agerrors() > 0, let text = aglasterr() else { return GraphvizError("\(what): \(fallback)") }
        defer { free(text) }
        let message = String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
        return GraphvizError("\(what): \(message.isEmpty ? fallback : message)")
    }

    /// cgraph takes `char *` for names and values it copies; pass a temporary mutable view.
    @discardableResult
    private static func cString<R>(_ s: String, _ body: (UnsafeMutablePointer<CChar>) -> R) -> R {
        s.withCString { body(UnsafeMutablePointer(mutating: $0)) }
    }
}
