/// The second derivation of ``MappingCostModel``'s access counts: walk the mapped loop nest step by step on a
/// small problem, keep the tile each storage level holds, and count what moves when it changes. Footprints are
/// counted element by element (sets of coordinates), not by formula; a refill fetches only the elements the level's
/// previous tile did not hold (sliding-window halo reuse, Timeloop's delta between consecutive tiles); partial sums
/// are read back from a parent only when some earlier step touched them. Tests check that both derivations agree
/// exactly.
///
/// ```swift
/// let walked = try MappingLoopNest.counts(problem, mapping, architecture: arch)   // (reads, writes)
/// ```
public enum MappingLoopNest {
    /// Refuses nests with more than this many steps × spatial instances (it is a checker, not a model).
    public static let maximumWork = 2_000_000

    public static func counts(_ p: MappingProblem, _ m: Mapping, architecture arch: MappingArchitecture)
        throws(MappingInfeasibility) -> (reads: LevelTensorCounts, writes: LevelTensorCounts) {
        if let reason = p.infeasibility(of: m, on: arch) { throw reason }
        precondition(m.temporalSteps * m.spatialInstances <= maximumWork, "loop nest too large to walk")
        // The temporal loops, outermost first, as (slot, dimension, factor).
        var loops: [(slot: Mapping.Slot, d: Int, factor: Int)] = []
        for slot in Mapping.Slot.temporal {
            for d in m.order(slot) where m.factor(slot, d) > 1 { loops.append((slot, d.rawValue, m.factor(slot, d))) }
        }
        // Multiplier of a slot's index in a dimension's full index: product of the factors of the inner slots.
        func weight(_ slot: Mapping.Slot, _ d: Int) -> Int {
            Mapping.Slot.allCases.filter { $0.rawValue > slot.rawValue }.reduce(1) { $0 * m.factors[$1.rawValue * 7 + d] }
        }
        // Boundaries: below DRAM's loops (L2), below L2's (local), below local's (registers / the array).
        let boundaries: [Mapping.Slot] = [.dram, .l2, .local]
        // The slots inside each boundary, whose loops a tile spans.
        func inner(_ b: Mapping.Slot) -> [Mapping.Slot] { Mapping.Slot.allCases.filter { $0.rawValue > b.rawValue } }
        let stationary = arch.stationaryTensor
        var reads = LevelTensorCounts(), writes = LevelTensorCounts()

        // Coordinates a tensor's element has, from full dimension indices.
        func coordinate(_ t: MappedTensor, _ i: [Int]) -> [Int] {
            switch t {
            case .inputs: return [i[0], i[2], i[3] * p.stride + i[5], i[4] * p.stride + i[6]]
            case .weights: return [i[1], i[2], i[5], i[6]]
            case .outputs: return [i[0], i[1], i[3], i[4]]
            }
        }
        // Every element a set of slots spans, with the other slots' indices fixed by `base` (full indices).
        func elements(_ t: MappedTensor, base: [Int], spanning slots: [Mapping.Slot]) -> Set<[Int]> {
            var ranges: [(d: Int, count: Int, weight: Int)] = []
            for slot in slots { for d in 0..<7 where m.factors[slot.rawValue * 7 + d] > 1 {
                ranges.append((d, m.factors[slot.rawValue * 7 + d], weight(slot, d)))
            } }
            var out = Set<[Int]>()
            var counter = [Int](repeating: 0, count: ranges.count)
            while true {
                var idx = base
                for (k, r) in ranges.enumerated() { idx[r.d] += counter[k] * r.weight }
                out.insert(coordinate(t, idx))
                var k = 0
                while k < ranges.count {
                    counter[k] += 1
                    if counter[k] < ranges[k].count { break }
                    counter[k] = 0
                    k += 1
                }
                if k == ranges.count { break }
            }
            return out
        }

        // State per boundary and tensor: the tile id (indices of the relevant loops above) and the touched set.
        var lastID = [[[Int]?]](repeating: [nil, nil, nil], count: 4)
        var touched = [Set<[Int]>](repeating: [], count: 4)
        var held = [[Set<[Int]>]](repeating: [[], [], []], count: 4)   // [boundary][tensor]: the tile the level holds
        var fills = [[Double]](repeating: [0, 0, 0], count: 4)   // [boundary][tensor]
        var firstTouches = [Double](repeating: 0, count: 4)       // outputs, per boundary
        var streamed: [Double] = [0, 0, 0]
        var updates = 0.0, arrayFirstTouches = 0.0, drainReads = 0.0
        // A TPU-like PE's partial-sum register: its word changes when any output loop (at any temporal slot) moves.
        let outputLoops = loops.indices.filter { LoopDimension(rawValue: loops[$0].d)!.isRelevant(to: .outputs) }
        let outputRegister = arch.outputRegister && stationary == .weights
        var lastOutputWord: [Int]? = nil
        var touchedByArray = Set<[Int]>()
        var counter = [Int](repeating: 0, count: loops.count)
        while true {
            // Full indices of this step at each slot; inner slots at 0.
            var base = [Int](repeating: 0, count: 7)
            for (k, loop) in loops.enumerated() { base[loop.d] += counter[k] * weight(loop.slot, loop.d) }
            for (bi, b) in (boundaries + [.registers]).enumerated() {
                // Loops above boundary: those at slots ≤ b (for registers: every temporal loop above the register slot).
                for t in MappedTensor.allCases {
                    if b == .registers && t != stationary { continue }
                    let above = loops.indices.filter { k in
                        let s = loops[k].slot
                        let isAbove = b == .registers ? s != .registers : s.rawValue <= b.rawValue
                        return isAbove && LoopDimension(rawValue: loops[k].d)!.isRelevant(to: t)
                    }
                    let id = above.map { counter[$0] }
                    if lastID[bi][t.rawValue] != id {
                        lastID[bi][t.rawValue] = id
                        let span: [Mapping.Slot] = b == .registers ? [.registers, .rows, .columns] : inner(b)
                        let tile = elements(t, base: base, spanning: span)
                        if b == .registers {
                            fills[bi][t.rawValue] += Double(elements(t, base: base, spanning: [.rows, .columns]).count
                                                            * elements(t, base: base, spanning: [.registers]).count)
                        } else {
                            fills[bi][t.rawValue] += Double(tile.subtracting(held[bi][t.rawValue]).count)
                            held[bi][t.rawValue] = tile
                        }
                        if t == .outputs {
                            let fresh = tile.subtracting(touched[bi])
                            firstTouches[bi] += Double(fresh.count)
                            touched[bi].formUnion(fresh)
                        }
                    }
                }
            }
            // The array at this step reads the streamed tiles and (WS) sends a tile of partial sums on.
            for t in MappedTensor.allCases where t != stationary {
                let tile = elements(t, base: base, spanning: [.rows, .columns])
                if t == .outputs && outputRegister {
                    // The registers hold new words: the old ones were drained (one read per PE, one update per element).
                    let word = outputLoops.map { counter[$0] }
                    guard word != lastOutputWord else { continue }
                    lastOutputWord = word
                    updates += Double(tile.count)
                    drainReads += Double(m.spatialInstances)
                    let fresh = tile.subtracting(touchedByArray)
                    arrayFirstTouches += Double(fresh.count)
                    touchedByArray.formUnion(fresh)
                } else if t == .outputs {
                    updates += Double(tile.count)
                    let fresh = tile.subtracting(touchedByArray)
                    arrayFirstTouches += Double(fresh.count)
                    touchedByArray.formUnion(fresh)
                } else {
                    streamed[t.rawValue] += Double(tile.count)
                }
            }
            var k = loops.count - 1
            while k >= 0 {
                counter[k] += 1
                if counter[k] < loops[k].factor { break }
                counter[k] = 0
                k -= 1
            }
            if k < 0 { break }
        }
        let fillL2 = fills[0], fillLocal = fills[1], fillReg = fills[3][stationary.rawValue]
        let macs = Double(p.macs)
        let ws = stationary == .weights
        if !ws { updates = fillReg }
        // Partial sums read back from a parent = fills that were not first touches.
        let readBackL2 = fillL2[2] - firstTouches[0], readBackLocal = fillLocal[2] - firstTouches[1]
        let readBackAcc = updates - (ws ? arrayFirstTouches : firstTouches[3])
        reads.dram = TensorCounts(inputs: fillL2[0], weights: fillL2[1], outputs: readBackL2)
        writes.dram = TensorCounts(outputs: fillL2[2])
        reads.l2 = TensorCounts(inputs: fillLocal[0], weights: fillLocal[1], outputs: readBackLocal + fillL2[2])
        writes.l2 = TensorCounts(inputs: fillL2[0], weights: fillL2[1], outputs: readBackL2 + fillLocal[2])
        reads.scratchpad = TensorCounts(inputs: streamed[0], weights: ws ? fillReg : streamed[1])
        writes.scratchpad = TensorCounts(inputs: fillLocal[0], weights: fillLocal[1])
        reads.accumulator = TensorCounts(outputs: readBackAcc + fillLocal[2])
        writes.accumulator = TensorCounts(outputs: readBackLocal + updates)
        reads.registers = TensorCounts(inputs: macs, weights: macs, outputs: macs + drainReads)
        writes.registers = TensorCounts(weights: ws ? fillReg : 0, outputs: macs + (ws ? 0 : fillReg))
        return (reads, writes)
    }
}
