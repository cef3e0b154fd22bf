// `make bench`: how fast the shared machinery is, as figures and ratios. Not run by CI and never asserted:
// timings belong here, not in tests.
import ArgumentParser
import ChapterSupport
import Core
import Foundation
import Render

/// The benchmarks, in the order a full run takes them.
enum Benchmark: String, CaseIterable {
    case systolic, workload, render, runtime, llama, chapter1, gemmini, mapping, nas

    var summary: String {
        switch self {
        case .systolic: "cycle-level systolic simulation of BERT-Base FFN W1, its memory"
        case .workload: "workload graph enumeration against the closed forms"
        case .render: "Graphviz (SVG, PNG) and SVG chart rendering"
        case .runtime: "Core/Kernels/Runtime GEMMs, BERT layers, GPT-2 decoding; live vs PyTorch"
        case .llama: "TinyLlama-1.1B prefill and decoding on DecoderRuntime; live vs PyTorch"
        case .chapter1: "workload-analysis --json end to end"
        case .gemmini: "the Gemmini engine: functional GEMM, cycle model, layer model"
        case .mapping: "chapter 4's mapper: evaluations/s, sampling, scheduling --json"
        case .nas: "supernet training; not in a full run; `nas SECONDS` (default 60)"
        }
    }

    /// What `benchmarks` with no name runs.
    static let full: [Benchmark] = allCases.filter { $0 != .nas }
}

@main
struct BenchmarksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "benchmarks",
        abstract: "Timings and ratios of the shared machinery (`make bench`; never run by CI).",
        discussion: """
            With no name it runs every benchmark except nas (a few minutes on 2 cores). Every run starts with the \
            machine: the CPU model and vendor, the nominal clock and the clock measured here (dependent integer \
            adds), the SIMD assumption behind the fp32 peak, and OpenBLAS's kernel set, build and threads.

            Benchmarks:
            \(Benchmark.allCases.map { "  \($0.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \($0.summary)" }.joined(separator: "\n"))

            runtime and llama compare with PyTorch live: tools/pytorch_bench.py --serve runs beside it on the same cores \
            and thread counts, ours and PyTorch's alternate round by round, and the ratio is of the medians. The \
            Python is $PYTHON when set, otherwise the first of python3, .venv-torch/bin/python3 and \
            .venv-bench/bin/python3 whose torch imports; without one it prints "PyTorch not installed: no ratio".

            Examples:
              benchmarks
              benchmarks mapping --json
              benchmarks runtime --rounds 7
              benchmarks nas 30
            """)

    @Argument(help: ArgumentHelp("Benchmarks to run (default: all but nas); `nas` may be followed by its seconds per width.",
                                 valueName: "name"))
    var names: [String] = []

    @Flag(name: .long, help: "Print one JSON document (machine, PyTorch, one object per measurement) instead of text.")
    var json = false

    @Option(name: .long, parsing: .unconditional, help: "Rounds of the runtime benchmark's interleaved measurements (1...100).")
    var rounds: Int = 5

    @Option(name: .customLong("nas-seconds"), parsing: .unconditional, help: "Seconds of training per width for nas (same as `nas SECONDS`).")
    var nasSeconds: Double?

    @Flag(name: .customLong("no-pytorch"), help: "Skip the PyTorch side of the runtime benchmark (no ratio).")
    var noPyTorch = false

    struct Plan {
        var benchmarks: [Benchmark]
        var nasSeconds: Double
    }

    /// The benchmarks to run, or a ValidationError naming the bad input; called before any work.
    func plan() throws -> Plan {
        var chosen: [Benchmark] = []
        var seconds = nasSeconds
        var previous: Benchmark? = nil
        for name in names {
            if let benchmark = Benchmark(rawValue: name.lowercased()) {
                if !chosen.contains(benchmark) { chosen.append(benchmark) }
                previous = benchmark
                continue
            }
            if let value = Double(name) {
                guard previous == .nas else {
                    throw ValidationError("unexpected number '\(name)': only nas takes one (its seconds per width), right after it")
                }
                guard seconds == nil || seconds == value else {
                    throw ValidationError("nas seconds given twice ('\(name)' and --nas-seconds)")
                }
                seconds = value
                previous = nil
                continue
            }
            throw ValidationError("unknown benchmark '\(name)'; choose from: "
                                  + Benchmark.allCases.map(\.rawValue).joined(separator: ", "))
        }
        if let seconds {
            guard chosen.contains(.nas) else { throw ValidationError("--nas-seconds applies only to the nas benchmark") }
            guard seconds.isFinite, seconds > 0, seconds <= 86_400 else {
                throw ValidationError("invalid nas seconds: \(NumberFormat.trimmed(seconds, maxDecimals: 3)) is out of range; allowed (0, 86400]")
            }
        }
        guard (1...100).contains(rounds) else {
            throw ValidationError("invalid --rounds: \(rounds) is out of range; allowed 1...100")
        }
        return Plan(benchmarks: chosen.isEmpty ? Benchmark.full : chosen, nasSeconds: seconds ?? 60)
    }

    func validate() throws { _ = try plan() }

    @Flag(name: .long, help: "Print only the machine (CPU, clock, BLAS kernel) and exit.")
    var machine = false

    func run() throws {
        let plan = try plan()
        // Before any work: a faster BLAS kernel set where OpenBLAS fell back to a generic one, checked once.
        if let note = BLASRestart.ifGeneric() { FileHandle.standardError.write(Data("benchmarks: \(note)\n".utf8)) }
        try BLASKernel.verify()
        signal(SIGPIPE, SIG_IGN)                    // a PyTorch child that dies must not take us with it
        let report = Report(json: json)
        let machine = Machine.describe()
        report.machine = machine
        machine.lines().forEach(report.say)
        if self.machine {
            if json { print(try report.document()) }
            return
        }
        let ctx = BenchContext(report: report, machine: machine, rounds: rounds, pytorchWanted: !noPyTorch)
        for benchmark in plan.benchmarks {
            switch benchmark {
            case .systolic: try benchmarkSystolic(ctx)
            case .workload: try benchmarkWorkload(ctx)
            case .render: try benchmarkRender(ctx)
            case .runtime: try benchmarkRuntime(ctx)
            case .llama: try benchmarkLlama(ctx)
            case .chapter1: try benchmarkChapter1(ctx)
            case .gemmini: try benchmarkGemmini(ctx)
            case .mapping: try benchmarkMapping(ctx)
            case .nas: try benchmarkNASTraining(ctx, secondsPerSize: plan.nasSeconds)
            }
        }
        if json { print(try report.document()) }
    }
}
