/// The survey's Tab. 4 rows for a CNN.
public enum CNNOperationClass: String, Sendable, Hashable, CaseIterable, Comparable {
    case convolution, batchNorm, relu, other

    public var label: String {
        switch self {
        case .convolution: return "Convolution"
        case .batchNorm: return "BatchNorm"
        case .relu: return "ReLU"
        case .other: return "Other"
        }
    }

    public static func < (a: Self, b: Self) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// FLOPs and bytes of a CNN layer in the survey's convention (8-bit values, each tensor moved once).
///
/// - Convolution: 2 FLOPs per MAC; weights, input and output moved once.
/// - BatchNorm: scale and shift (2 FLOPs per element), read and written once. ReLU: 1 FLOP, read and written once.
///   These reproduce Tab. 4's intensities of 1.00 and 0.50.
/// - Residual add: 1 FLOP, reads two operands and writes one. Max pooling: one comparison per window element.
///   Global average pooling: one add per input element plus a divide per output. The classifier is a matmul
///   (2 FLOPs per MAC), counted under "Other" because Tab. 4 has no row for it.
///
/// When `fused`, BatchNorm is folded into the preceding convolution's weights (no work) and ReLU is applied to
/// the convolution's or add's output before it is written (its FLOPs remain, its bytes vanish), as in §2.2.1.
public struct CNNLayerCost: Sendable, Hashable {
    public var layer: CNNLayer
    public var operationClass: CNNOperationClass
    public var counts: WorkCounts

    public init(_ layer: CNNLayer, fused: Bool = false) {
        self.layer = layer
        switch layer.kind {
        case let .convolution(k, cin, cout, stride, inSize):
            let outSize = inSize / stride
            let macs = Double(outSize * outSize) * Double(cout) * Double(cin * k * k)
            operationClass = .convolution
            counts = WorkCounts(flops: 2 * macs,
                                bytes: Double(cin * cout * k * k) + Double(inSize * inSize * cin)
                                    + Double(outSize * outSize * cout))
        case let .batchNorm(c, s):
            operationClass = .batchNorm
            let n = Double(c * s * s)
            counts = fused ? .zero : WorkCounts(flops: 2 * n, bytes: 2 * n)
        case let .relu(c, s):
            operationClass = .relu
            let n = Double(c * s * s)
            counts = WorkCounts(flops: n, bytes: fused ? 0 : 2 * n)
        case let .maxPool(k, c, inSize, outSize):
            operationClass = .other
            counts = WorkCounts(flops: Double(k * k) * Double(c * outSize * outSize),
                                bytes: Double(c * inSize * inSize) + Double(c * outSize * outSize))
        case let .globalAveragePool(c, inSize):
            operationClass = .other
            counts = WorkCounts(flops: Double(c * inSize * inSize) + Double(c), bytes: Double(c * inSize * inSize + c))
        case let .residualAdd(c, s):
            operationClass = .other
            let n = Double(c * s * s)
            counts = WorkCounts(flops: n, bytes: 3 * n)
        case let .fullyConnected(i, o):
            operationClass = .other
            counts = WorkCounts(flops: 2 * Double(i * o), bytes: Double(i * o + i + o))
        }
    }
}

/// A CNN's whole workload, per layer and per Tab. 4 class.
public struct CNNWorkload: Sendable {
    public let layers: [CNNLayerCost]
    public let fused: Bool

    public init(layers: [CNNLayer] = ResNet50.layers(), fused: Bool = false) {
        self.fused = fused
        self.layers = layers.map { CNNLayerCost($0, fused: fused) }
    }

    public var classTotals: [CNNOperationClass: WorkCounts] {
        layers.reduce(into: [:]) { $0[$1.operationClass, default: .zero] += $1.counts }
    }

    public var total: WorkCounts { layers.reduce(.zero) { $0 + $1.counts } }

    /// One row of the survey's Tab. 12: the main-path convolutions of one shape, summed over the blocks
    /// that have it.
    public struct ConvolutionGroup: Sendable, Hashable {
        public var stage: String
        public var role: CNNLayer.Role
        public var kernel: Int
        public var inChannels: Int
        public var outChannels: Int
        public var outSize: Int
        public var count: Int
        public var counts: WorkCounts
    }

    /// Main-path convolutions grouped by stage, role and shape (the first block's reduce convolution, whose input
    /// shape differs, forms its own group), in network order.
    public var convolutionGroups: [ConvolutionGroup] {
        var groups: [ConvolutionGroup] = []
        for cost in layers {
            guard case let .convolution(k, cin, cout, stride, inSize) = cost.layer.kind,
                  [.reduce, .spatial, .expand].contains(cost.layer.role) else { continue }
            let outSize = inSize / stride
            if let i = groups.firstIndex(where: {
                $0.stage == cost.layer.stage && $0.role == cost.layer.role && $0.kernel == k
                    && $0.inChannels == cin && $0.outChannels == cout && $0.outSize == outSize
            }) {
                groups[i].count += 1
                groups[i].counts += cost.counts
            } else {
                groups.append(ConvolutionGroup(stage: cost.layer.stage, role: cost.layer.role, kernel: k,
                                               inChannels: cin, outChannels: cout, outSize: outSize, count: 1,
                                               counts: cost.counts))
            }
        }
        return groups
    }
}
