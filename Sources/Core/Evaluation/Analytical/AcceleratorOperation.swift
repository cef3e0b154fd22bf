/// One operation of a layer as an accelerator sees it: a matmul of a given shape, or a non-linear operation over
/// rows of elements, with the bytes it moves under the survey's §3.3 rules (see ``NonIdealTraffic``). Both the
/// non-ideal traffic of Tab. 5 and the analytical latency model of App. A.5 are computed from these, so the two
/// cannot disagree about what a layer contains.
public struct AcceleratorOperation: Sendable, Hashable {
    /// How a tensor is stored: `narrow` at the accelerator's input precision (8 bits in the survey), `wide` at its
    /// accumulator precision (32 bits), as partial sums are before a non-linear operation consumes them.
    public enum Precision: Sendable, Hashable { case narrow, wide }

    public enum Work: Sendable, Hashable {
        /// `copies` independent products of `shape` (one per head for attention). The output is `wide` when a
        /// non-linear operation consumes it, else `narrow`; `bias` adds a narrow bias per output.
        case matmul(shape: GEMMShape, copies: Int, output: Precision, bias: Bool)
        /// A convolution run as a matmul over the im2col matrix (`shape`: output pixels × (C_in·k²) × C_out),
        /// whose DRAM traffic counts the raw input once (`inputElements`), not the k² copies im2col makes on chip.
        case convolution(shape: GEMMShape, inputElements: Int, output: Precision, bias: Bool)
        /// `rows` rows of `rowLength` elements, `passes` passes each; each element reads one value per entry of
        /// `reads` and writes one at `write` (none for a pooling, whose smaller output is an extra), plus extra
        /// values moved once (LayerNorm's γ and β: wide; a pooling's output: narrow).
        case nonlinear(rows: Int, rowLength: Int, passes: Int, reads: [Precision], write: Precision?,
                       extraWide: Int, extraNarrow: Int)
    }

    /// Bytes per value at each precision.
    public struct Widths: Sendable, Hashable {
        public var narrow: Double
        public var wide: Double
        public init(narrow: Double, wide: Double) {
            self.narrow = narrow
            self.wide = wide
        }
        /// The accelerator's input and accumulator precisions.
        public init(_ a: Accelerator) { self.init(narrow: Double(a.inputBits) / 8, wide: Double(a.accumulatorBits) / 8) }
        /// The survey's §3.3: 8-bit inputs, 32-bit outputs.
        public static let survey = Widths(narrow: 1, wide: 4)
        public func bytes(_ p: Precision) -> Double { p == .narrow ? narrow : wide }
    }

    /// The layer operation it is (nil for a CNN layer).
    public var identity: LayerOperationID?
    /// A stable key: the operation's path (``LayerOperationID/path``) or a CNN layer's name.
    public var path: String
    public var name: String
    /// FLOPs in the survey's counting convention (2 per multiply-add for matmuls).
    public var flops: Double
    public var work: Work

    public init(identity: LayerOperationID? = nil, path: String, name: String, flops: Double, work: Work) {
        self.identity = identity
        self.path = path
        self.name = name
        self.flops = flops
        self.work = work
    }

    public var isMatmul: Bool {
        if case .nonlinear = work { return false }
        return true
    }

    /// Multiply-adds of a matmul or convolution (0 for a non-linear operation).
    public var macs: Double {
        switch work {
        case let .matmul(s, copies, _, _): return Double(s.m) * Double(s.k) * Double(s.n) * Double(copies)
        case let .convolution(s, _, _, _): return Double(s.m) * Double(s.k) * Double(s.n)
        case .nonlinear: return 0
        }
    }

    /// Elements a non-linear operation produces (0 for a matmul).
    public var elements: Double {
        if case let .nonlinear(rows, rowLength, _, _, _, _, _) = work { return Double(rows) * Double(rowLength) }
        return 0
    }

    /// DRAM → L2 bytes with square output chunks of `chunk` elements a side (Tab. 5's rules).
    public func dramBytes(chunk: Int, widths w: Widths = .survey) -> Double {
        switch work {
        case let .matmul(s, copies, out, bias):
            // NonIdealTraffic's m×n×k is the survey's notation: the left operand is outputs × reduction.
            return NonIdealTraffic.matmulBytes(m: s.n, n: s.k, k: s.m, inputBytes: w.narrow, outputBytes: w.bytes(out),
                                               bias: bias, chunk: chunk) * Double(copies)
        case let .convolution(s, input, out, bias):
            let pixelChunks = Double((s.m + chunk - 1) / chunk), channelChunks = Double((s.n + chunk - 1) / chunk)
            return (Double(s.k * s.n) * pixelChunks + Double(input) * channelChunks) * w.narrow
                + Double(s.m * s.n) * (w.bytes(out) + (bias ? w.narrow : 0))
        case let .nonlinear(rows, rowLength, _, reads, write, extraWide, extraNarrow):
            return Double(rows) * Double(rowLength) * (Self.bytes(reads, w) + (write.map(w.bytes) ?? 0))
                + Double(extraWide) * w.wide + Double(extraNarrow) * w.narrow
        }
    }

    static func bytes(_ values: [Precision], _ w: Widths) -> Double { values.reduce(0) { $0 + w.bytes($1) } }
}

extension AcceleratorOperation {
    /// A layer graph as the accelerator runs it, one operation per identity (attention ones summed over heads),
    /// with §3.3's precisions read off the graph's edges: a matmul writes `wide` outputs when a non-linear
    /// operation consumes them, else `narrow`, and weight matmuls add a bias; a non-linear operation reads each
    /// input at the width its producer wrote (the layer's input: `narrow`), makes its kind's passes
    /// (``OperationKind/passes``), writes `narrow` and reads its parameters (LayerNorm's γ and β) `wide`.
    /// A block without biases (``BlockStyle/biases``) adds none.
    /// FLOPs follow the survey's convention on the operations' integer shapes: 2 per MAC for weight matmuls,
    /// 2k − 1 per length-k dot product for act-to-act ones, the convention's cost per element otherwise.
    public static func operations(_ graph: LayerGraph) -> [AcceleratorOperation] {
        let wideOutputs = graph.readByNonlinear
        let producers = Dictionary(uniqueKeysWithValues: graph.operations.map { ($0.id, $0) })
        func precision(of id: String) -> Precision? {
            guard let producer = producers[id] else { return id == "cache" ? nil : .narrow }
            return producer.kind.isMatmul && wideOutputs.contains(id) ? .wide : .narrow
        }
        let biases = graph.shape.block.biases
        return graph.groupedByIdentity.map { identity, nodes in
            let first = nodes[0], copies = nodes.reduce(0) { $0 + $1.copies }
            switch first.shape {
            case let .matmul(s):
                let perCopy = identity.hasWeights ? 2 * Double(s.m) * Double(s.n) * Double(s.k)
                    : Double(s.m) * Double(s.n) * (2 * Double(s.k) - 1)
                return AcceleratorOperation(identity: identity, path: identity.path, name: identity.shortName,
                                            flops: Double(copies) * perCopy,
                                            work: .matmul(shape: s, copies: copies,
                                                          output: wideOutputs.contains(first.id) ? .wide : .narrow,
                                                          bias: biases && identity.hasWeights))
            case let .elementwise(rows, length):
                let cost = graph.convention.elementCost(identity)
                return AcceleratorOperation(identity: identity, path: identity.path, name: identity.shortName,
                                            flops: cost.flops * Double(rows * copies) * Double(length),
                                            work: .nonlinear(rows: rows * copies, rowLength: length, passes: first.kind.passes,
                                                             reads: first.inputs.compactMap(precision), write: .narrow,
                                                             extraWide: first.kind.parametersPerFeature * length,
                                                             extraNarrow: 0))
            }
        }
    }

    /// The operations of one encoder layer at sequence length `l` (attention summed over heads).
    public static func encoderLayer(_ model: TransformerConfig, sequenceLength l: Int,
                                    convention c: CountingConvention = .survey) -> [AcceleratorOperation] {
        operations(LayerGraph.encoder(model, sequenceLength: l, convention: c))
    }

    /// The operations of one decoder layer generating one token with `context` tokens in the key/value cache
    /// (the new one included): matrix-vector products, attention over the cache. Same byte rules as the encoder.
    public static func decoderStep(_ model: TransformerConfig, context t: Int) -> [AcceleratorOperation] {
        operations(LayerGraph.decoderStep(model, step: t))
    }

    /// ResNet-50's layers (``ResNet50``) as accelerator operations. Unfused, each convolution writes 32-bit
    /// outputs for its BatchNorm (one pass, 32-bit in, 8-bit out), and ReLU is a separate pass. Fused, BatchNorm
    /// is folded into the convolution's weights and ReLU is applied to the convolution's or the residual add's
    /// output on its way out, so neither costs a pass of its own. Convolutions are charged no per-output bias:
    /// a folded BatchNorm leaves one bias per output channel, which is negligible traffic. (Charging Tab. 5's
    /// per-output bias would put ResNet-50's non-ideal intensity 15% below its ideal one; the survey's 121.312
    /// is 0.7% below its 122.172.)
    public static func resnet50(fused: Bool) -> [AcceleratorOperation] {
        var out: [AcceleratorOperation] = []
        for layer in ResNet50.layers() {
            let cost = CNNLayerCost(layer, fused: fused)
            switch layer.kind {
            case let .convolution(k, cin, cout, stride, inSize):
                let o = inSize / stride
                out.append(AcceleratorOperation(path: layer.name, name: "convolution", flops: cost.counts.flops,
                                                work: .convolution(shape: GEMMShape(m: o * o, n: cout, k: cin * k * k),
                                                                   inputElements: cin * inSize * inSize,
                                                                   output: fused ? .narrow : .wide, bias: false)))
            case let .batchNorm(c, s):
                guard !fused else { continue }
                out.append(AcceleratorOperation(path: layer.name, name: "BatchNorm", flops: cost.counts.flops,
                                                work: .nonlinear(rows: c, rowLength: s * s, passes: 1, reads: [.wide],
                                                                 write: .narrow, extraWide: 0, extraNarrow: 0)))
            case let .relu(c, s):
                guard !fused else { continue }
                out.append(AcceleratorOperation(path: layer.name, name: "ReLU", flops: cost.counts.flops,
                                                work: .nonlinear(rows: c, rowLength: s * s, passes: 1, reads: [.narrow],
                                                                 write: .narrow, extraWide: 0, extraNarrow: 0)))
            case let .residualAdd(c, s):
                out.append(AcceleratorOperation(path: layer.name, name: "residual add", flops: cost.counts.flops,
                                                work: .nonlinear(rows: c, rowLength: s * s, passes: 1, reads: [.narrow, .narrow],
                                                                 write: .narrow, extraWide: 0, extraNarrow: 0)))
            case let .maxPool(_, c, inSize, outSize):
                // One pass over the input windows; the bytes are the input read once and the output written once.
                out.append(AcceleratorOperation(path: layer.name, name: "max pool", flops: cost.counts.flops,
                                                work: .nonlinear(rows: c, rowLength: inSize * inSize, passes: 1, reads: [.narrow],
                                                                 write: nil, extraWide: 0, extraNarrow: c * outSize * outSize)))
            case let .globalAveragePool(c, inSize):
                out.append(AcceleratorOperation(path: layer.name, name: "average pool", flops: cost.counts.flops,
                                                work: .nonlinear(rows: c, rowLength: inSize * inSize, passes: 1, reads: [.narrow],
                                                                 write: nil, extraWide: 0, extraNarrow: c)))
            case let .fullyConnected(inFeatures, outFeatures):
                out.append(AcceleratorOperation(path: layer.name, name: "classifier", flops: cost.counts.flops,
                                                work: .matmul(shape: GEMMShape(m: 1, n: outFeatures, k: inFeatures), copies: 1,
                                                              output: .wide, bias: true)))
            }
        }
        return out
    }
}
