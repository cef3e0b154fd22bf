/// The cost of decoder steps, from Core's decoder step graph (survey Fig. 27), for the big-little / speculative
/// decoding and early-exit studies of survey §4.3.
///
/// A step that processes `k` new tokens at once (the big model verifying k drafted tokens) reads every weight
/// once and does k tokens' MACs: that is why verification costs little more than one ordinary step while
/// decoding is memory-bound.
///
/// ```swift
/// let m = try RooflineMachine(.analyticalModel)
/// let one = try DecoderStepCost.cycles(.gpt2, contextLength: 128, newTokens: 1, machine: m)
/// let five = try DecoderStepCost.cycles(.gpt2, contextLength: 128, newTokens: 5, machine: m)   // ≈ one
/// ```
public enum DecoderStepCost {
    /// Every layer's operations for `newTokens` tokens at context position `contextLength`.
    public static func operations(_ m: TransformerConfig, contextLength t: Int, newTokens k: Int) throws(ConfigurationError)
        -> [OperationCost] {
        try m.validate()
        try TransformerConfig.validate(sequenceLength: t, field: "contextLength")
        try ConfigurationError.require(k, in: 1...64, field: "newTokens")
        let K = Double(k), layers = Double(m.layers)
        return LayerGraph.decoderStep(m, step: t).operations.map { op in
            var cost: OperationCost
            if case let .matmul(out, inner, 1) = op.kind, op.operationClass != .actToAct {
                // A weight matmul: the weights are read once, inputs, outputs and MACs scale with k.
                let weights = Double(out * inner)
                cost = OperationCost(identity: op.identity, path: op.path, macs: weights * K, flops: op.counts.flops * K, vectorOps: 0,
                                     bytes: weights + (op.counts.bytes - weights) * K)
            } else {
                let matmul = op.operationClass != .nonlinear
                cost = OperationCost(identity: op.identity, path: op.path, macs: matmul ? op.counts.flops / 2 * K : 0, flops: op.counts.flops * K,
                                     vectorOps: matmul ? 0 : op.counts.flops * K, bytes: op.counts.bytes * K)
            }
            cost.macs *= layers
            cost.flops *= layers
            cost.vectorOps *= layers
            cost.bytes *= layers
            return cost
        }
    }

    public static func cycles(_ m: TransformerConfig, contextLength t: Int, newTokens k: Int, machine: RooflineMachine)
        throws(ConfigurationError) -> Double {
        machine.cycles(try operations(m, contextLength: t, newTokens: k))
    }
}

/// Speculative (big-little) decoding: a little model drafts γ tokens, the big one checks them in one step and
/// keeps the longest accepted prefix plus one token of its own. With each draft accepted independently with
/// probability α, a round yields E = (1 − α^(γ+1)) / (1 − α) tokens (Leviathan et al. 2023).
///
/// ```swift
/// SpeculativeDecoding.expectedTokens(acceptance: 0.8, draftLength: 4)   // 3.3616
/// ```
public enum SpeculativeDecoding {
    public static func validate(acceptance a: Double, draftLength g: Int) throws(ConfigurationError) {
        guard a.isFinite, a >= 0, a <= 1 else {
            throw ConfigurationError(field: "acceptance", message: "\(a) is out of range; allowed 0...1")
        }
        try ConfigurationError.require(g, in: 1...32, field: "draftLength")
    }

    /// The closed form E(α, γ).
    public static func expectedTokens(acceptance a: Double, draftLength g: Int) -> Double {
        a == 1 ? Double(g + 1) : (1 - pow(a, Double(g + 1))) / (1 - a)
    }

    /// The same by simulation: `rounds` seeded rounds, each accepting drafts until the first rejection.
    public static func simulatedTokens(acceptance a: Double, draftLength g: Int, rounds: Int, seed: UInt64) -> Double {
        var rng = SeededGenerator(seed: seed)
        var total = 0
        for _ in 0..<Swift.max(rounds, 1) {
            var accepted = 0
            while accepted < g, Double(rng.next() >> 11) / 9_007_199_254_740_992.0 < a { accepted += 1 }
            total += accepted + 1
        }
        return Double(total) / Double(Swift.max(rounds, 1))
    }

    /// Speed-up over the big model alone: E tokens per round, against γ little steps plus one big step over γ + 1
    /// tokens, each priced by the roofline at context length `t`.
    public static func speedup(big: TransformerConfig, little: TransformerConfig, contextLength t: Int,
                               acceptance a: Double, draftLength g: Int, machine: RooflineMachine) throws(ConfigurationError) -> Double {
        try validate(acceptance: a, draftLength: g)
        let bigStep = try DecoderStepCost.cycles(big, contextLength: t, newTokens: 1, machine: machine)
        let verify = try DecoderStepCost.cycles(big, contextLength: t, newTokens: g + 1, machine: machine)
        let draft = try DecoderStepCost.cycles(little, contextLength: t, newTokens: 1, machine: machine)
        return expectedTokens(acceptance: a, draftLength: g) * bigStep / (Double(g) * draft + verify)
    }
}

/// Early exit: a token whose prediction is confident after `exitLayer` of L layers skips the rest. With a
/// fraction p of tokens exiting, the expected layers per token are L − p·(L − exitLayer), so the speed-up of a
/// memory-bound decoder (every layer costs the same) is L / (L − p·(L − e)).
public enum EarlyExit {
    public static func speedup(layers: Int, exitLayer e: Int, exitRate p: Double) throws(ConfigurationError) -> Double {
        try ConfigurationError.require(layers, in: TransformerConfig.layerRange, field: "layers")
        try ConfigurationError.require(e, in: 1...layers, field: "exitLayer")
        guard p.isFinite, p >= 0, p <= 1 else {
            throw ConfigurationError(field: "exitRate", message: "\(p) is out of range; allowed 0...1")
        }
        let L = Double(layers)
        return L / (L - p * (L - Double(e)))
    }

    /// The same by enumeration: `tokens` seeded tokens each exit with probability p; layers run are counted.
    public static func simulatedSpeedup(layers: Int, exitLayer e: Int, exitRate p: Double, tokens: Int, seed: UInt64) -> Double {
        var rng = SeededGenerator(seed: seed)
        var run = 0
        for _ in 0..<Swift.max(tokens, 1) {
            run += Double(rng.next() >> 11) / 9_007_199_254_740_992.0 < p ? e : layers
        }
        return Double(layers * Swift.max(tokens, 1)) / Double(run)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
