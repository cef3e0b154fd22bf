/// Energy per access at each level of the mapper's hierarchy, with an access defined the way each source defines
/// it: an SRAM or DRAM access moves one word of the memory's width (an 8-bit operand is a fraction of it, a 32-bit
/// partial sum its datatype's width), a register access moves one word whatever the operand's width. One entry per
/// level and tensor group, each with its source; a (level, tensor) pair no entry lists is one the source's
/// hierarchy does not keep there (Timeloop's *bypass*), and costs nothing.
///
/// ``perWord(accelerator:)`` is the repository's own table (Horowitz 45 nm, Eyeriss's register ratio);
/// ``MappingEnergyTable/init(zigZagYAML:file:)`` reads ZigZag's `tpu_like.yaml` energies recorded in
/// `data/peers/zigzag-energy.yaml`.
///
/// ```swift
/// let t = try MappingEnergyTable.perWord(accelerator: .gemminiBaseline)
/// t.picojoules(.registers, .outputs, elementBits: 32, write: true)   // 0.3: one register word
/// t.picojoules(.dram, .weights, elementBits: 8, write: false)        // 160: a quarter of a 32-bit read
/// t.picojoules(.accumulator, .outputs, elementBits: 32, write: true) // 14.1: half a 64-bit word of 64 KiB
/// ```
public struct MappingEnergyTable: Sendable, Hashable {
    /// One row: what an access of `wordBits` bits costs at a level for some tensors, and where the number comes from.
    public struct Entry: Sendable, Hashable {
        public var level: MappingArchitecture.Level
        public var tensors: [MappedTensor]
        /// Bits one access moves; nil for a register, whose one word holds one operand of any width.
        public var wordBits: Int?
        public var readPicojoules: Double
        public var writePicojoules: Double
        public var source: String

        public init(level: MappingArchitecture.Level, tensors: [MappedTensor], wordBits: Int?, readPicojoules: Double,
                    writePicojoules: Double, source: String) {
            self.level = level
            self.tensors = tensors
            self.wordBits = wordBits
            self.readPicojoules = readPicojoules
            self.writePicojoules = writePicojoules
            self.source = source
        }

        /// pJ per element of `elementBits` bits: a fraction `elementBits / wordBits` of an access, or one register word.
        public func picojoules(elementBits: Int, write: Bool) -> Double {
            let perAccess = write ? writePicojoules : readPicojoules
            guard let wordBits else { return perAccess }
            return perAccess * Double(elementBits) / Double(wordBits)
        }
    }

    public var name: String
    public var macPicojoules: Double
    public var macSource: String
    public var entries: [Entry]

    public init(name: String, macPicojoules: Double, macSource: String, entries: [Entry]) {
        self.name = name
        self.macPicojoules = macPicojoules
        self.macSource = macSource
        self.entries = entries
    }

    /// The entry pricing `tensor` at `level`, or nil where the source's hierarchy does not keep it.
    public func entry(_ level: MappingArchitecture.Level, _ tensor: MappedTensor) -> Entry? {
        entries.first { $0.level == level && $0.tensors.contains(tensor) }
    }

    /// pJ per element read or written; 0 where no entry lists the pair (bypassed in the source's hierarchy).
    public func picojoules(_ level: MappingArchitecture.Level, _ tensor: MappedTensor, elementBits: Int, write: Bool) -> Double {
        entry(level, tensor)?.picojoules(elementBits: elementBits, write: write) ?? 0
    }

    /// The repository's own per-word table for an accelerator's memory sizes (45 nm):
    /// - MAC: Horowitz's 8-bit multiply (0.2 pJ) + 32-bit add (0.1 pJ), the survey's Fig. 15.
    /// - PE registers: Eyeriss (Chen, Emer, Sze, ISCA 2016) prices a register-file access at 1× a MAC, per word;
    ///   one word per operand or partial sum: 0.3 pJ.
    /// - Scratchpad, accumulator, L2: Horowitz's 64-bit cache reads grown like √capacity
    ///   (``AccessEnergy/sramPicojoulesPerByte(capacityBytes:)`` × 8 per 64-bit word); reads and writes alike.
    /// - DRAM: Horowitz's 640 pJ per 32-bit read (the survey's Fig. 15); writes alike.
    public static func perWord(accelerator a: Accelerator) throws(ConfigurationError) -> MappingEnergyTable {
        try a.validate()
        let mac = Horowitz45nm.entry(.multiply, .int8)!.energyPicojoules + Horowitz45nm.entry(.add, .int32)!.energyPicojoules
        let register = mac * AccessEnergy.eyerissRegisterToMAC
        func sram(_ bytes: Int) -> Double { AccessEnergy.sramPicojoulesPerByte(capacityBytes: bytes) * 8 }
        let dram = Horowitz45nm.entry(.dramRead, .int32)!.energyPicojoules
        let horowitz = "Horowitz ISSCC 2014 (survey Fig. 15): 64-bit cache read, 10 pJ at 8 KiB, × √(capacity / 8 KiB)"
        return MappingEnergyTable(
            name: "per-word (Horowitz 45 nm, Eyeriss register ratio)", macPicojoules: mac,
            macSource: "Horowitz ISSCC 2014 (survey Fig. 15): 8-bit multiply 0.2 pJ + 32-bit add 0.1 pJ",
            entries: [
                Entry(level: .dram, tensors: MappedTensor.allCases, wordBits: 32, readPicojoules: dram, writePicojoules: dram,
                      source: "Horowitz ISSCC 2014 (survey Fig. 15): 32-bit DRAM read, 640 pJ; writes priced alike"),
                Entry(level: .l2, tensors: MappedTensor.allCases, wordBits: 64, readPicojoules: sram(a.l2Bytes), writePicojoules: sram(a.l2Bytes),
                      source: horowitz + " (L2)"),
                Entry(level: .scratchpad, tensors: [.inputs, .weights], wordBits: 64, readPicojoules: sram(a.spCapacityBytes),
                      writePicojoules: sram(a.spCapacityBytes), source: horowitz + " (scratchpad)"),
                Entry(level: .accumulator, tensors: [.outputs], wordBits: 64, readPicojoules: sram(a.accCapacityBytes),
                      writePicojoules: sram(a.accCapacityBytes), source: horowitz + " (accumulator)"),
                Entry(level: .registers, tensors: MappedTensor.allCases, wordBits: nil, readPicojoules: register, writePicojoules: register,
                      source: "Eyeriss ISCA 2016: register-file access = 1× MAC, per word"),
            ])
    }
}
