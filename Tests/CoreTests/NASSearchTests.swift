import Testing
@testable import Core

@Suite("NAS search space and evolutionary search")
struct NASSearchTests {
    @Test("Tab. 8's space, its scaled copies, and Tab. 9's architecture")
    func searchSpace() throws {
        let s = NASSearchSpace.survey
        #expect(s.dModelChoices == [384, 480, 576, 672, 768])
        #expect(s.ffnChoices.count == 19 && s.ffnChoices.first == 768 && s.ffnChoices.last == 3072)
        let tab9 = NASArchitecture(dModel: 672, heads: [12, 6, 12, 8, 10, 6], ffn: [1280, 1280, 2560, 768, 2048, 1024])
        #expect(s.contains(tab9))
        #expect(s.contains(s.largest) && s.largest.heads == Array(repeating: 12, count: 6))
        let quarter = try NASSearchSpace.scaled(widthDivisor: 4)
        #expect(quarter.dModelChoices == [96, 120, 144, 168, 192] && quarter.headDimension == 16)
        #expect(quarter.ffnChoices == Array(stride(from: 192, through: 768, by: 32)))
        #expect(quarter.size == s.size)
        // Σ_N 5·95^N for N = 3...6, by the closed form and by a loop over N.
        let closed = 5.0 * (pow95(3) + pow95(4) + pow95(5) + pow95(6))
        #expect(s.size == closed)
        do {
            _ = try NASSearchSpace.scaled(widthDivisor: 3)
            Issue.record("divisor 3 accepted")
        } catch { #expect(error.field == "widthDivisor") }
        do {
            try s.validate(NASArchitecture(dModel: 672, heads: [12, 5, 12], ffn: [768, 768, 768]))
            Issue.record("5 heads accepted")
        } catch { #expect(error.field == "heads" && error.message.contains("layer 2")) }
    }

    func pow95(_ n: Int) -> Double { (0..<n).reduce(1.0) { r, _ in r * 95 } }

    @Test("the Pareto front equals the brute-force set of non-dominated points")
    func paretoMatchesBruteForce() {
        var g = SeededGenerator(seed: 5)
        let points = (0..<300).map { i in
            NASCandidate(architecture: NASArchitecture(dModel: i, heads: [1], ffn: [1]),
                         perplexity: Double(g.index(50)), cost: Double(g.index(50)))
        }
        let fast = Set(paretoFront(points))
        let slow = Set(points.filter { p in !points.contains { $0.dominates(p) } })
        // Exact duplicates (same perplexity and cost) keep only the first by description; compare objective pairs.
        #expect(Set(fast.map { [$0.perplexity, $0.cost] }) == Set(slow.map { [$0.perplexity, $0.cost] }))
        #expect(!fast.isEmpty)
    }

    /// A small space (2·4 + 2·16 = 40 architectures) and synthetic objectives: a cost that grows with width
    /// and a perplexity that falls with it, with a d-dependent bump so the trade-off is not one curve.
    static let tinySpace = NASSearchSpace(layerChoices: [1, 2], headChoices: [1, 2], dModelChoices: [4, 8],
                                          ffnChoices: [4, 8], headDimension: 2, widthDivisor: 1)
    static func syntheticCost(_ a: NASArchitecture) -> Double {
        zip(a.heads, a.ffn).reduce(0) { $0 + Double(4 * a.dModel * $1.0 * 2 + 2 * a.dModel * $1.1) }
    }
    static func syntheticPerplexity(_ a: NASArchitecture) -> Double {
        20 + 40 / Double(a.heads.reduce(0, +)) + 64 / Double(a.ffn.reduce(0, +)) + (a.dModel == 8 ? 0 : 1.5)
    }

    static func enumerate(_ s: NASSearchSpace) -> [NASArchitecture] {
        var all: [NASArchitecture] = []
        for n in s.layerChoices {
            var layerOptions: [[(Int, Int)]] = [[]]
            for _ in 0..<n {
                layerOptions = layerOptions.flatMap { prefix in
                    s.headChoices.flatMap { h in s.ffnChoices.map { f in prefix + [(h, f)] } }
                }
            }
            for d in s.dModelChoices {
                for option in layerOptions {
                    all.append(NASArchitecture(dModel: d, heads: option.map(\.0), ffn: option.map(\.1)))
                }
            }
        }
        return all
    }

    @Test("on a 40-architecture space the search finds the exhaustive Pareto front")
    func searchFindsExhaustiveFront() throws {
        let all = Self.enumerate(Self.tinySpace)
        #expect(all.count == 40)
        let exhaustive = paretoFront(all.map {
            NASCandidate(architecture: $0, perplexity: Self.syntheticPerplexity($0), cost: Self.syntheticCost($0))
        })
        let search = try EvolutionarySearch(space: Self.tinySpace,
                                            settings: EvolutionSettings(population: 8, iterations: 30,
                                                                        mutationProbability: 0.2, seed: 9))
        let result = search.run(perplexity: Self.syntheticPerplexity, cost: Self.syntheticCost)
        #expect(result.front.map { [$0.perplexity, $0.cost] } == exhaustive.map { [$0.perplexity, $0.cost] })
        #expect(result.generations.count == 31 && result.generations.allSatisfy { $0.count == 8 })
        #expect(result.evaluations <= 40)
    }

    @Test("the survey's settings on the scaled Tab. 8 space: deterministic for a seed, improving on the start")
    func searchIsDeterministic() throws {
        let space = try NASSearchSpace.scaled(widthDivisor: 4)
        var settings = EvolutionSettings.survey
        #expect(settings.population == 40 && settings.iterations == 40 && settings.mutationProbability == 0.2)
        settings.iterations = 10
        let search = try EvolutionarySearch(space: space, settings: settings)
        let a = search.run(perplexity: Self.syntheticPerplexity, cost: Self.syntheticCost)
        let b = search.run(perplexity: Self.syntheticPerplexity, cost: Self.syntheticCost)
        #expect(a.front == b.front && a.generations == b.generations)
        settings.seed = 2
        let c = try EvolutionarySearch(space: space, settings: settings)
            .run(perplexity: Self.syntheticPerplexity, cost: Self.syntheticCost)
        #expect(c.generations != a.generations)
        #expect(a.front.allSatisfy { space.contains($0.architecture) })
        // Every point of the start's front is matched or dominated by the final front.
        let start = paretoFront(a.generations[0])
        #expect(start.allSatisfy { s in a.front.contains { $0 == s || $0.dominates(s) } })
        #expect(start.contains { s in a.front.contains { $0.dominates(s) } })
    }

    /// The search as it was written before it measured a generation's new architectures as one batch: one
    /// architecture at a time, in the loop's order (kept here as the reference for the random draws).
    static func oneAtATime(_ search: EvolutionarySearch, perplexity: (NASArchitecture) -> Double,
                           cost: (NASArchitecture) -> Double) -> (generations: [[NASCandidate]], order: [NASCandidate]) {
        let space = search.space, settings = search.settings
        var g = SeededGenerator(seed: settings.seed)
        var seen: [NASArchitecture: NASCandidate] = [:]
        var order: [NASCandidate] = []
        func evaluate(_ a: NASArchitecture) -> NASCandidate {
            if let known = seen[a] { return known }
            let c = NASCandidate(architecture: a, perplexity: perplexity(a), cost: cost(a))
            seen[a] = c
            order.append(c)
            return c
        }
        var population = [evaluate(space.largest), evaluate(space.smallest)]
        while population.count < settings.population { population.append(evaluate(space.randomArchitecture(using: &g))) }
        var generations = [population]
        for _ in 0..<settings.iterations {
            var parents = paretoFront(population)
            let keep = max(1, settings.population / 2)
            if parents.count > keep {
                let front = parents
                parents = (0..<keep).map { front[$0 * (front.count - 1) / max(1, keep - 1)] }
            }
            var next = parents
            let crossoverChildren = Int((Double(settings.population - parents.count) * settings.crossoverFraction).rounded())
            var made = 0, attempts = 0
            while next.count < settings.population {
                let child: NASArchitecture
                if made < crossoverChildren && parents.count > 1 {
                    let i = g.index(parents.count)
                    var j = g.index(parents.count - 1)
                    if j >= i { j += 1 }
                    child = search.crossover(parents[i].architecture, parents[j].architecture, using: &g)
                } else {
                    child = search.mutate(parents[g.index(parents.count)].architecture, using: &g)
                }
                made += 1
                attempts += 1
                if next.contains(where: { $0.architecture == child }) && attempts < 50 * settings.population { continue }
                next.append(evaluate(child))
            }
            population = next
            generations.append(population)
        }
        return (generations, order)
    }

    @Test("measuring each generation's new architectures as one batch explores what one-at-a-time measurement explores")
    func batchesMatchOneAtATime() throws {
        for (space, settings) in [(try NASSearchSpace.scaled(widthDivisor: 4), EvolutionSettings(population: 40, iterations: 12, mutationProbability: 0.2, seed: 3)),
                                  (Self.tinySpace, EvolutionSettings(population: 8, iterations: 20, mutationProbability: 0.2, seed: 9))] {
            let search = try EvolutionarySearch(space: space, settings: settings)
            let reference = Self.oneAtATime(search, perplexity: Self.syntheticPerplexity, cost: Self.syntheticCost)
            var batches: [[NASArchitecture]] = []
            let result = search.run(perplexities: { batch in
                batches.append(batch)
                return batch.map(Self.syntheticPerplexity)
            }, cost: Self.syntheticCost)
            #expect(result.generations == reference.generations)
            #expect(result.front == paretoFront(reference.order) && result.evaluations == reference.order.count)
            // Every architecture is measured once, in the reference's order, one batch per generation at most.
            #expect(batches.flatMap { $0 } == reference.order.map(\.architecture))
            #expect(batches.count <= settings.iterations + 1 && batches[0].count <= settings.population)
        }
    }

    @Test("mutation with probability 0 copies the parent; crossover takes every gene from a parent")
    func operators() throws {
        let space = try NASSearchSpace.scaled(widthDivisor: 4)
        var g = SeededGenerator(seed: 4)
        let x = space.randomArchitecture(using: &g), y = space.randomArchitecture(using: &g)
        let frozen = try EvolutionarySearch(space: space, settings: EvolutionSettings(population: 4, iterations: 1,
                                                                                        mutationProbability: 0, seed: 1))
        #expect(frozen.mutate(x, using: &g) == x)
        for _ in 0..<50 {
            let child = frozen.crossover(x, y, using: &g)
            #expect(space.contains(child))
            #expect(child.dModel == x.dModel || child.dModel == y.dModel)
            for i in 0..<child.layers {
                #expect((i < x.layers && child.heads[i] == x.heads[i]) || (i < y.layers && child.heads[i] == y.heads[i]))
            }
        }
    }

    @Test("bad search settings are configuration errors naming the flag")
    func badSettings() {
        for (settings, field) in [(EvolutionSettings(population: 1, iterations: 4, mutationProbability: 0.2, seed: 1), "population"),
                                  (EvolutionSettings(population: 40, iterations: -1, mutationProbability: 0.2, seed: 1), "iterations"),
                                  (EvolutionSettings(population: 40, iterations: 4, mutationProbability: 1.5, seed: 1), "mutationProbability")] {
            do {
                _ = try EvolutionarySearch(space: .survey, settings: settings)
                Issue.record("\(field) accepted")
            } catch { #expect(error.field == field) }
        }
    }
}
