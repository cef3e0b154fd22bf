/// The evolutionary search of survey §6.4.1 (population 40, 40 iterations, mutation probability 0.2), keeping
/// only Pareto-optimal (perplexity, cost) candidates as parents. The objectives are closures, so the same
/// search runs on a trained supernet's measured perplexity and an accelerator model's EDP, or on synthetic
/// functions in tests.

/// One evaluated architecture.
public struct NASCandidate: Sendable, Hashable, Codable {
    public var architecture: NASArchitecture
    public var perplexity: Double
    public var cost: Double
    public init(architecture: NASArchitecture, perplexity: Double, cost: Double) {
        self.architecture = architecture
        self.perplexity = perplexity
        self.cost = cost
    }
    /// Whether this candidate is at least as good in both objectives as `other` and better in one.
    public func dominates(_ other: NASCandidate) -> Bool {
        perplexity <= other.perplexity && cost <= other.cost && (perplexity < other.perplexity || cost < other.cost)
    }
}

public struct EvolutionSettings: Sendable, Hashable, Codable {
    public var population: Int
    public var iterations: Int
    public var mutationProbability: Double
    /// Children per iteration made by crossover (the rest by mutation): half, as HAT does.
    public var crossoverFraction: Double
    public var seed: UInt64

    /// The survey's settings (§6.4.1).
    public static let survey = EvolutionSettings(population: 40, iterations: 40, mutationProbability: 0.2,
                                                 crossoverFraction: 0.5, seed: 1)

    public init(population: Int, iterations: Int, mutationProbability: Double, crossoverFraction: Double = 0.5,
                seed: UInt64) {
        self.population = population
        self.iterations = iterations
        self.mutationProbability = mutationProbability
        self.crossoverFraction = crossoverFraction
        self.seed = seed
    }

    public func validate() throws(ConfigurationError) {
        try ConfigurationError.require(population, in: 2...10_000, field: "population")
        try ConfigurationError.require(iterations, in: 0...10_000, field: "iterations")
        guard mutationProbability >= 0, mutationProbability <= 1 else {
            throw ConfigurationError(field: "mutationProbability", message: "\(mutationProbability) is outside 0...1")
        }
        guard crossoverFraction >= 0, crossoverFraction <= 1 else {
            throw ConfigurationError(field: "crossoverFraction", message: "\(crossoverFraction) is outside 0...1")
        }
    }
}

/// The candidates of `candidates` that no other candidate dominates, sorted by perplexity, then cost, then
/// the architecture's description (so ties are ordered the same way on every run).
public func paretoFront(_ candidates: [NASCandidate]) -> [NASCandidate] {
    let sorted = candidates.sorted {
        ($0.perplexity, $0.cost, $0.architecture.description) < ($1.perplexity, $1.cost, $1.architecture.description)
    }
    var front: [NASCandidate] = []
    var bestCost = Double.infinity
    for c in sorted where c.cost < bestCost {     // sorted by perplexity: kept iff cheaper than all before it
        front.append(c)
        bestCost = c.cost
    }
    return front
}

public struct EvolutionResult: Sendable, Codable {
    /// Population of every generation (generation 0 is the random start), for plots of the evolution.
    public var generations: [[NASCandidate]]
    /// Pareto front over every architecture evaluated.
    public var front: [NASCandidate]
    /// Distinct architectures evaluated (each objective is called once per architecture).
    public var evaluations: Int
}

public struct EvolutionarySearch: Sendable {
    public let space: NASSearchSpace
    public let settings: EvolutionSettings

    public init(space: NASSearchSpace, settings: EvolutionSettings) throws(ConfigurationError) {
        try settings.validate()
        self.space = space
        self.settings = settings
    }

    /// Each gene (N, d, and every layer's h and d_FFN) is redrawn from its choices with the mutation
    /// probability; layers added by a larger N get random genes.
    public func mutate(_ a: NASArchitecture, using g: inout SeededGenerator) -> NASArchitecture {
        let p = settings.mutationProbability
        func pick(_ current: Int, _ choices: [Int]) -> Int { g.unitDouble() < p ? choices[g.index(choices.count)] : current }
        let n = pick(a.layers, space.layerChoices)
        let d = pick(a.dModel, space.dModelChoices)
        var heads: [Int] = [], ffn: [Int] = []
        for i in 0..<n {
            if i < a.layers {
                heads.append(pick(a.heads[i], space.headChoices))
                ffn.append(pick(a.ffn[i], space.ffnChoices))
            } else {
                heads.append(space.headChoices[g.index(space.headChoices.count)])
                ffn.append(space.ffnChoices[g.index(space.ffnChoices.count)])
            }
        }
        return NASArchitecture(dModel: d, heads: heads, ffn: ffn)
    }

    /// Uniform crossover: every gene from either parent with probability ½; a layer only one parent has comes
    /// from that parent.
    public func crossover(_ x: NASArchitecture, _ y: NASArchitecture, using g: inout SeededGenerator) -> NASArchitecture {
        func coin() -> Bool { g.next() & 1 == 0 }
        let n = coin() ? x.layers : y.layers
        let d = coin() ? x.dModel : y.dModel
        var heads: [Int] = [], ffn: [Int] = []
        for i in 0..<n {
            let fromX = i < x.layers && (i >= y.layers || coin())
            heads.append(fromX ? x.heads[i] : y.heads[i])
            ffn.append((i < x.layers && (i >= y.layers || coin())) ? x.ffn[i] : y.ffn[i])
        }
        return NASArchitecture(dModel: d, heads: heads, ffn: ffn)
    }

    /// Runs the search with a batch objective: `perplexities` receives each generation's architectures that were
    /// not evaluated before (generation 0's, then each generation's new children), each once, in order of first
    /// appearance, and returns their perplexities in the same order, so a caller can measure them in parallel.
    /// Which architectures a generation holds depends only on the seed and on earlier generations' values (the
    /// children are drawn from the parents before any child is measured), so the random draws, the architectures
    /// explored and the result are those of one-at-a-time evaluation. `cost` is called once per distinct
    /// architecture, after its batch's perplexities, in the same order. Either may throw; the error passes through.
    public func run<E: Error>(perplexities: ([NASArchitecture]) throws(E) -> [Double],
                              cost: (NASArchitecture) throws(E) -> Double) throws(E) -> EvolutionResult {
        var g = SeededGenerator(seed: settings.seed)
        var seen: [NASArchitecture: NASCandidate] = [:]
        var order: [NASCandidate] = []
        func evaluate(_ batch: [NASArchitecture]) throws(E) -> [NASCandidate] {
            var fresh: [NASArchitecture] = []
            var pending = Set<NASArchitecture>()
            for a in batch where seen[a] == nil && pending.insert(a).inserted { fresh.append(a) }
            if !fresh.isEmpty {
                let values = try perplexities(fresh)
                precondition(values.count == fresh.count, "\(values.count) perplexities for \(fresh.count) architectures")
                for (a, p) in zip(fresh, values) {
                    let c = NASCandidate(architecture: a, perplexity: p, cost: try cost(a))
                    seen[a] = c
                    order.append(c)
                }
            }
            return batch.map { seen[$0]! }
        }
        // Generation 0: the largest (the baseline), the smallest, and random architectures.
        var initial = [space.largest, space.smallest]
        while initial.count < settings.population {
            initial.append(space.randomArchitecture(using: &g))
        }
        var population = try evaluate(initial)
        var generations = [population]
        for _ in 0..<settings.iterations {
            // Parents: the Pareto front of the population; when it would fill more than half of the next
            // population, an evenly spaced half of it (by perplexity), so every generation has new children.
            var parents = paretoFront(population)
            let keep = max(1, settings.population / 2)
            if parents.count > keep {
                let front = parents
                parents = (0..<keep).map { front[$0 * (front.count - 1) / max(1, keep - 1)] }
            }
            var next = parents.map(\.architecture)
            let crossoverChildren = Int((Double(settings.population - parents.count) * settings.crossoverFraction).rounded())
            var made = 0
            var attempts = 0
            while next.count < settings.population {
                let child: NASArchitecture
                if made < crossoverChildren && parents.count > 1 {
                    let i = g.index(parents.count)
                    var j = g.index(parents.count - 1)
                    if j >= i { j += 1 }
                    child = crossover(parents[i].architecture, parents[j].architecture, using: &g)
                } else {
                    child = mutate(parents[g.index(parents.count)].architecture, using: &g)
                }
                made += 1
                attempts += 1
                // Prefer new architectures; after many repeats (a tiny space), accept duplicates.
                if next.contains(child) && attempts < 50 * settings.population { continue }
                next.append(child)
            }
            population = parents + (try evaluate(Array(next[parents.count...])))
            generations.append(population)
        }
        return EvolutionResult(generations: generations, front: paretoFront(order), evaluations: order.count)
    }

    /// Runs the search with a one-at-a-time objective (the batch form with `perplexity` applied to each
    /// architecture of a batch in order): the same calls, in the same order, as the batch form makes.
    public func run<E: Error>(perplexity: (NASArchitecture) throws(E) -> Double,
                              cost: (NASArchitecture) throws(E) -> Double) throws(E) -> EvolutionResult {
        try run(perplexities: { (batch) throws(E) in try batch.map(perplexity) }, cost: cost)
    }
}
