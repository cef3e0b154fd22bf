#if canImport(Glibc)
import Glibc
#endif

/// Adam (Kingma and Ba 2015) with a linear learning-rate schedule, and the sandwich-rule supernet step of
/// BigNAS that survey §6.4.1 uses: each step trains the largest, the smallest and two random sub-networks on
/// the same batch and applies the average of their gradients.

/// Linear schedule: a linear warm-up from 0 to `peak` over `warmupSteps`, then a linear decay to 0 at `totalSteps`.
public struct LinearSchedule: Sendable, Hashable, Codable {
    public var peak: Double
    public var warmupSteps: Int
    public var totalSteps: Int

    public init(peak: Double, warmupSteps: Int, totalSteps: Int) throws(ConfigurationError) {
        guard peak > 0, peak.isFinite else {
            throw ConfigurationError(field: "learningRate", message: "\(peak) must be positive and finite")
        }
        try ConfigurationError.require(totalSteps, in: 1...100_000_000, field: "steps")
        try ConfigurationError.require(warmupSteps, in: 0...totalSteps, field: "warmupSteps")
        self.peak = peak
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
    }

    /// Learning rate of step `step` (0-based).
    public func rate(at step: Int) -> Double {
        if step < warmupSteps { return peak * Double(step + 1) / Double(warmupSteps) }
        let remaining = Double(totalSteps - step) / Double(max(1, totalSteps - warmupSteps))
        return peak * max(0, remaining)
    }
}

/// Adam's moment estimates for one parameter vector.
public struct AdamState<Scalar: NASScalar>: Sendable {
    public var beta1: Scalar = 0.9
    public var beta2: Scalar = 0.999
    public var epsilon: Scalar = 1e-8
    public private(set) var firstMoment: [Scalar]
    public private(set) var secondMoment: [Scalar]
    public private(set) var steps = 0

    public init(count: Int) {
        firstMoment = Array(repeating: 0, count: count)
        secondMoment = Array(repeating: 0, count: count)
    }

    /// θ ← θ − lr · m̂ / (√v̂ + ε), with bias-corrected moments.
    @_specialize(where Scalar == Float)
    public mutating func update(_ parameters: inout [Scalar], gradient: [Scalar], learningRate: Double) {
        precondition(parameters.count == gradient.count && gradient.count == firstMoment.count, "Adam sizes disagree")
        steps += 1
        let correction1 = 1 - pow(Double(beta1), Double(steps)), correction2 = 1 - pow(Double(beta2), Double(steps))
        let stepSize = Scalar(learningRate / correction1), inverseRootCorrection2 = Scalar(1 / correction2.squareRoot())
        let b1 = beta1, b2 = beta2, eps = epsilon
        for i in 0..<parameters.count {
            let gi = gradient[i]
            let m = b1 * firstMoment[i] + (1 - b1) * gi
            let v = b2 * secondMoment[i] + (1 - b2) * gi * gi
            firstMoment[i] = m
            secondMoment[i] = v
            parameters[i] -= stepSize * m / (v.squareRoot() * inverseRootCorrection2 + eps)
        }
    }
}

/// Trains a supernet with the sandwich rule.
public struct SandwichTrainer<Scalar: NASScalar>: Sendable {
    public var supernet: Supernet<Scalar>
    public let space: NASSearchSpace
    public let schedule: LinearSchedule
    public var adam: AdamState<Scalar>
    public var generator: SeededGenerator
    /// Sub-networks per step: largest, smallest and `randomPerStep` random ones (2 in the survey).
    public let randomPerStep: Int
    public private(set) var step = 0

    public init(supernet: Supernet<Scalar>, space: NASSearchSpace, schedule: LinearSchedule, seed: UInt64,
                randomPerStep: Int = 2) throws(ConfigurationError) {
        try supernet.shape.validate(space.largest)
        try ConfigurationError.require(randomPerStep, in: 0...64, field: "randomSubnets")
        self.supernet = supernet
        self.space = space
        self.schedule = schedule
        self.randomPerStep = randomPerStep
        adam = AdamState(count: supernet.parameters.count)
        generator = SeededGenerator(seed: seed)
    }

    /// The sub-networks of the next step, in the order they are trained.
    public mutating func sampleSandwich() -> [NASArchitecture] {
        [space.largest, space.smallest] + (0..<randomPerStep).map { _ in space.randomArchitecture(using: &generator) }
    }

    /// One step on `batch`: the mean of the sub-networks' gradients, one Adam update. Returns each sub-network's
    /// loss (before the update), largest first.
    public mutating func step(on batch: TokenBatch) throws(ConfigurationError) -> [Scalar] {
        let architectures = sampleSandwich()
        var gradient = [Scalar](repeating: 0, count: supernet.parameters.count)
        let weight = 1 / Scalar(architectures.count)
        var losses: [Scalar] = []
        for architecture in architectures {
            losses.append(try supernet.lossAndGradient(architecture, on: batch, scale: weight, into: &gradient))
        }
        adam.update(&supernet.parameters, gradient: gradient, learningRate: schedule.rate(at: step))
        step += 1
        return losses
    }
}

extension Supernet {
    /// Validation perplexity exp(mean next-byte cross-entropy) of `architecture`, computed by running the BLAS
    /// forward pass (the training one) on consecutive non-overlapping windows of `text` (at most `maxWindows` of
    /// them when given). Its last bits depend on the CPU's OpenBLAS kernel and libm; a `Float` supernet's
    /// ``perplexity(_:on:maxWindows:threads:)`` (fixed-order kernels) does not, and is what chapter 5 measures.
    public func blasPerplexity(_ architecture: NASArchitecture, on text: [UInt8], sequencesPerBatch: Int = 16,
                           maxWindows: Int? = nil) throws(ConfigurationError) -> Double {
        let batches = TokenBatch.evaluationBatches(text: text, sequences: sequencesPerBatch, length: shape.context,
                                                   maxWindows: maxWindows)
        guard !batches.isEmpty else {
            throw ConfigurationError(field: "validation", message: "text of \(text.count) bytes holds no window of \(shape.context + 1) bytes")
        }
        var total = 0.0, tokens = 0
        for batch in batches {
            let n = batch.sequences * batch.length
            total += Double(try loss(architecture, on: batch)) * Double(n)
            tokens += n
        }
        return Glibc.exp(total / Double(tokens))
    }
}
