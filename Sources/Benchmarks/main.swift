// `make bench`: how fast the shared machinery is, as figures and ratios. Not run by CI and never asserted:
// timings belong here, not in tests.
import Core
import Dispatch
import Render
import Foundation

/// Median wall time of `body` over `repeats` runs after one warm-up, in seconds.
func time(_ repeats: Int, _ body: () throws -> Void) rethrows -> Double {
    try body()
    var samples: [Double] = []
    for _ in 0..<repeats {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return samples.sorted()[samples.count / 2]
}

func show(_ label: String, _ seconds: Double, _ extra: String = "") {
    let ms = NumberFormat.fixed(seconds * 1e3, decimals: 3)
    print(label.padding(toLength: 58, withPad: " ", startingAt: 0) + ms.leftPadded(10) + " ms" + extra)
}

/// Peak resident set size from /proc/self/status (VmHWM), in MiB.
func peakMemoryMiB() -> String {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
          let kib = Double(line.split(separator: " ").dropFirst().first ?? "") else { return "unknown" }
    return NumberFormat.fixed(kib / 1024, decimals: 0)
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}

print("Systolic array: cycle-by-cycle simulation of BERT-Base FFN W1 at 128 tokens (128×3072×768, Int8) on 16×16")
var gen = SeededGenerator(seed: 1)
let w1 = GEMMShape(m: 128, n: 3072, k: 768)
let aW1 = (0..<(w1.m * w1.k)).map { _ in Int8(truncatingIfNeeded: gen.next()) }
let bW1 = (0..<(w1.k * w1.n)).map { _ in Int8(truncatingIfNeeded: gen.next()) }
let reference = SystolicSimulator.referenceGEMM(a: aW1, b: bW1, shape: w1)
let scaleSim: [Dataflow: (cycles: Int, seconds: Double)] = [
    .weightStationary: (1_603_583, 261), .outputStationary: (1_225_727, 259), .inputStationary: (1_197_311, 239),
]
for dataflow in Dataflow.allCases {
    var run: SystolicRun? = nil
    let seconds = try time(1) { run = try SystolicSimulator.run(a: aW1, b: bW1, shape: w1, array: .gemmini, dataflow: dataflow) }
    let peer = scaleSim[dataflow]!
    show("  \(dataflow.rawValue.uppercased()): \(NumberFormat.grouped(run!.cycles)) cycles (SCALE-Sim \(NumberFormat.grouped(peer.cycles))), exact: \(run!.output == reference)",
         seconds, "   (SCALE-Sim \(Int(peer.seconds)) s: \(NumberFormat.fixed(peer.seconds / seconds, decimals: 0))x faster)")
}
print("  peak resident memory so far (inputs, reference result, simulation): \(peakMemoryMiB()) MiB (SCALE-Sim: 2.4-3.3 GB)")

print("Workload model: graph enumeration against closed forms (median of 5)")
for (model, l) in [(TransformerConfig.bertBase, 512), (.bertLarge, 4096), (.gpt2, 512), (.gpt2, 4096)] {
    let enumerate = try time(5) { _ = try ModelWorkload(model, sequenceLength: l) }
    let closed = time(5) { for _ in 0..<1000 { _ = ClosedForm.classTotals(model, sequenceLength: l) } } / 1000
    show("  \(model.displayName) l=\(l): enumerate", enumerate)
    show("  \(model.displayName) l=\(l): closed form", closed,
         "   (enumeration/closed form = \(NumberFormat.fixed(enumerate / closed, decimals: 0))x)")
}

print("Render (median of 5)")
// The encoder layer of BERT-Base as a graph: one node per operation (heads separate), edges from inputs.
let layer = LayerGraph.encoder(.bertBase, sequenceLength: 128)
var graph = Graph(name: "bench")
graph.nodes = [Node(id: "input", attributes: [])] + layer.operations.map {
    Node(id: $0.id, attributes: [("label", "\($0.name)\n\(NumberFormat.si($0.counts.flops, decimals: 2))FLOP")])
}
graph.edges = layer.operations.flatMap { op in
    op.inputs.filter { $0 != "cache" }.map { Edge(from: $0, to: op.id) }
}
let svgTime = try time(5) { _ = try Graphviz.render(graph, format: .svg) }
let pngTime = try time(5) { _ = try Graphviz.render(graph, format: .png) }
show("  Graphviz BERT-Base layer (\(graph.nodes.count) nodes) to SVG", svgTime)
show("  Graphviz BERT-Base layer to PNG", pngTime, "   (PNG/SVG = \(NumberFormat.fixed(pngTime / svgTime, decimals: 1))x)")
let lengths = [128, 256, 512, 1024, 2048, 4096]
let series = try [TransformerConfig.bertBase, .bertLarge, .gpt2].map { m in
    Series(name: m.displayName, points: try lengths.map {
        Point(x: Double($0), y: try ModelWorkload(m, sequenceLength: $0).total.flops)
    })
}
let chartTime = try time(5) {
    _ = try LineChart(title: "FLOPs", x: Axis(label: "l", scale: .log10), y: Axis(label: "FLOPs", scale: .log10),
                      series: series).svg()
}
show("  SVG line chart, 3 models x 6 lengths", chartTime)

print("CPU runtime (Core/Runtime): fp32, OpenBLAS with 2 threads, median of 3")
TransformerRuntime.setThreads(2)
for (model, l, layers) in [(TransformerConfig.bertBase, 512, 2), (.bertBase, 2048, 1)] {
    let rt = try TransformerRuntime(model, maxSequenceLength: l, layersToRun: layers)
    var times = OperationTimes()
    let seconds = try time(3) { _ = try rt.encode(tokens: Array(0..<l), times: &times) }
    let flops = try ModelWorkload(model, sequenceLength: l).total.flops * Double(layers) / Double(model.layers)
    show("  \(model.displayName) l=\(l), \(layers) layer(s)", seconds,
         "   (\(NumberFormat.fixed(flops / seconds / 1e9, decimals: 1)) GFLOP/s)")
}
let tiny = TransformerConfig(name: "tiny", layers: 1, dModel: 128, heads: 4, dFFN: 512, architecture: .encoder)
let tinyRuntime = try TransformerRuntime(tiny, maxSequenceLength: 64)
var tinyTimes = OperationTimes()
let fast = try time(3) { _ = try tinyRuntime.encode(tokens: Array(0..<64), times: &tinyTimes) }
let slow = time(3) { _ = ReferenceTransformer(tinyRuntime).forward(tokens: Array(0..<64), causal: false) }
show("  d=128 layer, l=64: plain reference (loops, Double)", slow)
show("  d=128 layer, l=64: runtime (BLAS, vector kernels)", fast,
     "   (reference/runtime = \(NumberFormat.fixed(slow / fast, decimals: 0))x)")

print("Chapter 1 end to end: the release binary with --json (median of 3)")
let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    .appendingPathComponent("workload-analysis")
if FileManager.default.isExecutableFile(atPath: binary.path) {
    let chapterTime = try time(3) {
        let p = Process()
        p.executableURL = binary
        p.arguments = ["--json"]
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
    }
    show("  workload-analysis --json (every table, figure and claim)", chapterTime)
} else {
    print("  (build workload-analysis first: swift build -c release)")
}
