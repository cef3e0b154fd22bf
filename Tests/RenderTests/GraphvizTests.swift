import Foundation
import Testing
@testable import Render

@Suite("Render Graphviz")
struct GraphvizTests {
    static var sample: Graph {
        var g = Graph(name: "sample")
        g.attributes = [("rankdir", "LR")]
        g.nodeDefaults = [("shape", "box"), ("fontname", "Helvetica")]
        g.nodes = [Node(id: "wq", attributes: [("label", "W_Q \"proj\"\n768×768×128"), ("style", "filled"), ("fillcolor", "#56B4E9")]),
                   Node(id: "qk", attributes: [("label", "query × key")]), Node(id: "out")]
        g.edges = [Edge(from: "wq", to: "qk"), Edge(from: "qk", to: "out", attributes: [("style", "dashed")])]
        g.clusters = [Cluster(id: "mha", label: "MHA", nodeIDs: ["wq", "qk"], attributes: [("style", "dashed")])]
        return g
    }

    /// Built with the helpers: nested clusters, an undirected variant, attributes in the order written.
    static var nested: Graph {
        var g = Graph(name: "nested \"quoted\"")
        g.attributes = [("rankdir", "TB"), ("fontname", "Helvetica")]
        g.nodeDefaults = [("shape", "box"), ("style", "filled"), ("fillcolor", "#FFFFFF")]
        g.edgeDefaults = [("color", "#555555")]
        g.node("x", label: "input\n128×768")
        for i in 0..<3 {
            g.node("wq\(i)", label: "W_Q head \(i)", ["fillcolor": "#56B4E9", "tooltip": "query"])
            g.node("sm\(i)", label: "softmax", ["fillcolor": "#E69F00"])
            g.edge("x", "wq\(i)")
            g.edge("wq\(i)", "sm\(i)", ["label": "l×l", "style": "dashed"])
        }
        g.node("out", label: "C:\\out\\ \\N \"q\\\"")
        for i in 0..<3 { g.edge("sm\(i)", "out") }
        let heads = (0..<3).map { Cluster(id: "head\($0)", label: "head \($0)", nodeIDs: ["wq\($0)", "sm\($0)"],
                                         attributes: [("style", "rounded"), ("color", "#0072B2")]) }
        g.clusters = [Cluster(id: "mha", label: "Multi-head attention", nodeIDs: [], attributes: [("style", "dashed")],
                              clusters: heads)]
        g.cluster("io", label: "I/O", nodes: ["out"], ["style": "dotted"])
        return g
    }

    @Test("the builders keep attributes in the order written; DOT quotes, escapes and nests")
    func builders() {
        let g = Self.nested
        #expect(g.nodes[1] == Node(id: "wq0", attributes: [("label", "W_Q head 0"), ("fillcolor", "#56B4E9"), ("tooltip", "query")]))
        let dot = g.dot()
        #expect(dot.hasPrefix("digraph \"nested \\\"quoted\\\"\" {\n"))
        #expect(dot.contains("  \"out\" [label=\"C:\\\\out\\\\ \\\\N \\\"q\\\\\\\"\"];\n"))
        #expect(dot.contains("    subgraph \"cluster_head0\" {\n      label=\"head 0\";\n"))
        #expect(dot.contains("  \"x\" [label=\"input\\n128×768\"];\n"))
        assertSnapshot(dot, named: "graph-nested-dot")
        var undirected = g
        undirected.directed = false
        #expect(undirected.dot().hasPrefix("graph ") && undirected.dot().contains("  \"x\" -- \"wq0\";\n"))
        #expect(!undirected.dot().contains("->"))
    }

    @Test("nested clusters and undirected graphs: API and DOT paths agree, run after run")
    func nestedPaths() throws {
        let api = try Graphviz.svgString(Self.nested)
        for _ in 0..<3 {
            #expect(try Graphviz.svgString(Self.nested) == api)
            #expect(try Graphviz.svgString(dot: Self.nested.dot()) == api)
        }
        #expect(api.contains("<title>cluster_head2</title>") && api.contains("<title>cluster_mha</title>"))
        #expect(api.contains(">C:\\out\\ \\N &quot;q\\&quot;</text>"))     // backslashes and quotes drawn literally
        var undirected = Self.nested
        undirected.directed = false
        let u = try Graphviz.svgString(undirected)
        #expect(u == (try Graphviz.svgString(dot: undirected.dot())))
        #expect(u.contains("<title>x&#45;&#45;wq0</title>"))
        #expect(try Graphviz.svgString(undirected, engine: "neato").contains("<svg"))
    }

    @Test("DOT text is escaped and stable")
    func dot() {
        assertSnapshot(Self.sample.dot(), named: "graph-dot")
        #expect(Self.sample.dot().contains("\"W_Q \\\"proj\\\"\\n768×768×128\""))
    }

    @Test("building through the API and parsing the DOT text give the same SVG")
    func twoPaths() throws {
        let api = try Graphviz.render(Self.sample, format: .svg)
        let parsed = try Graphviz.render(dot: Self.sample.dot(), format: .svg)
        #expect(api == parsed)
        #expect(String(decoding: api, as: UTF8.self).contains("<svg"))
    }

    @Test("PNG output starts with the PNG signature")
    func png() throws {
        let bytes = try Graphviz.render(Self.sample, format: .png)
        #expect(Array(bytes.prefix(4)) == [0x89, 0x50, 0x4E, 0x47])
    }

    @Test("32 concurrent renders all succeed and agree (the library is serialised)")
    func concurrent() async throws {
        let expected = try Graphviz.render(Self.nested)
        let results = try await withThrowingTaskGroup(of: [UInt8].self) { group in
            for i in 0..<32 {
                group.addTask {
                    switch i % 4 {
                    case 0: return try Graphviz.render(Self.nested)
                    case 1: return try Graphviz.render(dot: Self.nested.dot())
                    case 2: return try Graphviz.render(Self.sample, format: .png).isEmpty ? [] : expected
                    default:
                        _ = try? Graphviz.render(dot: "digraph { a -> ")      // failures interleave safely too
                        return try Graphviz.render(Self.nested)
                    }
                }
            }
            var all: [[UInt8]] = []
            for try await bytes in group { all.append(bytes) }
            return all
        }
        #expect(results.count == 32 && results.allSatisfy { $0 == expected })
    }

    @Test("bad graphs are thrown errors that say what is wrong, not crashes or stderr noise")
    func errors() throws {
        func message(_ body: () throws -> [UInt8]) -> String {
            do { _ = try body(); return "" } catch { return "\(error)" }
        }
        var unknown = Self.sample
        unknown.edges.append(Edge(from: "qk", to: "nowhere"))
        #expect(message { try Graphviz.render(unknown) } == "graphviz: graph 'sample': edge qk -> nowhere names unknown node 'nowhere'")
        var duplicate = Self.sample
        duplicate.nodes.append(Node(id: "wq"))
        #expect(message { try Graphviz.render(duplicate) } == "graphviz: graph 'sample': duplicate node id 'wq'")
        var empty = Self.sample
        empty.nodes.append(Node(id: ""))
        #expect(message { try Graphviz.render(empty) } == "graphviz: graph 'sample': a node has an empty id")
        var twice = Self.nested
        twice.clusters[1].nodeIDs.append("wq1")
        #expect(message { try Graphviz.render(twice) } == "graphviz: graph 'nested \"quoted\"': node 'wq1' is in both cluster 'head1' and cluster 'io'")
        var member = Self.sample
        member.clusters[0].clusters = [Cluster(id: "mha", label: "again", nodeIDs: [])]
        #expect(message { try Graphviz.render(member) } == "graphviz: graph 'sample': duplicate cluster id 'mha'")
        var slash = Self.sample
        slash.nodes[2].id = "a\\b"
        #expect(message { try Graphviz.render(slash) } == "graphviz: graph 'sample': node id 'a\\b' contains a backslash or control character")
        var attribute = Self.sample
        attribute.nodes[2].attributes = [("font size", "9")]
        #expect(message { try Graphviz.render(attribute) }.contains("node 'out' has attribute name 'font size'"))
        let parse = message { try Graphviz.render(dot: "digraph { a -> ") }
        #expect(parse.hasPrefix("graphviz: cannot parse DOT: ") && parse.contains("syntax error"))
        #expect(message { try Graphviz.render(dot: "") } == "graphviz: cannot parse DOT: the text holds no graph")
        #expect(message { try Graphviz.render(dot: "digraph { a\u{0} }") } == "graphviz: DOT text contains a NUL character")
        let layout = message { try Graphviz.render(Self.sample, engine: "no-such-engine") }
        #expect(layout.hasPrefix("graphviz: layout with engine 'no-such-engine' failed: ") && layout.contains("not recognized"))
        // The library is still usable after each failure.
        #expect(try Graphviz.render(dot: Self.sample.dot()) == (try Graphviz.render(Self.sample)))
    }
}
