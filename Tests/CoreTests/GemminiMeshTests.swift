import Testing
@testable import Core

/// Checks of ``GemminiMesh``: the register-level mesh against a plain integer GEMM, the closed form against the
/// register-level cycle count, and cycle counts worked out by hand from the RTL's structure.
@Suite("Gemmini mesh: register-level model and closed form")
struct GemminiMeshTests {
    /// SplitMix64 (Steele, Lea and Flood 2014), written here so that the shapes do not depend on Core's generator.
    struct SplitMix64 {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        /// Uniform in 0..<n.
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
        mutating func int8s(_ count: Int) -> [Int8] { (0..<count).map { _ in Int8(truncatingIfNeeded: next()) } }
    }

    struct Shape: CustomStringConvertible {
        var rows: Int, columns: Int, depth: Int, dim: Int
        var description: String { "\(rows)×\(columns)×\(depth) on DIM \(dim)" }
    }

    /// `count` ragged shapes: DIM from {1, 2, 3, 4, 8, 16}, each side from 1 to 4·DIM + 3.
    static func randomShapes(_ count: Int, seed: UInt64) -> [Shape] {
        var rng = SplitMix64(state: seed)
        let dims = [1, 2, 3, 4, 8, 16]
        return (0..<count).map { _ in
            let dim = dims[rng.below(dims.count)], side = 4 * dim + 3
            return Shape(rows: rng.below(side) + 1, columns: rng.below(side) + 1, depth: rng.below(side) + 1, dim: dim)
        }
    }

    /// The plain triple loop, written again here rather than taken from Core.
    static func gemm(_ a: [Int8], _ b: [Int8], _ s: Shape) -> [Int32] {
        var c = [Int32](repeating: 0, count: s.rows * s.columns)
        for i in 0..<s.rows {
            for j in 0..<s.columns {
                var sum: Int32 = 0
                for p in 0..<s.depth { sum &+= Int32(a[i * s.depth + p]) * Int32(b[p * s.columns + j]) }
                c[i * s.columns + j] = sum
            }
        }
        return c
    }

    static let dataflows: [Dataflow] = [.weightStationary, .outputStationary]

    @Test("200 ragged blocks: results equal a plain GEMM, cycles and fires equal the closed form", arguments: dataflows)
    func randomBlocks(dataflow: Dataflow) throws {
        var rng = SplitMix64(state: dataflow == .weightStationary ? 2023 : 2302)
        for s in Self.randomShapes(200, seed: dataflow == .weightStationary ? 14017 : 7102) {
            let a = rng.int8s(s.rows * s.depth), b = rng.int8s(s.depth * s.columns)
            let run = try GemminiMesh.simulate(a: a, b: b, rows: s.rows, columns: s.columns, depth: s.depth,
                                               dim: s.dim, dataflow: dataflow)
            #expect(run.c == Self.gemm(a, b, s), "\(s)")
            #expect(run.cycles == (try GemminiMesh.blockCycles(rows: s.rows, columns: s.columns, depth: s.depth,
                                                               dim: s.dim, dataflow: dataflow)), "\(s)")
            #expect(run.fires == (try GemminiMesh.blockFires(rows: s.rows, columns: s.columns, depth: s.depth,
                                                             dim: s.dim, dataflow: dataflow)), "\(s)")
            #expect(run.stallCycles == 0, "\(s)")
        }
    }
}
