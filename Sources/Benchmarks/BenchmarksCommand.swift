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

/// The nominal clock from /proc/cpuinfo, in MHz.
func cpuMHz() -> Double {
    guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
          let line = text.split(separator: "\n").first(where: { $0.hasPrefix("cpu MHz") }),
          let value = Double(line.split(separator: ":").last?.trimmingCharacters(in: .whitespaces) ?? "") else { return 0 }
    return value
}

/// Peak resident set size from /proc/self/status (VmHWM), in MiB.
func peakMemoryMiB() -> String {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
          let kib = Double(line.split(separator: " ").dropFirst().first ?? "") else { return "unknown" }
    return NumberFormat.fixed(kib / 1024, decimals: 0)
}

/// Median wall time of a sibling release binary run with `--json` (output discarded), or nil with a hint when it
/// is not built.
func timeChapterBinary(_ name: String, repeats: Int) throws -> Double? {
    let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name)
    guard FileManager.default.isExecutableFile(atPath: binary.path) else {
        print("  (build \(name) first: swift build -c release)")
        return nil
    }
    return try time(repeats) {
        let p = Process()
        p.executableURL = binary
        p.arguments = ["--json"]
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}

if CommandLine.arguments.dropFirst().first == "mapping" {
    try benchmarkMapping()
    exit(0)
}

if CommandLine.arguments.dropFirst().first == "nas" {
    try benchmarkNASTraining(secondsPerSize: Double(CommandLine.arguments.dropFirst(2).first ?? "") ?? 60)
    exit(0)
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

print("CPU runtime (Core/Runtime), fp32, batch 1")
let mhz = cpuMHz()
let cores = ProcessInfo.processInfo.activeProcessorCount
let peak = Double(cores) * 32 * mhz * 1e6      // 2 FMA pipes × 8 fp32 lanes × 2 FLOPs per cycle (AVX2)
print("  peak: \(cores) cores × 32 FLOP/cycle (AVX2: 2 FMA × 8 lanes × 2) × \(NumberFormat.fixed(mhz, decimals: 0)) MHz (nominal, /proc/cpuinfo) = \(NumberFormat.fixed(peak / 1e9, decimals: 1)) GFLOP/s; boost clocks run above the nominal one")
var ours: [String: Double] = [:]
for (label, m, n, k) in [("W_Q at l=128", 128, 768, 768), ("W1 at l=128", 128, 3072, 768), ("W_Q at l=512", 512, 768, 768),
                         ("W1 at l=512", 512, 3072, 768), ("q×k per head at l=512", 512, 512, 64)] {
    let seconds = GEMMTiming.seconds(m: m, n: n, k: k)
    let rate = 2.0 * Double(m * n * k) / seconds
    ours["gemm \(m)x\(n)x\(k)"] = seconds
    show("  GEMM \(label) (\(m)×\(k)·\(k)×\(n))", seconds,
         "   (\(NumberFormat.fixed(rate / 1e9, decimals: 1)) GFLOP/s, \(NumberFormat.percent(rate / peak, decimals: 0)) of nominal peak)")
}
for threads in [1, 2] {
    TransformerRuntime.setThreads(threads)
    for l in [128, 512] {
        let rt = try TransformerRuntime(.bertBase, maxSequenceLength: l, layersToRun: 1)
        var times = OperationTimes()
        let seconds = try time(5) { _ = try rt.encode(tokens: Array(0..<l), times: &times) }
        ours["bert-base layer l=\(l) threads=\(threads)"] = seconds
        let flops = try ModelWorkload(.bertBase, sequenceLength: l).total.flops / 12
        show("  BERT-Base layer, l=\(l), \(threads) thread(s)", seconds, "   (\(NumberFormat.fixed(flops / seconds / 1e9, decimals: 1)) GFLOP/s)")
    }
    let decoder = try TransformerRuntime(.gpt2, maxSequenceLength: 128, layersToRun: 1)
    var decodeTimes = OperationTimes()
    let perToken = try time(3) { _ = try decoder.generate(steps: 128, times: &decodeTimes) } / 128 * 12
    ours["gpt2 token threads=\(threads)"] = perToken
    show("  GPT-2 decode per token (12 layers, l ≤ 128), \(threads) thread(s)", perToken)
}
TransformerRuntime.setThreads(2)
let tiny = TransformerConfig(name: "tiny", layers: 1, dModel: 128, heads: 4, dFFN: 512, architecture: .encoder)
let tinyRuntime = try TransformerRuntime(tiny, maxSequenceLength: 64)
var tinyTimes = OperationTimes()
let fast = try time(3) { _ = try tinyRuntime.encode(tokens: Array(0..<64), times: &tinyTimes) }
let slow = time(3) { _ = ReferenceTransformer(tinyRuntime).forward(tokens: Array(0..<64), causal: false) }
show("  d=128 layer, l=64: plain reference (loops, Double)", slow)
show("  d=128 layer, l=64: runtime (BLAS, vector kernels)", fast,
     "   (reference/runtime = \(NumberFormat.fixed(slow / fast, decimals: 0))x)")

print("PyTorch on the same machine (tools/pytorch_bench.py; recorded in data/bench/pytorch-cpu.csv)")
if let text = try? String(contentsOfFile: "data/bench/pytorch-cpu.csv", encoding: .utf8) {
    for line in text.split(separator: "\n") where line.hasPrefix("#") { print("  " + line) }
    for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.hasPrefix("name,") {
        let cells = line.split(separator: ",").map(String.init)
        guard cells.count == 2, let torchSeconds = Double(cells[1]), let mine = ours[cells[0]] else { continue }
        show("  \(cells[0]): ours / PyTorch", mine, "   (PyTorch \(NumberFormat.fixed(torchSeconds * 1e3, decimals: 3)) ms; ratio \(NumberFormat.fixed(mine / torchSeconds, decimals: 2))x)")
    }
} else {
    print("  no recorded PyTorch numbers: run `python3 tools/pytorch_bench.py` with torch installed (see tools/README.md)")
}

print("Chapter 1 end to end: the release binary with --json (median of 3)")
if let chapterTime = try timeChapterBinary("workload-analysis", repeats: 3) {
    show("  workload-analysis --json (every table, figure and claim)", chapterTime)
}

print("Gemmini engine (Core/Gemmini): the reference GEMM of notes/peers.md, functional and timed, on the CNN-tuned baseline")
do {
    var engineRun: (output: [Int32], stats: GemminiMatmulStats)? = nil
    let engineSeconds = try time(3) { engineRun = try GemminiMatmul.run(a: aW1, b: bW1, shape: w1, accelerator: .gemminiBaseline) }
    let stats = engineRun!.stats
    print("  \(NumberFormat.grouped(stats.totalCycles)) cycles (tile-level model), results exact: \(engineRun!.output == reference)")
    show("  functional Int8 GEMM + tile model, 128×3072×768", engineSeconds,
         "   (SCALE-Sim 261 s: \(NumberFormat.fixed(261 / engineSeconds, decimals: 0))x faster; goal ≥ 100x)")
    let modelOnly = try time(5) { _ = try GemminiMatmul.cycles(w1, accelerator: .gemminiBaseline) }
    show("  tile-level cycle model alone (no data)", modelOnly)
    let layerTime = try time(5) { _ = try GemminiEncoderModel(.bertBase, sequenceLength: 512, accelerator: .gemminiBaseline) }
    show("  one BERT-Base layer at l = 512, every matmul and the CPU model", layerTime)
    print("  peak resident memory of the whole benchmark process, CPU runtime included: \(peakMemoryMiB()) MiB (the engine adds its operands, 2.5 MB, and C, 1.5 MB; SCALE-Sim: 3.3 GB)")
}

try benchmarkMapping()
