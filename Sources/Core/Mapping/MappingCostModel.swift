/// The closed-form cost of a mapping (survey §5.4's analytical models, in the style of Timeloop's): access counts
/// per level and tensor from tile sizes and loop reuse, then cycles, energy and EDP.
///
/// Rules, all in elements:
/// - a storage level's tile of a tensor is what the loops below the level touch (``MappingFootprint``);
/// - the tile is refilled each time a loop above it changes the tensor's indices. Walking outwards from the
///   level, loops of factor 1 are skipped and loops over dimensions the tensor does not depend on are free
///   (the tile stays) until the first loop that matters; from there every loop multiplies:
///   fills = tile × Π(factors from the innermost relevant loop outwards);
/// - the stationary tensor's register word is filled the same way, once per distinct word the array holds
///   (PEs that share a word are fed by one read: multicast);
/// - the streamed tensors have no register copy: each array step reads its spatial tile from the scratchpad
///   (inputs multicast along a row) and, in WS, sends its spatial tile of partial sums, already reduced down the
///   columns, to the accumulator;
/// - partial sums: each fill from a parent is read from it except the first visit of each output element
///   (nothing to read yet), and every fill is written back;
/// - every MAC reads one register word per operand and writes one partial sum;
/// - cycles = max(array steps, bytes over each port / its bandwidth); energy = Σ accesses × bytes × pJ/B + MACs ×
///   pJ/MAC (``AccessEnergy``); EDP = energy × cycles.
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
    let picojoules: (Double, Double, Double, Double, Double)
    let bandwidth: (Double, Double, Double, Double)
    let outputElements: Double
    let macs: Double
    let macPicojoules: Double
    let weightStationary: Bool

    public init(_ problem: MappingProblem, architecture: MappingArchitecture) throws(ConfigurationError) {
        try problem.validate()
        self.problem = problem
        self.architecture = architecture
        stride = problem.stride
        bytes = (Double(problem.bytesPerElement(.inputs)), Double(problem.bytesPerElement(.weights)),
                 Double(problem.bytesPerElement(.outputs)))
        let a = architecture
        picojoules = (a.picojoulesPerByte(.dram), a.picojoulesPerByte(.l2), a.picojoulesPerByte(.scratchpad),
                      a.picojoulesPerByte(.accumulator), a.picojoulesPerByte(.registers))
        bandwidth = (a.bytesPerCycle[0], a.bytesPerCycle[1], a.bytesPerCycle[2], a.bytesPerCycle[3])
        outputElements = Double(problem.elements(.outputs))
        macs = Double(problem.macs)
        macPicojoules = a.energy.macPicojoules
        weightStationary = a.dataflow == .weightStationary
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
            let fillL2I = Double(l2I) * Self.reloads(f, o, mask: maskI, fromSlot: 0)
            let fillL2W = Double(l2W) * Self.reloads(f, o, mask: maskW, fromSlot: 0)
            let fillL2O = Double(l2O) * Self.reloads(f, o, mask: maskO, fromSlot: 0)
            let fillLocalI = Double(localI) * Self.reloads(f, o, mask: maskI, fromSlot: 1)
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
            // Partial-sum updates arriving at the accumulator: every step's reduced spatial tile (WS), or the
            // register words drained (OS).
            let updates = weightStationary ? stepsD * spatialO : fillRegisters

            var r = LevelTensorCounts(), w = LevelTensorCounts()
            r.dram = TensorCounts(inputs: fillL2I, weights: fillL2W, outputs: fillL2O - outs)
            w.dram = TensorCounts(inputs: 0, weights: 0, outputs: fillL2O)
            r.l2 = TensorCounts(inputs: fillLocalI, weights: fillLocalW, outputs: (fillLocalO - outs) + fillL2O)
            w.l2 = TensorCounts(inputs: fillL2I, weights: fillL2W, outputs: (fillL2O - outs) + fillLocalO)
            r.scratchpad = TensorCounts(inputs: streamedI, weights: weightStationary ? fillRegisters : streamedW, outputs: 0)
            w.scratchpad = TensorCounts(inputs: fillLocalI, weights: fillLocalW, outputs: 0)
            r.accumulator = TensorCounts(inputs: 0, weights: 0, outputs: (updates - outs) + fillLocalO)
            w.accumulator = TensorCounts(inputs: 0, weights: 0, outputs: (fillLocalO - outs) + updates)
            r.registers = TensorCounts(inputs: macs, weights: macs, outputs: macs)
            w.registers = TensorCounts(inputs: 0, weights: weightStationary ? fillRegisters : 0,
                                       outputs: macs + (weightStationary ? 0 : fillRegisters))

            func levelBytes(_ level: TensorCounts, _ other: TensorCounts) -> Double {
                (level.inputs + other.inputs) * bytes.0 + (level.weights + other.weights) * bytes.1
                    + (level.outputs + other.outputs) * bytes.2
            }
            let dramBytes = levelBytes(r.dram, w.dram), l2Bytes = levelBytes(r.l2, w.l2)
            let spBytes = levelBytes(r.scratchpad, w.scratchpad), accBytes = levelBytes(r.accumulator, w.accumulator)
            let regBytes = levelBytes(r.registers, w.registers)
            // The L2 ↔ local port carries what the scratchpad and accumulator exchange with L2.
            let l2PortBytes = (fillLocalI * bytes.0 + fillLocalW * bytes.1) + ((fillLocalO - outs) + fillLocalO) * bytes.2
            cost.macs = macs
            cost.computeCycles = stepsD
            cost.dramCycles = dramBytes / bandwidth.0
            cost.l2Cycles = l2PortBytes / bandwidth.1
            cost.scratchpadCycles = spBytes / bandwidth.2
            cost.accumulatorCycles = accBytes / bandwidth.3
            cost.cycles = max(max(stepsD, cost.dramCycles), max(max(cost.l2Cycles, cost.scratchpadCycles), cost.accumulatorCycles))
            cost.reads = r
            cost.writes = w
            cost.dramPicojoules = dramBytes * picojoules.0
            cost.l2Picojoules = l2Bytes * picojoules.1
            cost.scratchpadPicojoules = spBytes * picojoules.2
            cost.accumulatorPicojoules = accBytes * picojoules.3
            cost.registerPicojoules = regBytes * picojoules.4
            cost.macPicojoules = macs * macPicojoules
            cost.energyPicojoules = cost.dramPicojoules + cost.l2Picojoules + cost.scratchpadPicojoules
                + cost.accumulatorPicojoules + cost.registerPicojoules + cost.macPicojoules
            return true
        }
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
