import Core
import Dispatch
import Foundation

/// `benchmarks nas [seconds]`: sandwich-training throughput of the chapter 5 supernet at width divisors 4 and 8
/// (context 64, 16 sequences per step), each for about `seconds`, and the steps a 20-minute budget allows.
func benchmarkNASTraining(_ ctx: BenchContext, secondsPerSize: Double) throws {
    let report = ctx.report
    let bytes = Array(try Data(contentsOf: repositoryRoot.appendingPathComponent("data/nas/corpus/jargon-4.4.7.txt")))
    let corpus = try ByteCorpus.split(bytes)
    report.say("NAS supernet: sandwich steps (largest, smallest, 2 random) of 16 × 64 bytes, Float, OpenBLAS")
    for divisor in [8, 4] {
        let space = try NASSearchSpace.scaled(widthDivisor: divisor)
        let shape = try SupernetShape(space: space, context: 64)
        let net = Supernet<Float>(shape: shape, seed: 1)
        var trainer = try SandwichTrainer(supernet: net, space: space,
                                          schedule: try LinearSchedule(peak: 1e-3, warmupSteps: 10, totalSteps: 100_000), seed: 2)
        var sampler = SeededGenerator(seed: 3)
        let start = DispatchTime.now().uptimeNanoseconds
        var steps = 0
        var losses: [Float] = []
        while Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 < secondsPerSize {
            let batch = TokenBatch.random(text: corpus.train, sequences: 16, length: 64, using: &sampler)
            losses = try trainer.step(on: batch)
            steps += 1
        }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let evalStart = DispatchTime.now().uptimeNanoseconds
        let ppl = try trainer.supernet.perplexity(space.largest, on: corpus.validation, maxWindows: 256)
        let evalSeconds = Double(DispatchTime.now().uptimeNanoseconds - evalStart) / 1e9
        let rate = Double(steps) / elapsed
        report.record("nas divisor=\(divisor) training", unit: "steps/s", rate)
        report.record("nas divisor=\(divisor) validation perplexity (largest, 256 windows)", unit: "perplexity", ppl)
        report.record("nas divisor=\(divisor) validation", unit: "s", evalSeconds)
        let sizes = String(format: "  width divisor %d: d <= %d, d_FFN <= %d, %d parameters", divisor, space.maxDModel,
                           space.maxFFN, net.parameters.count)
        let speed = String(format: "%d steps in %.1f s = %.3f steps/s; 20 min = %d steps = %.2f epochs", steps, elapsed,
                           rate, Int(rate * 1200), rate * 1200 * 1024 / Double(corpus.train.count))
        let quality = String(format: "last losses %@; largest: validation perplexity %.2f on 256 windows in %.2f s",
                             losses.map { String(format: "%.2f", Double($0)) }.joined(separator: " "), ppl, evalSeconds)
        report.say(sizes + "\n    " + speed + "\n    " + quality)
    }
}
