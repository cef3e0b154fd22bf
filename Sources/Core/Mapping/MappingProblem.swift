/// One operator to map (survey §5.1): a GEMM (M, N, K) or a convolution (N, K, C, P, Q, R, S and a stride), with
/// the widths of its operands: 8-bit inputs and weights and 32-bit partial sums in the survey's INT8 studies.
///
/// ```swift
/// let qkv = MappingProblem.gemm(name: "BERT-Base Q/K/V", m: 512, n: 768, k: 768)
/// qkv.macs                 // 301,989,888
/// qkv.size(.c)             // 768: the GEMM's reduction K is the convolution's C
/// ```
public struct MappingProblem: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable { case gemm, convolution }

    public var name: String
    public var kind: Kind
    /// Sizes in ``LoopDimension`` order (N, K, C, P, Q, R, S).
    public var sizes: [Int]
    /// Convolution stride (rows and columns); 1 for a GEMM.
    public var stride: Int
    public var inputBits: Int
    public var weightBits: Int
    public var partialSumBits: Int
    /// Width of a finished output when it leaves the accumulator: Gemmini's `mvout` scales 32-bit sums back to its
    /// 8-bit `inputType` (`acc_scale`), so final outputs reach L2 and DRAM as 8-bit values; partial sums spilled
    /// before the last update travel at `partialSumBits`.
    public var outputBits: Int

    public init(name: String, kind: Kind, sizes: [Int], stride: Int = 1, inputBits: Int = 8, weightBits: Int = 8,
                partialSumBits: Int = 32, outputBits: Int = 8) {
        self.name = name
        self.kind = kind
        self.sizes = sizes
        self.stride = stride
        self.inputBits = inputBits
        self.weightBits = weightBits
        self.partialSumBits = partialSumBits
        self.outputBits = outputBits
    }

    /// C (M×N) = A (M×K) · B (K×N): M on P, N on K, K on C.
    public static func gemm(name: String, m: Int, n: Int, k: Int) -> MappingProblem {
        MappingProblem(name: name, kind: .gemm, sizes: [1, n, k, m, 1, 1, 1])
    }

    /// A convolution with `outSize`² outputs per channel.
    public static func convolution(name: String, batch: Int = 1, outChannels: Int, inChannels: Int, outSize: Int,
                                   kernel: Int, stride: Int) -> MappingProblem {
        MappingProblem(name: name, kind: .convolution,
                       sizes: [batch, outChannels, inChannels, outSize, outSize, kernel, kernel], stride: stride)
    }

    /// A ResNet-50 convolution layer (``ResNet50``), or nil for other layers.
    public static func convolution(_ layer: CNNLayer) -> MappingProblem? {
        guard case let .convolution(kernel, cin, cout, stride, inSize) = layer.kind else { return nil }
        return convolution(name: layer.name, outChannels: cout, inChannels: cin, outSize: inSize / stride,
                           kernel: kernel, stride: stride)
    }

    public func size(_ d: LoopDimension) -> Int { sizes[d.rawValue] }

    public var macs: Int { sizes.reduce(1, *) }

    /// Dimensions whose size is above 1: only their loops and their order matter.
    public var nontrivialDimensions: [LoopDimension] { LoopDimension.allCases.filter { size($0) > 1 } }

    /// Elements of a tensor over the whole problem (inputs: the window rows (P − 1)·stride + R, no padding).
    public func elements(_ t: MappedTensor) -> Int {
        MappingFootprint.elements(t, extents: sizes, stride: stride)
    }

    /// Bits of one element of a tensor: the operand widths and the partial sums' datatype.
    public func bits(_ t: MappedTensor) -> Int {
        switch t {
        case .inputs: return inputBits
        case .weights: return weightBits
        case .outputs: return partialSumBits
        }
    }

    public func bytesPerElement(_ t: MappedTensor) -> Int {
        switch t {
        case .inputs: return max(1, inputBits / 8)
        case .weights: return max(1, weightBits / 8)
        case .outputs: return max(1, partialSumBits / 8)
        }
    }

    /// The name a report uses for a dimension: m, n, k for a GEMM (Fig. 17), n … s for a convolution (Fig. 16).
    public func displayName(_ d: LoopDimension) -> String {
        if kind == .gemm {
            switch d {
            case .p: return "m"
            case .k: return "n"
            case .c: return "k"
            default: return d.description.lowercased()
            }
        }
        return d.description.lowercased()
    }

    /// e.g. `512×768×768 (M×N×K)` or `N1 K64 C3 P112 Q112 R7 S7 /2`.
    public var shapeDescription: String {
        if kind == .gemm { return "\(size(.p))×\(size(.k))×\(size(.c)) (M×N×K)" }
        return LoopDimension.allCases.map { "\($0)\(size($0))" }.joined(separator: " ") + (stride > 1 ? " /\(stride)" : "")
    }

    public func validate() throws(ConfigurationError) {
        guard sizes.count == LoopDimension.count else {
            throw ConfigurationError(field: "problem", message: "\(sizes.count) sizes; a problem has \(LoopDimension.count) (N, K, C, P, Q, R, S)")
        }
        for d in LoopDimension.allCases {
            try ConfigurationError.require(size(d), in: 1...(1 << 20), field: kind == .gemm ? displayName(d) : d.description.lowercased())
        }
        try ConfigurationError.require(stride, in: 1...16, field: "stride")
        try ConfigurationError.require(inputBits, in: 1...32, field: "input-bits")
        try ConfigurationError.require(weightBits, in: 1...32, field: "weight-bits")
        try ConfigurationError.require(partialSumBits, in: 1...64, field: "partial-sum-bits")
        try ConfigurationError.require(outputBits, in: 1...64, field: "output-bits")
        guard macs <= 1 << 48 else { throw ConfigurationError(field: "problem", message: "\(macs) MACs is more than 2^48") }
    }
}

/// How many distinct elements of a tensor a block of the loop nest touches.
public enum MappingFootprint {
    /// Elements of `t` touched by a block with `extents[d]` consecutive iterations of each dimension: the product
    /// over the relevant dimensions, where inputs span ``windowRows(_:_:stride:)`` rows (and columns).
    @inline(__always)
    public static func elements(_ t: MappedTensor, extents e: UnsafePointer<Int>, stride: Int) -> Int {
        switch t {
        case .inputs: return e[0] * e[2] * windowRows(e[3], e[5], stride: stride) * windowRows(e[4], e[6], stride: stride)
        case .weights: return e[1] * e[2] * e[5] * e[6]
        case .outputs: return e[0] * e[1] * e[3] * e[4]
        }
    }

    /// Distinct input rows p·stride + r for `outputs` consecutive p and `taps` consecutive r:
    /// outputs·taps − (outputs − 1)·max(0, taps − stride). With taps ≥ stride the windows overlap and this is
    /// (outputs − 1)·stride + taps; with taps < stride they are disjoint and it is outputs·taps.
    @inline(__always)
    public static func windowRows(_ outputs: Int, _ taps: Int, stride: Int) -> Int {
        outputs * taps - (outputs - 1) * max(0, taps - stride)
    }

    public static func elements(_ t: MappedTensor, extents: [Int], stride: Int) -> Int {
        extents.withUnsafeBufferPointer { elements(t, extents: $0.baseAddress!, stride: stride) }
    }
}
