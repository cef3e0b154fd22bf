/// Energy of one MAC and of moving one byte at each level of a Gemmini-like memory hierarchy, at 45 nm: the one
/// energy table that the mapper's cost model (chapter 4) and the NAS hardware cost (chapter 5) share.
///
/// Sources, level by level:
/// - **MAC**: an 8-bit multiply (0.2 pJ) plus a 32-bit add (0.1 pJ) from Horowitz (ISSCC 2014) as the survey's
///   Fig. 15 tabulates them: 0.3 pJ.
/// - **PE register**: Eyeriss (Chen, Emer, Sze, ISCA 2016, its normalised energy costs) puts a register-file access at 1× the
///   energy of a MAC; we charge one MAC's energy per byte read or written.
/// - **On-chip SRAM** (scratchpad, accumulator, L2): Horowitz's 64-bit cache reads, 10 pJ at 8 KB, 20 pJ at
///   32 KB and 100 pJ at 1 MB, grow like √capacity; we use E₆₄(C) = 10 pJ · √(C / 8 KiB), which meets the first
///   two points exactly and the 1 MB point within 13% (113 pJ), divided by 8 for a byte.
/// - **DRAM**: 640 pJ per 32-bit read (Fig. 15), 160 pJ per byte.
///
/// These are relative costs for comparing mappings and architectures, not a sign-off energy model: they ignore
/// wires, leakage and the process node Gemmini was synthesised in.
///
/// ```swift
/// let e = try AccessEnergy(accelerator: .gemminiBaseline)
/// e.scratchpadPicojoulesPerByte    // 7.07 (256 KiB)
/// e.accumulatorPicojoulesPerByte   // 3.54 (64 KiB)
/// e.dramPicojoulesPerByte          // 160
/// ```
public struct AccessEnergy: Sendable, Hashable {
    public var macPicojoules: Double
    public var registerPicojoulesPerByte: Double
    public var scratchpadPicojoulesPerByte: Double
    public var accumulatorPicojoulesPerByte: Double
    public var l2PicojoulesPerByte: Double
    public var dramPicojoulesPerByte: Double

    public init(macPicojoules: Double, registerPicojoulesPerByte: Double, scratchpadPicojoulesPerByte: Double,
                accumulatorPicojoulesPerByte: Double, l2PicojoulesPerByte: Double, dramPicojoulesPerByte: Double) {
        self.macPicojoules = macPicojoules
        self.registerPicojoulesPerByte = registerPicojoulesPerByte
        self.scratchpadPicojoulesPerByte = scratchpadPicojoulesPerByte
        self.accumulatorPicojoulesPerByte = accumulatorPicojoulesPerByte
        self.l2PicojoulesPerByte = l2PicojoulesPerByte
        self.dramPicojoulesPerByte = dramPicojoulesPerByte
    }

    /// The table for an accelerator's memory sizes (see the type's documentation for every source).
    public init(accelerator a: Accelerator) throws(ConfigurationError) {
        try a.validate()
        let mac = Horowitz45nm.entry(.multiply, .int8)!.energyPicojoules + Horowitz45nm.entry(.add, .int32)!.energyPicojoules
        self.init(macPicojoules: mac,
                  registerPicojoulesPerByte: mac * Self.eyerissRegisterToMAC,
                  scratchpadPicojoulesPerByte: Self.sramPicojoulesPerByte(capacityBytes: a.spCapacityBytes),
                  accumulatorPicojoulesPerByte: Self.sramPicojoulesPerByte(capacityBytes: a.accCapacityBytes),
                  l2PicojoulesPerByte: Self.sramPicojoulesPerByte(capacityBytes: a.l2Bytes),
                  dramPicojoulesPerByte: Horowitz45nm.dramPicojoulesPerByte)
    }

    /// Eyeriss's register-file access energy relative to a MAC (ISCA 2016: RF 1×, array 2×, buffer 6×, DRAM 200×).
    public static let eyerissRegisterToMAC = 1.0

    /// Horowitz's 64-bit read of an 8 KB cache (ISSCC 2014), the anchor of the √capacity rule.
    public static let sram64BitPicojoulesAt8KiB = 10.0

    /// E₆₄(C) / 8 with E₆₄(C) = 10 pJ · √(C / 8 KiB): energy per byte of an SRAM of `capacityBytes`.
    public static func sramPicojoulesPerByte(capacityBytes: Int) -> Double {
        sram64BitPicojoulesAt8KiB * (Double(capacityBytes) / 8192).squareRoot() / 8
    }
}
