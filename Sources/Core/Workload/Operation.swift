/// The survey's four operation classes (Tab. 3 rows; the legend of Fig. 7-9).
public enum OperationClass: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// W_Q, W_K, W_V and W_out: activation × weight matmuls of the MHA module.
    case projection
    /// Query × key and score × value: activation × activation matmuls, one per head.
    case actToAct
    /// W1 and W2 of the feed-forward network.
    case ffn
    /// Everything that is not a matmul: Softmax, LayerNorm, GELU, residual adds.
    case nonlinear

    /// The row label the survey uses.
    public var label: String {
        switch self {
        case .projection: return "MHA proj"
        case .actToAct: return "MHA act-to-act"
        case .ffn: return "FFN proj"
        case .nonlinear: return "Other"
        }
    }

    public static func < (a: Self, b: Self) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// FLOPs and bytes of some amount of work; the arithmetic intensity is their ratio (survey Eq. 1).
public struct WorkCounts: Sendable, Hashable, Codable {
    public var flops: Double
    /// Memory operations, in bytes.
    public var bytes: Double

    public init(flops: Double = 0, bytes: Double = 0) {
        self.flops = flops
        self.bytes = bytes
    }

    /// FLOPs per byte moved; 0 when nothing moves.
    public var intensity: Double { bytes > 0 ? flops / bytes : 0 }

    public static let zero = WorkCounts()

    public static func + (a: Self, b: Self) -> Self { WorkCounts(flops: a.flops + b.flops, bytes: a.bytes + b.bytes) }
    public static func += (a: inout Self, b: Self) { a = a + b }
    public static func * (a: Self, k: Double) -> Self { WorkCounts(flops: a.flops * k, bytes: a.bytes * k) }
}

/// What an operation computes, with the dimensions that determine its cost.
public enum OperationKind: Sendable, Hashable {
    /// A matrix product in the survey's m×n×k notation (Tab. 2): inputs m×n and n×k, output m×k.
    case matmul(m: Int, n: Int, k: Int)
    case softmax
    case layerNorm
    case gelu
    case residualAdd
    /// RMSNorm (Zhang & Sennrich 2019): scale by the reciprocal root mean square, then by γ.
    case rmsNorm
    /// Rotary position embedding (Su et al. 2021): rotate each pair of query and key features by a
    /// position-dependent angle.
    case rotary
    /// SwiGLU's product SiLU(gate) ⊙ up (Shazeer 2020).
    case swiglu

    /// Whether this is a matrix product.
    public var isMatmul: Bool {
        if case .matmul = self { return true }
        return false
    }

    /// Passes over each row that an accelerator's special function unit makes (survey §3.1, Fig. 2): Softmax
    /// three (maximum; exponent and sum; scaling), LayerNorm three (mean; variance; normalisation), GELU and a
    /// residual add one; 0 for a matmul. RMSNorm two (mean square; normalisation), rotary embedding and SwiGLU's
    /// product one.
    public var passes: Int {
        switch self {
        case .matmul: return 0
        case .softmax, .layerNorm: return 3
        case .rmsNorm: return 2
        case .gelu, .residualAdd, .rotary, .swiglu: return 1
        }
    }

    /// Wide (accumulator-precision) parameters per feature that the operation reads once: LayerNorm's γ and β,
    /// RMSNorm's γ.
    public var parametersPerFeature: Int {
        switch self {
        case .layerNorm: return 2
        case .rmsNorm: return 1
        case .matmul, .softmax, .gelu, .residualAdd, .rotary, .swiglu: return 0
        }
    }
}

/// The shape of an operation as hardware runs it: a matrix product with the tokens as rows (m = tokens, n = output
/// features, k = the reduction), or `rows` rows of `rowLength` elements for an element-wise operation.
public enum OperationShape: Sendable, Hashable {
    case matmul(GEMMShape)
    case elementwise(rows: Int, rowLength: Int)

    public var elements: Int {
        switch self {
        case let .matmul(s): return s.m * s.n
        case let .elementwise(rows, rowLength): return rows * rowLength
        }
    }
}

/// One node of a layer's operation graph (survey Fig. 1): an operation with its identity, shape, cost and inputs.
public struct Operation: Sendable, Hashable, Identifiable {
    /// Which operation of the layer it is.
    public var identity: LayerOperationID
    /// The attention head, for per-head operations.
    public var head: Int?
    /// Unique in its graph, e.g. `mha/head03/qk` (``LayerOperationID/nodeID(head:heads:)``).
    public var id: String
    public var kind: OperationKind
    /// The shape in the accelerator's orientation (tokens as rows); ``kind`` gives it in the survey's notation.
    public var shape: OperationShape
    public var counts: WorkCounts
    /// Ids of the operations whose outputs this one reads, or `input`/`cache` for the layer's inputs.
    public var inputs: [String]
    /// Independent copies of ``shape`` that ``counts`` covers: the batch's sequences for attention's per-head
    /// operations, which do not share operands across sequences; 1 otherwise (a batch's projections are one
    /// matmul with more rows).
    public var copies: Int = 1

    public init(identity: LayerOperationID, head: Int?, id: String, kind: OperationKind, shape: OperationShape,
                counts: WorkCounts, inputs: [String], copies: Int = 1) {
        self.identity = identity
        self.head = head
        self.id = id
        self.kind = kind
        self.shape = shape
        self.counts = counts
        self.inputs = inputs
        self.copies = copies
    }

    /// The breakdown key shared by all instances of the operation, e.g. `mha/qk` (per-head nodes share it).
    public var path: String { identity.path }
    /// The survey's name for it, e.g. `query × key`.
    public var name: String { identity.name }
    public var operationClass: OperationClass { identity.operationClass }
}
