import Testing
@testable import Core

/// Hand-written backward passes of the NAS supernet against central finite differences, in Double.
@Suite("NAS gradients")
struct NASGradientTests {
    /// A tiny supernet (vocabulary 16, context 5, 2 layers, d ≤ 8, ≤ 3 heads of width 2, d_FFN ≤ 6) with every
    /// parameter drawn from ±0.5 so that LayerNorm γ/β and the biases are not at their trivial initial values.
    static func tinySupernet() throws -> Supernet<Double> {
        let shape = try SupernetShape(vocabulary: 16, context: 5, maxLayers: 2, maxDModel: 8, maxHeads: 3,
                                      headDimension: 2, maxFFN: 6)
        var net = Supernet<Double>(shape: shape, seed: 7)
        var g = SeededGenerator(seed: 11)
        for i in net.parameters.indices { net.parameters[i] = g.unitDouble() - 0.5 }
        return net
    }

    static func tinyBatch() -> TokenBatch {
        var g = SeededGenerator(seed: 3)
        let inputs = (0..<10).map { _ in UInt8(g.index(16)) }
        let targets = (0..<10).map { _ in UInt8(g.index(16)) }
        return TokenBatch(sequences: 2, length: 5, inputs: inputs, targets: targets)
    }

    /// Largest |analytic − numeric| / max(1, |numeric|) over every parameter.
    static func worstError(_ net: Supernet<Double>, _ arch: NASArchitecture, _ batch: TokenBatch) throws -> (Double, Int) {
        var analytic = [Double](repeating: 0, count: net.parameters.count)
        _ = try net.lossAndGradient(arch, on: batch, into: &analytic)
        var worst = 0.0, nonzero = 0
        let h = 1e-5
        var probe = net
        for i in net.parameters.indices {
            let saved = probe.parameters[i]
            probe.parameters[i] = saved + h
            let up = try probe.loss(arch, on: batch)
            probe.parameters[i] = saved - h
            let down = try probe.loss(arch, on: batch)
            probe.parameters[i] = saved
            let numeric = (up - down) / (2 * h)
            if numeric != 0 { nonzero += 1 }
            worst = max(worst, abs(analytic[i] - numeric) / max(1, abs(numeric)))
        }
        return (worst, nonzero)
    }

    @Test("the full network's gradient matches finite differences to 1e-7")
    func largestGradient() throws {
        let net = try Self.tinySupernet()
        let arch = NASArchitecture(dModel: 8, heads: [3, 3], ffn: [6, 6])
        let (worst, nonzero) = try Self.worstError(net, arch, Self.tinyBatch())
        #expect(worst < 1e-7, "worst relative error \(worst)")
        #expect(nonzero > 500, "only \(nonzero) parameters moved the loss")
    }

    @Test("a sliced sub-network's gradient matches finite differences, and unused weights get exactly 0")
    func subnetworkGradient() throws {
        let net = try Self.tinySupernet()
        let arch = NASArchitecture(dModel: 6, heads: [1, 2], ffn: [3, 5])   // fewer layers is checked below
        let (worst, _) = try Self.worstError(net, arch, Self.tinyBatch())
        #expect(worst < 1e-7, "worst relative error \(worst)")
        var gradient = [Double](repeating: 0, count: net.parameters.count)
        _ = try net.lossAndGradient(arch, on: Self.tinyBatch(), into: &gradient)
        let w1 = net.layout.layers[0].w1        // rows 0..<6 and columns 0..<3 are used
        for r in 0..<w1.rows {
            for c in 0..<w1.columns where r >= 6 || c >= 3 {
                #expect(gradient[w1.offset + r * w1.columns + c] == 0)
            }
        }
        let shallow = NASArchitecture(dModel: 8, heads: [2], ffn: [4])
        let (worstShallow, _) = try Self.worstError(net, shallow, Self.tinyBatch())
        #expect(worstShallow < 1e-7, "one layer: worst relative error \(worstShallow)")
        var g2 = [Double](repeating: 0, count: net.parameters.count)
        _ = try net.lossAndGradient(shallow, on: Self.tinyBatch(), into: &g2)
        let layer1 = net.layout.layers[1]
        #expect(g2[layer1.ln1Gamma.offset..<(layer1.b2.offset + layer1.b2.count)].allSatisfy { $0 == 0 })
    }

    @Test("the Float path (single-precision BLAS) agrees with the Double gradient")
    func floatMatchesDouble() throws {
        let net = try Self.tinySupernet()
        var single = Supernet<Float>(shape: net.shape, seed: 0)
        single.parameters = net.parameters.map(Float.init)
        let arch = NASArchitecture(dModel: 6, heads: [3, 2], ffn: [6, 4])
        var g64 = [Double](repeating: 0, count: net.parameters.count)
        var g32 = [Float](repeating: 0, count: net.parameters.count)
        let l64 = try net.lossAndGradient(arch, on: Self.tinyBatch(), into: &g64)
        let l32 = try single.lossAndGradient(arch, on: Self.tinyBatch(), into: &g32)
        #expect(abs(Double(l32) - l64) < 1e-5)
        let scale = g64.map(abs).max()!
        let worst = zip(g32, g64).map { abs(Double($0) - $1) }.max()!
        #expect(worst < 1e-4 * scale, "worst \(worst) against largest gradient \(scale)")
    }

    @Test("a sub-network extracted into its own weights computes what the supernet slice computes")
    func extractionMatches() throws {
        let net = try Self.tinySupernet()
        let arch = NASArchitecture(dModel: 6, heads: [1, 3], ffn: [5, 2])
        let standalone = try net.extract(arch)
        #expect(standalone.parameters.count < net.parameters.count)
        let a = try net.probabilities(arch, on: Self.tinyBatch())
        let b = try standalone.probabilities(arch, on: Self.tinyBatch())
        let worst = zip(a, b).map { abs($0 - $1) }.max()!
        #expect(worst < 1e-13, "largest difference \(worst)")
    }

    @Test("the gradient scale multiplies the gradient, so sandwich averaging is a weighted sum")
    func gradientScale() throws {
        let net = try Self.tinySupernet()
        let arch = NASArchitecture(dModel: 8, heads: [2, 1], ffn: [6, 3])
        var one = [Double](repeating: 0, count: net.parameters.count)
        var quarter = one
        _ = try net.lossAndGradient(arch, on: Self.tinyBatch(), into: &one)
        _ = try net.lossAndGradient(arch, on: Self.tinyBatch(), scale: 0.25, into: &quarter)
        #expect(zip(one, quarter).allSatisfy { abs($0 * 0.25 - $1) <= 1e-15 * max(1, abs($0)) })
    }

    @Test("bad architectures and batches are configuration errors naming the field")
    func badInput() throws {
        let net = try Self.tinySupernet()
        #expect(throws: ConfigurationError.self) {
            _ = try net.loss(NASArchitecture(dModel: 9, heads: [1], ffn: [1]), on: Self.tinyBatch())
        }
        do {
            _ = try net.loss(NASArchitecture(dModel: 4, heads: [4], ffn: [2]), on: Self.tinyBatch())
            Issue.record("4 heads fit in a 3-head supernet")
        } catch { #expect(error.field == "heads") }
        let wide = TokenBatch(sequences: 1, length: 2, inputs: [1, 200], targets: [2, 3])
        do {
            _ = try net.loss(NASArchitecture(dModel: 4, heads: [1], ffn: [2]), on: wide)
            Issue.record("byte 200 accepted by a 16-symbol model")
        } catch { #expect(error.field == "vocabulary") }
    }
}
