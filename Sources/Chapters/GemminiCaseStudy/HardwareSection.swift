import ChapterSupport
import Core
import Render

/// §3.4.1: the three variants, the host CPU, Fig. 12 and the dataflow of one layer.
enum HardwareSection {
    static func build(_ s: GemminiCaseStudySettings, figures: inout FigureSet) throws -> SectionOutput {
        var section = Section("3.4.1 / Fig. 12: the accelerators")
        section.prose("""
            Three configurations, with Gemmini's parameter names. The baseline is the CNN-tuned Gemmini of §3.4.1 \
            (Gemmini's older `defaultConfig`: a 16×16 weight-stationary mesh, Int8 inputs, a 256 KiB scratchpad \
            in 4 banks and a 64 KiB accumulator of Int32 sums); its host CPU runs GELU, Softmax, LayerNorm and the \
            residual adds in floating point. The rebalanced variant swaps the memory sizes (§3.4.3). The \
            Transformer variant adds I-BERT's normalisation unit and \(s.transformer.sfuWidth) activation units \
            (§3.4.4). The survey does not give the clock, L2 or DRAM for the case study; ours follow its \
            analytical model (1 GHz, 2 MB L2, 64 B/cycle DRAM) and Gemmini's 128-bit DMA bus (16 B/cycle).
            """)
        let rows = [s.baseline, s.rebalanced, s.transformer].map { a -> [String] in
            [a.name, "\(a.meshRows)×\(a.meshColumns) \(a.dataflow.rawValue.uppercased())", "\(a.spCapacityBytes / 1024) KiB",
             "\(a.accCapacityBytes / 1024) KiB", NumberFormat.trimmed(a.l2BytesPerCycle, maxDecimals: 2),
             a.sfuWidth == 0 ? "host CPU (float)" : "\(a.sfuWidth) activation units + normalisation unit", a.source]
        }
        section.table(Table(columns: [.init("variant"), .init("mesh"), .init("`sp_capacity`", alignment: .right),
                                      .init("`acc_capacity`", alignment: .right), .init("DMA B/cycle", alignment: .right),
                                      .init("non-linear operations"), .init("source")], rows: rows))
        section.figure(try figures.graph("06-fig12-gemmini", GemminiFigures.blockDiagram(baseline: s.baseline, transformer: s.transformer)),
                       caption: "Fig. 12: the baseline Gemmini in its SoC; dashed green units are the ones §3.4.4 adds.")
        section.figure(try figures.graph("06-layer-dataflow", GemminiFigures.layerDataflow()),
                       caption: "One encoder layer on each variant, coloured by operation as in every chapter (blue projections, orange act-to-act, green FFN, purple and pink non-linear, vermilion (de)quantization); each box names the unit that runs it, and the host CPU's steps are dashed.")
        // The workload fact the case study starts from.
        let w = try ModelWorkload(s.model, sequenceLength: s.sequenceLength)
        let matmulFlops = w.classTotals[.projection]!.flops + w.classTotals[.ffn]!.flops + w.classTotals[.actToAct]!.flops
        let fraction = matmulFlops / w.total.flops
        let claim = Claim.statement(id: "flops.matmul-over-99", reference: "§3.4.2",
                                    statement: "\(s.model.displayName), l = \(s.sequenceLength): over 99% of FLOPs are matmuls",
                                    expected: "> 99%", observed: NumberFormat.percent(fraction, decimals: 2), holds: fraction > 0.99,
                                    kind: .paperNumber, note: "chapter 1's workload counts")
        section.table(ClaimFormatting.table([claim]))
        section.takeaway("The baseline is a good CNN accelerator: everything a Transformer needs besides matmuls goes back to a small in-order CPU.")
        return SectionOutput(section, claims: [claim], json: [
            ("accelerators", .array([s.baseline, s.rebalanced, s.transformer].map { a in
                .object([("name", .string(a.name)), ("meshRows", .number(Double(a.meshRows))),
                         ("spCapacityBytes", .number(Double(a.spCapacityBytes))),
                         ("accCapacityBytes", .number(Double(a.accCapacityBytes))), ("sfuWidth", .number(Double(a.sfuWidth)))])
            })),
        ])
    }
}
