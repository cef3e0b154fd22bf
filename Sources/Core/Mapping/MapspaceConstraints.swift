/// Constraints on a mapspace in Timeloop's terms (its `mapspace_constraints`): per slot of ``Mapping``, factors that
/// are fixed (`K=1`) or bounded (`C<=16`, `P>=2`), a pinned loop order, and which tensors each storage level keeps
/// (its *bypass* sub-space). Timeloop's mapspace (NVlabs/timeloop `include/mapspaces/mapspace-base.hpp`,
/// commit 4cf6d4cd) is the product of four sub-spaces, index factorisation, loop permutation, spatial split and
/// datatype bypass, each indexed from 0 to its size; constraints shrink each one. ``Mapspace`` builds the
/// factorisation and permutation sub-spaces under these constraints and samples them by index.
///
/// ``gemminiTimeloop(meshRows:meshColumns:)`` is the constraint set Gemmini's own repository ships for Timeloop
/// (`ucb-bar/gemmini`, `modeling/timeloop/mapspace/mapspace.yaml`, added in commit d48db378, 2023-05-10, unchanged
/// at 8c3f9923), translated onto our slots; `data/arch/gemmini-constraints.yaml` is the same set as a file.
///
/// ```swift
/// let c = MapspaceConstraints.gemminiTimeloop(meshRows: 16, meshColumns: 16)
/// c.factor(.rows, .c)          // .atMost(16): only C on the array's rows (Timeloop's PERows)
/// c.permutation(.local)        // [K, R, S, C, N, P, Q], outermost first (Timeloop writes QPNCSRK, innermost first)
/// ```
public struct MapspaceConstraints: Sendable, Hashable {
    /// A factor constraint at one slot for one dimension.
    public enum Factor: Sendable, Hashable, CustomStringConvertible {
        case fixed(Int), atMost(Int), atLeast(Int)

        public func admits(_ f: Int) -> Bool {
            switch self {
            case let .fixed(n): return f == n
            case let .atMost(n): return f <= n
            case let .atLeast(n): return f >= n
            }
        }

        public var description: String {
            switch self {
            case let .fixed(n): return "=\(n)"
            case let .atMost(n): return "<=\(n)"
            case let .atLeast(n): return ">=\(n)"
            }
        }
    }

    public var name: String
    /// Where the constraints come from.
    public var source: String
    /// `factors[slot][dimension]`; a missing entry is free.
    public var factors: [Mapping.Slot: [LoopDimension: Factor]]
    /// Pinned loop orders of temporal slots, outermost first; a missing slot's order is free.
    public var permutations: [Mapping.Slot: [LoopDimension]]
    /// The tensors each level keeps (the rest bypass it); nil when the constraints leave bypass to the architecture.
    public var keep: [MappingArchitecture.Level: Set<MappedTensor>]?

    public init(name: String, source: String, factors: [Mapping.Slot: [LoopDimension: Factor]] = [:],
                permutations: [Mapping.Slot: [LoopDimension]] = [:], keep: [MappingArchitecture.Level: Set<MappedTensor>]? = nil) {
        self.name = name
        self.source = source
        self.factors = factors
        self.permutations = permutations
        self.keep = keep
    }

    /// No constraints: the architecture's wiring alone shapes the space (the repository's first sampler).
    public static let none = MapspaceConstraints(name: "unconstrained", source: "ours: every factorisation over the six slots the architecture's wiring allows, every loop order")

    public func factor(_ slot: Mapping.Slot, _ d: LoopDimension) -> Factor? { factors[slot]?[d] }
    public func permutation(_ slot: Mapping.Slot) -> [LoopDimension]? { permutations[slot] }

    /// Every factor of a slot fixed to 1: the slot holds no loop.
    public func isEmpty(_ slot: Mapping.Slot) -> Bool {
        LoopDimension.allCases.allSatisfy { factor(slot, $0) == .fixed(1) }
    }

    /// Timeloop's permutation string (innermost first, e.g. `QPNCSRK`; `include/mapping/nest.hpp`: loops are kept
    /// inner to outer) as an order outermost first; dimensions the string leaves out go outermost, as Timeloop's
    /// parser appends them (`src/mapping/parser.cpp`). nil for an unknown letter or a repeat.
    public static func order(timeloopPermutation text: String) -> [LoopDimension]? {
        var innermostFirst: [LoopDimension] = []
        for ch in text {
            guard let d = LoopDimension(letter: ch), !innermostFirst.contains(d) else { return nil }
            innermostFirst.append(d)
        }
        let missing = LoopDimension.allCases.filter { !innermostFirst.contains($0) }
        return Array((innermostFirst + missing).reversed())
    }

    /// The constraints of Gemmini's Timeloop mapspace (`ucb-bar/gemmini` `modeling/timeloop/mapspace/mapspace.yaml`,
    /// commit d48db378) on our slots, for a `meshRows` × `meshColumns` weight-stationary array:
    /// - Registers (our ``Mapping/Slot/registers``): every temporal factor 1; keep weights only.
    /// - Accumulator spatial (our ``Mapping/Slot/rows``, Timeloop's PERows): only C, at most `meshRows`.
    /// - Accumulator temporal (our ``Mapping/Slot/local``): order `QPNCSRK` innermost first; factors free; keep outputs.
    /// - Scratchpad spatial (our ``Mapping/Slot/columns``, PECols): only K, at most `meshColumns`.
    /// - Scratchpad temporal: every factor 1 (our local slot holds Timeloop's accumulator loops); keep inputs, weights.
    /// - DRAM temporal (our ``Mapping/Slot/dram``): order `CSRKQPN` innermost first; keep everything.
    /// - Our ``Mapping/Slot/l2``: the spec has no L2 between DRAM and the scratchpad; we pin its factors to 1, so
    ///   the SoC's L2 holds the scratchpad's tile and passes it through (one write and one read per element moved).
    public static func gemminiTimeloop(meshRows: Int, meshColumns: Int) -> MapspaceConstraints {
        func ones(except: [LoopDimension: Factor] = [:]) -> [LoopDimension: Factor] {
            Dictionary(uniqueKeysWithValues: LoopDimension.allCases.map { ($0, except[$0] ?? .fixed(1)) })
        }
        return MapspaceConstraints(
            name: "Gemmini's Timeloop mapspace",
            source: "ucb-bar/gemmini modeling/timeloop/mapspace/mapspace.yaml (commit d48db378, 2023-05-10)",
            factors: [.registers: ones(), .l2: ones(), .rows: ones(except: [.c: .atMost(meshRows)]),
                      .columns: ones(except: [.k: .atMost(meshColumns)])],
            permutations: [.local: order(timeloopPermutation: "QPNCSRK")!, .dram: order(timeloopPermutation: "CSRKQPN")!],
            keep: [.dram: [.inputs, .weights, .outputs], .scratchpad: [.inputs, .weights], .accumulator: [.outputs], .registers: [.weights]])
    }

    /// The keeps our architecture's structure implies: DRAM and L2 keep everything, the scratchpad inputs and weights,
    /// the accumulator outputs, the registers the stationary tensor (and the partial sums on a TPU-like PE).
    public static func architectureKeeps(_ arch: MappingArchitecture) -> [MappingArchitecture.Level: Set<MappedTensor>] {
        [.dram: [.inputs, .weights, .outputs], .l2: [.inputs, .weights, .outputs], .scratchpad: [.inputs, .weights],
         .accumulator: [.outputs], .registers: arch.registerTensors]
    }

    /// No loop at the L2 slot: for an architecture without an L2 (ZigZag's `tpu_like`, a spec file without one).
    public static let noL2 = MapspaceConstraints(
        name: "no L2", source: "the architecture has no L2: its slot holds no loop",
        factors: [.l2: Dictionary(uniqueKeysWithValues: LoopDimension.allCases.map { ($0, .fixed(1)) })])
}

extension LoopDimension {
    /// The dimension named by Timeloop's letter (N, K or M, C, P, Q, R, S; case-insensitive).
    public init?(letter: Character) {
        switch letter.uppercased() {
        case "N": self = .n
        case "K", "M": self = .k
        case "C": self = .c
        case "P": self = .p
        case "Q": self = .q
        case "R": self = .r
        case "S": self = .s
        default: return nil
        }
    }
}
