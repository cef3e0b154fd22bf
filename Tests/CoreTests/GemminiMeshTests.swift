import Testing
@testable import Core

/// Checks of ``GemminiMesh``: the register-level mesh against a plain integer GEMM, the closed form against the
/// register-level cycle count, and cycle counts worked out by hand from the RTL's structure.
@Suite("Gemmini mesh: register-level model and closed form")
struct GemminiMeshTests {
    struct Shape: CustomStringConvertible {
        var rows: Int, columns: Int, depth: Int, dim: Int
        var description: String { "\(rows)×\(columns)×\(depth) on DIM \(dim)" }
    }

    /// `count` ragged shapes: DIM from {1, 2, 3, 4, 8, 16}, each side from 1 to 4·DIM + 3.
    static func randomShapes(_ count: Int, seed: UInt64) -> [Shape] {
        var rng = TestSplitMix64(state: seed)
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
        var rng = TestSplitMix64(state: dataflow == .weightStationary ? 2023 : 2302)
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

    /// Cycles and fires worked out by hand from the command stream (first fire = cycle 1; a result row is handed to
    /// the accumulator 2·DIM cycles after its fire: skew c + DIM PE registers + 1 output register + DIM − 1 − c).
    struct Named: CustomStringConvertible {
        var name: String
        var shape: Shape
        var dataflow: Dataflow
        var fires: Int, cycles: Int
        var rowsPerRequest: [Int]
        var description: String { "\(name) (\(dataflow.rawValue))" }
    }

    static let named: [Named] = [
        // One full tile. WS: 16 weight rows, then the single mul's 16 rows; the last enters at fire 32.
        Named(name: "single tile", shape: Shape(rows: 16, columns: 16, depth: 16, dim: 16), dataflow: .weightStationary,
              fires: 32, cycles: 32 + 32, rowsPerRequest: [16, 16]),
        // OS: a preload of zeros, the compute, the flush; row 0 of C leaves with the flush's last fire (48).
        Named(name: "single tile", shape: Shape(rows: 16, columns: 16, depth: 16, dim: 16), dataflow: .outputStationary,
              fires: 48, cycles: 48 + 32, rowsPerRequest: [16, 16, 16]),
        // One row of A: the single mul still feeds 4 rows, but the only real one enters at fire 17.
        Named(name: "one row", shape: Shape(rows: 1, columns: 16, depth: 16, dim: 16), dataflow: .weightStationary,
              fires: 16 + 4, cycles: 17 + 32, rowsPerRequest: [16, 4]),
        Named(name: "one row", shape: Shape(rows: 1, columns: 16, depth: 16, dim: 16), dataflow: .outputStationary,
              fires: 48, cycles: 48 + 32, rowsPerRequest: [16, 16, 16]),
        // 2×2×2 full tiles: WS 16 + 8·16 fires; OS (8 + 2)·16.
        Named(name: "full 16×16×16 tiles", shape: Shape(rows: 32, columns: 32, depth: 32, dim: 16),
              dataflow: .weightStationary, fires: 144, cycles: 144 + 32, rowsPerRequest: [16] + Array(repeating: 16, count: 8)),
        Named(name: "full 16×16×16 tiles", shape: Shape(rows: 32, columns: 32, depth: 32, dim: 16),
              dataflow: .outputStationary, fires: 160, cycles: 160 + 32, rowsPerRequest: Array(repeating: 16, count: 10)),
        // Ragged, DIM 4: I = 2 (last A tile 1 row), J = 1, K = 2. WS requests: weights 4, C0 4, C1 + weights 4, C0 4,
        // single mul of the 1-row tile 4 (floor): its real row enters at fire 17, written 8 cycles later.
        Named(name: "ragged 5×3×6", shape: Shape(rows: 5, columns: 3, depth: 6, dim: 4), dataflow: .weightStationary,
              fires: 20, cycles: 17 + 8, rowsPerRequest: [4, 4, 4, 4, 4]),
        Named(name: "ragged 5×3×6", shape: Shape(rows: 5, columns: 3, depth: 6, dim: 4), dataflow: .outputStationary,
              fires: 24, cycles: 24 + 8, rowsPerRequest: [4, 4, 4, 4, 4, 4]),
        // DIM 1: one weight row, then a single mul of 4 rows (floor) whose first is the real one (fire 2).
        Named(name: "1×1×1 on one PE", shape: Shape(rows: 1, columns: 1, depth: 1, dim: 1), dataflow: .weightStationary,
              fires: 5, cycles: 2 + 2, rowsPerRequest: [1, 4]),
        Named(name: "1×1×1 on one PE", shape: Shape(rows: 1, columns: 1, depth: 1, dim: 1), dataflow: .outputStationary,
              fires: 3, cycles: 3 + 2, rowsPerRequest: [1, 1, 1]),
    ]

    @Test("named blocks: cycles, fires and requests worked out by hand", arguments: named)
    func namedBlocks(_ n: Named) throws {
        var rng = TestSplitMix64(state: 16)
        let s = n.shape
        let a = rng.int8s(s.rows * s.depth), b = rng.int8s(s.depth * s.columns)
        let run = try GemminiMesh.simulate(a: a, b: b, rows: s.rows, columns: s.columns, depth: s.depth, dim: s.dim,
                                           dataflow: n.dataflow)
        #expect(run.c == Self.gemm(a, b, s))
        #expect(run.fires == n.fires)
        #expect(run.cycles == n.cycles)
        #expect(run.requests.map(\.totalRows) == n.rowsPerRequest)
        #expect(try GemminiMesh.blockCycles(rows: s.rows, columns: s.columns, depth: s.depth, dim: s.dim,
                                            dataflow: n.dataflow) == n.cycles)
        #expect(try GemminiMesh.blockFires(rows: s.rows, columns: s.columns, depth: s.depth, dim: s.dim,
                                           dataflow: n.dataflow) == n.fires)
    }

    @Test("the execute controller's requests: one single preload, mul_pre for the rest, one single mul, OS flushes")
    func requestKinds() throws {
        var rng = TestSplitMix64(state: 3)
        // DIM 4, 10×7×9: I = 3, J = 2, K = 3, 18 computes.
        let a = rng.int8s(10 * 9), b = rng.int8s(9 * 7)
        let ws = try GemminiMesh.simulate(a: a, b: b, rows: 10, columns: 7, depth: 9, dim: 4, dataflow: .weightStationary)
        #expect(ws.requests.map(\.kind) == [.singlePreload] + Array(repeating: .mulPre, count: 17) + [.singleMul])
        // COMPUTE_AND_FLIP heads the request of each weight tile's first A tile: 6 weight tiles.
        #expect(ws.requests.filter(\.flips).count == 6)
        let os = try GemminiMesh.simulate(a: a, b: b, rows: 10, columns: 7, depth: 9, dim: 4, dataflow: .outputStationary)
        #expect(os.requests.map(\.kind) == [.singlePreload] + Array(repeating: .mulPre, count: 17) + [.singleMul, .flush])
        #expect(os.count(.flush) == 1 && os.count(.mulPre) == 17)
        // OS flips on the first k of each of the 6 output tiles, and the flush flips the last one out.
        #expect(os.requests.filter(\.flips).count == 7)
    }

    @Test("WS steady state: DIM·(1 + I·J·K) + 2·DIM cycles for full tiles, double buffering keeps the mesh busy",
          arguments: [4, 8, 16])
    func steadyState(dim: Int) throws {
        var rng = TestSplitMix64(state: UInt64(dim))
        for (i, j, k) in [(2, 1, 1), (2, 2, 1), (3, 1, 2), (2, 2, 2), (3, 2, 2)] {
            let s = Shape(rows: i * dim, columns: j * dim, depth: k * dim, dim: dim)
            let a = rng.int8s(s.rows * s.depth), b = rng.int8s(s.depth * s.columns)
            let run = try GemminiMesh.simulate(a: a, b: b, rows: s.rows, columns: s.columns, depth: s.depth, dim: dim,
                                               dataflow: .weightStationary)
            #expect(run.cycles == dim * (1 + i * j * k) + 2 * dim, "\(s)")
            #expect(run.stallCycles == 0)
            #expect(run.c == Self.gemm(a, b, s))
        }
    }

    @Test("below DIM 4 the floor of 4 rows per request breaks the steady state")
    func floorBelowDim4() throws {
        var rng = TestSplitMix64(state: 2)
        // DIM 2, 4×2×2 (I = 2): weights 2 rows, C0 max(2, 4) = 4, single mul 4; C1's row 1 enters at fire 8.
        let a = rng.int8s(4 * 2), b = rng.int8s(2 * 2)
        let run = try GemminiMesh.simulate(a: a, b: b, rows: 4, columns: 2, depth: 2, dim: 2, dataflow: .weightStationary)
        #expect(run.fires == 10)
        #expect(run.cycles == 8 + 4)            // not 2·(1 + 2) + 4 = 10
    }

    @Test("utilisation: the double-buffered mesh nears 1 on a 128³ block; SCALE-Sim's single-buffered model does not")
    func utilisation() throws {
        var rng = TestSplitMix64(state: 128)
        let n = 128, a = rng.int8s(n * n), b = rng.int8s(n * n)
        let run = try GemminiMesh.simulate(a: a, b: b, rows: n, columns: n, depth: n, dim: 16, dataflow: .weightStationary)
        #expect(run.cycles == 16 * (1 + 8 * 8 * 8) + 32)       // 8,240
        let macs = Double(n * n * n)
        let meshUtilisation = macs / (Double(run.cycles) * 256)
        #expect(meshUtilisation > 0.99)
        // SystolicArray's closed form (unchanged): 8·8 weight folds of 2·16 + 16 + 128 − 2 = 174 cycles.
        let single = SystolicArray.gemmini.closedFormCycles(GEMMShape(m: n, n: n, k: n), .weightStationary)
        #expect(single == 64 * 174)
        #expect(macs / (Double(single) * 256) < 0.74)
        // The closed form alone, on a block far too big to simulate: 256³ tiles of 16.
        #expect(try GemminiMesh.blockCycles(rows: 4096, columns: 4096, depth: 4096, dim: 16,
                                            dataflow: .weightStationary) == 16 * (1 + 256 * 256 * 256) + 32)
    }

    @Test("PE sums wrap at Gemmini's 20-bit spatial output type: OS wraps on deep reductions, WS only at DIM 32")
    func twentyBitPEOutputs() throws {
        // 64 products of (−128)·(−128) = 2^14 sum to 2^20: OS keeps the whole sum in one PE, 20 bits wrap it to 0.
        let a = [Int8](repeating: -128, count: 4 * 64), b = [Int8](repeating: -128, count: 64 * 4)
        let os = try GemminiMesh.simulate(a: a, b: b, rows: 4, columns: 4, depth: 64, dim: 4, dataflow: .outputStationary)
        #expect(os.c == [Int32](repeating: 0, count: 16))
        let os32 = try GemminiMesh.simulate(a: a, b: b, rows: 4, columns: 4, depth: 64, dim: 4,
                                            dataflow: .outputStationary, meshOutputBits: 32)
        #expect(os32.c == [Int32](repeating: 1 << 20, count: 16))
        // WS sums 4 products per column in the mesh and adds the 16 tiles in the 32-bit accumulator.
        let ws = try GemminiMesh.simulate(a: a, b: b, rows: 4, columns: 4, depth: 64, dim: 4, dataflow: .weightStationary)
        #expect(ws.c == [Int32](repeating: 1 << 20, count: 16))
        // At DIM 32 one column sums 32 · 2^14 = 2^19, one past the largest 20-bit value.
        let a32 = [Int8](repeating: -128, count: 32), b32 = [Int8](repeating: -128, count: 32)
        let wide = try GemminiMesh.simulate(a: a32, b: b32, rows: 1, columns: 1, depth: 32, dim: 32,
                                            dataflow: .weightStationary)
        #expect(wide.c == [-(1 << 19)])
    }

    @Test("Core's reference GEMM is the plain loop")
    func referenceGEMM() {
        var rng = TestSplitMix64(state: 9)
        let s = Shape(rows: 5, columns: 7, depth: 3, dim: 1)
        let a = rng.int8s(15), b = rng.int8s(21)
        #expect(GemminiMesh.referenceGEMM(a: a, b: b, rows: 5, columns: 7, depth: 3) == Self.gemm(a, b, s))
    }

    @Test("invalid sizes, operands and dataflows throw, naming the field")
    func errors() {
        func field(_ body: () throws -> Void) -> String? {
            do { try body(); return nil } catch let error as ConfigurationError { return error.field } catch { return "\(error)" }
        }
        let one: [Int8] = [1]
        #expect(field { _ = try GemminiMesh.blockCycles(rows: 1, columns: 1, depth: 1, dim: 0, dataflow: .weightStationary) } == "dim")
        #expect(field { _ = try GemminiMesh.blockCycles(rows: 1, columns: 1, depth: 1, dim: 33, dataflow: .weightStationary) } == "dim")
        #expect(field { _ = try GemminiMesh.blockFires(rows: 0, columns: 1, depth: 1, dim: 4, dataflow: .outputStationary) } == "rows")
        #expect(field { _ = try GemminiMesh.blockCycles(rows: 1, columns: 1, depth: 1, dim: 4, dataflow: .inputStationary) } == "dataflow")
        #expect(field { _ = try GemminiMesh.simulate(a: one, b: one, rows: 1, columns: 1, depth: 2, dim: 4,
                                                     dataflow: .weightStationary) } == "a")
        #expect(field { _ = try GemminiMesh.simulate(a: one, b: [1, 2], rows: 1, columns: 1, depth: 1, dim: 4,
                                                     dataflow: .weightStationary) } == "b")
        #expect(field { _ = try GemminiMesh.simulate(a: one, b: one, rows: 1, columns: 1, depth: 1, dim: 4,
                                                     dataflow: .outputStationary, meshOutputBits: 15) } == "meshOutputBits")
    }
}

