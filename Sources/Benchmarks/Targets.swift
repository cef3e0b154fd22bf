import Render

/// The runtime's speed targets (issue 18's "fast on every CPU": weight products and attention's scores at 70% of
/// the measured fp32 peak or more, a BERT-Base layer within 1.1× PyTorch's time, GPT-2 decoding at least as fast
/// as PyTorch), checked on one `benchmarks runtime` run's own numbers and printed at its end, so that a run on any
/// machine says which held there.
final class RuntimeTargets {
    static let peakShare = 0.70, layerRatio = 1.1, decodeRatio = 1.0

    private var shares: [(label: String, share: Double)] = []
    /// The same rows' shares for OpenBLAS's `sgemm` and PyTorch, where they ran: what the machine allows.
    private var peers: [String: [Double]] = [:]
    private var peakName = "measured peak"
    private var layers: [(label: String, ratio: Double?)] = []
    private var decodes: [(label: String, ratio: Double?)] = []

    /// A product's share of the peak (`peakName`: measured, or computed where no measurement ran), and the
    /// shares OpenBLAS and PyTorch reached on it in the same rounds.
    func product(_ label: String, share: Double, of peakName: String, openBLAS: Double?, pytorch: Double?) {
        shares.append((label, share))
        self.peakName = peakName
        if let openBLAS { peers["OpenBLAS", default: []].append(openBLAS) }
        if let pytorch { peers["PyTorch", default: []].append(pytorch) }
    }

    /// A BERT-Base layer's time over PyTorch's (nil: PyTorch did not run).
    func layer(_ label: String, ratio: Double?) { layers.append((label, ratio)) }

    /// GPT-2's time per decoded token over PyTorch's (nil: PyTorch did not run).
    func decode(_ label: String, ratio: Double?) { decodes.append((label, ratio)) }

    /// One line per target: how many rows met it and the ones that did not.
    var lines: [String] {
        var out: [String] = []
        if !shares.isEmpty {
            let below = shares.filter { $0.share < Self.peakShare }
            out.append("GEMMs at \(percent(Self.peakShare)) of the \(peakName) or more: \(shares.count - below.count) of \(shares.count)"
                       + (below.isEmpty ? "" : "; below: " + below.map { "\($0.label) \(NumberFormat.percent($0.share, decimals: 1))" }.joined(separator: ", ")))
            let others = ["OpenBLAS", "PyTorch"].compactMap { name in
                peers[name].map { "\(name) \($0.filter { $0 >= Self.peakShare }.count) of \($0.count)" }
            }
            if !others.isEmpty { out.append("  the same products' rows at \(percent(Self.peakShare)) or more in the same rounds: " + others.joined(separator: ", ")) }
        }
        out += ratioLine("BERT-Base layer within \(NumberFormat.fixed(Self.layerRatio, decimals: 1))× PyTorch's time", layers, Self.layerRatio)
        out += ratioLine("GPT-2 decoding at least as fast as PyTorch", decodes, Self.decodeRatio)
        return out
    }

    private func ratioLine(_ target: String, _ rows: [(label: String, ratio: Double?)], _ limit: Double) -> [String] {
        guard !rows.isEmpty else { return [] }
        let measured = rows.compactMap { row in row.ratio.map { (row.label, $0) } }
        guard !measured.isEmpty else { return ["\(target): not checked (PyTorch did not run)"] }
        let missed = measured.filter { $0.1 > limit }
        let range = "\(NumberFormat.fixed(measured.map(\.1).min()!, decimals: 2))-\(NumberFormat.fixed(measured.map(\.1).max()!, decimals: 2))×"
        return ["\(target): \(measured.count - missed.count) of \(rows.count) (ours/PyTorch \(range))"
                + (missed.isEmpty ? "" : "; missed: " + missed.map { "\($0.0) \(NumberFormat.fixed($0.1, decimals: 2))×" }.joined(separator: ", "))]
    }

    private func percent(_ x: Double) -> String { NumberFormat.percent(x, decimals: 0) }
}
