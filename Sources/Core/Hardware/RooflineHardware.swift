/// A machine as a plain roofline sees it: one peak rate of operations and one memory bandwidth, as LLM-Viewer
/// describes GPUs (hahnyuan/LLM-Viewer, `hardwares/hardware_params.py`; Yuan et al. 2024, arXiv 2402.16363).
/// An operation takes max(operations / peak, bytes / bandwidth): compute-bound above the ridge intensity
/// peak / bandwidth, memory-bound below it.
///
/// ```swift
/// let gpu = RooflineHardware.nvidiaA6000
/// gpu.ridgeIntensity                               // ≈ 201.6 operations per byte at fp16
/// gpu.seconds(operations: 34.4e9, bytes: 50.3e6)   // 2.22e-4: compute-bound
/// ```
public struct RooflineHardware: Sendable, Hashable {
    public var name: String
    /// Where the numbers come from.
    public var source: String
    /// Peak operations per second at the precision the study uses (fp16 for LLM-Viewer's GPUs).
    public var peakOpsPerSecond: Double
    /// Peak Int8 operations per second.
    public var int8OpsPerSecond: Double
    /// DRAM (HBM, GDDR) bandwidth in bytes per second.
    public var bandwidthBytesPerSecond: Double
    /// On-chip buffer (L2 and shared memory), bytes: recorded, not used by the roofline.
    public var onChipBytes: Double

    public init(name: String, source: String, peakOpsPerSecond: Double, int8OpsPerSecond: Double,
                bandwidthBytesPerSecond: Double, onChipBytes: Double) {
        self.name = name
        self.source = source
        self.peakOpsPerSecond = peakOpsPerSecond
        self.int8OpsPerSecond = int8OpsPerSecond
        self.bandwidthBytesPerSecond = bandwidthBytesPerSecond
        self.onChipBytes = onChipBytes
    }

    /// The intensity (operations per byte) where compute and memory take equally long.
    public var ridgeIntensity: Double { peakOpsPerSecond / bandwidthBytesPerSecond }

    /// The roofline time of `operations` operations moving `bytes` bytes.
    public func seconds(operations: Double, bytes: Double) -> Double {
        max(operations / peakOpsPerSecond, bytes / bandwidthBytesPerSecond)
    }

    /// Whether memory, not compute, bounds the work (LLM-Viewer's "bound" column).
    public func isMemoryBound(operations: Double, bytes: Double) -> Bool {
        bytes / bandwidthBytesPerSecond > operations / peakOpsPerSecond
    }

    /// NVIDIA RTX A6000 with LLM-Viewer's parameters (commit 472f71f1, `hardware_params.py`: 768 GB/s, an fp16
    /// peak written as 309.677e12 / 2, Int8 309.7e12, 21,504 kB of on-chip buffer).
    public static let nvidiaA6000 = RooflineHardware(
        name: "nvidia_A6000", source: "LLM-Viewer 472f71f1, hardwares/hardware_params.py",
        peakOpsPerSecond: 309.677e12 / 2, int8OpsPerSecond: 309.7e12, bandwidthBytesPerSecond: 768e9,
        onChipBytes: 21_504e3)
    /// NVIDIA A100 40 GB with LLM-Viewer's parameters (the same file: 1,555 GB/s, 312 TFLOP/s fp16, 624 TOP/s
    /// Int8, 27,648 kB of on-chip buffer).
    public static let nvidiaA100_40GB = RooflineHardware(
        name: "nvidia_A100_40G", source: "LLM-Viewer 472f71f1, hardwares/hardware_params.py",
        peakOpsPerSecond: 312e12, int8OpsPerSecond: 624e12, bandwidthBytesPerSecond: 1555e9, onChipBytes: 27_648e3)

    public static let presets: [RooflineHardware] = [.nvidiaA6000, .nvidiaA100_40GB]
}
