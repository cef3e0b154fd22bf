import Dispatch

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
    /// The steps of a fixed-length run; with ``flattening``, the most steps the constant phase may last.
    public var steps: Int
    public var warmupSteps: Int
    public var peakLearningRate: Double
    public var seed: UInt64
    /// How often and on how much held-out text the run measures its validation loss.
    public var validation: Validation
    /// When set, the learning rate stays at its peak after the warm-up until this rule says the validation loss
    /// has flattened, then decays linearly to 0; when nil, it decays from the warm-up to 0 at `steps`.
    public var flattening: Flattening?

    /// Validation checks during training: every `interval` steps and after the last, the BLAS-path loss of the
    /// largest and the smallest sub-network on the first `windows` consecutive windows of the validation split.
    public struct Validation: Sendable, Hashable, Codable {
        public var interval: Int
        public var windows: Int
        public init(interval: Int = 250, windows: Int = 512) throws(ConfigurationError) {
            try ConfigurationError.require(interval, in: 1...1_000_000, field: "validationInterval")
            try ConfigurationError.require(windows, in: 1...1_000_000, field: "validationWindows")
            self.interval = interval
            self.windows = windows
        }
    }

    /// The stopping rule of the constant phase, stated before a run: at a validation check, let v be the mean of
    /// the largest and the smallest sub-network's validation loss. The phase ends at the first check where the
    /// best v so far is less than `minImprovement` nats per byte below the best v of the checks made at least
    /// `patience` steps earlier; the decay then lasts `decayFraction` of the steps taken so far.
    public struct Flattening: Sendable, Hashable, Codable {
        public var patience: Int
        public var minImprovement: Double
        public var decayFraction: Double
        public init(patience: Int = 1_000, minImprovement: Double = 0.005, decayFraction: Double = 0.2) throws(ConfigurationError) {
            try ConfigurationError.require(patience, in: 1...10_000_000, field: "patience")
            guard minImprovement >= 0, minImprovement.isFinite, decayFraction > 0, decayFraction <= 1 else {
                throw ConfigurationError(field: "flattening", message: "minImprovement \(minImprovement) must be ≥ 0 and decayFraction \(decayFraction) in (0, 1]")
            }
            self.patience = patience
            self.minImprovement = minImprovement
            self.decayFraction = decayFraction
        }

        /// Whether the constant phase ends at the last of `checks` (step and mean validation loss, in step order).
        public func holds(_ checks: [(step: Int, loss: Double)]) -> Bool {
            guard let last = checks.last else { return false }
            let earlier = checks.filter { $0.step <= last.step - patience }.map(\.loss)
            guard let bestEarlier = earlier.min(), let best = checks.map(\.loss).min() else { return false }
            return bestEarlier - best < minImprovement
        }
    }

    public init(widthDivisor: Int, context: Int, sequencesPerStep: Int = 16, steps: Int, warmupSteps: Int? = nil,
                peakLearningRate: Double = 1e-3, seed: UInt64 = 1, validation: Validation? = nil,
                flattening: Flattening? = nil) throws(ConfigurationError) {
        _ = try NASSearchSpace.scaled(widthDivisor: widthDivisor)
        try ConfigurationError.require(context, in: 2...4_096, field: "context")
        try ConfigurationError.require(sequencesPerStep, in: 1...4_096, field: "trainSequences")
        try ConfigurationError.require(steps, in: 1...10_000_000, field: "trainSteps")
        self.widthDivisor = widthDivisor
        self.context = context
        self.sequencesPerStep = sequencesPerStep
        self.steps = steps
        self.warmupSteps = warmupSteps ?? max(1, min(steps / 20, 100))
        self.peakLearningRate = peakLearningRate
        self.seed = seed
        if let validation { self.validation = validation } else { self.validation = try Validation() }
        self.flattening = flattening
        _ = try schedule()
    }

    public func space() throws(ConfigurationError) -> NASSearchSpace { try NASSearchSpace.scaled(widthDivisor: widthDivisor) }
    public func shape() throws(ConfigurationError) -> SupernetShape { try SupernetShape(space: space(), context: context) }
    /// The schedule the run starts with: a fixed-length run's whole schedule; with ``flattening``, the warm-up
    /// and a constant rate through `steps` (the decay is appended when the rule holds).
    public func schedule() throws(ConfigurationError) -> LinearSchedule {
        try LinearSchedule(peak: peakLearningRate, warmupSteps: warmupSteps, totalSteps: steps,
                           decayStart: flattening == nil ? nil : steps)
    }

    /// One line of the training log: the step (1-based), its learning rate, the four sandwich losses (largest,
    /// smallest, two random) in nats per byte before that step's update, and after a validation check the
    /// validation losses of the largest and the smallest sub-network (after the update).
    public struct LogEntry: Sendable, Hashable, Codable {
        public var step: Int
        public var learningRate: Double
        public var losses: [Double]
        public var validation: [Double]?
        public init(step: Int, learningRate: Double, losses: [Double], validation: [Double]? = nil) {
            self.step = step
            self.learningRate = learningRate
            self.losses = losses
            self.validation = validation
        }
    }

    /// Trains from the seed's initialisation on `threads` threads (the same bits for any count; BLAS must run
    /// one thread per call); `progress` is called after every step.
    public func train(on corpus: ByteCorpus, threads: Int = 1, progress: (LogEntry) -> Void = { _ in })
        throws(ConfigurationError) -> (checkpoint: SupernetCheckpoint, log: [LogEntry]) {
        guard corpus.train.count > context + 1 else {
            throw ConfigurationError(field: "corpus", message: "training split of \(corpus.train.count) bytes is shorter than one window")
        }
        let space = try space()
        let validationBatches = TokenBatch.evaluationBatches(text: corpus.validation, sequences: sequencesPerStep,
                                                             length: context, maxWindows: validation.windows)
        guard !validationBatches.isEmpty else {
            throw ConfigurationError(field: "corpus", message: "validation split of \(corpus.validation.count) bytes holds no window of \(context + 1) bytes")
        }
        // Independent streams from one seed: initialisation, sub-network sampling, batch sampling.
        let net = Supernet<Float>(shape: try shape(), seed: seed)
        var trainer = try SandwichTrainer(supernet: net, space: space, schedule: try schedule(), seed: seed &+ 1)
        var sampler = SeededGenerator(seed: seed &+ 2)
        var log: [LogEntry] = []
        var checks: [(step: Int, loss: Double)] = []
        var decaying = flattening == nil
        while trainer.step < trainer.schedule.totalSteps {
            let rate = trainer.schedule.rate(at: trainer.step)
            let batch = TokenBatch.random(text: corpus.train, sequences: sequencesPerStep, length: context, using: &sampler)
            var entry = LogEntry(step: trainer.step + 1, learningRate: rate,
                                 losses: try trainer.step(on: batch, threads: threads).map(Double.init))
            if entry.step % validation.interval == 0 || entry.step == trainer.schedule.totalSteps {
                let v = try Self.validationLosses(trainer.supernet, [space.largest, space.smallest], validationBatches, threads: threads)
                entry.validation = v
                checks.append((entry.step, (v[0] + v[1]) / 2))
                if let rule = flattening, !decaying, rule.holds(checks) || entry.step == steps {
                    try trainer.beginDecay(over: max(1, Int((Double(entry.step) * rule.decayFraction).rounded())))
                    decaying = true
                }
            }
            log.append(entry)
            progress(entry)
        }
        let info = SupernetCheckpoint.Training(seed: seed, steps: trainer.step, sequencesPerStep: sequencesPerStep,
                                               peakLearningRate: peakLearningRate)
        return (SupernetCheckpoint(supernet: trainer.supernet, widthDivisor: widthDivisor, training: info), log)
    }

    /// Mean BLAS-path loss of each architecture over `batches` (one architecture per thread).
    static func validationLosses(_ net: Supernet<Float>, _ architectures: [NASArchitecture], _ batches: [TokenBatch],
                                 threads: Int) throws(ConfigurationError) -> [Double] {
        for a in architectures { for b in batches { try net.check(a, b) } }
        let out = UnsafeMutableBufferPointer<Double>.allocate(capacity: architectures.count)
        defer { out.deallocate() }
        let sink = SendablePointer(out.baseAddress!)
        concurrentForEach(architectures.count, threads: threads) { k in
            sink.pointer[k] = net.blasMeanLoss(architectures[k], over: batches)
        }
        return Array(out)
    }
}
