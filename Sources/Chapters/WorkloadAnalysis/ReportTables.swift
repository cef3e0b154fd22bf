import ChapterSupport
import Core
import Render

extension WorkloadAnalysisChapter {
    /// Tab. 1 for the run's models.
    static func modelTable(_ models: [TransformerConfig]) -> Table {
        Table(columns: [.init("Model", alignment: .left), .init("N (layers)", alignment: .right),
                        .init("d", alignment: .right), .init("h", alignment: .right), .init("d/h", alignment: .right),
                        .init("d_FFN", alignment: .right), .init("Runs as", alignment: .left)],
              rows: models.map { m in
                  [m.displayName, "\(m.layers)", "\(m.dModel)", "\(m.heads)", "\(m.headDimension)", "\(m.dFFN)",
                   m.architecture == .encoder ? "encoder (all tokens at once)" : "decoder (token by token, KV cache)"]
              })
    }

    /// Tab. 2 with the dimensions of one model at one length.
    static func operationTable(_ m: TransformerConfig, sequenceLength l: Int) -> Table {
        let d = m.dModel, f = m.dFFN, dh = m.headDimension
        let rows: [[String]] = [
            ["MHA", "W_Q, W_K, W_V projection", "d×d×l (each)", "\(d)×\(d)×\(l)", "3"],
            ["MHA", "query × key", "l×(d/h)×l", "\(l)×\(dh)×\(l)", "h = \(m.heads)"],
            ["MHA", "score × value", "(d/h)×l×l", "\(dh)×\(l)×\(l)", "h = \(m.heads)"],
            ["MHA", "W_out projection", "d×d×l", "\(d)×\(d)×\(l)", "1"],
            ["FFN", "W1 projection", "d_FFN×d×l", "\(f)×\(d)×\(l)", "1"],
            ["FFN", "W2 projection", "d×d_FFN×l", "\(d)×\(f)×\(l)", "1"],
        ]
        return Table(columns: [.init("Module", alignment: .left), .init("Operation", alignment: .left),
                               .init("Tab. 2", alignment: .left),
                               .init("\(m.displayName), l = \(l)", alignment: .left),
                               .init("Per layer", alignment: .right)], rows: rows)
    }

    /// The non-linear operations' per-element costs.
    static func conventionTable(_ c: CountingConvention) -> Table {
        func n(_ x: Double) -> String { NumberFormat.trimmed(x, maxDecimals: 3) }
        return Table(columns: [.init("Operation", alignment: .left), .init("Elements per layer", alignment: .left),
                               .init("FLOPs / element", alignment: .right), .init("Bytes / element", alignment: .right)],
                     rows: [
                         ["Softmax", "h·l² scores (decoder: h per attended position)", n(c.softmax.flops), n(c.softmax.bytes)],
                         ["LayerNorm (×2)", "l·d, plus γ and β once per pass", n(c.layerNorm.flops),
                          "\(n(c.layerNorm.bytes)) + \(n(c.layerNormParameterBytes))·d per pass"],
                         ["GELU", "l·d_FFN", n(c.gelu.flops), n(c.gelu.bytes)],
                         ["residual add after MHA", "l·d", n(c.attentionResidual.flops), n(c.attentionResidual.bytes)],
                         ["residual add after FFN", "l·d", n(c.ffnResidual.flops),
                          "\(n(c.ffnResidual.bytes)) (decoder \(n(c.decoderResidualBytes)))"],
                         ["decoder scores (q×k and score×value)", "h per attended position", "–", n(c.decoderScoreBytes)],
                     ])
    }

    /// A printed table beside ours: each cell is our value at the printed precision with ✔, or ✘ and the paper's.
    static func comparisonTable(_ comparison: PaperTableComparison, claims: [Claim]) throws -> Table {
        let byID = Dictionary(uniqueKeysWithValues: claims.map { ($0.id, $0) })
        var rows: [[String]] = []
        for (l, printedRows) in comparison.printed {
            for (r, row) in printedRows.enumerated() {
                var cells = [r == 0 ? "\(l)" : "", row.label]
                for key in PaperTableComparison.columnKeys {
                    let claim = byID["\(comparison.idPrefix).l\(l).\(PaperTableComparison.rowKeys[r]).\(key)"]!
                    cells.append(cell(claim))
                }
                rows.append(cells)
            }
        }
        return Table(columns: [.init("l", alignment: .right), .init("Operator", alignment: .left)]
                         + PaperTableComparison.columnTitles.map { .init($0, alignment: .right) },
                     rows: rows)
    }

    /// Our value with one digit more than the paper printed: "7.248 ✔" or "0.0094 ✘ (paper 0.006)".
    static func cell(_ claim: Claim) -> String {
        guard let ours = claim.observed.number, let paper = claim.expected.number else { return "" }
        let k = claim.tolerance?.displayDecimals ?? 2
        let text = NumberFormat.fixed(ours, decimals: k + 1)
        if claim.holds { return "\(text) ✔" }
        return "\(text) ✘ (paper \(NumberFormat.fixed(paper, decimals: k)))"
    }

    /// A one-line tally and the table of claims that do not hold, with their causes and reasons.
    static func appendClaimSummary(_ s: inout Section, _ claims: [Claim]) {
        s.prose(ClaimSummary.sectionLine(claims))
        let failing = claims.filter { !$0.holds }
        if !failing.isEmpty { s.table(ClaimFormatting.table(failing)) }
    }

    /// Fig. 4-6 as numbers: ours beside the paper's labels.
    static func sweepTable(models: [TransformerConfig], lengths: [Int], convention c: CountingConvention) throws -> Table {
        var rows: [[String]] = []
        for m in models {
            for l in lengths {
                let t = try ModelWorkload(m, sequenceLength: l, convention: c).total
                let i = PaperValues.figureSeqLens.firstIndex(of: l)
                func paper(_ table: [String: [String]]) -> String {
                    guard let i, let labels = table[m.name] else { return "–" }
                    return labels[i]
                }
                rows.append([m.displayName, "\(l)", NumberFormat.fixed(t.flops / 1e9, decimals: 2), paper(PaperValues.figure4),
                             NumberFormat.fixed(t.bytes / 1e9, decimals: 3), paper(PaperValues.figure5),
                             NumberFormat.fixed(t.intensity, decimals: 2), paper(PaperValues.figure6)])
            }
        }
        return Table(columns: [.init("Model", alignment: .left), .init("l", alignment: .right),
                               .init("GFLOPs", alignment: .right), .init("Fig. 4", alignment: .right),
                               .init("GMOPs", alignment: .right), .init("Fig. 5", alignment: .right),
                               .init("Intensity", alignment: .right), .init("Fig. 6", alignment: .right)],
                     rows: rows)
    }

    /// Tab. 4 beside ours.
    static func resnetTable(_ claims: [Claim]) -> Table {
        let byID = Dictionary(uniqueKeysWithValues: claims.map { ($0.id, $0) })
        var rows: [[String]] = []
        for (key, row) in zip(["conv", "batchNorm", "relu", "other", "total"], PaperValues.table4) {
            rows.append([row.label] + PaperTableComparison.columnKeys.map { cell(byID["tab4.\(key).\($0)"]!) })
        }
        rows.append(["Total (fused)", cell(byID["tab4.fused.gflops"]!), "", cell(byID["tab4.fused.gmops"]!), "",
                     cell(byID["tab4.fused.intensity"]!)])
        return Table(columns: [.init("Tab. 4 operator", alignment: .left)]
                         + PaperTableComparison.columnTitles.map { .init($0, alignment: .right) }, rows: rows)
    }

    /// Tab. 12 beside ours.
    static func table12(_ claims: [Claim]) -> Table {
        let w = CNNWorkload(fused: false)
        var rows: [[String]] = []
        for row in PaperValues.table12 {
            guard let g = ChapterClaims.table12Group(w, kernel: row.kernel, outChannels: row.outChannels,
                                                     outSize: row.outSize) else { continue }
            let prefix = "tab12.\(g.stage).\(g.role.rawValue)"
            let byID = Dictionary(uniqueKeysWithValues: claims.filter { $0.id.hasPrefix(prefix + ".") }.map { ($0.id, $0) })
            rows.append(["\(row.kernel)×\(row.kernel)", "\(row.outChannels)", "\(row.outSize)×\(row.outSize)",
                         "\(g.stage) \(g.role.rawValue), \(g.inChannels) in, ×\(g.count)",
                         cell(byID["\(prefix).gflops"]!), cell(byID["\(prefix).gmops"]!),
                         cell(byID["\(prefix).intensity"]!)])
        }
        return Table(columns: [.init("Tab. 12 kernel", alignment: .left), .init("Out ch.", alignment: .right),
                               .init("Out size", alignment: .right), .init("Our layers", alignment: .left),
                               .init("GFLOPs", alignment: .right), .init("GMOPs", alignment: .right),
                               .init("Arith. int.", alignment: .right)], rows: rows)
    }

    /// Every operation of one model at one length.
    static func detailTable(_ w: ModelWorkload) throws -> Table {
        let total = w.total
        var rows = w.operations.map { op -> [String] in
            [op.path, op.name, op.operationClass.label, op.instancesPerLayer > 1 ? "×\(op.instancesPerLayer)" : "",
             NumberFormat.fixed(op.counts.flops / 1e9, decimals: 4), NumberFormat.fixed(op.counts.bytes / 1e6, decimals: 3),
             NumberFormat.fixed(op.counts.intensity, decimals: 2),
             NumberFormat.percent(op.counts.flops / total.flops, decimals: 1)]
        }
        rows.append(["total", "", "", "", NumberFormat.fixed(total.flops / 1e9, decimals: 4),
                     NumberFormat.fixed(total.bytes / 1e6, decimals: 3), NumberFormat.fixed(total.intensity, decimals: 2),
                     "100.0%"])
        return Table(columns: [.init("Path", alignment: .left), .init("Operation", alignment: .left),
                               .init("Class", alignment: .left), .init("Heads", alignment: .right),
                               .init("GFLOPs", alignment: .right), .init("MB moved", alignment: .right),
                               .init("Intensity", alignment: .right), .init("% FLOPs", alignment: .right)],
                     rows: rows, caption: "\(w.model.displayName), l = \(w.sequenceLength)")
    }
}
