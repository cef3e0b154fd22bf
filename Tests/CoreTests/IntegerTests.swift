import Testing
@testable import Core

@Suite("Integer quantization")
struct QuantizationTests {
    @Test("every Int8 value round-trips, and in-range reals come back within half a step")
    func roundTrip() throws {
        let q = try LinearQuantizer.symmetric(maxAbs: 4, bits: 8)
        for v in Int32(-127)...127 { #expect(q.quantize(q.dequantize(v)) == v) }
        var x = -4.0
        while x <= 4 {
            #expect(abs(q.dequantize(q.quantize(x)) - x) <= q.scale / 2 + 1e-12)
            x += 0.001
        }
        #expect(q.quantize(100) == 127 && q.quantize(-100) == -127 && q.quantize(.nan) == 0)
    }

    @Test("rounding rules are named and differ where they should")
    func rounding() {
        #expect(RoundingRule.toNearestOrEven.apply(2.5) == 2 && RoundingRule.toNearestOrAwayFromZero.apply(2.5) == 3)
        #expect(RoundingRule.down.apply(-2.3) == -3 && RoundingRule.towardZero.apply(-2.7) == -2)
    }

    @Test("asymmetric quantization maps the range onto 0…255 with a zero point")
    func asymmetric() throws {
        let q = try LinearQuantizer.asymmetric(min: -1, max: 3, bits: 8)
        #expect(q.quantize(-1) == 0 && q.quantize(3) == 255)
        #expect(abs(q.dequantize(q.quantize(0))) <= q.scale / 2)
    }

    @Test("dyadic requantization matches real scaling to within one step")
    func dyadic() throws {
        let m = try DyadicMultiplier(approximating: 0.0123)
        #expect(abs(m.value - 0.0123) / 0.0123 < 1e-8)
        for x in stride(from: Int32(-10_000), through: 10_000, by: 37) {
            let exact = (Double(x) * 0.0123).rounded(.toNearestOrAwayFromZero)
            #expect(abs(Double(m.requantize(x)) - max(-128, min(127, exact))) <= 1)
        }
    }

    @Test("bad parameters throw and name the field")
    func errors() {
        #expect(throws: QuantizationError.self) { _ = try LinearQuantizer(scale: 0) }
        #expect(throws: QuantizationError.self) { _ = try LinearQuantizer(scale: .nan) }
        #expect(throws: QuantizationError.self) { _ = try LinearQuantizer(scale: 1, bits: 1) }
        #expect(throws: QuantizationError.self) { _ = try LinearQuantizer(scale: 1, zeroPoint: 500) }
        #expect(throws: QuantizationError.self) { _ = try LinearQuantizer.symmetric(maxAbs: -1) }
        #expect(throws: QuantizationError.self) { _ = try DyadicMultiplier(approximating: 0) }
    }
}

@Suite("Integer I-BERT kernels")
struct IBERTTests {
    /// I-BERT Tab. 1's L2 (RMS) and L∞ distances to GELU on [−4, 4].
    static func distance(_ f: (Double) -> Double) -> (l2: Double, lInf: Double) {
        let e = ApproximationError.measure(f, against: Reference.gelu, from: -4, to: 4)
        return (e.rms, e.maximum)
    }

    @Test("I-BERT Tab. 1: distances of the three GELU approximations on [−4, 4]")
    func table1() {
        let sigmoid = Self.distance(Reference.sigmoidGELU)
        let hard = Self.distance(Reference.hardGELU)
        let poly = Self.distance(Reference.polynomialGELU)
        #expect(abs(sigmoid.l2 - 0.012) <= 0.0005 && abs(sigmoid.lInf - 0.020) <= 0.0005)
        #expect(abs(hard.l2 - 0.031) <= 0.0005)
        #expect(abs(poly.l2 - 0.0082) <= 0.00005 && abs(poly.lInf - 0.018) <= 0.0005)
        // The printed 0.068 for h-GELU's L∞ is our 0.06871 truncated; rounding gives 0.069.
        #expect(abs(hard.lInf - 0.0687) <= 0.00005)
    }

    @Test("i-GELU on every Int8 input stays within the polynomial's error plus quantization")
    func geluAllInt8() throws {
        let s = 4.0 / 127
        var worstToPoly = 0.0, worstToExact = 0.0
        for q in Int64(-127)...127 {
            let y = try IBERT.gelu(ScaledInteger(q, scale: s))
            let x = Double(q) * s
            worstToPoly = max(worstToPoly, abs(y.value - Reference.polynomialGELU(x)))
            worstToExact = max(worstToExact, abs(y.value - Reference.gelu(x)))
        }
        // Measured 0.0041 from its own real-valued polynomial (the ⌊b/S⌋ and ⌊c/aS²⌋ roundings) and 0.0176 from
        // exact GELU: the polynomial's own 0.018 (Tab. 1) dominates.
        #expect(worstToPoly < 0.005, "to polynomial \(worstToPoly)")
        #expect(worstToExact < 0.018, "to exact GELU \(worstToExact)")
    }

    @Test("i-exp: the polynomial's maximum error on (−ln 2, 0] is 1.9e-3 with the code's coefficients")
    func expPolynomial() {
        var worst = 0.0, worstPrinted = 0.0
        for i in 0...100_000 {
            let p = -0.6931471805599453 * Double(i) / 100_000
            worst = max(worst, abs(Reference.polynomialExp(p) - Reference.exp(p)))
            worstPrinted = max(worstPrinted, abs(Reference.polynomialExp(p, printed: true) - Reference.exp(p)))
        }
        #expect(abs(worst - 1.9e-3) <= 0.05e-3, "\(worst)")
        #expect(abs(worstPrinted - 2.13e-3) <= 0.01e-3, "printed form \(worstPrinted)")
    }

    @Test("integer i-exp over every Int8 input x ≤ 0 at scale 8/127")
    func expAllInt8() throws {
        let s = 8.0 / 127
        var worst = 0.0
        for q in Int64(-127)...0 {
            let y = try IBERT.exp(ScaledInteger(q, scale: s))
            worst = max(worst, abs(y.value - Reference.exp(Double(q) * s)))
        }
        // Measured 0.0117: the polynomial's 1.9e-3 plus ⌊b/(aS)⌋ and ⌊c/(aS²)⌋ at a coarse 0.063 step.
        #expect(worst < 0.0125, "\(worst)")
    }

    @Test("i-sqrt returns ⌊√n⌋; Newton needs up to 6 steps from 2^⌈bits/2⌉, not the paper's 4")
    func sqrtIterations() throws {
        var most = 0, argmost: Int64 = 0
        var rng = SeededGenerator(seed: 2101_01321)
        var inputs = Array(Int64(0)..<(1 << 20))
        for k in 1...31 { inputs += [(Int64(1) << k) - 1, Int64(1) << k, (Int64(1) << k) + 1] }
        for _ in 0..<200_000 { inputs.append(Int64(rng.next() % UInt64(Int32.max))) }
        inputs.append(295_014_970)                  // the worst case of a larger sweep
        for n in inputs where n <= Int64(Int32.max) {
            let (r, iterations) = try IBERT.sqrt(n)
            #expect(r * r <= n && (r + 1) * (r + 1) > n)
            if iterations > most { most = iterations; argmost = n }
        }
        #expect(most == 6, "most iterations \(most) at n = \(argmost)")
        #expect(throws: QuantizationError.self) { _ = try IBERT.sqrt(-1) }
    }

    @Test("integer Softmax against floating point on seeded Int8 rows")
    func softmax() throws {
        var rng = SeededGenerator(seed: 7)
        let s = 8.0 / 127
        var worst = 0.0
        for _ in 0..<200 {
            let row = (0..<64).map { _ in Int32(Int64(rng.next() % 255) - 127) }
            let ours = try IBERT.softmax(row, scale: s, outputBits: 8)
            let reference = Reference.softmax(row.map { Double($0) * s })
            for (a, b) in zip(ours, reference) { worst = max(worst, abs(Double(a) / 256 - b)) }
        }
        // Measured 0.0046: the 8-bit output step (1/256 = 0.0039) plus i-exp's error.
        #expect(worst < 0.005, "\(worst)")
        #expect(throws: QuantizationError.self) { _ = try IBERT.softmax([], scale: s) }
        #expect(throws: QuantizationError.self) { _ = try IBERT.exp(ScaledInteger(1, scale: s)) }
    }

    @Test("integer LayerNorm against floating point on seeded rows")
    func layerNorm() throws {
        var rng = SeededGenerator(seed: 11)
        var worst = 0.0
        for _ in 0..<100 {
            let row = (0..<768).map { _ in Int32(Int64(rng.next() % 20_001) - 10_000) }
            let (values, scale) = try IBERT.layerNorm(row)
            let reference = Reference.layerNorm(row.map(Double.init))
            for (a, b) in zip(values, reference) { worst = max(worst, abs(Double(a) * scale - b)) }
        }
        // Measured 2.0e-4: the rounded mean and ⌊√var⌋ on values of ±10,000.
        #expect(worst < 2.5e-4, "\(worst)")
        let constant = try IBERT.layerNorm([5, 5, 5])
        #expect(constant.values == [0, 0, 0])
        #expect(throws: QuantizationError.self) { _ = try IBERT.layerNorm([1]) }
    }

    @Test("overflow is a thrown error, not a trap")
    func overflow() {
        #expect(throws: QuantizationError.self) {
            _ = try IBERT.polynomial(ScaledInteger(Int64.max - 1, scale: 1), a: 1, b: 10, c: 0)
        }
    }
}
