/// One operation's work for a roofline estimate: multiply-accumulates on the PE array, element operations on
/// the vector (special function) unit, and bytes moved to or from DRAM.
public struct OperationCost: Sendable, Hashable {
    /// The layer operation it prices, when it is one.
    public var identity: LayerOperationID?
    /// Its breakdown key (``LayerOperationID/path`` for a layer operation).
    public var path: String
    /// Multiply-accumulates the PE array performs (zeros included when the hardware cannot skip them).
    public var macs: Double
    /// FLOPs in the survey's convention (2 per MAC for projections, 2n − 1 per act-to-act dot product).
    public var flops: Double
    /// Element operations of non-linear operations, run on the vector unit.
    public var vectorOps: Double
    public var bytes: Double

    public init(identity: LayerOperationID? = nil, path: String, macs: Double, flops: Double, vectorOps: Double,
                bytes: Double) {
        self.identity = identity
        self.path = path
        self.macs = macs
        self.flops = flops
        self.vectorOps = vectorOps
        self.bytes = bytes
    }
}

/// A roofline latency estimate, operation by operation: each takes the larger of its compute time and its DRAM
/// time, max(MACs / (PEs per cycle), vector ops / lanes, bytes / (DRAM bytes per cycle)), and the times add.
///
/// This is the plain roofline bound, written for chapter 3's precision, sparsity and decoding studies; it has no
/// tiling, no on-chip reuse beyond what the byte counts assume, and no overlap between operations. (Core's
/// analytical latency model of §3.3 is a separate, more detailed model.)
///
/// ```swift
/// let m = try RooflineMachine(.analyticalModel)
/// m.cycles(OperationCost(path: "x", macs: 256_000, flops: 512_000, vectorOps: 0, bytes: 64_000))   // 1000
/// ```
public struct RooflineMachine: Sendable, Hashable {
    public var macsPerCycle: Double
    public var vectorOpsPerCycle: Double
    public var dramBytesPerCycle: Double
    public var clockHz: Double

    /// The accelerator's PE array (times `peScale`, e.g. fewer, larger floating-point PEs in the same area), its
    /// special function unit (16 lanes when it has none, as the host would need at least as long) and its DRAM.
    public init(_ a: Accelerator, peScale: Double = 1) throws(ConfigurationError) {
        try a.validate()
        guard peScale.isFinite, peScale > 0 else {
            throw ConfigurationError(field: "peScale", message: "\(peScale) must be above 0")
        }
        macsPerCycle = Double(a.peakMACsPerCycle) * peScale
        vectorOpsPerCycle = Double(a.sfuWidth > 0 ? a.sfuWidth : 16)
        dramBytesPerCycle = a.dramBytesPerCycle
        clockHz = a.clockHz
    }

    public func computeCycles(_ op: OperationCost) -> Double {
        Swift.max(op.macs / macsPerCycle, op.vectorOps / vectorOpsPerCycle)
    }

    public func memoryCycles(_ op: OperationCost) -> Double { op.bytes / dramBytesPerCycle }

    public func cycles(_ op: OperationCost) -> Double { Swift.max(computeCycles(op), memoryCycles(op)) }

    public func cycles(_ ops: [OperationCost]) -> Double { ops.reduce(0) { $0 + cycles($1) } }

    /// Whether DRAM, not compute, bounds the operation.
    public func isMemoryBound(_ op: OperationCost) -> Bool { memoryCycles(op) > computeCycles(op) }
}

extension ModelWorkload {
    /// The workload's operations as roofline costs: MACs are FLOPs / 2 for matmuls; non-linear FLOPs go to the
    /// vector unit; bytes at the workload's precision (``ModelWorkload/quantized(bytesPerValue:)``).
    public func operationCosts() -> [OperationCost] {
        operations.map { op in
            let matmul = op.operationClass != .nonlinear
            return OperationCost(identity: op.identity, path: op.path, macs: matmul ? op.counts.flops / 2 : 0, flops: op.counts.flops,
                                 vectorOps: matmul ? 0 : op.counts.flops, bytes: op.counts.bytes)
        }
    }
}
