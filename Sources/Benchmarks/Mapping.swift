import Core
import Dispatch
import Foundation
import Render

/// Chapter 4's mapper: closed-form evaluations per second on one core, sampling with rejection, and the whole
/// chapter's wall time (its §5.5.1 study samples 100K valid mappings for each of ten operators).
func benchmarkMapping(_ ctx: BenchContext) throws {
    let report = ctx.report
    report.say("Mapper (Core/Mapping): closed-form evaluations on one core, BERT-Base FFN W1 at l = 512 on gemmini-baseline")
    let arch = try MappingArchitecture(accelerator: .gemminiBaseline)
    let model = try MappingCostModel(.gemm(name: "W1", m: 512, n: 3072, k: 768), architecture: arch)
    let space = try Mapspace(model)
    var rng = SeededGenerator(seed: 1)
    var valid: [Mapping] = []
    var m = Mapping.trivial, cost = MappingCost()
    while valid.count < 100_000 {
        space.randomMapping(into: &m, using: &rng)
        if model.costIfFits(m, into: &cost) { valid.append(m) }
    }
    var checksum = 0.0
    let seconds = time(3) {
        for mapping in valid {
            _ = model.costIfFits(mapping, into: &cost)
            checksum += cost.edp
        }
    }
    let perSecond = Double(valid.count) / seconds
    let zigzag = Measurement.Reference(value: 290, unit: "mappings/s", source: "ZigZag 3.9.1's LOMA search, \(peersSource)")
    report.record("mapping evaluations per second", unit: "evaluations/s", perSecond, reference: zigzag)
    report.time("mapping cost model 100k valid mappings", "  cost model on 100,000 valid mappings", seconds,
                "   (\(NumberFormat.si(perSecond, decimals: 2))evaluations/s; ZigZag recorded ~290/s: \(NumberFormat.fixed(perSecond / 290, decimals: 0))x)")
    var sampleRNG = SeededGenerator(seed: 2)
    var drawn: Mapspace.Sample? = nil
    let sampling = time(3) { drawn = space.sample(100_000, using: &sampleRNG) }
    report.time("mapping rejection sampling 100k", "  100,000 valid mappings drawn (rejection) and evaluated", sampling,
                "   (\(NumberFormat.grouped(drawn!.draws)) draws, \(NumberFormat.percent(drawn!.validFraction, decimals: 1)) valid)")
    if checksum.isNaN { report.say("  (checksum NaN)") }

    try benchmarkFusionSearch(report)

    if let chapterTime = try timeChapterBinary("scheduling", repeats: 1, report: report) {
        report.time("mapping scheduling --json", "  scheduling --json: the §5.5.1 study (10 × 100K) and the rest", chapterTime)
    }
}

/// Chapter 4's fused-schedule search (§5.5.2): candidates priced and wall time per pair and setting.
func benchmarkFusionSearch(_ report: Report) throws {
    report.say("Fused-schedule search (FusionSchedule, exhaustive), BERT-Base, scratchpad 256 kB, Gemmini engine")
    for (l, kib) in [(512, 128), (512, 256), (4096, 256)] {
        var a = Accelerator.gemminiTransformer
        a.spCapacityBytes = 256 * 1024
        a.accCapacityBytes = kib * 1024
        for pair in [FusionPair.queryKeySoftmax(.bertBase, sequenceLength: l), .outputProjectionLayerNorm(.bertBase, sequenceLength: l),
                     .secondFeedForwardLayerNorm(.bertBase, sequenceLength: l)] {
            var schedule: FusionSchedule? = nil
            let seconds = try time(1) { schedule = try FusionSchedule(pair, accelerator: a) }
            let f = schedule!
            report.time("fusion search \(pair.path) l=\(l) acc=\(kib)", "  \(pair.name), l = \(l), \(kib) kB", seconds,
                        "   (\(f.candidatesTried) candidates, \(f.candidatesPriced) priced, fused \(NumberFormat.fixed(f.fused.totalCycles / 1e6, decimals: 4))M cycles)")
        }
    }
}
