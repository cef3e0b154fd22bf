/// A complete, seeded supernet training run (survey §6.4.1 at CPU scale): random windows of the training split,
/// sandwich-rule steps (``SandwichTrainer``), Adam with a linear warm-up and decay. Chapter 5's `nas --train`
/// runs it and records the result as a ``SupernetCheckpoint``; the smoke test runs a few steps of it.
///
/// ```swift
/// let run = try SupernetTrainingRun(widthDivisor: 8, context: 64, steps: 1500)
/// let (checkpoint, log) = try run.train(on: corpus) { step, losses in print(step, losses) }
/// ```
public struct SupernetTrainingRun: Sendable, Hashable, Codable {
    public var widthDivisor: Int
    public var context: Int
    public var sequencesPerStep: Int
    public var steps: Int
    public var warmupSteps: Int
    public var peakLearningRate: Double
    public var seed: UInt64

    public init(widthDivisor: Int, context: Int, sequencesPerStep: Int = 16, steps: Int, warmupSteps: Int? = nil,
                peakLearningRate: Double = 1e-3, seed: UInt64 = 1) throws(ConfigurationError) {
        _ = try NASSearchSpace.scaled(widthDivisor: widthDivisor)
        try ConfigurationError.require(context, in: 2...4_096, field: "context")
        try ConfigurationError.require(sequencesPerStep, in: 1...4_096, field: "trainSequences")
        try ConfigurationError.require(steps, in: 1...10_000_000, field: "trainSteps")
        self.widthDivisor = widthDivisor
        self.context = context
        self.sequencesPerStep = sequencesPerStep
        self.steps = steps
        self.warmupSteps = warmupSteps ?? max(1, steps / 20)
        self.peakLearningRate = peakLearningRate
        self.seed = seed
        _ = try schedule()
    }

    public func space() throws(ConfigurationError) -> NASSearchSpace { try NASSearchSpace.scaled(widthDivisor: widthDivisor) }
    public func shape() throws(ConfigurationError) -> SupernetShape { try SupernetShape(space: space(), context: context) }
    public func schedule() throws(ConfigurationError) -> LinearSchedule {
        try LinearSchedule(peak: peakLearningRate, warmupSteps: warmupSteps, totalSteps: steps)
    }

    /// One line of the training log: the step (1-based) and the four sandwich losses (largest, smallest, two
    /// random) in nats per byte, before that step's update.
    public struct LogEntry: Sendable, Hashable, Codable {
        public var step: Int
        public var losses: [Double]
        public init(step: Int, losses: [Double]) {
            self.step = step
            self.losses = losses
        }
    }

    /// Trains from the seed's initialisation; `progress` is called after every step.
    public func train(on corpus: ByteCorpus, progress: (Int, [Double]) -> Void = { _, _ in })
        throws(ConfigurationError) -> (checkpoint: SupernetCheckpoint, log: [LogEntry]) {
        guard corpus.train.count > context + 1 else {
            throw ConfigurationError(field: "corpus", message: "training split of \(corpus.train.count) bytes is shorter than one window")
        }
        let space = try space()
        // Independent streams from one seed: initialisation, sub-network sampling, batch sampling.
        let net = Supernet<Float>(shape: try shape(), seed: seed)
        var trainer = try SandwichTrainer(supernet: net, space: space, schedule: try schedule(), seed: seed &+ 1)
        var sampler = SeededGenerator(seed: seed &+ 2)
        var log: [LogEntry] = []
        log.reserveCapacity(steps)
        for step in 1...steps {
            let batch = TokenBatch.random(text: corpus.train, sequences: sequencesPerStep, length: context, using: &sampler)
            let losses = try trainer.step(on: batch).map(Double.init)
            log.append(LogEntry(step: step, losses: losses))
            progress(step, losses)
        }
        let info = SupernetCheckpoint.Training(seed: seed, steps: steps, sequencesPerStep: sequencesPerStep,
                                               peakLearningRate: peakLearningRate)
        return (SupernetCheckpoint(supernet: trainer.supernet, widthDivisor: widthDivisor, training: info), log)
    }
}
