/// The seven loops of a convolution (survey §5, Fig. 16) and the three tensors they index. A GEMM is the same nest
/// with four of the loops of size 1 (Fig. 17): M is P, N is K and the reduction K is C.
///
/// ```swift
/// LoopDimension.c.isRelevant(to: .outputs)   // false: C is a reduction
/// MappedTensor.weights.relevantDimensions    // [k, c, r, s]
/// ```
public enum LoopDimension: Int, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Batch, output channels, input channels, output rows, output columns, filter rows, filter columns.
    case n = 0, k, c, p, q, r, s

    public static let count = 7

    /// Whether a loop over this dimension changes which elements of `tensor` are used.
    public func isRelevant(to tensor: MappedTensor) -> Bool { tensor.relevanceMask & (1 << rawValue) != 0 }

    public var description: String { ["N", "K", "C", "P", "Q", "R", "S"][rawValue] }
}

/// The operands of a mapped loop nest.
public enum MappedTensor: Int, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case inputs = 0, weights, outputs

    /// Bit d is set when dimension d indexes the tensor. Inputs depend on P and R (and Q and S) through the
    /// sliding window: row = p·stride + r.
    public var relevanceMask: UInt8 {
        switch self {
        case .inputs: return 0b111_1101    // N, C, P, Q, R, S
        case .weights: return 0b110_0110   // K, C, R, S
        case .outputs: return 0b001_1011   // N, K, P, Q
        }
    }

    public var relevantDimensions: [LoopDimension] { LoopDimension.allCases.filter { $0.isRelevant(to: self) } }

    public var description: String { ["inputs", "weights", "outputs"][rawValue] }
}
