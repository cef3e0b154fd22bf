// The registers of Gemmini's MeshWithDelays (input buffers, transposer, skew, mesh, output delay, de-skew) and the
// execute controller's write side, stepped one clock at a time. See GemminiMesh.simulate for what is modelled.

extension GemminiMesh {
    /// A chain of registers that shift every cycle (Chisel's `ShiftRegister`); length 0 is a wire.
    struct DelayLine {
        private var registers: [Int32]
        private var head = 0

        init(length: Int) { registers = [Int32](repeating: 0, count: length) }

        /// What leaves the chain this cycle, given what enters it.
        func output(_ input: Int32) -> Int32 { registers.isEmpty ? input : registers[head] }

        /// The clock edge: `input` enters, everything moves one register on.
        mutating func push(_ input: Int32) {
            guard !registers.isEmpty else { return }
            registers[head] = input
            head = head + 1 == registers.count ? 0 : head + 1
        }

        /// Whether any register holds a non-zero value (used for valid bits).
        var anySet: Bool { registers.contains { $0 != 0 } }
    }

    /// What one run of the register model observed.
    struct MeshResult {
        var c: [Int32]
        var cycles: Int, fires: Int, stallCycles: Int
    }

    /// Every register between the scratchpad read and the accumulator write for one block.
    struct MeshRegisters {
        let block: Block
        let dim: Int
        let ws: Bool
        let outputBits: Int

        // MeshWithDelays.scala: operand buffers, the running request's flip state and id.
        var aBuffer: [Int32], bBuffer: [Int32], dBuffer: [Int32]
        var inProp: Int32 = 0
        var matmulID = 0
        // Transposer.scala (AlwaysOutTransposer): DIM×DIM registers, a row counter and a direction (false: left).
        var transposer: [Int32]
        var transposerCounter = 0
        var transposerUp = false
        // Input skew (`shifted`): A row p by p; B, D, propagate, valid, id and last of column c by c.
        var skewA: [DelayLine], skewB: [DelayLine], skewD: [DelayLine]
        var skewProp: [DelayLine], skewValid: [DelayLine], skewID: [DelayLine], skewLast: [DelayLine]
        // Mesh.scala: the register in front of each PE for every signal; PE.scala: c1 and c2. Index r·DIM + c.
        var aReg: [Int32], bReg: [Int32], dReg: [Int32], propReg: [Int32]
        var validReg: [Int32], idReg: [Int32], lastReg: [Int32]
        var c1: [Int32], c2: [Int32]
        // Mesh.scala: mesh_output_delay = 1 register per column for each output.
        var outB: [Int32], outC: [Int32], outValid: [Int32], outID: [Int32], outLast: [Int32]
        // De-skew (`shifted(…, reverse = true)`): column c by DIM − 1 − c; valid, id and last of column 0.
        var deskewData: [DelayLine]
        var deskewValid: DelayLine, deskewID: DelayLine, deskewLast: DelayLine
        // After the mesh: tag and total-rows queues, the write counter, the accumulator.
        var tagQueue: [(id: Int, tag: OutputTile?)] = []
        var rowsQueue: [(id: Int, rows: Int)] = []
        var outputCounter = 0
        var accumulator: [Int32]
        var lastWriteCycle: Int? = nil

        init(block: Block, dataflow: Dataflow, outputBits: Int) {
            self.block = block
            dim = block.dim
            ws = dataflow == .weightStationary
            self.outputBits = outputBits
            let zeros = [Int32](repeating: 0, count: dim), grid = [Int32](repeating: 0, count: dim * dim)
            aBuffer = zeros; bBuffer = zeros; dBuffer = zeros
            transposer = grid
            let bySide = (0..<dim).map { DelayLine(length: $0) }
            skewA = bySide; skewB = bySide; skewD = bySide
            skewProp = bySide; skewValid = bySide; skewID = bySide; skewLast = bySide
            aReg = grid; bReg = grid; dReg = grid; propReg = grid
            validReg = grid; idReg = grid; lastReg = grid
            c1 = grid; c2 = grid
            outB = zeros; outC = zeros; outValid = zeros; outID = zeros; outLast = zeros
            deskewData = (0..<dim).map { DelayLine(length: block.dim - 1 - $0) }
            deskewValid = DelayLine(length: dim - 1); deskewID = DelayLine(length: dim - 1)
            deskewLast = DelayLine(length: dim - 1)
            accumulator = [Int32](repeating: 0, count: block.rows * block.columns)
        }

        // MARK: PE arithmetic

        /// The low `outputBits` bits, sign-extended: a value assigned to a signal of the PE's output width.
        func wrap(_ x: Int32) -> Int32 {
            let shift = Int32(32 - outputBits)
            return (x &<< shift) &>> shift
        }

        /// Saturation to the output width (`clippedToWidthOf`).
        func clip(_ x: Int32) -> Int32 {
            let high = Int32((1 << (outputBits - 1)) - 1), low = -high - 1
            return min(max(x, low), high)
        }

        /// The weight operand of the multiplier: the register reinterpreted as 8 bits (`asTypeOf(weightType)`).
        func weight(_ x: Int32) -> Int32 { Int32(Int8(truncatingIfNeeded: x)) }

        /// PE x's combinational outputs this cycle: out_b (downwards) and out_c (towards the next PE's d).
        func peOutputs(_ x: Int) -> (b: Int32, c: Int32) {
            let propagate = propReg[x] != 0
            if ws {
                let w = propagate ? c2[x] : c1[x]
                return (wrap(bReg[x] &+ aReg[x] &* weight(w)), wrap(propagate ? c1[x] : c2[x]))
            }
            return (bReg[x], clip(propagate ? c1[x] : c2[x]))
        }

        /// PE x's clock edge: c1 and c2 load only when the PE's input is valid.
        mutating func clockPE(_ x: Int) {
            guard validReg[x] != 0 else { return }
            let propagate = propReg[x] != 0
            if ws {
                if propagate { c1[x] = dReg[x] } else { c2[x] = dReg[x] }
            } else {
                let product = aReg[x] &* weight(bReg[x])
                if propagate {
                    c2[x] = wrap(c2[x] &+ product); c1[x] = dReg[x]
                } else {
                    c1[x] = wrap(c1[x] &+ product); c2[x] = dReg[x]
                }
            }
        }

        // MARK: One clock

        /// The transposer's output this cycle (left column, or top row after a direction change).
        func transposerOutput() -> [Int32] {
            transposerUp ? Array(transposer[0..<dim]) : (0..<dim).map { transposer[$0 * dim] }
        }

        /// The transposer's clock edge on a fire: the buffered A row enters from the right (or from below).
        mutating func clockTransposer() {
            if transposerUp {
                for r in 0..<dim {
                    for c in 0..<dim { transposer[r * dim + c] = r == dim - 1 ? aBuffer[c] : transposer[(r + 1) * dim + c] }
                }
            } else {
                for r in 0..<dim {
                    for c in 0..<dim { transposer[r * dim + c] = c == dim - 1 ? aBuffer[r] : transposer[r * dim + c + 1] }
                }
            }
            if transposerCounter == dim - 1 { transposerUp.toggle() }
            transposerCounter = transposerCounter + 1 == dim ? 0 : transposerCounter + 1
        }

        /// One clock of everything from the skew to the de-skew, with this cycle's inputs at the mesh's edge.
        /// Registers are updated from the output end backwards, so each reads its source's value of this cycle.
        mutating func clockMesh(a aIn: [Int32], fire: Bool, lastFire: Bool) {
            // De-skew registers take the output-delay registers.
            for c in 0..<dim { deskewData[c].push(ws ? outB[c] : outC[c]) }
            deskewValid.push(outValid[0]); deskewID.push(outID[0]); deskewLast.push(outLast[0])
            // Output-delay registers take the bottom row of PEs.
            for c in 0..<dim {
                let x = (dim - 1) * dim + c, out = peOutputs(x)
                outB[c] = out.b; outC[c] = out.c
                outValid[c] = validReg[x]; outID[c] = idReg[x]; outLast[c] = lastReg[x]
            }
            // PEs and the registers in front of them, bottom row first, right to left.
            let valid: Int32 = fire ? 1 : 0, last: Int32 = lastFire ? 1 : 0, id = Int32(matmulID)
            for r in stride(from: dim - 1, through: 0, by: -1) {
                for c in stride(from: dim - 1, through: 0, by: -1) {
                    let x = r * dim + c
                    clockPE(x)
                    aReg[x] = c == 0 ? skewA[r].output(aIn[r]) : aReg[x - 1]
                    if r == 0 {
                        let v = skewValid[c].output(valid)
                        if v != 0 {
                            bReg[x] = skewB[c].output(bBuffer[c]); dReg[x] = skewD[c].output(dBuffer[c])
                            propReg[x] = skewProp[c].output(inProp)
                        }
                        validReg[x] = v; idReg[x] = skewID[c].output(id); lastReg[x] = skewLast[c].output(last)
                    } else {
                        let up = x - dim
                        if validReg[up] != 0 {
                            let out = peOutputs(up)
                            bReg[x] = out.b; dReg[x] = out.c; propReg[x] = propReg[up]
                        }
                        validReg[x] = validReg[up]; idReg[x] = idReg[up]; lastReg[x] = lastReg[up]
                    }
                }
            }
            // Skew registers take this cycle's inputs.
            for p in 0..<dim {
                skewA[p].push(aIn[p]); skewB[p].push(bBuffer[p]); skewD[p].push(dBuffer[p])
                skewProp[p].push(inProp); skewValid[p].push(valid); skewID[p].push(id); skewLast[p].push(last)
            }
        }

        /// The execute controller's write side for the row leaving the de-skew registers this cycle.
        mutating func respond(cycle: Int) {
            guard deskewValid.output(outValid[0]) != 0 else { return }
            let id = Int(deskewID.output(outID[0])), last = deskewLast.output(outLast[0]) != 0
            let tagMatches = tagQueue.first?.id == id, rowsMatch = rowsQueue.first?.id == id
            let total = rowsMatch ? rowsQueue[0].rows : dim
            if tagMatches, let tag = tagQueue[0].tag {
                // WS writes rows in order; OS results leave the mesh bottom row first.
                let row = ws ? outputCounter : total - 1 - outputCounter
                if row >= 0, row < tag.rows {
                    let base = (tag.row0 + row) * block.columns + tag.col0
                    for q in 0..<tag.cols {
                        let value = deskewData[q].output(ws ? outB[q] : outC[q])
                        accumulator[base + q] = tag.accumulate ? accumulator[base + q] &+ value : value
                    }
                    lastWriteCycle = cycle
                }
                outputCounter = outputCounter + 1 >= total ? 0 : outputCounter + 1
            }
            if last {
                if tagMatches { tagQueue.removeFirst() }
                if rowsMatch { rowsQueue.removeFirst() }
            }
        }

        /// Loads the buffers with row `s` of a request (a flush leaves them as they are).
        mutating func loadBuffers(_ request: MeshRequest, row s: Int) {
            guard request.kind != .flush else { return }
            block.aRow(request.a, s, into: &aBuffer)
            block.bRow(request.b, s, into: &bBuffer)
            block.bRow(request.d, dim - 1 - s, into: &dBuffer)
        }

        var anyValidInFlight: Bool {
            skewValid.contains { $0.anySet } || validReg.contains { $0 != 0 } || outValid.contains { $0 != 0 }
                || deskewValid.anySet
        }

        /// The mesh takes a request (`io.req.fire`): its flip, and the tags that will name its results.
        mutating func accept(_ request: MeshRequest) {
            inProp ^= request.propagate ? 1 : 0
            if request.kind != .flush {
                let lead = ws ? 2 : 3         // matmul_id_of_output: results of the next request (OS: the one after)
                tagQueue.append((id: (matmulID + lead) % matmulIDCount, tag: request.tag))
                rowsQueue.append((id: (matmulID + 1) % matmulIDCount, rows: request.totalRows))
            }
            matmulID = (matmulID + 1) % matmulIDCount
        }

        /// Runs the requests back to back; cycle 0 is the first fire.
        mutating func run(_ requests: [MeshRequest]) throws(ConfigurationError) -> MeshResult {
            var next = 0, current: MeshRequest? = nil, fireCounter = 0
            // The first request is accepted in the cycle before its first fire.
            accept(requests[0])
            current = requests[0]; next = 1
            let limit = 4 * requests.reduce(0) { $0 + $1.totalRows } + 16 * dim + 64
            var cycle = 0, fires = 0, lastFireCycle = 0
            while current != nil || next < requests.count || anyValidInFlight {
                guard cycle < limit else {
                    throw ConfigurationError(field: "dim", message: "the mesh model did not drain within \(limit) cycles (a model error)")
                }
                let queuesHaveRoom = tagQueue.count < tagQueueEntries && rowsQueue.count < tagQueueEntries
                respond(cycle: cycle)
                var lastFire = false
                if let request = current {
                    loadBuffers(request, row: fireCounter)
                    lastFire = fireCounter == request.totalRows - 1
                }
                let fire = current != nil
                clockMesh(a: ws ? aBuffer : transposerOutput(), fire: fire, lastFire: lastFire)
                if fire {
                    if !ws { clockTransposer() }
                    fires += 1; lastFireCycle = cycle; fireCounter += 1
                }
                if lastFire { current = nil; fireCounter = 0 }
                // io.req.ready: no request running, or its last fire, and room in both queues.
                if current == nil, next < requests.count, queuesHaveRoom {
                    accept(requests[next])
                    current = requests[next]; next += 1
                }
                cycle += 1
            }
            guard let lastWrite = lastWriteCycle else {
                throw ConfigurationError(field: "dim", message: "the mesh model wrote no result row (a model error)")
            }
            return MeshResult(c: accumulator, cycles: lastWrite + 1, fires: fires,
                              stallCycles: lastFireCycle + 1 - fires)
        }
    }
}
