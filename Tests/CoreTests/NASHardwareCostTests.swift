import Testing
@testable import Core

/// The NAS hardware cost: the lookup table against per-layer models, against chapter 6's BERT layer, and its
/// invariants.
@Suite("NAS hardware cost")
struct NASHardwareCostTests {
    static let hw = try! NASHardwareCost(sequenceLength: 512)

    static func random(_ n: Int, seed: UInt64) -> [NASArchitecture] {
        var g = SeededGenerator(seed: seed)
        return (0..<n).map { _ in NASSearchSpace.survey.randomArchitecture(using: &g) }
    }

    @Test("the table has one entry per operation and relevant widths: 75 without d_FFN, 3 × 95 with it")
    func tableSize() {
        // qkv, wout: 5 d × 5 h; qk, sv, softmax: 5 h; layernorm, resadd: 5 d; w1, w2, gelu: 5 d × 19 d_FFN.
        #expect(Self.hw.table.count == 2 * 25 + 3 * 5 + 2 * 5 + 3 * 95)
    }

    @Test("the table's sum equals the per-layer models for random architectures")
    func lookupEqualsDirect() throws {
        for a in Self.random(25, seed: 3) + [NASSearchSpace.survey.largest, NASSearchSpace.survey.smallest] {
            let t = try Self.hw.cost(a), d = try Self.hw.directCost(a)
            #expect(abs(t.cycles - d.cycles) <= 1e-9 * d.cycles && abs(t.picojoules - d.picojoules) <= 1e-9 * d.picojoules, "\(a)")
        }
    }

    @Test("the baseline is 6 of chapter 6's BERT-Base layers on the Transformer-tuned Gemmini")
    func baselineIsSixBertLayers() throws {
        let bert = try GemminiEncoderModel(.bertBase, sequenceLength: 512, accelerator: .gemminiTransformer)
        let generic = try GemminiEncoderModel(layer: LayerShape(dModel: 768, heads: 12, headDimension: 64, dFFN: 3072),
                                              sequenceLength: 512, accelerator: .gemminiTransformer)
        #expect(bert.totalCycles == generic.totalCycles && bert.macs == generic.macs)
        #expect(try Self.hw.cost(NASSearchSpace.survey.largest).cycles == 6 * bert.totalCycles)
    }

    @Test("an attention width h·64 different from d changes exactly the projections' shapes")
    func attentionWidth() throws {
        let m = try GemminiEncoderModel(layer: LayerShape(dModel: 672, heads: 6, headDimension: 64, dFFN: 1280),
                                        sequenceLength: 512, accelerator: .gemminiTransformer)
        let shapes = Dictionary(uniqueKeysWithValues: m.matmuls.map { ($0.path, $0.shape) })
        #expect(shapes["mha/wq"] == GEMMShape(m: 512, n: 384, k: 672))
        #expect(shapes["mha/wout"] == GEMMShape(m: 512, n: 672, k: 384))
        #expect(shapes["ffn/w1"] == GEMMShape(m: 512, n: 1280, k: 672))
        #expect(m.matmuls.first { $0.path == "mha/qk" }!.instances == 6)
    }

    @Test("latency is never below the ideal MACs / peak, and the array is busy most of the time at l = 512")
    func aboveIdeal() throws {
        for a in Self.random(10, seed: 5) {
            let c = try Self.hw.cost(a).cycles, ideal = try Self.hw.idealCycles(a)
            #expect(c >= ideal && ideal / c > 0.3, "\(a): \(ideal / c)")
        }
    }

    @Test("a bigger architecture is never cheaper: widening any gene or adding a layer")
    func monotone() throws {
        let s = NASSearchSpace.survey
        for a in Self.random(15, seed: 7) {
            let base = try Self.hw.cost(a)
            var wider: [NASArchitecture] = []
            for d in s.dModelChoices where d > a.dModel { wider.append(NASArchitecture(dModel: d, heads: a.heads, ffn: a.ffn)) }
            for i in 0..<a.layers {
                for h in s.headChoices where h > a.heads[i] { var w = a; w.heads[i] = h; wider.append(w) }
                for f in s.ffnChoices where f > a.ffn[i] { var w = a; w.ffn[i] = f; wider.append(w) }
            }
            if a.layers < 6 { wider.append(NASArchitecture(dModel: a.dModel, heads: a.heads + [4], ffn: a.ffn + [768])) }
            for w in wider {
                let c = try Self.hw.cost(w)
                #expect(c.cycles >= base.cycles && c.picojoules > base.picojoules && c.edp > base.edp, "\(w) vs \(a)")
            }
        }
    }

    @Test("scaled architectures map to their full-width twin; bad inputs are errors naming the field")
    func errors() throws {
        let scaled = NASArchitecture(dModel: 84, heads: [12, 6], ffn: [160, 96])
        let twin = NASHardwareCost.fullWidth(scaled, widthDivisor: 8)
        #expect(twin == NASArchitecture(dModel: 672, heads: [12, 6], ffn: [1280, 768]))
        do { _ = try Self.hw.cost(NASArchitecture(dModel: 672, heads: [12, 6], ffn: [1280, 768])); Issue.record("2 layers accepted") }
        catch { #expect(error.field == "layers") }
        do { _ = try Self.hw.cost(scaled); Issue.record("a scaled architecture was priced as full width") }
        catch { #expect(error.field == "layers" || error.field == "dModel") }
        do { _ = try NASHardwareCost(accelerator: .gemminiBaseline); Issue.record("no units accepted") }
        catch { #expect(error.field == "accelerator") }
        do { _ = try NASHardwareCost(sequenceLength: 0); Issue.record("l = 0 accepted") }
        catch { #expect(error.field == "sequenceLength") }
    }
}
