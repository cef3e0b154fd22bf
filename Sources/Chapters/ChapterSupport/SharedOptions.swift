import ArgumentParser
import Core

// Flags that several chapters declare alike, each declared once here and used with `@OptionGroup`. None has a
// `validate()`: a command checks them where it builds its settings, so that a re-run group holding them parses
// its defaults without effects (``RerunLine``). What a chapter does with a flag (which study it shapes, which
// variant it changes) its command's discussion says.
//
// What stays in the commands, and why:
// - chapter 2's --mesh-rows/--mesh-columns: the analytical model of §3.3 takes any W×H array, while chapters 4
//   and 6 model Gemmini, whose DIM makes it square (--mesh-dim);
// - chapter 2's --dram-bandwidth/--l2-bandwidth and chapter 6's --dma-bytes-per-cycle: the latter is the former's
//   L2 ↔ local port under Gemmini's name, applied to three variants; renaming either would break existing runs;
// - chapter 6's --rebalanced-scratchpad-kib/--rebalanced-accumulator-kib: a second copy of the memory flags for a
//   second variant, which ArgumentParser cannot derive from a group by prefixing its names;
// - chapter 4's --dataflow takes ws or os only (the mapper models no other), chapter 2's also is;
// - chapter 1's --model takes a comma-separated list with `custom` and `resnet50`; it looks presets up through
//   the same `TransformerConfig.preset(named:)` as ``ModelOption``.

/// `--model`: one of the model presets (chapters 2 and 6).
public struct ModelOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Transformer model preset.", valueName: "name"))
    public var model: TransformerConfig = .bertBase

    public init() {}
}

/// `--accelerator`: the preset the accelerator flags start from (chapters 2 and 3).
public struct AcceleratorPresetOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Accelerator preset.", valueName: "name"))
    public var accelerator: Accelerator = .analyticalModel

    public init() {}
}

/// `--mesh-dim`: the side of Gemmini's square PE array, DIM (chapters 4 and 6).
public struct MeshDimOption: ParsableArguments {
    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("PE array side W (Gemmini's DIM: a W×W mesh).", valueName: "w"))
    public var meshDim: Int?

    public init() {}

    /// Core's field names for what this flag sets.
    public static let coreFields = ["meshRows": "mesh-dim", "meshColumns": "mesh-dim"]

    /// Sets `accelerator`'s mesh when the flag is given; an error naming the flag outside 1...256.
    public func apply(to accelerator: inout Accelerator) throws {
        guard let meshDim else { return }
        guard (1...256).contains(meshDim) else { throw ValidationError("invalid --mesh-dim: \(meshDim) is out of range; allowed 1...256") }
        accelerator.meshRows = meshDim
        accelerator.meshColumns = meshDim
    }
}

/// `--scratchpad-kib`, `--accumulator-kib`: the accelerator's local memories (chapters 2, 4 and 6).
public struct LocalMemoryOptions: ParsableArguments {
    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Scratchpad capacity (Gemmini's sp_capacity) in KiB.", valueName: "kib"))
    public var scratchpadKib: Int?
    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Accumulator capacity (Gemmini's acc_capacity) in KiB.", valueName: "kib"))
    public var accumulatorKib: Int?

    public init() {}

    /// Core's field names for what these flags set.
    public static let coreFields = ["scratchpadBytes": "scratchpad-kib", "accumulatorBytes": "accumulator-kib"]

    /// Sets the capacities given; an error naming the flag outside 1...2²⁰ KiB.
    public func apply(to accelerator: inout Accelerator) throws {
        if let bytes = try kibibytes(scratchpadKib, flag: "scratchpad-kib") { accelerator.spCapacityBytes = bytes }
        if let bytes = try kibibytes(accumulatorKib, flag: "accumulator-kib") { accelerator.accCapacityBytes = bytes }
    }
}

/// The local memories and `--l2-kib`, the shared L2 (chapters 2 and 4; chapter 6's variants keep Gemmini's L2).
public struct MemoryOptions: ParsableArguments {
    @OptionGroup public var local: LocalMemoryOptions
    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Shared L2 capacity in KiB.", valueName: "kib"))
    public var l2Kib: Int?

    public init() {}

    /// Core's field names for what these flags set.
    public static let coreFields = LocalMemoryOptions.coreFields.merging(["l2Bytes": "l2-kib"]) { a, _ in a }

    /// Sets the capacities given; an error naming the flag outside 1...2²⁰ KiB.
    public func apply(to accelerator: inout Accelerator) throws {
        try local.apply(to: &accelerator)
        if let bytes = try kibibytes(l2Kib, flag: "l2-kib") { accelerator.l2Bytes = bytes }
    }
}

extension Accelerator {
    /// This accelerator, named "<preset> (modified)" when the flags changed it from `preset`.
    public func marked(against preset: Accelerator) -> Accelerator {
        var a = self
        if a != preset { a.name += " (modified)" }
        return a
    }
}
