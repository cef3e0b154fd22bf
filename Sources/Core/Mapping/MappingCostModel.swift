/// The closed-form cost of a mapping (survey §5.4's analytical models, in the style of Timeloop's): access counts
/// per level and tensor from tile sizes and loop reuse, then cycles, energy and EDP.
///
/// Rules, all in elements:
/// - a storage level's tile of a tensor is what the loops below the level touch (``MappingFootprint``);
/// - the tile is refilled each time a loop above it changes the tensor's indices. Walking outwards from the
///   level, loops of factor 1 are skipped and loops over dimensions the tensor does not depend on are free
///   (the tile stays) until the first loop that matters; from there every loop multiplies:
///   fills = tile × Π(factors from the innermost relevant loop outwards);
/// - sliding windows (halo reuse, as Timeloop fetches only the delta between consecutive tiles): when a
///   convolution's filter has R or S above 1, consecutive input tiles can overlap, and a refill fetches only the
///   elements the previous tile did not hold. Each step of the loops above a level moves the tile by a fixed
///   displacement (one loop advances, the loops inside it wrap); the elements fetched are |tile| − |tile ∩ moved
///   tile|, summed over the steps of each kind (``haloFills(_:_:fromSlot:tile:stride:)``);
/// - the stationary tensor's register word is filled the same way, once per distinct word the array holds
///   (PEs that share a word are fed by one read: multicast);
/// - the streamed tensors have no register copy: each array step reads its spatial tile from the scratchpad
///   (inputs multicast along a row) and, in WS, sends its spatial tile of partial sums, already reduced down the
///   columns, to the accumulator;
/// - a TPU-like PE (``MappingArchitecture/outputRegister``) keeps its partial sum in a register instead: the register
///   is drained (read once per PE, reduced down the columns, one update per output element of the spatial tile)
///   each time the output word changes, counted like a refill from the register slot outwards
///   (``registerReloads(_:_:mask:)``: C, R and S loops inside the first output loop are free); its register file
///   holds the weight tile of the register loops (at most ``MappingArchitecture/weightRegisterWords``);
/// - partial sums: each fill from a parent is read from it except the first visit of each output element
///   (nothing to read yet), and every fill is written back;
/// - every MAC reads one register word per operand and writes one partial sum;
/// - finished outputs leave the accumulator at ``MappingProblem/outputBits`` (Gemmini scales them on `mvout`): of
///   the outputs written to L2, read from L2 for DRAM and written to DRAM, one per output element is final and is
///   priced and moved at that width, the rest (spilled partial sums) at the partial sums' width;
/// - cycles = max(array steps, bytes over each port / its bandwidth); energy = Σ accesses × pJ per element
///   access (``MappingEnergyTable``: per word, by the operand's width) + MACs × pJ/MAC; EDP = energy × cycles.
///
/// ``MappingLoopNest`` derives the same counts by walking the loop nest; tests check they agree exactly.
///
/// ```swift
/// let model = try MappingCostModel(.gemm(name: "W1", m: 128, n: 3072, k: 768), architecture: MappingArchitecture(accelerator: .gemminiBaseline))
/// let cost = try model.evaluate(mapping)      // throws MappingInfeasibility
/// cost.cycles, cost.energyPicojoules, cost.edp
/// ```
public struct MappingCostModel: Sendable {
    public let problem: MappingProblem
    public let architecture: MappingArchitecture
    let stride: Int
    let bytes: (Double, Double, Double)
    /// pJ per element read and written, `[level · 3 + tensor]` (``MappingArchitecture/Level`` × ``MappedTensor``).
    let readPicojoules: [Double], writePicojoules: [Double]
    /// Whether input tiles can overlap (a filter wider than one tap): the halo rule applies.
    let slidingWindow: Bool
    /// What one final output saves against a partial sum: bytes, and pJ at the L2 write, L2 read and DRAM write.
    let finalByteSaving: Double
    let finalPicojouleSaving: (l2Write: Double, l2Read: Double, dramWrite: Double)
    let bandwidth: (Double, Double, Double, Double)
    let outputElements: Double
    let macs: Double
    let macPicojoules: Double
    let weightStationary: Bool
    /// The PE's weight register file (words) and whether it has a partial-sum register (``MappingArchitecture``).
    let weightRegisterWords: Int, outputRegister: Bool

    public init(_ problem: MappingProblem, architecture: MappingArchitecture) throws(ConfigurationError) {
        try problem.validate()
        self.problem = problem
        self.architecture = architecture
        stride = problem.stride
        bytes = (Double(problem.bytesPerElement(.inputs)), Double(problem.bytesPerElement(.weights)),
                 Double(problem.bytesPerElement(.outputs)))
        let a = architecture
        readPicojoules = MappingArchitecture.Level.allCases.flatMap { level in
            MappedTensor.allCases.map { a.picojoulesPerElement(level, $0, write: false, problem: problem) }
        }
        writePicojoules = MappingArchitecture.Level.allCases.flatMap { level in
            MappedTensor.allCases.map { a.picojoulesPerElement(level, $0, write: true, problem: problem) }
        }
        slidingWindow = problem.size(.r) > 1 || problem.size(.s) > 1
        finalByteSaving = Double(problem.bytesPerElement(.outputs) - max(1, problem.outputBits / 8))
        func saving(_ level: MappingArchitecture.Level, write: Bool) -> Double {
            a.energy.picojoules(level, .outputs, elementBits: problem.partialSumBits, write: write)
                - a.energy.picojoules(level, .outputs, elementBits: problem.outputBits, write: write)
        }
        finalPicojouleSaving = (saving(.l2, write: true), saving(.l2, write: false), saving(.dram, write: true))
        bandwidth = (a.bytesPerCycle[0], a.bytesPerCycle[1], a.bytesPerCycle[2], a.bytesPerCycle[3])
        outputElements = Double(problem.elements(.outputs))
        macs = Double(problem.macs)
        macPicojoules = a.energy.macPicojoules
        weightStationary = a.dataflow == .weightStationary
        weightRegisterWords = a.weightRegisterWords
        outputRegister = a.outputRegister && weightStationary
    }

    /// The cost of `m`, or why it cannot run.
    public func evaluate(_ m: Mapping) throws(MappingInfeasibility) -> MappingCost {
        if let reason = problem.infeasibility(of: m, on: architecture) { throw reason }
        var cost = MappingCost()
        _ = costIfFits(m, into: &cost)
        return cost
    }

    /// The hot path of search and sampling: fills `cost` and returns true when the spatial products and the
    /// tiles fit; returns false otherwise. It assumes what the mapspace guarantees by construction (factors
    /// multiply to the sizes, spatial and register loops only over allowed dimensions, orders are
    /// permutations); ``evaluate(_:)`` checks everything. No allocation.
    @inline(__always)
    public func costIfFits(_ m: Mapping, into cost: inout MappingCost) -> Bool {
        m.factors.withUnsafeBufferPointer { f in
            m.orders.withUnsafeBufferPointer { o in
                costIfFits(factors: f.baseAddress!, orders: o.baseAddress!, into: &cost)
            }
        }
    }

    /// ``costIfFits(_:into:)`` on raw storage: `factors` has 42 entries, `orders` 28.
    public func costIfFits(factors f: UnsafePointer<Int>, orders o: UnsafePointer<UInt8>, into cost: inout MappingCost) -> Bool {
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 28) { buffer -> Bool in
            let ext = buffer.baseAddress!
            let spatialExt = ext, registerExt = ext + 7, localExt = ext + 14, l2Ext = ext + 21
            var rowsProduct = 1, columnsProduct = 1, steps = 1
            for d in 0..<7 {
                let rows = f[21 + d], columns = f[28 + d], reg = f[35 + d]
                rowsProduct &*= rows
                columnsProduct &*= columns
                spatialExt[d] = rows &* columns
                registerExt[d] = reg
                localExt[d] = f[14 + d] &* spatialExt[d] &* reg
                l2Ext[d] = f[7 + d] &* localExt[d]
                steps &*= f[d] &* f[7 + d] &* f[14 + d] &* reg
            }
            guard rowsProduct <= architecture.meshRows, columnsProduct <= architecture.meshColumns else { return false }
            guard weightRegisterWords == 1 || MappingFootprint.elements(.weights, extents: registerExt, stride: stride) <= weightRegisterWords
            else { return false }
            let s = stride
            let localI = MappingFootprint.elements(.inputs, extents: localExt, stride: s)
            let localW = MappingFootprint.elements(.weights, extents: localExt, stride: s)
            let localO = MappingFootprint.elements(.outputs, extents: localExt, stride: s)
            guard Double(localI) * bytes.0 + Double(localW) * bytes.1 <= Double(architecture.scratchpadBytes),
                  Double(localO) * bytes.2 <= Double(architecture.accumulatorBytes) else { return false }
            let l2I = MappingFootprint.elements(.inputs, extents: l2Ext, stride: s)
            let l2W = MappingFootprint.elements(.weights, extents: l2Ext, stride: s)
            let l2O = MappingFootprint.elements(.outputs, extents: l2Ext, stride: s)
            guard Double(l2I) * bytes.0 + Double(l2W) * bytes.1 + Double(l2O) * bytes.2 <= Double(architecture.l2Bytes) else { return false }
            let spatialI = Double(MappingFootprint.elements(.inputs, extents: spatialExt, stride: s))
            let spatialW = Double(MappingFootprint.elements(.weights, extents: spatialExt, stride: s))
            let spatialO = Double(MappingFootprint.elements(.outputs, extents: spatialExt, stride: s))

            // Fills from the parent: tile × reloads over the loops above (slots listed innermost first).
            let maskI = MappedTensor.inputs.relevanceMask, maskW = MappedTensor.weights.relevanceMask,
                maskO = MappedTensor.outputs.relevanceMask
            let fillL2I = slidingWindow ? Self.haloFills(f, o, fromSlot: 0, tile: l2Ext, stride: s)
                : Double(l2I) * Self.reloads(f, o, mask: maskI, fromSlot: 0)
            let fillL2W = Double(l2W) * Self.reloads(f, o, mask: maskW, fromSlot: 0)
            let fillL2O = Double(l2O) * Self.reloads(f, o, mask: maskO, fromSlot: 0)
            let fillLocalI = slidingWindow ? Self.haloFills(f, o, fromSlot: 1, tile: localExt, stride: s)
                : Double(localI) * Self.reloads(f, o, mask: maskI, fromSlot: 1)
            let fillLocalW = Double(localW) * Self.reloads(f, o, mask: maskW, fromSlot: 1)
            let fillLocalO = Double(localO) * Self.reloads(f, o, mask: maskO, fromSlot: 1)
            let stepsD = Double(steps), outs = outputElements
            // Register words of the stationary tensor: one per distinct word on the array, refilled per reload.
            let stationaryWords = weightStationary ? spatialW : spatialO
            let fillRegisters = stationaryWords * Double(MappingFootprint.elements(weightStationary ? .weights : .outputs,
                                                                                     extents: registerExt, stride: s))
                * Self.reloads(f, o, mask: weightStationary ? maskW : maskO, fromSlot: 2)
            let streamedI = stepsD * spatialI
            let streamedW = weightStationary ? 0 : stepsD * spatialW
            // Partial-sum updates arriving at the accumulator: every step's reduced spatial tile (WS), the PEs'
            // partial-sum registers drained when the output word changes (WS with an output register), or the
            // register words drained (OS).
            let drains = outputRegister ? Self.registerReloads(f, o, mask: maskO) : 0
            let updates = outputRegister ? spatialO * drains : weightStationary ? stepsD * spatialO : fillRegisters
            let drainReads = outputRegister ? Double(rowsProduct * columnsProduct) * drains : 0

            var r = LevelTensorCounts(), w = LevelTensorCounts()
            r.dram = TensorCounts(inputs: fillL2I, weights: fillL2W, outputs: fillL2O - outs)
            w.dram = TensorCounts(inputs: 0, weights: 0, outputs: fillL2O)
            r.l2 = TensorCounts(inputs: fillLocalI, weights: fillLocalW, outputs: (fillLocalO - outs) + fillL2O)
            w.l2 = TensorCounts(inputs: fillL2I, weights: fillL2W, outputs: (fillL2O - outs) + fillLocalO)
            r.scratchpad = TensorCounts(inputs: streamedI, weights: weightStationary ? fillRegisters : streamedW, outputs: 0)
            w.scratchpad = TensorCounts(inputs: fillLocalI, weights: fillLocalW, outputs: 0)
            r.accumulator = TensorCounts(inputs: 0, weights: 0, outputs: (updates - outs) + fillLocalO)
            w.accumulator = TensorCounts(inputs: 0, weights: 0, outputs: (fillLocalO - outs) + updates)
            r.registers = TensorCounts(inputs: macs, weights: macs, outputs: macs + drainReads)
            w.registers = TensorCounts(inputs: 0, weights: weightStationary ? fillRegisters : 0,
                                       outputs: macs + (weightStationary ? 0 : fillRegisters))

            func levelBytes(_ level: TensorCounts, _ other: TensorCounts) -> Double {
                (level.inputs + other.inputs) * bytes.0 + (level.weights + other.weights) * bytes.1
                    + (level.outputs + other.outputs) * bytes.2
            }
            func levelPicojoules(_ read: TensorCounts, _ written: TensorCounts, _ level: Int) -> Double {
                let i = level * 3
                return read.inputs * readPicojoules[i] + read.weights * readPicojoules[i + 1] + read.outputs * readPicojoules[i + 2]
                    + written.inputs * writePicojoules[i] + written.weights * writePicojoules[i + 1]
                    + written.outputs * writePicojoules[i + 2]
            }
            let dramBytes = levelBytes(r.dram, w.dram) - outs * finalByteSaving
            let spBytes = levelBytes(r.scratchpad, w.scratchpad), accBytes = levelBytes(r.accumulator, w.accumulator)
            // The L2 ↔ local port carries what the scratchpad and accumulator exchange with L2.
            let l2PortBytes = (fillLocalI * bytes.0 + fillLocalW * bytes.1) + ((fillLocalO - outs) + fillLocalO) * bytes.2
                - outs * finalByteSaving
            cost.macs = macs
            cost.computeCycles = stepsD
            cost.dramCycles = dramBytes / bandwidth.0
            cost.l2Cycles = l2PortBytes / bandwidth.1
            cost.scratchpadCycles = spBytes / bandwidth.2
            cost.accumulatorCycles = accBytes / bandwidth.3
            cost.cycles = max(max(stepsD, cost.dramCycles), max(max(cost.l2Cycles, cost.scratchpadCycles), cost.accumulatorCycles))
            cost.reads = r
            cost.writes = w
            cost.dramPicojoules = levelPicojoules(r.dram, w.dram, 0) - outs * finalPicojouleSaving.dramWrite
            cost.l2Picojoules = levelPicojoules(r.l2, w.l2, 1) - outs * (finalPicojouleSaving.l2Write + finalPicojouleSaving.l2Read)
            cost.scratchpadPicojoules = levelPicojoules(r.scratchpad, w.scratchpad, 2)
            cost.accumulatorPicojoules = levelPicojoules(r.accumulator, w.accumulator, 3)
            cost.registerPicojoules = levelPicojoules(r.registers, w.registers, 4)
            cost.macPicojoules = macs * macPicojoules
            cost.energyPicojoules = cost.dramPicojoules + cost.l2Picojoules + cost.scratchpadPicojoules
                + cost.accumulatorPicojoules + cost.registerPicojoules + cost.macPicojoules
            return true
        }
    }

    /// Input elements fetched into the tile below temporal slot `fromSlot` (0 = DRAM, 1 = L2) when consecutive tiles
    /// may overlap. The loops above the level, innermost first, are L₀ … L_{m−1} with factors fⱼ and index weights
    /// wⱼ (the product of the dimension's factors below the loop's slot). Advancing Lⱼ while L₀ … Lⱼ₋₁ wrap moves
    /// the tile by Δ = wⱼ·e(dⱼ) − Σᵢ₍ᵢ<ⱼ₎ (fᵢ − 1)·wᵢ·e(dᵢ); it happens (fⱼ − 1)·Π₍ₖ>ⱼ₎ fₖ times and fetches
    /// |tile| − |tile ∩ (tile + Δ)| elements. Input rows are {p·stride + r}, so a move of Δp outputs and Δr taps
    /// shifts them by Δp·stride + Δr (``windowOverlap(outputs:taps:stride:shift:)``).
    ///
    /// Worked example (a 1-D convolution, P = 4, R = 3, stride 1, the L2 tile P = 2, R = 3, one DRAM loop over
    /// P with factor 2): the tile holds 4 rows; the move Δp = 2 shifts them by 2, so 2 of the 4 are new: 4 + 2 = 6
    /// rows fetched, the whole input once, where the rule without halo fetches 8.
    static func haloFills(_ f: UnsafePointer<Int>, _ o: UnsafePointer<UInt8>, fromSlot: Int, tile e: UnsafePointer<Int>,
                          stride: Int) -> Double {
        // The loops above the level, innermost first: dimension, factor, weight. At most 2 levels × 7 loops.
        var dims = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), factors = dims, weights = dims
        var count = 0
        withUnsafeMutableBytes(of: &dims) { dimBytes in
            withUnsafeMutableBytes(of: &factors) { factorBytes in
                withUnsafeMutableBytes(of: &weights) { weightBytes in
                    let dl = dimBytes.bindMemory(to: Int.self), fl = factorBytes.bindMemory(to: Int.self)
                    let wl = weightBytes.bindMemory(to: Int.self)
                    var slot = fromSlot
                    while slot >= 0 {
                        var position = 6
                        while position >= 0 {
                            let d = Int(o[slot * 7 + position])
                            let factor = f[slot * 7 + d]
                            if factor > 1 {
                                var weight = 1
                                var inner = slot + 1
                                while inner < Mapping.Slot.count { weight &*= f[inner * 7 + d]; inner += 1 }
                                dl[count] = d; fl[count] = factor; wl[count] = weight
                                count += 1
                            }
                            position -= 1
                        }
                        slot -= 1
                    }
                }
            }
        }
        let tileRows = MappingFootprint.windowRows(e[3], e[5], stride: stride)
        let tileColumns = MappingFootprint.windowRows(e[4], e[6], stride: stride)
        let tile = Double(e[0] * e[2] * tileRows * tileColumns)
        var fills = tile
        withUnsafeBytes(of: dims) { dimBytes in
            withUnsafeBytes(of: factors) { factorBytes in
                withUnsafeBytes(of: weights) { weightBytes in
                    let dl = dimBytes.bindMemory(to: Int.self), fl = factorBytes.bindMemory(to: Int.self)
                    let wl = weightBytes.bindMemory(to: Int.self)
                    var outer = 1.0
                    var j = count - 1
                    while j >= 0 {
                        // Displacement per dimension (N, C, P, Q, R, S matter to inputs).
                        var delta = (0, 0, 0, 0, 0, 0, 0)
                        withUnsafeMutableBytes(of: &delta) { deltaBytes in
                            let dv = deltaBytes.bindMemory(to: Int.self)
                            dv[dl[j]] &+= wl[j]
                            var i = 0
                            while i < j { dv[dl[i]] &-= (fl[i] - 1) &* wl[i]; i += 1 }
                        }
                        let overlapN = max(0, e[0] - abs(delta.0)), overlapC = max(0, e[2] - abs(delta.2))
                        let rows = windowOverlap(outputs: e[3], taps: e[5], stride: stride, shift: delta.3 &* stride &+ delta.5)
                        let columns = windowOverlap(outputs: e[4], taps: e[6], stride: stride, shift: delta.4 &* stride &+ delta.6)
                        let moved = tile - Double(overlapN * overlapC * rows * columns)
                        fills += Double(fl[j] - 1) * outer * moved
                        outer *= Double(fl[j])
                        j -= 1
                    }
                }
            }
        }
        return fills
    }

    /// |H ∩ (H + shift)| for the input rows H = {p·stride + r : 0 ≤ p < outputs, 0 ≤ r < taps} of a tile: an interval
    /// of ``MappingFootprint/windowRows(_:_:stride:)`` rows when taps ≥ stride, else `outputs` blocks of `taps`
    /// rows, `stride` apart (pairs of blocks δ apart overlap by taps − |δ·stride − shift|, and outputs − |δ| pairs are δ apart).
    @inline(__always)
    static func windowOverlap(outputs: Int, taps: Int, stride: Int, shift: Int) -> Int {
        if outputs == 1 || taps >= stride {
            return max(0, MappingFootprint.windowRows(outputs, taps, stride: stride) - abs(shift))
        }
        let base = shift >= 0 ? shift / stride : -((-shift + stride - 1) / stride)
        let low = max(-(outputs - 1), base), high = min(outputs - 1, base + 1)
        guard low <= high else { return 0 }
        var total = 0
        for delta in low...high { total += (outputs - abs(delta)) * max(0, taps - abs(delta * stride - shift)) }
        return total
    }

    /// Reloads of a PE register's word of the tensor `mask` names: ``reloads(_:_:mask:fromSlot:)`` starting from the
    /// register slot's loops (innermost first), then the local, L2 and DRAM loops.
    @inline(__always)
    static func registerReloads(_ f: UnsafePointer<Int>, _ o: UnsafePointer<UInt8>, mask: UInt8) -> Double {
        var product = 1, relevantSeen = false
        var position = 6
        while position >= 0 {
            let d = Int(o[21 + position])
            let factor = f[35 + d]
            if factor > 1, relevantSeen || mask & (1 << d) != 0 {
                relevantSeen = true
                product &*= factor
            }
            position -= 1
        }
        let above = relevantSeen ? allFactors(f, slots: 3) : reloads(f, o, mask: mask, fromSlot: 2)
        return Double(product) * above
    }

    /// The product of every factor of the first `slots` temporal factor rows (DRAM, L2, local).
    @inline(__always)
    static func allFactors(_ f: UnsafePointer<Int>, slots: Int) -> Double {
        var product = 1
        for i in 0..<(slots * 7) { product &*= f[i] }
        return Double(product)
    }

    /// Reloads of a tile below temporal slot `fromSlot` (0 = DRAM, 1 = L2, 2 = local): walk the temporal loops from
    /// that slot's innermost outwards; loops of factor 1 are skipped, irrelevant ones are free until the first
    /// relevant loop, after which every factor multiplies.
    @inline(__always)
    static func reloads(_ f: UnsafePointer<Int>, _ o: UnsafePointer<UInt8>, mask: UInt8, fromSlot: Int) -> Double {
        var product = 1, relevantSeen = false
        var slot = fromSlot
        while slot >= 0 {
            var position = 6
            while position >= 0 {
                let d = Int(o[slot * 7 + position])
                let factor = f[slot * 7 + d]
                if factor > 1 {
                    if relevantSeen {
                        product &*= factor
                    } else if mask & (1 << d) != 0 {
                        relevantSeen = true
                        product &*= factor
                    }
                }
                position -= 1
            }
            slot -= 1
        }
        return Double(product)
    }
}
