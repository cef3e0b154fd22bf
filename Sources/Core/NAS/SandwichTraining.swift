#if canImport(Glibc)
import Glibc
#endif
import Dispatch

/// Adam (Kingma and Ba 2015) with a linear learning-rate schedule, and the sandwich-rule supernet step of
/// BigNAS that survey §6.4.1 uses: each step trains the largest, the smallest and two random sub-networks on
/// the same batch and applies the average of their gradients.

/// Linear schedule: a linear warm-up from 0 to `peak` over `warmupSteps`, `peak` until `decayStart`, then a
/// linear decay to 0 at `totalSteps`. With `decayStart` = `warmupSteps` (the default) it decays from the end of
/// the warm-up; a later `decayStart` is the warm-up/stable/decay shape of Hu et al. 2024 (MiniCPM), whose stable
/// phase can end when a rule says the validation loss has flattened (``SupernetTrainingRun/Flattening``).
public struct LinearSchedule: Sendable, Hashable, Codable {
    public var peak: Double
    public var warmupSteps: Int
    public var decayStart: Int
    public var totalSteps: Int

    public init(peak: Double, warmupSteps: Int, totalSteps: Int, decayStart: Int? = nil) throws(ConfigurationError) {
        guard peak > 0, peak.isFinite else {
            throw ConfigurationError(field: "learningRate", message: "\(peak) must be positive and finite")
        }
        try ConfigurationError.require(totalSteps, in: 1...100_000_000, field: "steps")
        try ConfigurationError.require(warmupSteps, in: 0...totalSteps, field: "warmupSteps")
        try ConfigurationError.require(decayStart ?? warmupSteps, in: warmupSteps...totalSteps, field: "decayStart")
        self.peak = peak
        self.warmupSteps = warmupSteps
        self.decayStart = decayStart ?? warmupSteps
        self.totalSteps = totalSteps
    }

    /// Learning rate of step `step` (0-based).
    public func rate(at step: Int) -> Double {
        if step < warmupSteps { return peak * Double(step + 1) / Double(warmupSteps) }
        if step < decayStart { return peak }
        let remaining = Double(totalSteps - step) / Double(max(1, totalSteps - decayStart))
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
    public private(set) var schedule: LinearSchedule
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
    ///
    /// Each sub-network's scaled gradient is computed whole by one thread into its own vector, and the vectors are
    /// added in sandwich order, so `threads` changes only the time: the update is the same bits for any count
    /// (BLAS must run one thread per call, as `nas --train` sets it).
    public mutating func step(on batch: TokenBatch, threads: Int = 1) throws(ConfigurationError) -> [Scalar] {
        let architectures = sampleSandwich()
        for architecture in architectures { try supernet.check(architecture, batch) }   // before any worker starts
        let count = supernet.parameters.count, n = architectures.count
        let weight = 1 / Scalar(n)
        let storage = UnsafeMutableBufferPointer<Scalar>.allocate(capacity: n * count + n)
        defer { storage.deallocate() }
        storage.initialize(repeating: 0)
        let parts = SendablePointer(storage.baseAddress!), losses = parts.pointer + n * count
        let net = supernet
        concurrentForEach(n, threads: threads) { k in
            (parts.pointer + n * count)[k] = net.checkedLossAndGradient(architectures[k], on: batch, scale: weight,
                                                                        into: parts.pointer + k * count)
        }
        var gradient = [Scalar](repeating: 0, count: count)
        for k in 0..<n {
            let v = parts.pointer + k * count
            for i in 0..<count { gradient[i] += v[i] }
        }
        adam.update(&supernet.parameters, gradient: gradient, learningRate: schedule.rate(at: step))
        step += 1
        return Array(UnsafeBufferPointer(start: losses, count: n))
    }

    /// Ends the constant phase of the schedule at the coming step and decays to 0 over `decaySteps` more.
    public mutating func beginDecay(over decaySteps: Int) throws(ConfigurationError) {
        schedule = try LinearSchedule(peak: schedule.peak, warmupSteps: min(schedule.warmupSteps, step),
                                      totalSteps: step + decaySteps, decayStart: step)
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
        for batch in batches { try check(architecture, batch) }
        return Glibc.exp(blasMeanLoss(architecture, over: batches))
    }

    /// Mean next-byte cross-entropy (nats) of `architecture` over `batches` on the BLAS forward pass, each batch
    /// weighted by its tokens, summed in batch order. The caller has checked the architecture and the batches.
    func blasMeanLoss(_ architecture: NASArchitecture, over batches: [TokenBatch]) -> Double {
        var total = 0.0, tokens = 0
        for batch in batches {
            let n = batch.sequences * batch.length
            total += Double(forward(architecture, batch).loss) * Double(n)
            tokens += n
        }
        return total / Double(tokens)
    }
}
