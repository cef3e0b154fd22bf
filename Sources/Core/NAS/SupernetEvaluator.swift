import CKernels
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The instruction-set builds of the fixed-order kernels (`Sources/CKernels`). Every build performs the same
/// floating-point operations in the same order, so they give the same bits; the choice only changes speed.
public enum FixedOrderISA: Int32, Sendable, CaseIterable, CustomStringConvertible {
    /// The target's minimum: SSE2 on x86-64, NEON on arm64.
    case baseline = 0
    case avx2 = 1
    case avx512f = 2

    /// Whether this CPU can run the build.
    public var isSupported: Bool { fok_isa_supported(rawValue) != 0 }
    /// The fastest build this CPU can run.
    public static var best: FixedOrderISA { FixedOrderISA(rawValue: fok_isa_best()) ?? .baseline }
    /// Every build this CPU can run.
    public static var supported: [FixedOrderISA] { allCases.filter(\.isSupported) }

    public var description: String {
        switch self {
        case .baseline: "baseline"
        case .avx2: "AVX2"
        case .avx512f: "AVX-512F"
        }
    }
}

/// Forward-only evaluation of a `Float` supernet's sub-networks with the fixed-order kernels: next-byte losses
/// and validation perplexity that are functions of the weights and the text alone, bit for bit the same on any
/// x86-64 CPU (and, by construction, on arm64), at any ISA level, with any number of threads (no BLAS, no libm;
/// see `Sources/CKernels/include/CKernels.h` for each operation's order). The training path (``Supernet/lossAndGradient(_:on:scale:into:)``) keeps
/// OpenBLAS: its result, the checkpoint, is an input here.
///
/// The forward is the one of `SupernetPass.swift` (pre-LayerNorm, causal, exact GELU), in this order:
/// x = E[token] + P[position]; per layer u = LN₁(x), q, k, v = u·W + b (each sum from 0, bias added last),
/// per head the causal softmax of q·kᵀ·(1/√hd) times v, x ← (x + Σ ctx·W_O) + b_O (the sum starts from x),
/// z = LN₂(x), x ← (x + Σ GELU(z·W₁ + b₁)·W₂) + b₂; logits = LN_f(x)·W_out + b_out; a token's loss is
/// ln Σ exp(z − max) − (z_target − max) in Double. A window's loss is the sum of its tokens' losses in order,
/// the total is the sum of the windows' losses in order, and perplexity = exp(total / tokens).
///
/// Work is split into (architecture, group of ``windowsPerTask`` windows) tasks shared among the threads: every
/// task writes only its own windows' sums, and the sums are added in window order afterwards, so the thread
/// count cannot change a result.
///
/// One call at a time per evaluator (it owns one workspace per thread, reused across calls).
public final class SupernetEvaluator {
    public let supernet: Supernet<Float>
    public let threads: Int
    public let isa: FixedOrderISA
    /// Windows per task (256 rows): small enough that each product's operands stay in a core's L2 cache, large
    /// enough that packing each weight panel (once per task and product) costs little next to the products. The
    /// default search took 14.8, 13.9, 13-14 and 16.0 s with 2, 4, 8 and 16 (2-core AMD EPYC, AVX-512F build).
    public static let windowsPerTask = 4
    /// All active processors.
    public static var defaultThreads: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    private let workspaces: [Workspace]

    /// `threads` workers (at least 1); `isa` falls back to the baseline where the CPU lacks it (same bits).
    public init(_ supernet: Supernet<Float>, threads: Int = SupernetEvaluator.defaultThreads, isa: FixedOrderISA = .best) {
        self.supernet = supernet
        self.threads = max(1, threads)
        self.isa = isa.isSupported ? isa : .baseline
        workspaces = (0..<self.threads).map { _ in Workspace(shape: supernet.shape, windows: Self.windowsPerTask) }
    }

    /// Validation perplexity of each architecture on consecutive non-overlapping windows of `text` (at most
    /// `maxWindows`), in the order given.
    public func perplexities(_ architectures: [NASArchitecture], on text: [UInt8], maxWindows: Int? = nil) throws(ConfigurationError)
        -> [Double] {
        try windowLosses(architectures, on: text, maxWindows: maxWindows).map { perplexity($0[...]) }
    }

    /// exp(mean token loss) of consecutive windows from their loss sums, added in window order.
    private func perplexity(_ windowSums: ArraySlice<Double>) -> Double {
        var total = 0.0
        for w in windowSums { total += w }
        return fok_exp(total / Double(windowSums.count * supernet.shape.context))
    }

    /// Perplexity of each architecture on the first `windows` windows of `text`, and on each whole block of
    /// `windowsPerBlock` consecutive ones among them, from one pass: each value is the bits
    /// ``perplexities(_:on:maxWindows:)`` gives on those windows alone, since a window's loss does not depend on
    /// the others.
    public func perplexities(_ architectures: [NASArchitecture], on text: [UInt8], windows: Int, windowsPerBlock: Int)
        throws(ConfigurationError) -> (whole: [Double], blocks: [[Double]]) {
        try ConfigurationError.require(windowsPerBlock, in: 1...1_000_000, field: "windowsPerBlock")
        let sums = try windowLosses(architectures, on: text, maxWindows: windows)
        return (sums.map { perplexity($0[...]) },
                sums.map { s in (0..<(s.count / windowsPerBlock)).map { perplexity(s[($0 * windowsPerBlock)..<(($0 + 1) * windowsPerBlock)]) } })
    }

    /// Every token's loss (nats) of `architecture`, window by window in text order.
    public func tokenLosses(_ architecture: NASArchitecture, on text: [UInt8], maxWindows: Int? = nil) throws(ConfigurationError)
        -> [Double] {
        let windows = try windowCount(text, maxWindows)
        try validate([architecture], text, windows)
        let T = supernet.shape.context
        var out: [Double] = []
        out.reserveCapacity(windows * T)
        supernet.parameters.withUnsafeBufferPointer { p in
            text.withUnsafeBufferPointer { t in
                for first in stride(from: 0, to: windows, by: Self.windowsPerTask) {
                    let count = min(Self.windowsPerTask, windows - first)
                    Self.forward(supernet, isa, architecture, text: t.baseAddress!, firstWindow: first, windows: count,
                                 p.baseAddress!, workspaces[0])
                    out += UnsafeBufferPointer(start: workspaces[0].losses, count: count * T)
                }
            }
        }
        return out
    }

    /// The sum of each window's token losses, per architecture.
    func windowLosses(_ architectures: [NASArchitecture], on text: [UInt8], maxWindows: Int?) throws(ConfigurationError)
        -> [[Double]] {
        let windows = try windowCount(text, maxWindows)
        let T = supernet.shape.context
        try validate(architectures, text, windows)
        let groups = (windows + Self.windowsPerTask - 1) / Self.windowsPerTask
        let tasks = architectures.count * groups
        if tasks == 0 { return [] }
        let results = UnsafeMutableBufferPointer<Double>.allocate(capacity: max(1, architectures.count * windows))
        defer { results.deallocate() }
        results.initialize(repeating: 0)
        supernet.parameters.withUnsafeBufferPointer { p in
            text.withUnsafeBufferPointer { t in
                let shared = Shared(parameters: p.baseAddress!, text: t.baseAddress!, results: results.baseAddress!)
                let net = supernet, isa = isa, workspaces = workspaces
                let workers = min(threads, tasks)
                // Worker w takes tasks w, w + workers, ...: consecutive tasks are one architecture's window
                // groups, so every worker gets a share of every architecture.
                let work = { @Sendable (worker: Int) in
                    let ws = workspaces[worker]
                    for task in stride(from: worker, to: tasks, by: workers) {
                        let arch = task / groups, first = (task % groups) * Self.windowsPerTask
                        let count = min(Self.windowsPerTask, windows - first)
                        Self.forward(net, isa, architectures[arch], text: shared.text, firstWindow: first,
                                     windows: count, shared.parameters, ws)
                        for w in 0..<count {
                            var sum = 0.0
                            for i in 0..<T { sum += ws.losses[w * T + i] }
                            shared.results[arch * windows + first + w] = sum
                        }
                    }
                }
                if workers <= 1 {
                    work(0)
                } else {
                    DispatchQueue.concurrentPerform(iterations: workers) { work($0) }
                }
            }
        }
        return (0..<architectures.count).map { Array(results[($0 * windows)..<(($0 + 1) * windows)]) }
    }

    private func validate(_ architectures: [NASArchitecture], _ text: [UInt8], _ windows: Int) throws(ConfigurationError) {
        for a in architectures { try supernet.shape.validate(a) }
        if let bad = text[0...(windows * supernet.shape.context)].first(where: { Int($0) >= supernet.shape.vocabulary }) {
            throw ConfigurationError(field: "vocabulary", message: "byte \(bad) is outside the model's \(supernet.shape.vocabulary) symbols")
        }
    }

    private func windowCount(_ text: [UInt8], _ maxWindows: Int?) throws(ConfigurationError) -> Int {
        let T = supernet.shape.context
        var windows = text.count > 0 ? (text.count - 1) / T : 0
        if let maxWindows { windows = min(windows, max(0, maxWindows)) }
        guard windows > 0 else {
            throw ConfigurationError(field: "validation", message: "text of \(text.count) bytes holds no window of \(T + 1) bytes")
        }
        return windows
    }

    /// Runs windows firstWindow ..< firstWindow + windows of the text through `arch`; the tokens' losses are left
    /// in `ws.losses`.
    private static func forward(_ supernet: Supernet<Float>, _ level: FixedOrderISA, _ arch: NASArchitecture,
                                text: UnsafePointer<UInt8>, firstWindow: Int, windows: Int, _ p: UnsafePointer<Float>,
                                _ ws: Workspace) {
        let s = supernet.shape, L = supernet.layout
        let T = s.context, rows = windows * T, d = arch.dModel
        let D = s.maxDModel, A = s.attentionWidth, F = s.maxFFN, V = s.vocabulary, hd = s.headDimension
        let isa = level.rawValue
        let epsilon = Float(NASOps.layerNormEpsilon)
        let scale = 1 / Float(hd).squareRoot()
        let start = firstWindow * T
        for r in 0..<rows {
            ws.targets[r] = text[start + r + 1]
        }
        // x = E[token] + P[position] over the first d channels.
        for r in 0..<rows {
            let token = p + L.tokenEmbedding.offset + Int(text[start + r]) * D
            let position = p + L.positionEmbedding.offset + (r % T) * D
            let x = ws.x + r * d
            for j in 0..<d { x[j] = token[j] + position[j] }
        }
        let x = ws.x, u = ws.u, gemm = ws.gemm
        func product(_ m: Int, _ n: Int, _ k: Int, _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>,
                     _ ldb: Int, bias: UnsafePointer<Float>?, _ c: UnsafeMutablePointer<Float>, accumulate: Bool) {
            fok_gemm(isa, Int32(m), Int32(n), Int32(k), a, Int32(lda), b, Int32(ldb), 0, bias, c, Int32(n),
                     accumulate ? 1 : 0, gemm)
        }
        for l in 0..<arch.layers {
            let w = L.layers[l], h = arch.heads[l], a = h * hd, f = arch.ffn[l]
            fok_layernorm(isa, Int32(rows), Int32(d), x, p + w.ln1Gamma.offset, p + w.ln1Beta.offset, epsilon, u)
            product(rows, a, d, u, d, p + w.wq.offset, A, bias: p + w.bq.offset, ws.q, accumulate: false)
            product(rows, a, d, u, d, p + w.wk.offset, A, bias: p + w.bk.offset, ws.k, accumulate: false)
            product(rows, a, d, u, d, p + w.wv.offset, A, bias: p + w.bv.offset, ws.v, accumulate: false)
            for b in 0..<windows {
                let o = b * T * a
                fok_causal_attention(isa, Int32(T), Int32(h), Int32(hd), ws.q + o, ws.k + o, ws.v + o, Int32(a), scale,
                                     ws.context + o, ws.attention)
            }
            product(rows, d, a, ws.context, a, p + w.wo.offset, D, bias: p + w.bo.offset, x, accumulate: true)
            fok_layernorm(isa, Int32(rows), Int32(d), x, p + w.ln2Gamma.offset, p + w.ln2Beta.offset, epsilon, u)
            product(rows, f, d, u, d, p + w.w1.offset, F, bias: p + w.b1.offset, ws.hidden, accumulate: false)
            fok_gelu_array(isa, rows * f, ws.hidden, ws.hidden)
            product(rows, d, f, ws.hidden, f, p + w.w2.offset, D, bias: p + w.b2.offset, x, accumulate: true)
        }
        fok_layernorm(isa, Int32(rows), Int32(d), x, p + L.finalGamma.offset, p + L.finalBeta.offset, epsilon, u)
        product(rows, V, d, u, d, p + L.wOut.offset, V, bias: p + L.bOut.offset, ws.logits, accumulate: false)
        fok_next_symbol_losses(isa, Int32(rows), Int32(V), ws.logits, ws.targets, ws.losses)
    }

    /// Pointers the worker threads share: read-only weights and text, and disjoint slots of the results.
    private struct Shared: @unchecked Sendable {
        let parameters: UnsafePointer<Float>
        let text: UnsafePointer<UInt8>
        let results: UnsafeMutablePointer<Double>
    }

    /// One thread's buffers, sized for the supernet's maxima and `windows` windows.
    final class Workspace: @unchecked Sendable {
        let x, u, q, k, v, context, hidden, logits, attention, gemm: UnsafeMutablePointer<Float>
        let targets: UnsafeMutablePointer<UInt8>
        let losses: UnsafeMutablePointer<Double>
        private let allocations: [UnsafeMutablePointer<Float>]

        init(shape s: SupernetShape, windows: Int) {
            let rows = windows * s.context
            func buffer(_ count: Int) -> UnsafeMutablePointer<Float> {
                let b = UnsafeMutablePointer<Float>.allocate(capacity: max(1, count))
                b.initialize(repeating: 0, count: max(1, count))
                return b
            }
            let depth = max(s.maxDModel, s.attentionWidth, s.maxFFN)
            x = buffer(rows * s.maxDModel)
            u = buffer(rows * s.maxDModel)
            q = buffer(rows * s.attentionWidth)
            k = buffer(rows * s.attentionWidth)
            v = buffer(rows * s.attentionWidth)
            context = buffer(rows * s.attentionWidth)
            hidden = buffer(rows * s.maxFFN)
            logits = buffer(rows * s.vocabulary)
            attention = buffer(fok_attention_workspace(Int32(s.context), Int32(s.headDimension)))
            gemm = buffer(fok_gemm_workspace(Int32(depth)))
            allocations = [x, u, q, k, v, context, hidden, logits, attention, gemm]
            targets = .allocate(capacity: rows)
            targets.initialize(repeating: 0, count: rows)
            losses = .allocate(capacity: rows)
            losses.initialize(repeating: 0, count: rows)
        }

        deinit {
            for a in allocations { a.deallocate() }
            targets.deallocate()
            losses.deallocate()
        }
    }
}

extension Supernet where Scalar == Float {
    /// Validation perplexity exp(mean next-byte cross-entropy) of `architecture` on consecutive non-overlapping
    /// windows of `text` (at most `maxWindows`), computed with the fixed-order kernels (``SupernetEvaluator``):
    /// the same bits on every CPU and for every thread count.
    public func perplexity(_ architecture: NASArchitecture, on text: [UInt8], maxWindows: Int? = nil,
                           threads: Int = SupernetEvaluator.defaultThreads) throws(ConfigurationError) -> Double {
        try SupernetEvaluator(self, threads: threads).perplexities([architecture], on: text, maxWindows: maxWindows)[0]
    }
}
