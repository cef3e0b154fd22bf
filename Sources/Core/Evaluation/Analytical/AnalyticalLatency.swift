/// The survey's §3.3 analytical latency model (App. A.5, Fig. 30-32), built on its stated assumptions:
/// - each operation takes the larger of its compute time and its memory time (perfect overlap);
/// - the scratchpad is double-buffered; tiles are square;
/// - the PE array has a pipeline latency of W cycles per tile, the SFU takes 1 cycle per S-wide vector and pass;
/// - no fusion: every operation reads its inputs from DRAM and writes its outputs back (Tab. 5's traffic).
///
/// What the survey leaves open, and what we chose (each is a parameter of the method, not a fitted constant):
/// - **Tile side** T: the largest multiple of the array width whose double-buffered input and weight tiles fit
///   the scratchpad (2 buffers × 2 tiles × T² bytes) and whose T² 32-bit partial sums fit the accumulator.
///   Edge tiles are clipped to the problem.
/// - **Compute**: weight-stationary, a tile of m×k inputs and k×n weights takes ⌈k/R⌉·⌈n/C⌉·m cycles plus W
///   (output-stationary ⌈m/R⌉·⌈n/C⌉·k, input-stationary ⌈m/R⌉·⌈k/C⌉·n).
/// - **Memory** has two ports: DRAM ↔ L2 carries Tab. 5's traffic; L2 ↔ scratchpad/accumulator carries every
///   tile load (inputs re-read once per output tile) and every output written back at its width.
/// - **Non-linear operations** stream rows through the accumulator; a row that fits (32-bit) is read from L2
///   once and its passes reuse it, a longer row is re-read for every pass.
///
/// ```swift
/// let bert = try AnalyticalLatency.model(.bertBase, sequenceLength: 128, accelerator: .analyticalModel)
/// bert.totalCycles          // cycles for the whole model
/// ```
public enum AnalyticalLatency {
    /// What limits an operation.
    public enum Bound: String, Sendable, Hashable, CaseIterable {
        case peArray = "PE array"
        case sfu = "SFU"
        case dram = "DRAM"
        case local = "L2 ↔ local"
    }

    /// One operation's latency on one accelerator (or a sum of such, for a whole model).
    public struct Estimate: Sendable, Hashable {
        /// The layer operation (nil for a CNN layer).
        public var identity: LayerOperationID?
        public var path: String
        public var name: String
        public var isMatmul: Bool
        public var flops: Double
        /// PE-array cycles for a matmul, SFU cycles for a non-linear operation.
        public var computeCycles: Double
        public var dramBytes: Double
        public var localBytes: Double
        public var dramCycles: Double
        public var localCycles: Double
        /// The latency: max(compute, DRAM, local) for one operation; for a sum, the sum of those maxima.
        public var cycles: Double

        public var bound: Bound {
            let compute: Bound = isMatmul ? .peArray : .sfu
            let sides: [(Bound, Double)] = [(compute, computeCycles), (.dram, dramCycles), (.local, localCycles)]
            return sides.max { $0.1 < $1.1 }!.0
        }

        static func + (a: Estimate, b: Estimate) -> Estimate {
            var s = a
            s.flops += b.flops
            s.computeCycles += b.computeCycles
            s.dramBytes += b.dramBytes
            s.localBytes += b.localBytes
            s.dramCycles += b.dramCycles
            s.localCycles += b.localCycles
            s.cycles += b.cycles
            return s
        }

        func scaled(by factor: Double) -> Estimate {
            var s = self
            s.flops *= factor
            s.computeCycles *= factor
            s.dramBytes *= factor
            s.localBytes *= factor
            s.dramCycles *= factor
            s.localCycles *= factor
            s.cycles *= factor
            return s
        }
    }

    /// A whole model: one row per operation of a layer, summed over layers (and decoding steps).
    public struct ModelLatency: Sendable, Hashable {
        public var name: String
        public var sequenceLength: Int
        public var rows: [Estimate]
        public var clockHz: Double
        public var totalCycles: Double { rows.reduce(0) { $0 + $1.cycles } }
        public var seconds: Double { totalCycles / clockHz }
        public var matmulCycles: Double { rows.filter(\.isMatmul).reduce(0) { $0 + $1.cycles } }
    }

    // MARK: tiling

    /// The square tile side T (see the type's documentation).
    public static func tileSide(_ a: Accelerator) throws(ConfigurationError) -> Int {
        try a.validate()
        let step = lcm(a.meshRows, a.meshColumns)
        let w = AcceleratorOperation.Widths(a)
        func fits(_ side: Int) -> Bool {
            let area = Double(side * side)
            return 2 * 2 * area * w.narrow <= Double(a.spCapacityBytes) && area * w.wide <= Double(a.accCapacityBytes)
        }
        var t = 0
        while fits(t + step) { t += step }
        guard t > 0 else {
            let area = Double(step * step)
            throw ConfigurationError(field: "scratchpadBytes",
                                     message: "no square tile of \(step)×\(step) fits: the analytical model needs room for two buffers of an input and a weight tile (\(Int(4 * area * w.narrow)) B of scratchpad) and one tile of partial sums (\(Int(area * w.wide)) B of accumulator)")
        }
        return t
    }

    /// Σ over the tiles of a dimension of ⌈tile/w⌉, the tiles being `side` long with a clipped last one.
    static func blockSum(_ extent: Int, side: Int, width w: Int) -> Int {
        (extent / side) * ((side + w - 1) / w) + ((extent % side) + w - 1) / w
    }

    static func tiles(_ extent: Int, side: Int) -> Int { (extent + side - 1) / side }

    /// PE-array cycles of one matmul, closed form: every per-tile term is a product over dimensions, so its sum
    /// over the tile grid is a product of per-dimension sums.
    public static func matmulComputeCycles(_ s: GEMMShape, tile t: Int, accelerator a: Accelerator) -> Double {
        let r = a.meshRows, c = a.meshColumns, latency = Double(max(r, c))
        let count = Double(tiles(s.m, side: t) * tiles(s.k, side: t) * tiles(s.n, side: t))
        let body: Double
        switch a.dataflow {
        case .weightStationary:
            body = Double(blockSum(s.k, side: t, width: r)) * Double(blockSum(s.n, side: t, width: c)) * Double(s.m)
        case .outputStationary:
            body = Double(blockSum(s.m, side: t, width: r)) * Double(blockSum(s.n, side: t, width: c)) * Double(s.k)
        case .inputStationary:
            body = Double(blockSum(s.m, side: t, width: r)) * Double(blockSum(s.k, side: t, width: c)) * Double(s.n)
        }
        return body + latency * count
    }

    /// L2 ↔ local bytes of one matmul, closed form: each output tile loads its row of input tiles and its column
    /// of weight tiles, then writes itself (and reads its bias) once.
    public static func matmulLocalBytes(_ s: GEMMShape, tile t: Int, inputBytes: Double, outputBytes: Double, bias: Bool) -> Double {
        let inputs = Double(s.m) * Double(s.k) * Double(tiles(s.n, side: t)) + Double(s.k) * Double(s.n) * Double(tiles(s.m, side: t))
        return inputs * inputBytes + Double(s.m) * Double(s.n) * (outputBytes + (bias ? inputBytes : 0))
    }

    /// The same two numbers by walking the tiled loop nest tile by tile (the second derivation, for tests).
    public static func enumeratedMatmul(_ s: GEMMShape, tile t: Int, accelerator a: Accelerator, inputBytes: Double,
                                        outputBytes: Double, bias: Bool) -> (cycles: Double, localBytes: Double) {
        let r = a.meshRows, c = a.meshColumns, latency = max(r, c)
        func up(_ x: Int, _ w: Int) -> Int { (x + w - 1) / w }
        var cycles = 0, bytes = 0.0
        for m0 in stride(from: 0, to: s.m, by: t) {
            let tm = min(t, s.m - m0)
            for n0 in stride(from: 0, to: s.n, by: t) {
                let tn = min(t, s.n - n0)
                for k0 in stride(from: 0, to: s.k, by: t) {
                    let tk = min(t, s.k - k0)
                    bytes += Double(tm * tk + tk * tn) * inputBytes
                    switch a.dataflow {
                    case .weightStationary: cycles += up(tk, r) * up(tn, c) * tm + latency
                    case .outputStationary: cycles += up(tm, r) * up(tn, c) * tk + latency
                    case .inputStationary: cycles += up(tm, r) * up(tk, c) * tn + latency
                    }
                }
                bytes += Double(tm * tn) * (outputBytes + (bias ? inputBytes : 0))
            }
        }
        return (Double(cycles), bytes)
    }

    // MARK: operations

    /// One operation's estimate. A non-linear operation on an accelerator without an SFU is an error.
    public static func estimate(_ op: AcceleratorOperation, accelerator a: Accelerator) throws(ConfigurationError) -> Estimate {
        try estimate(op, accelerator: a, tile: tileSide(a), chunk: NonIdealTraffic.chunkSide(a))
    }

    static func estimate(_ op: AcceleratorOperation, accelerator a: Accelerator, tile t: Int, chunk: Int) throws(ConfigurationError) -> Estimate {
        let w = AcceleratorOperation.Widths(a)
        let compute: Double, local: Double
        switch op.work {
        case let .matmul(s, copies, out, bias):
            compute = matmulComputeCycles(s, tile: t, accelerator: a) * Double(copies)
            local = matmulLocalBytes(s, tile: t, inputBytes: w.narrow, outputBytes: w.bytes(out), bias: bias) * Double(copies)
        case let .convolution(s, _, out, bias):
            compute = matmulComputeCycles(s, tile: t, accelerator: a)
            local = matmulLocalBytes(s, tile: t, inputBytes: w.narrow, outputBytes: w.bytes(out), bias: bias)
        case let .nonlinear(rows, length, passes, reads, write, extraWide, extraNarrow):
            guard a.sfuWidth > 0 else {
                throw ConfigurationError(field: "sfuWidth",
                                         message: "the analytical model runs \(op.name) on a special function unit, and this accelerator has none (0 lanes: its host CPU runs them, which is chapter 6's Gemmini model)")
            }
            compute = Double(rows) * Double((length + a.sfuWidth - 1) / a.sfuWidth) * Double(passes)
            let fits = Double(length) * w.wide <= Double(a.accCapacityBytes)
            let read = AcceleratorOperation.bytes(reads, w) * Double(fits ? 1 : passes)
            local = Double(rows) * Double(length) * (read + (write.map(w.bytes) ?? 0))
                + Double(extraWide) * w.wide + Double(extraNarrow) * w.narrow
        }
        let dram = op.dramBytes(chunk: chunk, widths: w)
        let dramCycles = dram / a.dramBytesPerCycle, localCycles = local / a.l2BytesPerCycle
        return Estimate(identity: op.identity, path: op.path, name: op.name, isMatmul: op.isMatmul, flops: op.flops, computeCycles: compute,
                        dramBytes: dram, localBytes: local, dramCycles: dramCycles, localCycles: localCycles,
                        cycles: max(compute, dramCycles, localCycles))
    }

    /// Estimates for a list of operations.
    public static func estimates(_ ops: [AcceleratorOperation], accelerator a: Accelerator) throws(ConfigurationError) -> [Estimate] {
        let t = try tileSide(a), chunk = NonIdealTraffic.chunkSide(a)
        var out: [Estimate] = []
        for op in ops { out.append(try estimate(op, accelerator: a, tile: t, chunk: chunk)) }
        return out
    }

    /// A whole Transformer: an encoder processes `l` tokens at once; a decoder generates `l` tokens one at a time
    /// with a key/value cache (step t attends over t tokens).
    public static func model(_ m: TransformerConfig, sequenceLength l: Int, accelerator a: Accelerator) throws(ConfigurationError) -> ModelLatency {
        try m.validate()
        try TransformerConfig.validate(sequenceLength: l)
        let t = try tileSide(a), chunk = NonIdealTraffic.chunkSide(a)
        var rows: [Estimate]
        switch m.architecture {
        case .encoder:
            rows = []
            for op in AcceleratorOperation.encoderLayer(m, sequenceLength: l) {
                rows.append(try estimate(op, accelerator: a, tile: t, chunk: chunk))
            }
        case .decoder:
            rows = []
            for step in 1...l {
                let ops = AcceleratorOperation.decoderStep(m, context: step)
                for (i, op) in ops.enumerated() {
                    let e = try estimate(op, accelerator: a, tile: t, chunk: chunk)
                    if rows.count <= i { rows.append(e) } else { rows[i] = rows[i] + e }
                }
            }
        }
        return ModelLatency(name: m.displayName, sequenceLength: l, rows: rows.map { $0.scaled(by: Double(m.layers)) },
                            clockHz: a.clockHz)
    }

    /// ResNet-50 at 224×224, batch 1: one row per layer.
    public static func resnet50(fused: Bool, accelerator a: Accelerator) throws(ConfigurationError) -> ModelLatency {
        ModelLatency(name: fused ? "ResNet-50 (BatchNorm and ReLU fused)" : "ResNet-50", sequenceLength: 0,
                     rows: try estimates(AcceleratorOperation.resnet50(fused: fused), accelerator: a), clockHz: a.clockHz)
    }

    static func lcm(_ a: Int, _ b: Int) -> Int {
        var x = a, y = b
        while y != 0 { (x, y) = (y, x % y) }
        return a / x * b
    }
}
