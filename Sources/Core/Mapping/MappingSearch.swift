#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A guided mapper (survey Tab. 6's feedback-based family): simulated annealing over the mapspace, minimising EDP.
///
/// A move redraws one dimension's factorisation (uniformly, or a neighbouring one in the list) or swaps two loops
/// at one temporal level; a move to an invalid mapping is rejected. Moves that raise log(EDP) by Δ are accepted
/// with probability exp(−Δ / T), and T falls geometrically from `startTemperature` to `endTemperature`. Several
/// restarts from random valid mappings; the best mapping seen is returned. Tests check it finds the exhaustive
/// optimum on small problems.
///
/// ```swift
/// var rng = SeededGenerator(seed: 7)
/// let best = MappingSearch.anneal(space, steps: 20_000, restarts: 4, using: &rng)
/// best?.cost.edp
/// ```
public enum MappingSearch {
    public struct Result: Sendable {
        public var mapping: Mapping
        public var cost: MappingCost
        /// Mappings evaluated.
        public var evaluations: Int
    }

    public static func anneal(_ space: Mapspace, steps: Int, restarts: Int = 4,
                                                        startTemperature: Double = 2, endTemperature: Double = 0.01,
                                                        using rng: inout SeededGenerator) -> Result? {
        let model = space.model
        var best: Result? = nil
        var evaluations = 0
        let counts = space.tilingChoices
        for _ in 0..<max(1, restarts) {
            // A random valid start.
            var current = Mapping.trivial, cost = MappingCost()
            space.mapping(at: Mapspace.Index(factorisation: [Int](repeating: 0, count: 7), permutation: [0, 0, 0, 0]), into: &current)
            var index = [Int](repeating: 0, count: 7)
            var found = false
            for _ in 0..<100_000 {
                for d in 0..<7 { index[d] = Mapspace.below(counts[d], &rng) }
                current.factors.withUnsafeMutableBufferPointer { f in
                    for d in 0..<7 { space.apply(d, index[d], to: f.baseAddress!) }
                }
                evaluations += 1
                if model.costIfFits(current, into: &cost) { found = true; break }
            }
            guard found else { continue }
            var currentLog = log(cost.edp)
            if best == nil || cost.edp < best!.cost.edp { best = Result(mapping: current, cost: cost, evaluations: 0) }
            var candidate = current, candidateCost = MappingCost()
            let cooling = steps > 1 ? pow(endTemperature / startTemperature, 1 / Double(steps - 1)) : 1
            var temperature = startTemperature
            for _ in 0..<steps {
                candidate.factors = current.factors
                candidate.orders = current.orders
                var candidateIndex = index
                let move = space.freeOrderLevels.isEmpty ? Mapspace.below(2, &rng) : Mapspace.below(3, &rng)
                if move < 2 {
                    let d = space.nontrivial.isEmpty ? 0 : space.nontrivial[Mapspace.below(space.nontrivial.count, &rng)].rawValue
                    if move == 0 || counts[d] < 3 {
                        candidateIndex[d] = Mapspace.below(counts[d], &rng)
                    } else {
                        candidateIndex[d] = (index[d] + (Mapspace.below(2, &rng) == 0 ? 1 : counts[d] - 1)) % counts[d]
                    }
                    candidate.factors.withUnsafeMutableBufferPointer { f in space.apply(d, candidateIndex[d], to: f.baseAddress!) }
                } else {
                    let level = space.freeOrderLevels[Mapspace.below(space.freeOrderLevels.count, &rng)]
                    let i = Mapspace.below(7, &rng), j = Mapspace.below(7, &rng)
                    candidate.orders.swapAt(level * 7 + i, level * 7 + j)
                }
                evaluations += 1
                temperature *= cooling
                guard model.costIfFits(candidate, into: &candidateCost) else { continue }
                let candidateLog = log(candidateCost.edp)
                let delta = candidateLog - currentLog
                if delta <= 0 || Double(rng.next() >> 11) * 0x1p-53 < exp(-delta / temperature) {
                    swap(&current, &candidate)
                    index = candidateIndex
                    currentLog = candidateLog
                    if candidateCost.edp < best!.cost.edp { best = Result(mapping: current, cost: candidateCost, evaluations: 0) }
                }
            }
        }
        best?.evaluations = evaluations
        return best
    }
}
