import Core
import Foundation
import Render

/// Chapter 7's decoder runtime on TinyLlama-1.1B's shape (random weights), against PyTorch's same computation
/// (`tools/pytorch_bench.py`'s llama cases) in the same run.
///
/// Every layer has the same shape, so `layersRun` of the 22 layers are timed and scaled by 22 / layersRun; the
/// final RMSNorm and the full 32000-word LM head (a 2048 × 32000 fp32 matrix, 262 MB) are timed on their own and
/// added once per token: model time = layers × 22 / layersRun + head. PyTorch's side is scaled the same way.
func benchmarkLlama(_ ctx: BenchContext) throws {
    let report = ctx.report, machine = ctx.machine
    let model = TransformerConfig.tinyLlama
    let layersRun = 2, prompt = 128, decodeSteps = 8
    let vocabulary = model.block.vocabulary ?? 32_000
    let scale = Double(model.layers) / Double(layersRun)
    report.say("TinyLlama-1.1B on the decoder runtime (Core/Kernels/Runtime/DecoderRuntime), fp32, batch 1, random weights, "
               + "products on \(GEMMTiming.packedKernel == nil ? "OpenBLAS (\(BLASKernel.coreName))" : "the runtime's packed kernel"): \(layersRun) of \(model.layers) layers timed and scaled ×"
               + "\(NumberFormat.trimmed(scale, maxDecimals: 1)), plus the final RMSNorm and the full \(NumberFormat.grouped(vocabulary))-word "
               + "LM head timed once per token")
    let torch = PyTorchDuel(ctx)
    defer { torch.stop() }
    let runtime = try DecoderRuntime(model, maxSequenceLength: prompt + decodeSteps, layersToRun: layersRun)
    let tokens = (0..<prompt).map { ($0 * 7919 + 1) % vocabulary }
    var times = OperationTimes()
    for threads in Array(Set([1, machine.cores])).sorted() {
        DecoderRuntime.setThreads(threads)
        let layersPrefill = try torch.duel("llama-prefill:\(prompt)x\(layersRun)", threads: threads, calls: 1) {
            runtime.reset()
            return try seconds { _ = try runtime.forwardLayers(tokens: tokens, times: &times) }
        }
        torch.record("tinyllama \(layersRun) layers prefill \(prompt) threads=\(threads)",
                     "  \(layersRun) layers over a \(prompt)-token prompt, \(threads) thread(s)", layersPrefill, [])
        // Tokens 129-136 one at a time after the 128-token prompt (its prefill untimed), per token.
        let layersDecode = try torch.duel("llama-decode:\(prompt)x\(decodeSteps)x\(layersRun)", threads: threads, calls: 1,
                                          perSample: 1 / Double(decodeSteps)) {
            runtime.reset()
            _ = try runtime.forwardLayers(tokens: tokens, times: &times)
            return try seconds {
                for step in 0..<decodeSteps { _ = try runtime.forwardLayers(tokens: [step], times: &times) }
            }
        }
        torch.record("tinyllama \(layersRun) layers decode context \(prompt) threads=\(threads)",
                     "  \(layersRun) layers, one token after \(prompt) (per token), \(threads) thread(s)", layersDecode, [])
        let hidden = (0..<model.dModel).map { Float(($0 % 17) - 8) / 8 }
        let head = try torch.duel("llama-head:\(vocabulary)", threads: threads, calls: 5) {
            time(5) { _ = runtime.head(hidden, times: &times) }
        }
        torch.record("tinyllama head \(vocabulary) threads=\(threads)",
                     "  final RMSNorm + LM head 2048×\(vocabulary), \(threads) thread(s)", head, [])

        func wholeModel(_ layers: (ours: Double, torch: Double?)) -> (ours: Double, torch: Double?) {
            let torchTotal: Double? = layers.torch.flatMap { l in head.torch.map { l * scale + $0 } }
            return (layers.ours * scale + head.ours, torchTotal)
        }
        // The whole model: the layers scaled to 22, the head once.
        let prefill = wholeModel(layersPrefill), decode = wholeModel(layersDecode)
        func rate(_ count: Int, _ seconds: Double?) -> String {
            seconds.map { NumberFormat.fixed(Double(count) / $0, decimals: 1) } ?? "–"
        }
        torch.record("tinyllama prefill \(prompt) threads=\(threads)",
                     "  TinyLlama prefill, \(prompt) tokens, \(threads) thread(s)", prefill,
                     ["\(rate(prompt, prefill.ours)) tokens/s" + (prefill.torch == nil ? "" : ", PyTorch \(rate(prompt, prefill.torch)) tokens/s")])
        torch.record("tinyllama decode context \(prompt) threads=\(threads)",
                     "  TinyLlama decode, context \(prompt + 1)-\(prompt + decodeSteps), \(threads) thread(s)", decode,
                     ["per token, \(rate(1, decode.ours)) tokens/s" + (decode.torch == nil ? "" : ", PyTorch \(rate(1, decode.torch)) tokens/s")])
    }
    let shares = OperationClass.allCases.map { "\($0.rawValue) \(NumberFormat.percent(times[$0] / times.total, decimals: 0))" }
    report.say("  time by operation class over every call above (layers and head): " + shares.joined(separator: ", "))
    let estimate = DecoderRuntime.estimatedBytes(model, maxSequenceLength: prompt + decodeSteps, layersToRun: layersRun,
                                                 vocabulary: vocabulary)
    ctx.memoryLine("tinyllama peak resident memory") {
        "  peak resident memory of the benchmark process so far: \($0) MiB (the runtime's own estimate: \(Int(estimate / 1_048_576)) MiB, "
            + "its weights as drawn and, on the packed kernel, packed, with the caches and activations)"
    }
}
