import ChapterSupport
import Core
import Render

/// The survey's conclusions for BERT and GPT-2 beside what this chapter finds for the decoders, computed
/// side by side on the same models of Core.
enum ConclusionsSection {
    static func build(_ settings: ModernLLMsSettings, _ workloads: RunWorkloads,
                      _ gemmini: [AcceleratorSection.GemminiRow]) throws -> SectionOutput {
        let longest = settings.sequenceLengths.max()!, l = AcceleratorSection.gemminiLength, c = settings.convention
        let gpt2 = try ModelWorkload(.gpt2, sequenceLength: longest, convention: c).total.intensity
        let decoders = settings.models.map { workloads($0, .decode, longest).total.intensity }
        let bertShares = try ModelWorkload(.bertBase, sequenceLength: longest, convention: c).matmulFlopShare
        let decoderShares = settings.models.map { workloads($0, .prefill, longest).matmulFlopShare }
        let bert = gemmini.first { $0.model.name == TransformerConfig.bertBase.name }!
        let prefill = gemmini.filter { $0.phase == "prefill" }, decode = gemmini.filter { $0.phase == "decode" }
        func range(_ xs: [Double], _ f: (Double) -> String) -> String {
            xs.min() == xs.max() ? f(xs[0]) : "\(f(xs.min()!))–\(f(xs.max()!))"
        }
        let percent = { (x: Double) in Text.percent(x, 1) }, times = { (x: Double) in Text.fixed(x, 1) + "×" }
        let decodeMostly = decode.filter { $0.nonlinearShare > 0.5 }.map(\.model.displayName)
        let decodeVerdict = decodeMostly.isEmpty ? "holds in prefill, not in decode, where the one-token matmuls take most of the cycles"
            : decodeMostly.count == decode.count ? "holds in prefill and decode"
            : "holds in prefill; in decode only for \(decodeMostly.joined(separator: ", "))"
        let rows: [[String]] = [
            ["Decoding is memory-bound: about 2 FLOPs per byte at 8 bits (§2.2.1, Tab. 11)", "GPT-2: \(Text.fixed(gpt2, 2))",
             range(decoders) { Text.fixed($0, 2) },
             decoders.max()! < 2.05 ? "holds" : "holds for the weights; grouped-query attention lifts attention's intensity by about h/kv, so the whole decode rises with context"],
            ["Matmuls are nearly all the FLOPs (§2.2.1)", "BERT-Base: \(percent(bertShares))", range(decoderShares, percent),
             decoderShares.min()! > 0.95 ? "holds" : "no longer: the non-linear operations' share grows"],
            ["On a CNN-tuned accelerator the non-linear operations and their (de)quantization take most of the time (§3.4.2, Fig. 14)",
             "BERT-Base: \(Text.percent(bert.nonlinearShare, 0))", "prefill \(range(prefill.map(\.nonlinearShare)) { Text.percent($0, 0) }), decode \(range(decode.map(\.nonlinearShare)) { Text.percent($0, 0) })",
             decodeVerdict],
            ["Integer units for them (I-BERT's) are the big step of the ladder (§3.4.4)", "BERT-Base: \(times(bert.sfuSpeedup))",
             "prefill \(range(prefill.map(\.sfuSpeedup), times)), decode \(range(decode.map(\.sfuSpeedup), times))",
             "several times smaller: a Llama layer's matmuls have grown faster than its element-wise work, and in decode the one-token matmuls take most of the cycles"],
        ]
        var s = Section("Where the survey's conclusions change")
        s.prose("""
            The survey's findings for BERT and GPT-2 (left), and the same quantities for this run's decoders \
            (right), computed by the same code: chapter 1's counts at l = \(longest) and chapter 6's Gemmini at \
            l = \(l).
            """)
        s.table(Table(columns: [.init("the survey's conclusion"), .init("survey's models", alignment: .right),
                                .init("these decoders", alignment: .right), .init("for these decoders")], rows: rows))
        s.takeaway("The survey's method carries over unchanged. Two of its conclusions hold as they were and two change: decoding is no longer stuck at 2 FLOPs per byte once the key/value heads are shared, and an SFU buys several times less, because the matmuls have grown faster than the non-linear work.")
        return SectionOutput(s)
    }
}
