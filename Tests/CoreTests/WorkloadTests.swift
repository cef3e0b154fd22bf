import Testing
@testable import Core

@Suite("Core workload invariants")
struct WorkloadTests {
    /// Random valid configurations: heads divide d, sizes of every scale, both architectures.
    static func randomConfigs(count: Int, seed: UInt64) -> [TransformerConfig] {
        var rng = SeededGenerator(seed: seed)
        return (0..<count).map { i in
            let heads = Int.random(in: 1...16, using: &rng)
            let dh = Int.random(in: 1...96, using: &rng)
            return TransformerConfig(name: "random\(i)", layers: Int.random(in: 1...30, using: &rng),
                                     dModel: heads * dh, heads: heads, dFFN: Int.random(in: 1...4096, using: &rng),
                                     architecture: Bool.random(using: &rng) ? .encoder : .decoder)
        }
    }

    @Test("closed form equals graph enumeration for random valid configurations",
          arguments: [CountingConvention.survey, .itemised])
    func closedFormMatchesEnumeration(convention: CountingConvention) throws {
        var rng = SeededGenerator(seed: 2302_14017)
        for m in Self.randomConfigs(count: 40, seed: 7) {
            let l = Int.random(in: 1...600, using: &rng)
            let enumerated = try ModelWorkload(m, sequenceLength: l, convention: convention).classTotals
            let closed = ClosedForm.classTotals(m, sequenceLength: l, convention: convention)
            for cls in OperationClass.allCases {
                let a = enumerated[cls]!, b = closed[cls]!
                #expect(abs(a.flops - b.flops) <= 1e-9 * b.flops, "\(m) l=\(l) \(cls) FLOPs")
                #expect(abs(a.bytes - b.bytes) <= 1e-9 * b.bytes, "\(m) l=\(l) \(cls) bytes")
            }
        }
    }

    @Test("a decoder summed in closed form over its steps equals the step-by-step sum exactly")
    func decoderStepsInClosedForm() throws {
        for convention in [CountingConvention.survey, .itemised] {
            for m in Self.randomConfigs(count: 12, seed: 11).filter({ $0.architecture == .decoder }) + [.gpt2] {
                for l in [1, 2, 3, 97, 512] {
                    let fast = try ModelWorkload(m, sequenceLength: l, convention: convention)
                    let slow = try ModelWorkload(m, sequenceLength: l, convention: convention, stepByStep: true)
                    #expect(fast.operations == slow.operations, "\(m.name) l=\(l)")
                }
            }
        }
    }

    @Test("per-operation parts sum to class totals and the class totals to the whole")
    func partsSumToWhole() throws {
        for m in TransformerConfig.presets {
            let w = try ModelWorkload(m, sequenceLength: 384)
            let sumOfParts = w.operations.reduce(WorkCounts.zero) { $0 + $1.counts }
            let sumOfClasses = w.classTotals.values.reduce(WorkCounts.zero, +)
            #expect(sumOfParts == w.total)
            #expect(abs(sumOfClasses.flops - w.total.flops) <= 1e-9 * w.total.flops)
            #expect(abs(sumOfClasses.bytes - w.total.bytes) <= 1e-9 * w.total.bytes)
            // Per-head operations appear once per head.
            let qk = w.operations.first { $0.path == "mha/qk" }!
            #expect(qk.instancesPerLayer == m.heads)
        }
    }

    @Test("every count grows with sequence length")
    func countsGrowWithLength() throws {
        for m in TransformerConfig.presets {
            var previous: [String: WorkCounts] = [:]
            for l in [1, 2, 16, 128, 129, 1000] {
                let w = try ModelWorkload(m, sequenceLength: l)
                for op in w.operations {
                    if let p = previous[op.path] {
                        #expect(op.counts.flops > p.flops, "\(m.name) \(op.path) FLOPs at l=\(l)")
                        #expect(op.counts.bytes > p.bytes, "\(m.name) \(op.path) bytes at l=\(l)")
                    }
                    previous[op.path] = op.counts
                }
            }
        }
    }

    @Test("the survey's linear-operation rules, by hand for BERT-Base at l = 128")
    func handCountedBertBase() throws {
        let g = LayerGraph.encoder(.bertBase, sequenceLength: 128)
        let wq = g.operations.first { $0.id == "mha/wq" }!
        #expect(wq.counts.flops == 2 * 768 * 768 * 128)                  // 2n per output
        #expect(wq.counts.bytes == 768 * 768 + 2 * 768 * 128)            // weight, input, output once
        let qk = g.operations.first { $0.id == "mha/head00/qk" }!
        #expect(qk.counts.flops == 128 * 128 * (2 * 64 - 1))             // 2n − 1 per dot product
        #expect(qk.counts.bytes == 2 * 128 * 64 + 128 * 128)
        #expect(g.operations.filter { $0.path == "mha/qk" }.count == 12)
        #expect(g.operations.count == 3 + 12 * 3 + 1 + 2 + 3 + 2)
    }

    @Test("decoder: the exact triangle sums t over the steps, the survey's area convention t − 1/2")
    func decoderTriangles() throws {
        let l = 37
        let exact = try ModelWorkload(.gpt2, sequenceLength: l, convention: .itemised).classTotals[.actToAct]!
        let area = try ModelWorkload(.gpt2, sequenceLength: l, convention: .survey).classTotals[.actToAct]!
        #expect(exact.flops == 4 * 768 * Double(l * (l + 1) / 2) * 12)
        #expect(area.flops == 2 * 768 * Double(l * l) * 12)
        // A one-token decoder is a one-token encoder's projections: the same weights are read once.
        let one = try ModelWorkload(.gpt2, sequenceLength: 1).classTotals[.projection]!
        let enc = try ModelWorkload(.bertBase, sequenceLength: 1).classTotals[.projection]!
        #expect(one == enc)
    }

    @Test("a decoder's projections run at 2d/(d + 2) FLOPs per byte at every length")
    func decoderIntensityLimit() throws {
        for l in [1, 64, 4096] {
            let p = try ModelWorkload(.gpt2, sequenceLength: l).classTotals[.projection]!
            #expect(abs(p.intensity - 2.0 * 768 / 770) < 1e-12)
        }
    }
}

@Suite("Core configuration errors")
struct ConfigurationTests {
    @Test("heads must divide d")
    func headsDivide() {
        var m = TransformerConfig.bertBase
        m.heads = 7
        #expect(throws: ConfigurationError.self) { try m.validate() }
        do { try m.validate() } catch {
            #expect(error.field == "heads")
            #expect(error.message.contains("do not divide d-model = 768"))
        }
    }

    @Test("zero, negative and oversized values name their field",
          arguments: [("layers", 0), ("dModel", -1), ("heads", 0), ("dFFN", 0), ("layers", 5000)])
    func rangeErrors(field: String, value: Int) {
        var m = TransformerConfig.bertBase
        switch field {
        case "layers": m.layers = value
        case "dModel": m.dModel = value
        case "heads": m.heads = value
        default: m.dFFN = value
        }
        do {
            try m.validate()
            Issue.record("accepted \(field) = \(value)")
        } catch {
            #expect(error.field == field)
            #expect(error.description.contains("\(value)"))
        }
    }

    @Test("sequence lengths outside 1...65536 are rejected before any counting",
          arguments: [0, -128, 65_537, Int.max])
    func sequenceLengths(l: Int) {
        #expect(throws: ConfigurationError.self) { _ = try ModelWorkload(.bertBase, sequenceLength: l) }
    }

    @Test("unknown presets list the valid names")
    func unknownPreset() {
        do {
            _ = try TransformerConfig.preset(named: "bert-huge")
            Issue.record("accepted an unknown preset")
        } catch {
            #expect(error.message.contains("bert-base, bert-large, gpt2"))
        }
        #expect((try? TransformerConfig.preset(named: "GPT2"))?.name == "gpt2")
    }

    @Test("presets stay exact integers at the longest length; the largest custom model stays finite")
    func noOverflowAtTheTop() throws {
        for m in TransformerConfig.presets {
            let total = ClosedForm.classTotals(m, sequenceLength: 65_536).values.reduce(WorkCounts.zero, +)
            #expect(total.flops < 9.007e15, "\(m.name)")   // below 2^53
        }
        let r = TransformerConfig.layerRange, w = TransformerConfig.dimensionRange
        let huge = TransformerConfig(name: "max", layers: r.upperBound, dModel: w.upperBound, heads: 1,
                                     dFFN: w.upperBound, architecture: .encoder)
        try huge.validate()
        let total = ClosedForm.classTotals(huge, sequenceLength: 65_536).values.reduce(WorkCounts.zero, +)
        #expect(total.flops.isFinite && total.bytes.isFinite && total.flops > 1e18)
    }
}

@Suite("ResNet-50 layer list")
struct ResNet50Tests {
    @Test("53 convolutions and He et al.'s 3.8 G multiply-adds")
    func shape() {
        let w = CNNWorkload()
        let convs = w.layers.filter { $0.operationClass == .convolution }
        #expect(convs.count == 53)
        let macs = convs.reduce(0.0) { $0 + $1.counts.flops } / 2
        #expect(abs(macs / 1e9 - 3.86) < 0.01)
    }

    @Test("fusion removes BatchNorm and ReLU traffic but no convolution work")
    func fusion() {
        let a = CNNWorkload(fused: false).classTotals, b = CNNWorkload(fused: true).classTotals
        #expect(a[.convolution] == b[.convolution])
        #expect(b[.batchNorm] == .zero)
        #expect(b[.relu]!.bytes == 0 && b[.relu]!.flops == a[.relu]!.flops)
        #expect(a[.batchNorm]!.intensity == 1 && a[.relu]!.intensity == 0.5)
    }

    @Test("Tab. 12 groups: every main-path convolution in exactly one group")
    func groups() {
        let w = CNNWorkload()
        let inGroups = w.convolutionGroups.reduce(0) { $0 + $1.count }
        #expect(inGroups == 16 * 3)
    }
}
