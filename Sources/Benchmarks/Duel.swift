import Core
import Foundation
import Render

/// Ours against PyTorch's, live: the PyTorch peer of one benchmark section, each measurement interleaved round by
/// round with PyTorch's same work (ours, then PyTorch's, 0.1 s apart), the medians over the rounds and their ratio.
/// Without torch (or once it failed) only ours is measured, and the section says why there is no ratio.
final class PyTorchDuel {
    let ctx: BenchContext
    private var peer: PyTorchPeer?

    /// Starts PyTorch's side when wanted and says which torch runs it, or why none does.
    init(_ ctx: BenchContext) {
        self.ctx = ctx
        let report = ctx.report
        guard ctx.pytorchWanted else {
            report.pytorch = PyTorchStatus(available: false, reason: "--no-pytorch")
            report.say("  PyTorch side skipped (--no-pytorch): no ratio")
            return
        }
        let (started, status) = PyTorchPeer.start()
        peer = started
        report.pytorch = status
        if let status = started?.status {
            report.say("  PyTorch \(status.torch ?? "?") (BLAS \(status.blas ?? "?"), CPU capability \(status.cpuCapability ?? "?")) "
                       + "from \(status.python ?? "?"), run by tools/pytorch_bench.py --serve; \(ctx.rounds) rounds of "
                       + "ours then PyTorch's, 0.1 s apart, medians")
            let environment = (status.environment ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            report.say("  PyTorch's threading environment: " + (environment.isEmpty ? "defaults (OpenMP workers spin-wait; on a busy machine its 2-thread rows suffer most)" : environment.joined(separator: " ")))
        } else {
            report.say("  PyTorch not installed: no ratio (\(status.reason ?? "")); set PYTHON to a python3 with torch, see tools/README.md")
        }
    }

    func stop() {
        peer?.stop()
        peer = nil
    }

    /// Medians of ours and PyTorch's over the rounds; PyTorch's is nil without torch (or once it failed).
    /// `warmEveryRound`: PyTorch warms up before every round's calls, as `GEMMTiming` does before its own.
    func duel(_ torchCase: String, threads: Int, calls: Int, perSample: Double = 1, warmEveryRound: Bool = false,
              ours: () throws -> Double) throws -> (ours: Double, torch: Double?) {
        let report = ctx.report
        _ = try ours()                                      // warm-up
        var mine: [Double] = [], theirs: [Double] = []
        // OpenBLAS's and OpenMP's idle workers spin for a while after a call (up to about 0.1 s); before each
        // of ours, let them stop first, with or without PyTorch.
        for round in 0..<ctx.rounds {
            if let p = peer {
                Thread.sleep(forTimeInterval: 0.1)
                mine.append(try ours() * perSample)
                Thread.sleep(forTimeInterval: 0.1)
                do {
                    theirs.append(try p.seconds(case: torchCase, threads: threads, warmup: round == 0 || warmEveryRound ? 1 : 0, calls: calls) * perSample)
                } catch {
                    report.note("  PyTorch failed, no ratio from here on: \(error)")
                    report.pytorch?.available = false
                    report.pytorch?.reason = "failed during the run: \(error)"
                    p.stop()
                    peer = nil
                    theirs = []
                }
            } else {
                Thread.sleep(forTimeInterval: 0.1)
                mine.append(try ours() * perSample)
            }
        }
        return (median(mine), theirs.count == mine.count ? median(theirs) : nil)
    }

    func versus(_ torch: Double?, _ mine: Double) -> String {
        guard let torch else { return "" }
        return "PyTorch \(NumberFormat.fixed(torch * 1e3, decimals: 3)) ms, ours/PyTorch \(NumberFormat.fixed(mine / torch, decimals: 2))x"
    }

    func record(_ key: String, _ label: String, _ result: (ours: Double, torch: Double?), _ extra: [String]) {
        let ratioTo = "PyTorch, same run, interleaved"
        let notes = (extra + [versus(result.torch, result.ours)]).filter { !$0.isEmpty }
        ctx.report.time("runtime \(key)", label, result.ours, notes.isEmpty ? "" : "   (" + notes.joined(separator: "; ") + ")",
                        ratio: result.torch.map { result.ours / $0 }, to: ratioTo)
        if let torch = result.torch { ctx.report.record("pytorch \(key)", unit: "s", torch) }
    }
}
