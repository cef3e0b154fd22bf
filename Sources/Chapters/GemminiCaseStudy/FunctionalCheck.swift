import ChapterSupport
import Core
import Render

/// Runs the Transformer variant's path on real (seeded random) data: Int8 matmuls on the engine, then I-BERT's
/// integer Softmax, GELU and LayerNorm on the Int32 results, against floating point on the same values.
enum FunctionalCheck {
    static func table(_ s: GemminiCaseStudySettings) throws -> Table {
        var rng = SeededGenerator(seed: 2302)
        func codes(_ n: Int) -> [Int8] { (0..<n).map { _ in Int8(truncatingIfNeeded: Int(rng.next() % 255) - 127) } }
        let l = 32, dh = s.model.headDimension, d = 64, f = 128
        let a = s.transformer
        var rows: [[String]] = []
        // Softmax over one head's scores: Q (l×dh) · Kᵀ (dh×l), inputs over ±2.
        let sIn = 2.0 / 127
        let q = codes(l * dh), kT = codes(dh * l)
        let scores = try GemminiMatmul.run(a: q, b: kT, shape: GEMMShape(m: l, n: l, k: dh), accelerator: a)
        let scoreScale = sIn * sIn / Double(dh).squareRoot()
        var softmaxError = 0.0
        for i in 0..<l {
            let row = Array(scores.output[(i * l)..<((i + 1) * l)])
            let ours = try IBERT.softmax(row, scale: scoreScale)
            let reference = Reference.softmax(row.map { Double($0) * scoreScale })
            for (o, r) in zip(ours, reference) { softmaxError = max(softmaxError, abs(Double(o) / 256 - r)) }
        }
        rows.append(["i-Softmax on q×k", "\(l)×\(l)×\(dh)", NumberFormat.significant(softmaxError, digits: 3), "1/256 (the 8-bit output step) = 0.0039"])
        // GELU on a W1 slice: X (l×d) · W (d×f), weights over ±0.1.
        let x = codes(l * d), w = codes(d * f)
        let hidden = try GemminiMatmul.run(a: x, b: w, shape: GEMMShape(m: l, n: f, k: d), accelerator: a)
        let hiddenScale = sIn * (0.1 / 127)
        var geluError = 0.0, geluRange = 0.0
        for v in hidden.output {
            let y = try IBERT.gelu(ScaledInteger(Int64(v), scale: hiddenScale))
            let reference = Reference.gelu(Double(v) * hiddenScale)
            geluError = max(geluError, abs(y.value - reference))
            geluRange = max(geluRange, abs(reference))
        }
        rows.append(["i-GELU on W1", "\(l)×\(f)×\(d)", NumberFormat.significant(geluError, digits: 3),
                     "max |GELU| = \(NumberFormat.significant(geluRange, digits: 3))"])
        // LayerNorm on a W_out slice's rows.
        let wout = codes(d * d)
        let projected = try GemminiMatmul.run(a: x, b: wout, shape: GEMMShape(m: l, n: d, k: d), accelerator: a)
        var lnError = 0.0
        for i in 0..<l {
            let row = Array(projected.output[(i * d)..<((i + 1) * d)])
            let ours = try IBERT.layerNorm(row)
            let reference = Reference.layerNorm(row.map(Double.init))
            for (o, r) in zip(ours.values, reference) { lnError = max(lnError, abs(Double(o) * ours.scale - r)) }
        }
        rows.append(["i-LayerNorm on W_out", "\(l)×\(d)×\(d)", NumberFormat.significant(lnError, digits: 3), "outputs of unit variance"])
        return Table(columns: [.init("kernel on the engine's Int32 output"), .init("matmul M×N×K"),
                               .init("max |integer − float|", alignment: .right), .init("scale of comparison")],
                     rows: rows, caption: "Seeded random Int8 operands (seed 2302); the matmuls run through the functional engine on \(a.name), the kernels are `Core/Kernels/Integer`'s, the references are `Reference`'s float functions on the same Int32 values.")
    }
}
