import Core
import Foundation
import Render

/// What the benchmarks share within one run: the report, the machine, and chapter 6's reference GEMM operands
/// (BERT-Base FFN W1 at 128 tokens, Int8), made once when a benchmark first needs them.
final class BenchContext {
    let report: Report
    let machine: Machine
    let rounds: Int
    let pytorchWanted: Bool
    private var operands: (a: [Int8], b: [Int8], reference: [Int32])?
    let w1 = GEMMShape(m: 128, n: 3072, k: 768)

    init(report: Report, machine: Machine, rounds: Int, pytorchWanted: Bool) {
        self.report = report
        self.machine = machine
        self.rounds = rounds
        self.pytorchWanted = pytorchWanted
    }

    var w1Operands: (a: [Int8], b: [Int8], reference: [Int32]) {
        if let operands { return operands }
        var gen = SeededGenerator(seed: 1)
        let a = (0..<(w1.m * w1.k)).map { _ in Int8(truncatingIfNeeded: gen.next()) }
        let b = (0..<(w1.k * w1.n)).map { _ in Int8(truncatingIfNeeded: gen.next()) }
        let made = (a, b, SystolicSimulator.referenceGEMM(a: a, b: b, shape: w1))
        operands = made
        return made
    }

    func memoryLine(_ name: String, _ text: (String) -> String) {
        guard let mib = peakMemoryMiB() else { return }
        report.record(name, unit: "MiB", mib.rounded())
        report.say(text(NumberFormat.fixed(mib, decimals: 0)))
    }
}

/// SCALE-Sim 3.0.0 on the project's machine kind (data/peers/scalesim.csv): cycles and wall time of the same GEMM.
let scaleSimRecorded: [Dataflow: (cycles: Int, seconds: Double)] = [
    .weightStationary: (1_603_583, 261), .outputStationary: (1_225_727, 259), .inputStationary: (1_197_311, 239),
]
let peersSource = "recorded on the project's 2-core machine kind, data/peers/scalesim.csv"

func benchmarkSystolic(_ ctx: BenchContext) throws {
    let report = ctx.report
    report.say("Systolic array: cycle-by-cycle simulation of BERT-Base FFN W1 at 128 tokens (128×3072×768, Int8) on 16×16")
    let (a, b, reference) = ctx.w1Operands
    for dataflow in Dataflow.allCases {
        var run: SystolicRun? = nil
        let seconds = try time(1) { run = try SystolicSimulator.run(a: a, b: b, shape: ctx.w1, array: .gemmini, dataflow: dataflow) }
        let peer = scaleSimRecorded[dataflow]!
        let tag = dataflow.rawValue.uppercased()
        report.record("systolic \(tag) cycles", unit: "cycles", Double(run!.cycles),
                      reference: .init(value: Double(peer.cycles), unit: "cycles", source: "SCALE-Sim 3.0.0, \(peersSource)"))
        report.time("systolic \(tag) 128x3072x768",
                    "  \(tag): \(NumberFormat.grouped(run!.cycles)) cycles (SCALE-Sim \(NumberFormat.grouped(peer.cycles))), exact: \(run!.output == reference)",
                    seconds, "   (SCALE-Sim recorded \(Int(peer.seconds)) s: \(NumberFormat.fixed(peer.seconds / seconds, decimals: 0))x faster)",
                    reference: .init(value: peer.seconds, unit: "s", source: "SCALE-Sim 3.0.0, \(peersSource)"))
    }
    ctx.memoryLine("systolic peak resident memory") {
        "  peak resident memory so far (inputs, reference result, simulation): \($0) MiB (SCALE-Sim: 2.4-3.3 GB)"
    }
}

func benchmarkWorkload(_ ctx: BenchContext) throws {
    let report = ctx.report
    report.say("Workload model: graph enumeration against closed forms (median of 5)")
    for (model, l) in [(TransformerConfig.bertBase, 512), (.bertLarge, 4096), (.gpt2, 512), (.gpt2, 4096)] {
        let enumerate = try time(5) { _ = try ModelWorkload(model, sequenceLength: l) }
        let closed = time(5) { for _ in 0..<1000 { _ = ClosedForm.classTotals(model, sequenceLength: l) } } / 1000
        report.time("workload \(model.displayName) l=\(l) enumerate", "  \(model.displayName) l=\(l): enumerate", enumerate,
                    ratio: enumerate / closed, to: "the closed form, same run")
        report.time("workload \(model.displayName) l=\(l) closed form", "  \(model.displayName) l=\(l): closed form", closed,
                    "   (enumeration/closed form = \(NumberFormat.fixed(enumerate / closed, decimals: 0))x)")
    }
}

func benchmarkRender(_ ctx: BenchContext) throws {
    let report = ctx.report
    report.say("Render (median of 5)")
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
    report.time("render graphviz svg", "  Graphviz BERT-Base layer (\(graph.nodes.count) nodes) to SVG", svgTime)
    report.time("render graphviz png", "  Graphviz BERT-Base layer to PNG", pngTime,
                "   (PNG/SVG = \(NumberFormat.fixed(pngTime / svgTime, decimals: 1))x)", ratio: pngTime / svgTime, to: "SVG, same run")
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
    report.time("render svg line chart", "  SVG line chart, 3 models x 6 lengths", chartTime)
}

/// The runtime's products and layers, each interleaved with PyTorch's same work when torch imports:
/// per round ours then PyTorch's, the medians over the rounds, and their ratio.
func benchmarkRuntime(_ ctx: BenchContext) throws {
    let report = ctx.report, machine = ctx.machine
    let threadCounts = Array(Set([1, machine.cores])).sorted()
    let all = machine.cores
    report.say("CPU runtime (Core/Kernels/Runtime), fp32, batch 1, against PyTorch on the same cores in the same run")
    let torch = PyTorchDuel(ctx)
    defer { torch.stop() }
    let targets = RuntimeTargets()

    let againstOpenBLAS = GEMMTiming.packedKernel != nil
    report.say(againstOpenBLAS
        ? "  the runtime's matrix products: its own kernel (the machine's header says which), weights packed once and attention's operands for each product; OpenBLAS's sgemm timed in the same rounds"
        : "  the runtime's matrix products: OpenBLAS's sgemm (the machine's header says why)")
    // Each product at one thread (the kernel alone) and at every core (the kernel and its threading).
    for threads in threadCounts {
        for (label, m, n, k) in [("W_Q at l=128", 128, 768, 768), ("W1 at l=128", 128, 3072, 768), ("W2 at l=128", 128, 768, 3072),
                                 ("W_Q at l=512", 512, 768, 768), ("W1 at l=512", 512, 3072, 768), ("W2 at l=512", 512, 768, 3072)] {
            var openBLAS: [Double] = []
            let result = try torch.duel("gemm:\(m)x\(n)x\(k)", threads: threads, calls: 5, warmEveryRound: true) {
                let ours = GEMMTiming.seconds(m: m, n: n, k: k, repeats: 5, threads: threads)
                if againstOpenBLAS {
                    settle(threads)
                    openBLAS.append(GEMMTiming.seconds(m: m, n: n, k: k, repeats: 5, threads: threads, product: .openBLAS))
                    settle(threads)
                }
                return ours
            }
            let flops = 2.0 * Double(m * n * k)
            recordGEMM(ctx, torch, key: "gemm \(m)x\(n)x\(k) threads=\(threads)",
                       label: "  GEMM \(label) (\(m)×\(k)·\(k)×\(n)), \(threads) thread(s)", flops: flops, threads: threads,
                       result: result, openBLAS: openBLAS.isEmpty ? nil : median(openBLAS),
                       target: (targets, "\(label), \(threads) thread(s)"))
        }
        // One head's scores q·kᵀ, as the runtime's attention computes them (k packed for the product).
        let (l, dh) = (512, 64)
        let head = try scoresRow(ctx, torch, heads: 1, l: l, dh: dh, threads: threads, againstOpenBLAS: againstOpenBLAS)
        recordGEMM(ctx, torch, key: "heads 1x\(l)x\(dh) threads=\(threads)",
                   label: "  q×kᵀ of one head at l=\(l) (\(l)×\(dh)·\(dh)×\(l)), \(threads) thread(s)",
                   flops: 2.0 * Double(l * l * dh), threads: threads, result: head.result, openBLAS: head.openBLAS)
    }
    // The attention's scores as the runtime computes them: the heads spread over the cores, one thread each.
    let (heads, l, dh) = (12, 512, 64)
    let scores = try scoresRow(ctx, torch, heads: heads, l: l, dh: dh, threads: all, againstOpenBLAS: againstOpenBLAS)
    recordGEMM(ctx, torch, key: "heads \(heads)x\(l)x\(dh) threads=\(all)",
               label: "  q×kᵀ of all \(heads) heads at l=\(l), heads over \(all) thread(s)", flops: 2.0 * Double(heads * l * l * dh),
               threads: all, result: scores.result, openBLAS: scores.openBLAS,
               target: (targets, "q×kᵀ of all \(heads) heads at l=\(l)"))
    for threads in threadCounts {
        TransformerRuntime.setThreads(threads)
        for l in [128, 512] {
            let rt = try TransformerRuntime(.bertBase, maxSequenceLength: l, layersToRun: 1)
            var times = OperationTimes()
            let result = try torch.duel("layer:\(l)", threads: threads, calls: 1) {
                try seconds { _ = try rt.encode(tokens: Array(0..<l), times: &times) }
            }
            let flops = try ModelWorkload(.bertBase, sequenceLength: l).total.flops / 12
            torch.record("bert-base layer l=\(l) threads=\(threads)", "  BERT-Base layer, l=\(l), \(threads) thread(s)", result,
                   ["\(NumberFormat.fixed(flops / result.ours / 1e9, decimals: 1)) GFLOP/s"])
            targets.layer("l=\(l), \(threads) thread(s)", ratio: result.torch.map { result.ours / $0 })
            let total = OperationClass.allCases.map { times[$0] }.reduce(0, +)
            report.say("    ours by class: " + OperationClass.allCases.map {
                "\($0.rawValue) \(NumberFormat.percent(times[$0] / total, decimals: 0))"
            }.joined(separator: ", "))
        }
        let decoder = try TransformerRuntime(.gpt2, maxSequenceLength: 128, layersToRun: 1)
        var decodeTimes = OperationTimes()
        // 128 tokens through one layer, per token and scaled to GPT-2's 12 layers.
        let result = try torch.duel("decode:128", threads: threads, calls: 1, perSample: 12.0 / 128) {
            try seconds { _ = try decoder.generate(steps: 128, times: &decodeTimes) }
        }
        torch.record("gpt2 token threads=\(threads)", "  GPT-2 decode per token (12 layers, l ≤ 128), \(threads) thread(s)", result, [])
        targets.decode("\(threads) thread(s)", ratio: result.torch.map { result.ours / $0 })
    }
    TransformerRuntime.setThreads(all)
    let tiny = TransformerConfig(name: "tiny", layers: 1, dModel: 128, heads: 4, dFFN: 512, architecture: .encoder)
    let tinyRuntime = try TransformerRuntime(tiny, maxSequenceLength: 64)
    var tinyTimes = OperationTimes()
    let fast = try time(3) { _ = try tinyRuntime.encode(tokens: Array(0..<64), times: &tinyTimes) }
    let slow = time(3) { _ = ReferenceTransformer(tinyRuntime).forward(tokens: Array(0..<64), causal: false) }
    report.time("runtime tiny reference", "  d=128 layer, l=64: plain reference (loops, Double)", slow)
    report.time("runtime tiny", "  d=128 layer, l=64: runtime (BLAS, vector kernels)", fast,
                "   (reference/runtime = \(NumberFormat.fixed(slow / fast, decimals: 0))x)", ratio: fast / slow,
                to: "the plain reference, same run")
    report.say("  the runtime's speed targets, on this run's numbers:")
    for line in targets.lines { report.note("    " + line) }
}

/// Attention's scores q·kᵀ of `heads` heads at length l (``GEMMTiming/headsSeconds(heads:l:headDimension:repeats:threads:product:)``),
/// against PyTorch's in the same rounds and, when the runtime's products run on its own kernel, OpenBLAS's.
private func scoresRow(_ ctx: BenchContext, _ torch: PyTorchDuel, heads: Int, l: Int, dh: Int, threads: Int,
                       againstOpenBLAS: Bool) throws -> (result: (ours: Double, torch: Double?), openBLAS: Double?) {
    var openBLAS: [Double] = []
    let result = try torch.duel("heads:\(heads)x\(l)x\(dh)", threads: threads, calls: 5, warmEveryRound: true) {
        let ours = GEMMTiming.headsSeconds(heads: heads, l: l, headDimension: dh, repeats: 5, threads: threads)
        if againstOpenBLAS {
            settle(threads)
            openBLAS.append(GEMMTiming.headsSeconds(heads: heads, l: l, headDimension: dh, repeats: 5, threads: threads,
                                                    product: .openBLAS))
            settle(threads)
        }
        return ours
    }
    return (result, openBLAS.isEmpty ? nil : median(openBLAS))
}

/// After a product on several threads, waits until its idle workers have stopped polling, so that they do not
/// share a core with the next timing: OpenBLAS's poll (with sched_yield) for 2^28 time-stamp cycles before they
/// sleep (OpenBLAS 0.3.21, blas_server.c, THREAD_TIMEOUT 28), about 0.1 s at 2.6 GHz; the runtime's pool for
/// RT_SPIN_SECONDS (10 ms, Sources/CRuntime).
private func settle(_ threads: Int) {
    if threads > 1 { Thread.sleep(forTimeInterval: 0.2) }
}

/// One product's row: its rate, its share of the measured (or computed) fp32 peak of `threads` cores, the
/// PyTorch ratio.
private func recordGEMM(_ ctx: BenchContext, _ torch: PyTorchDuel, key: String, label: String, flops: Double, threads: Int,
                        result: (ours: Double, torch: Double?), openBLAS: Double? = nil,
                        target: (RuntimeTargets, String)? = nil) {
    let measured = ctx.machine.measuredPeak(threads: threads)
    let peak = measured ?? ctx.machine.computedPeak(threads: threads)
    let peakName = measured == nil ? "computed peak" : "measured peak"
    let rate = flops / result.ours
    var notes = ["\(NumberFormat.fixed(rate / 1e9, decimals: 1)) GFLOP/s"]
    if let peak {
        notes[0] += ", \(NumberFormat.percent(rate / peak, decimals: 0)) of the \(peakName)"
        if rate > peak { notes[0] += ", above it: the peak was measured while the machine was busy; run again" }
        if let (targets, name) = target {
            targets.product(name, share: rate / peak, of: peakName, openBLAS: openBLAS.map { flops / $0 / peak },
                            pytorch: result.torch.map { flops / $0 / peak })
        }
    }
    if let openBLAS {
        notes.append("OpenBLAS \(NumberFormat.fixed(openBLAS * 1e3, decimals: 3)) ms, ours/OpenBLAS \(NumberFormat.fixed(result.ours / openBLAS, decimals: 2))x")
        ctx.report.record("openblas \(key)", unit: "s", openBLAS)
    }
    torch.record(key, label, result, notes)
    ctx.report.record("runtime \(key) rate", unit: "GFLOP/s", rate / 1e9, ratio: peak.map { rate / $0 },
                      to: "fp32 \(peakName) of \(threads) core(s)")
}

func benchmarkChapter1(_ ctx: BenchContext) throws {
    ctx.report.say("Chapter 1 end to end: the release binary with --json (median of 3)")
    if let chapterTime = try timeChapterBinary("workload-analysis", repeats: 3, report: ctx.report) {
        ctx.report.time("chapter1 workload-analysis --json", "  workload-analysis --json (every table, figure and claim)", chapterTime)
    }
}

func benchmarkGemmini(_ ctx: BenchContext) throws {
    let report = ctx.report, w1 = ctx.w1
    report.say("Gemmini engine (Core/Evaluation/Gemmini): the reference GEMM of data/peers/, functional and timed, on the CNN-tuned baseline")
    let (a, b, reference) = ctx.w1Operands
    var engineRun: (output: [Int32], stats: GemminiMatmulStats)? = nil
    let engineSeconds = try time(3) { engineRun = try GemminiMatmul.run(a: a, b: b, shape: w1, accelerator: .gemminiBaseline) }
    let stats = engineRun!.stats
    report.record("gemmini cycles 128x3072x768", unit: "cycles", Double(stats.totalCycles))
    report.say("  \(NumberFormat.grouped(stats.totalCycles)) cycles (Gemmini engine, tile level), results exact: \(engineRun!.output == reference)")
    report.time("gemmini functional 128x3072x768", "  functional Int8 GEMM + engine, 128×3072×768", engineSeconds,
                "   (SCALE-Sim recorded 261 s: \(NumberFormat.fixed(261 / engineSeconds, decimals: 0))x faster; goal ≥ 100x)",
                reference: .init(value: 261, unit: "s", source: "SCALE-Sim 3.0.0 weight-stationary, \(peersSource)"))
    let modelOnly = try time(5) { _ = try GemminiMatmul.cycles(w1, accelerator: .gemminiBaseline) }
    report.time("gemmini cycle model", "  tile-level engine alone (no data)", modelOnly)
    let oldModel = try time(5) { _ = try GemminiMatmul.cycles(w1, accelerator: .gemminiBaseline, mode: .singleBuffered) }
    report.time("gemmini single-buffered model", "  single-buffered tile model alone (the previous model)", oldModel)
    // One block of the tiling on the register-level mesh against its closed form.
    let block = stats.tiling.blocks(w1)[0].shape
    let blockA = Array(a.prefix(block.m * block.k)), blockB = Array(b.prefix(block.k * block.n))
    var meshCycles = 0
    let meshSeconds = try time(1) {
        meshCycles = try GemminiMesh.simulate(a: blockA, b: blockB, rows: block.m, columns: block.n, depth: block.k, dim: 16,
                                              dataflow: .weightStationary).cycles
    }
    let closedSeconds = try time(5) {
        _ = try GemminiMesh.blockCycles(rows: block.m, columns: block.n, depth: block.k, dim: 16, dataflow: .weightStationary)
    }
    let closed = try GemminiMesh.blockCycles(rows: block.m, columns: block.n, depth: block.k, dim: 16, dataflow: .weightStationary)
    report.say("  one \(block.m)×\(block.n)×\(block.k) block: register-level mesh \(NumberFormat.grouped(meshCycles)) cycles, closed form \(NumberFormat.grouped(closed)) (equal: \(meshCycles == closed))")
    report.time("gemmini mesh register level block", "  register-level mesh, one block", meshSeconds,
                "   (closed form: \(NumberFormat.fixed(meshSeconds / max(closedSeconds, 1e-9), decimals: 0))x faster)")
    let layerTime = try time(5) { _ = try GemminiEncoderModel(.bertBase, sequenceLength: 512, accelerator: .gemminiBaseline) }
    report.time("gemmini bert-base layer l=512", "  one BERT-Base layer at l = 512, every matmul and the CPU model", layerTime)
    ctx.memoryLine("process peak resident memory") {
        "  peak resident memory of the whole benchmark process so far: \($0) MiB (the engine adds its operands, 2.5 MB, and C, 1.5 MB; SCALE-Sim: 3.3 GB)"
    }
}
