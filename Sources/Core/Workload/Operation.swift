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

    /// Whether this is a matrix product.
    public var isMatmul: Bool {
        if case .matmul = self { return true }
        return false
    }
}

/// One node of a layer's operation graph (survey Fig. 1): a named operation with its cost and inputs.
public struct Operation: Sendable, Hashable, Identifiable {
    /// Unique in its graph, e.g. `mha/head03/qk`.
    public var id: String
    /// The breakdown key shared by all instances of the operation, e.g. `mha/qk` (per-head nodes share it).
    public var path: String
    /// The survey's name for it, e.g. `query × key`.
    public var name: String
    public var operationClass: OperationClass
    public var kind: OperationKind
    public var counts: WorkCounts
    /// Ids of the operations whose outputs this one reads, or `input`/`cache` for the layer's inputs.
    public var inputs: [String]

    public init(id: String, path: String, name: String, operationClass: OperationClass, kind: OperationKind,
                counts: WorkCounts, inputs: [String]) {
        self.id = id
        self.path = path
        self.name = name
        self.operationClass = operationClass
        self.kind = kind
        self.counts = counts
        self.inputs = inputs
    }
}
