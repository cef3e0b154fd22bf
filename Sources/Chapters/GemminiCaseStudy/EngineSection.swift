import ChapterSupport
import Core
import Render

/// The engine: bit-exactness, the cycle model against the register-level simulator and the closed forms, and the
/// side-by-side table of every BERT-Base matmul.
enum EngineSection {
    /// SCALE-Sim 3.0.0 on BERT-Base FFN W1 at 128 tokens, 16×16 (`data/peers/scalesim.csv`; `PeerDataTests` checks these).
    static let scaleSim: [(Dataflow, Int)] = [(.weightStationary, 1_603_583), (.outputStationary, 1_225_727),
                                              (.inputStationary, 1_197_311)]
    /// ZigZag 3.9.1's best mapping for the same GEMM (`data/peers/zigzag.csv`).
    static let zigZagW1 = 1_191_968

    static func build(_ s: GemminiCaseStudySettings) throws -> SectionOutput {
        var section = Section("The engine: a Gemmini-like matmul, computed and timed")
        section.prose("""
            `GemminiMatmul` has two levels, and the report always says which one a number comes from. \
            **Functional**: every block of A and B is moved into a scratchpad array, multiplied tile by tile \
            into an Int32 accumulator array, and moved out; the result must equal a plain integer GEMM. \
            **Tile-level cycle model**: Gemmini's software tiling (the accumulator and scratchpad halves decide \
            the block sizes), each block costing exactly what the register-level simulator of `Core/Systolic` \
            needs for it (a preload of R cycles, the streamed rows, and the mesh's fill and drain per weight \
            fold), with double-buffered DMA at 16 B/cycle. The register-level simulator is the reference; the \
            tile-level model is what makes a whole BERT fast to time.
            """)
        var claims: [Claim] = []
        // 1. Bit-exactness and per-block cycles on small and ragged cases (a small Gemmini: many blocks).
        var small = s.baseline
        small.name = "8×8, 4 KiB / 2 KiB"
        small.meshRows = 8
        small.meshColumns = 8
        small.spCapacityBytes = 4096
        small.accCapacityBytes = 2048
        var rng = SeededGenerator(seed: 6)
        func random(_ n: Int) -> [Int8] { (0..<n).map { _ in Int8(truncatingIfNeeded: rng.next()) } }
        var exact = true, blockCycles = true, checked = 0, blocksChecked = 0
        let array8 = try SystolicArray(rows: 8, columns: 8)
        for (shape, accelerator) in [(GEMMShape(m: 77, n: 100, k: 45), s.baseline), (GEMMShape(m: 37, n: 29, k: 45), small),
                                     (GEMMShape(m: 70, n: 9, k: 17), small), (GEMMShape(m: 130, n: 33, k: 70), s.rebalanced)] {
            let a = random(shape.m * shape.k), b = random(shape.k * shape.n)
            let run = try GemminiMatmul.run(a: a, b: b, shape: shape, accelerator: accelerator)
            exact = exact && run.output == SystolicSimulator.referenceGEMM(a: a, b: b, shape: shape)
            checked += 1
            if accelerator.meshRows == 8 {
                var sum = 0
                for block in run.stats.tiling.blocks(shape) {
                    let bs = block.shape
                    sum += try SystolicSimulator.run(a: random(bs.m * bs.k), b: random(bs.k * bs.n), shape: bs, array: array8,
                                                     dataflow: .weightStationary).cycles
                    blocksChecked += 1
                }
                blockCycles = blockCycles && sum == run.stats.computeCycles
            }
        }
        claims.append(.statement(id: "engine.bit-exact", reference: "Tests/CoreTests/GemminiTests.swift", statement: "the engine's Int32 results equal integer GEMM on \(checked) random ragged matmuls",
                                 expected: "bit for bit", observed: exact ? "bit for bit" : "differ", holds: exact, kind: .crossCheck))
        claims.append(.statement(id: "engine.block-cycles", reference: "Tests/CoreTests/GemminiTests.swift",
                                 statement: "tile-level compute cycles equal the register-level simulator's over \(blocksChecked) blocks",
                                 expected: "equal", observed: blockCycles ? "equal" : "differ", holds: blockCycles, kind: .crossCheck))
        // 2. Closed forms against SCALE-Sim: the survey runs no SCALE-Sim, so these are illustrations.
        let w1 = GEMMShape(m: 128, n: 3072, k: 768), mesh = SystolicArray.gemmini
        for (dataflow, cycles) in scaleSim {
            claims.append(.number(id: "scalesim.\(dataflow.rawValue)", reference: "data/peers/scalesim.csv",
                                  statement: "FFN W1 at 128 tokens, \(dataflow.rawValue.uppercased()): closed form − 1 = SCALE-Sim's count",
                                  paper: Double(cycles), observed: Double(mesh.closedFormCycles(w1, dataflow) - 1),
                                  tolerance: .absolute(0), kind: .crossCheck,
                                  note: "the register-level simulator equals the closed form (Core tests)").illustration())
        }
        section.claims(claims)
        // 3. Side by side.
        let l = s.compareSequenceLength
        let layer = try GemminiCaseStudyChapter.layers(s, s.baseline, l)
        let bandwidth = min(s.baseline.l2BytesPerCycle, s.baseline.dramBytesPerCycle)
        var rows: [[String]] = []
        var json: [JSONValue] = []
        for m in layer.matmuls {
            let shape = m.shape
            let ideal = mesh.idealCycles(shape)
            let outBytes = (m.stats.storeBytes > 0 ? m.stats.storeBytes / (shape.m * shape.n) : 1)
            let compulsory = Double(shape.m * shape.k + shape.k * shape.n + shape.m * shape.n * outBytes)
            let roofline = max(ideal, compulsory / bandwidth)
            let closed = mesh.closedFormCycles(shape, .weightStationary)
            let isW1AtPeers = m.path == "ffn/w1" && shape == w1
            let analytical = GemminiCaseStudyChapter.analyticalCycles(path: m.path, shape: shape, accelerator: s.baseline)
            rows.append([m.name + (m.instances > 1 ? " (per head, ×\(m.instances))" : ""), "\(shape.m)×\(shape.n)×\(shape.k)",
                         NumberFormat.grouped(shape.macs), NumberFormat.grouped(Int(ideal.rounded(.up))),
                         NumberFormat.grouped(Int(roofline.rounded(.up))), NumberFormat.grouped(closed),
                         NumberFormat.grouped(m.stats.totalCycles), GemminiCaseStudyChapter.percent(m.stats.utilization),
                         "\(m.stats.tiling.tileI)·\(m.stats.tiling.tileJ)·\(m.stats.tiling.tileK)",
                         analytical.map { NumberFormat.grouped(Int($0.rounded())) } ?? "pending",
                         isW1AtPeers ? NumberFormat.grouped(scaleSim[0].1) : "—", isW1AtPeers ? NumberFormat.grouped(zigZagW1) : "—"])
            json.append(.object([("path", .string(m.path)), ("m", .number(Double(shape.m))), ("n", .number(Double(shape.n))),
                                 ("k", .number(Double(shape.k))), ("instances", .number(Double(m.instances))),
                                 ("ideal", .number(ideal)), ("roofline", .number(roofline)), ("closedFormWS", .number(Double(closed))),
                                 ("gemminiCycles", .number(Double(m.stats.totalCycles))),
                                 ("analytical", analytical.map(JSONValue.number) ?? .null)]))
        }
        section.subheading("Every \(s.model.displayName) matmul at l = \(l), side by side")
        section.table(Table(columns: [.init("matmul"), .init("M×N×K"), .init("MACs", alignment: .right),
                                      .init("ideal", alignment: .right), .init("roofline", alignment: .right),
                                      .init("closed form WS (= SCALE-Sim + 1)", alignment: .right),
                                      .init("Gemmini tile model", alignment: .right), .init("util.", alignment: .right),
                                      .init("tiles I·J·K", alignment: .right), .init("ch. 2 analytical", alignment: .right),
                                      .init("SCALE-Sim", alignment: .right), .init("ZigZag", alignment: .right)],
                            rows: rows, caption: "Cycles on the \(s.baseline.name) (16×16). Ideal = MACs / 256. Roofline = max(ideal, compulsory bytes / \(NumberFormat.trimmed(bandwidth, maxDecimals: 1)) B/cycle), with Int32 outputs where the CPU consumes them. Peers measured only FFN W1 at 128 tokens (`data/peers/`). The analytical column is chapter 2's §3.3 model on the same accelerator (square tiles of the largest multiple of 16 that fits, W-cycle latency per tile, max of compute, DRAM and the 16 B/cycle L2 ↔ local port)."))
        section.prose("""
            Why the columns differ. The **ideal** and the **roofline** assume every PE busy every cycle: no \
            matmul here is memory-bound at 16 B/cycle, so they agree. The **closed form** (and SCALE-Sim, one \
            cycle less by its counter) streams all M rows past each weight tile once, paying 2R + C − 2 = 46 \
            cycles of preload, fill and drain per weight fold: with M = 128 that is 128 of every 174 cycles. The \
            **Gemmini tile model** pays the same 46 cycles but per block of tileI·16 rows, because the \
            accumulator holds only tileI × tileJ output tiles (half of it, double-buffered): a 64 KiB \
            accumulator allows 5 × 5 tiles, so 80 rows per fold and at best 80/126 = 63% busy. **ZigZag** \
            charges the drain once per layer and comes within 1% of the ideal. Chapter 2's **analytical** model \
            overlaps preload and streaming and charges W cycles per square tile, so it lands with ZigZag near the \
            ideal, except for query × key, where writing 32-bit scores over the 16 B/cycle port is the bound (as \
            in the roofline column). None of them is wrong: they \
            differ in what they assume the hardware overlaps.
            """)
        section.takeaway("The same GEMM costs 1.19 M (ZigZag), 1.60 M (SCALE-Sim) or more cycles (Gemmini's accumulator-limited tiling) on the same 16×16 array: what overlaps with what decides, and only a model whose formulas are visible lets one see which.")
        return SectionOutput(section: section, claims: claims, json: [("matmulsSideBySide", .object([
            ("seqLen", .number(Double(l))), ("matmuls", .array(json))]))])
    }
}
