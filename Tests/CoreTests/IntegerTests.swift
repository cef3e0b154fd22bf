import Testing
@testable import Core

// Tests of the integer-only kernels (Sources/Core/Kernels/Integer): I-BERT (Kim et al., ICML 2021) against `Double`
// references. Every suite's name starts with "Integer", so `swift test --filter Integer` runs them all.
// The bounds below are the measured values with a stated margin; the measurements are printed as they run.

/// FNV-1a over 64-bit values: a fingerprint of a kernel's outputs.
private func fingerprint(_ values: [Int64]) -> UInt64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for v in values {
        for byte in 0..<8 {
            hash ^= UInt64(truncatingIfNeeded: v >> (8 * byte)) & 0xFF
            hash &*= 0x100_0000_01B3
        }
    }
    return hash
}

private let allInt8 = (Int(Int8.min)...Int(Int8.max)).map { Int8($0) }

@Suite("Integer quantization and requantization")
struct IntegerQuantizationTests {
    @Test("every Int8 code survives dequantize → quantize, and reals come back within half a step")
    func roundTrip() throws {
        for maxAbs in [0.5, 4.0, 100.0] {
            let p = try QuantizationParameters.symmetric(maxAbs: maxAbs)
            #expect(p.minimum == -128 && p.maximum == 127 && p.zeroPoint == 0)
            for code in allInt8 {
                #expect(try p.quantizeInt8(p.dequantize(Int32(code))) == code)
            }
            for i in 0...10_000 {
                let x = -maxAbs + 2 * maxAbs * Double(i) / 10_000
                #expect(abs(p.dequantize(try p.quantize(x)) - x) <= p.scale / 2 * (1 + 1e-12))
            }
        }
        let p = try QuantizationParameters.symmetric(maxAbs: 4)
        #expect(try p.quantize(1.0) == 32)
        #expect(abs(p.dequantize(32) - 1.007874) < 1e-6)
        #expect(try p.quantize(100) == 127)
        #expect(try p.quantize(-100) == -128)
        #expect(try p.quantize(.infinity) == 127)
        #expect(try p.quantize(-.infinity) == -128)
        let asymmetric = try QuantizationParameters.asymmetric(min: -1, max: 3)
        #expect(asymmetric.zeroPoint == -64)
        #expect(try asymmetric.quantize(-1) == -128)
        #expect(try asymmetric.quantize(3) == 127)
        #expect(try asymmetric.quantize(0) == asymmetric.zeroPoint)
        for code in allInt8 {                                    // asymmetric codes round-trip too
            #expect(try asymmetric.quantizeInt8(asymmetric.dequantize(Int32(code))) == code)
        }
        let unsigned = try QuantizationParameters.asymmetric(min: 0, max: 1, signed: false)
        #expect(unsigned.minimum == 0 && unsigned.maximum == 255)
        #expect(try unsigned.quantize(1) == 255)
    }

    @Test("each rounding rule, in Double and in exact integer shifts and divisions")
    func roundingRules() throws {
        #expect(RoundingRule.toNearestOrEven.apply(2.5) == 2 && RoundingRule.toNearestOrAwayFromZero.apply(2.5) == 3)
        #expect(RoundingRule.down.apply(-2.3) == -3 && RoundingRule.towardZero.apply(-2.7) == -2)
        // The integer versions agree with rounding the exact quotient (every value is exact in a Double here).
        for rule in RoundingRule.allCases {
            for x in Int64(-300)...300 {
                for shift in 0...5 {
                    let exact = Double(x) / Double(1 << shift)
                    #expect(rule.shiftRight(x, by: shift) == Int64(rule.apply(exact)))
                }
                for d in Int64(1)...7 {
                    #expect(try rule.divide(x, by: d) == Int64(rule.apply(Double(x) / Double(d))))
                }
            }
            #expect(rule.shiftRight(Int64.min, by: 63) == -1 && rule.shiftRight(Int64.max, by: 0) == Int64.max)
        }
    }

    @Test("dyadic requantization of Int32 accumulators matches real scaling")
    func dyadic() throws {
        let m = try DyadicMultiplier(approximating: 0.002)
        #expect(m.multiplier == 1_099_511_628 && m.shift == 39)
        #expect(m.requantize(12_345) == 25 && m.requantize(12_345, rounding: .down) == 24)
        var generator = TestSplitMix64(state: 7)
        for ratio in [0.002, 0.0123, 0.5, 0.999, 3.7e-7] {
            let d = try DyadicMultiplier(approximating: ratio)
            #expect(abs(d.value - ratio) / ratio < 1e-9)        // 31 significant bits
            for _ in 0..<2_000 {
                let x = Int32(generator.next(in: Int64(Int32.min)...Int64(Int32.max)))
                // |x·(m/2^k − ratio)| < 2^31 · ratio · 1e-9 < 0.5: the rounded results agree unless the exact
                // product sits within that distance of a rounding boundary.
                let exact = Double(x) * ratio
                let ours = d.apply(x)
                #expect(abs(Double(ours) - exact.rounded(.toNearestOrAwayFromZero)) <= 1)
                #expect(abs(Double(ours) - exact) <= 0.5 + abs(exact) * 1e-9)
                #expect(Int64(d.requantize(x)) == Swift.min(127, Swift.max(-128, ours)))
            }
        }
        let output = try QuantizationParameters(scale: 0.05, zeroPoint: 10)
        let r = try DyadicMultiplier(approximating: 1e-4 / 0.05)
        #expect(r.requantize(12_345, to: output) == 35 && r.requantize(1_000_000, to: output) == 127)
    }
}

@Suite("Integer polynomial (I-BERT Alg. 1)")
struct IntegerPolynomialTests {
    @Test("i-poly equals a(x + b)² + c up to the floors of its two constants")
    func againstReal() throws {
        let y = try IBERT.polynomial(ScaledInteger(32, scale: 1.0 / 64), .erf)
        #expect(y.q == -7_459 && abs(y.value - 0.525918) < 1e-6)
        // q_b = ⌊b/S⌋ moves b by δ ∈ (−S, 0] and q_c moves c by at most |a|S², so at x = qS the result differs
        // from the real polynomial by |2a(x + b)δ + aδ²| + |a|S² ≤ |a|(2|x + b|S + 2S²).
        for p in [SecondOrderPolynomial.erf, .exp, try SecondOrderPolynomial(a: 3, b: -0.25, c: -2)] {
            for scale in [1.0 / 64, 1.0 / 1000, 0.3] {
                for q in Int64(-200)...200 {
                    let x = Double(q) * scale
                    let ours = try IBERT.polynomial(ScaledInteger(q, scale: scale), p).value
                    let bound = abs(p.a) * (2 * abs(x + p.b) * scale + 2 * scale * scale) * (1 + 1e-9)
                    #expect(abs(ours - p(x)) <= bound)
                }
            }
        }
        let expanded = try SecondOrderPolynomial(expanded: 0.35815147, 0.96963238, 1)
        #expect(expanded == SecondOrderPolynomial.exp)
        #expect(abs(SecondOrderPolynomial.exp(0) - 1) < 1e-15)
    }
}

@Suite("Integer GELU (I-BERT Alg. 2, Tab. 1)")
struct IntegerGELUTests {
    @Test("Tab. 1: L2 is the RMS difference on [−4, 4]; five of six printed values reproduce")
    func table1() {
        let rows: [(String, (Double) -> Double, Double, Double)] = [
            ("x·σ(1.702x)", Reference.sigmoidGELU, 0.01181476, 0.02033487),
            ("h-GELU", Reference.hardGELU, 0.03060353, 0.06870879),
            ("i-GELU", Reference.polynomialGELU, 0.00818838, 0.01815191),
        ]
        for (name, f, rms, maximum) in rows {
            let e = ApproximationError.measure(f, against: Reference.gelu, from: -4, to: 4)
            print("Tab. 1 \(name): L2 (RMS) \(e.rms), L∞ \(e.maximum) at x = \(e.argmax)")
            #expect(abs(e.rms - rms) < 1e-7 && abs(e.maximum - maximum) < 1e-7)
        }
        // Printed: 0.012/0.020, 0.031/0.068, 0.0082/0.018. All agree when rounded to the printed digits except
        // h-GELU's L∞: 0.06871 rounds to 0.069 (the paper's 0.068 is the value truncated).
        func printed(_ x: Double, _ decimals: Int) -> Double {
            var p = 1.0
            for _ in 0..<decimals { p *= 10 }
            return (x * p).rounded() / p
        }
        #expect(printed(0.01181476, 3) == 0.012 && printed(0.02033487, 3) == 0.020)
        #expect(printed(0.03060353, 3) == 0.031)
        withKnownIssue("I-BERT Tab. 1 prints h-GELU's L∞ as 0.068; it is 0.06871, which rounds to 0.069") {
            #expect(printed(0.06870879, 3) == 0.068)
        }
        #expect(printed(0.00818838, 4) == 0.0082 && printed(0.01815191, 3) == 0.018)
    }

    @Test("i-GELU on every Int8 input against the exact GELU and against its own polynomial")
    func everyInt8() throws {
        for maxAbs in [2.0, 4.0, 8.0] {
            let s = maxAbs / 127
            var worstRefined = 0.0, worstPolyRefined = 0.0, worstPaper = 0.0, worstPolyPaper = 0.0
            for code in allInt8 {
                let x = Double(code) * s
                let refined = try IBERT.gelu(Int32(code), scale: s)                   // Int32 output
                let paper = try IBERT.gelu(ScaledInteger(Int64(code), scale: s), upshift: 0)
                let value = Double(refined.q) * refined.scale
                worstRefined = max(worstRefined, abs(value - Reference.gelu(x)))
                worstPolyRefined = max(worstPolyRefined, abs(value - Reference.polynomialGELU(x)))
                worstPaper = max(worstPaper, abs(paper.value - Reference.gelu(x)))
                worstPolyPaper = max(worstPolyPaper, abs(paper.value - Reference.polynomialGELU(x)))
            }
            print("i-GELU, every Int8 at scale \(maxAbs)/127: vs GELU \(worstRefined) (upshift 0: \(worstPaper)); vs its polynomial \(worstPolyRefined) (upshift 0: \(worstPolyPaper))")
            // The kernel is the polynomial up to rounding: the polynomial's own L∞ on [−4, 4] is 0.01815, and the
            // grid error (2^−9 after the default upshift) adds at most 1.2e-4 (measured ≤ 9e-5).
            #expect(worstPolyRefined < 1.2e-4)
            #expect(worstRefined < 0.01815191 + 1.2e-4)
            // As printed (upshift 0), ⌊b/S⌋ at S = 8/127 loses up to a step: measured 3.9e-3 against the polynomial.
            #expect(worstPolyPaper < 4.1e-3)
        }
        let y = try IBERT.gelu(ScaledInteger(32, scale: 4.0 / 127), upshift: 0)
        #expect(abs(y.value - 0.841622) < 1e-6)
        let row = try IBERT.gelu(allInt8, scale: 4.0 / 127)
        #expect(row.values.count == 256 && row.values.allSatisfy { $0 >= -2_000_000_000 })
    }

    @Test("i-GELU is bit-exact: a fingerprint of every Int8 output (a regression guard)")
    func fingerprintGuard() throws {
        // Integer kernels must give identical bits on every machine (DESIGN.md, Determinism). The constants
        // below were recorded from this implementation; a change means the kernel's arithmetic changed, which
        // must be deliberate (then record the new value).
        let s = 4.0 / 127
        let refined = try allInt8.map { try IBERT.gelu(ScaledInteger(Int64($0), scale: s)).q }
        let paper = try allInt8.map { try IBERT.gelu(ScaledInteger(Int64($0), scale: s), upshift: 0).q }
        print("i-GELU fingerprints: \(fingerprint(refined)) \(fingerprint(paper))")
        #expect(fingerprint(refined) == 10_983_051_479_831_668_124)
        #expect(fingerprint(paper) == 13_332_157_125_102_458_261)
    }
}

@Suite("Integer exp and Softmax (I-BERT Alg. 3)")
struct IntegerSoftmaxTests {
    @Test("the exp polynomial's maximum error on (−ln 2, 0] is 1.9e-3, as I-BERT claims")
    func polynomialError() {
        let ln2 = 0.6931471805599453
        let code = ApproximationError.measure({ Reference.polynomialExp($0) }, against: Reference.exp, from: -ln2, to: 0,
                                              samples: 200_000)
        let printed = ApproximationError.measure({ Reference.polynomialExp($0, printed: true) }, against: Reference.exp,
                                                 from: -ln2, to: 0, samples: 200_000)
        print("exp polynomial on (−ln 2, 0]: max error \(code.maximum) at \(code.argmax) (as printed: \(printed.maximum))")
        #expect(abs(code.maximum - 1.913e-3) < 0.5e-6)          // rounds to the paper's 1.9e-3
        #expect(code.maximum < 1.0 / 255)                        // below an 8-bit step of [0, 1]
        // The rounded coefficients the paper prints, 0.3585(p + 1.353)² + 0.344, give 2.13e-3 instead.
        #expect(abs(printed.maximum - 2.128e-3) < 0.5e-6)
    }

    @Test("i-exp over (−ln 2, 0] and beyond, on a fine Int32 grid and on every Int8 input")
    func againstExp() throws {
        // Int32 codes at S = 2^−16, x from 0 down to −16: the kernel is L(p)·2^−z up to its grid.
        let s = 1.0 / 65_536
        var worst = 0.0, worstInside = 0.0, worstRelative = 0.0
        var q: Int64 = 0
        while q >= -16 * 65_536 {
            let x = Double(q) * s
            let y = try IBERT.exp(ScaledInteger(q, scale: s), outputShift: 16).value
            let e = abs(y - Reference.exp(x))
            worst = max(worst, e)
            if x > -0.6931471805599453 { worstInside = max(worstInside, e) }
            worstRelative = max(worstRelative, e / Reference.exp(x))
            q -= 7
        }
        print("i-exp at S = 2^−16: max error on (−ln 2, 0] \(worstInside), on [−16, 0] \(worst), relative \(worstRelative)")
        #expect(worstInside < 1.913e-3 + 1e-5)                  // the polynomial's 1.913e-3 plus grid rounding
        #expect(worst <= worstInside)                            // e^x shrinks by halving: no larger error beyond
        #expect(worstRelative < 3.9e-3)                          // 1.913e-3 / e^(−ln 2) ≈ 3.8e-3 at p → −ln 2

        for maxAbs in [2.0, 8.0, 16.0] {
            let s8 = maxAbs / 127
            var worstRefined = 0.0, worstPaper = 0.0
            for code in allInt8 {
                let q = Int64(code) - 127                          // x − max for every Int8 code, max = 127
                let x = Double(q) * s8
                worstRefined = max(worstRefined, abs(try IBERT.exp(ScaledInteger(q, scale: s8)).value - Reference.exp(x)))
                worstPaper = max(worstPaper, abs(try IBERT.exp(ScaledInteger(q, scale: s8), upshift: 0).value - Reference.exp(x)))
            }
            print("i-exp, every Int8 at scale \(maxAbs)/127: max error \(worstRefined) (upshift 0: \(worstPaper))")
            // The polynomial's 1.913e-3 plus the 2^−10 grid: ⌊ln 2/S⌋ and ⌊b/S⌋ move p by up to a grid step
            // (≤ 9.8e-4), worth at most that times e^x times (z + 1) ≤ 2.2e-4 here; measured 2.10e-3 at most.
            #expect(worstRefined < 1.913e-3 + 2.2e-4)
        }
        #expect(abs(try IBERT.exp(ScaledInteger(-16, scale: 8.0 / 127)).value - 0.364949) < 1e-6)
    }

    @Test("integer Softmax against floating point on seeded random Int8 rows")
    func softmaxRows() throws {
        print("Softmax, 8-bit output (step 1/256 = 0.0039), 300 rows of 128 Int8 values:")
        print("range  scale     max|err| ⌊·⌋   max|err| nearest")
        for range in [2.0, 4.0, 8.0, 16.0] {
            let scale = range / 127
            var generator = TestSplitMix64(state: UInt64(range * 1000))
            var worstDown = 0.0, worstNearest = 0.0
            for _ in 0..<300 {
                let row = (0..<128).map { _ in Int8(generator.next(in: -128...127)) }
                let reference = Reference.softmax(row.map { Double($0) * scale })
                let down = try IBERT.softmax(codes: row, scale: scale)
                let nearest = try IBERT.softmax(codes: row, scale: scale, rounding: .toNearestOrEven)
                for i in row.indices {
                    worstDown = max(worstDown, abs(Double(down[i]) / 256 - reference[i]))
                    worstNearest = max(worstNearest, abs(Double(nearest[i]) / 256 - reference[i]))
                }
            }
            print("±\(range)  \(scale)  \(worstDown)  \(worstNearest)")
            // ⌊·⌋ loses up to one output step (1/256); i-exp's relative error (≤ 3.8e-3) on a probability p ≤ 1
            // and the normalisation add at most 0.004·p. Nearest rounding loses half a step instead.
            #expect(worstDown < 1.0 / 256 + 4e-3)
            #expect(worstNearest < 0.5 / 256 + 4e-3)
        }
        #expect(try IBERT.softmax([32, 16, -32], scale: 1.0 / 32) == [147, 88, 19])
        #expect(try IBERT.softmax([5], scale: 0.1) == [255])                 // a lone 1.0 saturates at 255/256
        #expect(try IBERT.softmax([Int32.max, Int32.min], scale: 1e-3) == [255, 0])
    }
}

@Suite("Integer sqrt and LayerNorm (I-BERT Alg. 4)")
struct IntegerLayerNormTests {
    @Test("i-sqrt is ⌊√n⌋; the most Newton steps over 2^21 + 2·10^6 Int32 inputs is 6, not I-BERT's 4")
    func isqrt() throws {
        var inputs = Array(Int64(0)..<(1 << 20))
        for k in 1...31 {
            let p = Int64(1) << k
            inputs += [p - 1, p, p + 1]
        }
        var generator = TestSplitMix64(state: 2101_01321)
        for _ in 0..<1_000_000 { inputs.append(generator.next(in: 0...Int64(Int32.max))) }
        inputs.append(16_785_408)                   // the smallest n needing 6 (found by an exhaustive C sweep)
        var histogram = [Int](repeating: 0, count: 8)
        var most = 0, worstN: Int64 = 0
        for n in inputs where n <= Int64(Int32.max) {
            let (root, iterations) = try IBERT.sqrt(n)
            #expect(root * root <= n && (root + 1) * (root + 1) > n)
            histogram[min(iterations, 7)] += 1
            if iterations > most { most = iterations; worstN = n }
        }
        print("i-sqrt steps over \(inputs.count) inputs: \(histogram), most \(most) at n = \(worstN)")
        // Counting every new estimate (the last one, which fails to decrease, included), the most is 6, i.e. 5
        // updates. An exhaustive sweep over all 2^31 − 1 positive Int32 values gives the same: 6 steps for
        // 148,722 of them (smallest 16,785,408), 5 for 885,749,739, 4 for 980,039,212.
        #expect(most == 6)
        withKnownIssue("I-BERT: 'at most four iterations' for INT32; from x0 = 2^⌈bits(n)/2⌉ it takes up to 5 updates (6 steps)") {
            #expect(most - 1 <= 4)
        }
        #expect(try IBERT.sqrt(1_000_000) == (1000, 2))
        #expect(try IBERT.sqrt(99) == (9, 4))
        #expect(try IBERT.sqrt(0) == (0, 0))
        #expect(try IBERT.sqrt(Int64.max).root == 3_037_000_499)
    }

    @Test("integer LayerNorm against floating point on seeded random rows")
    func layerNormRows() throws {
        print("LayerNorm, rows of 768, output scale √768/2^30:")
        for magnitude in [127, 30_000, 1_000_000, 1 << 30] {
            var generator = TestSplitMix64(state: UInt64(magnitude))
            var worst = 0.0
            for _ in 0..<20 {
                let row = (0..<768).map { _ in Int32(generator.next(in: -Int64(magnitude)...Int64(magnitude))) }
                let (values, scale) = try IBERT.layerNorm(row)
                let reference = Reference.layerNorm(row.map(Double.init))
                for i in row.indices { worst = max(worst, abs(Double(values[i]) * scale - reference[i])) }
            }
            print("±\(magnitude): max |error| \(worst)")
            // The output step is √768/2^30 = 2.6e-8 and ⌊√V⌋ keeps ≥ 30 bits (relative 1e-9 on values ≤ √768):
            // a few steps at most.
            #expect(worst < 2e-7)
        }
        let (codes, scale) = try IBERT.layerNorm([10, 20, 30, 40])
        #expect(codes.map { abs(Double($0) * scale) }.allSatisfy { abs($0 - 1.341641) < 1e-6 || abs($0 - 0.447214) < 1e-6 })
        #expect(try IBERT.layerNorm([7]).values == [0])                      // one value: σ = 0, output 0
        #expect(try IBERT.layerNorm([3, 3, 3]).values == [0, 0, 0])
        #expect(try IBERT.layerNorm([Int32.max, Int32.min]).values.map { Double($0) * scale / 2 }.count == 2)
    }
}

@Suite("Integer kernel errors")
struct IntegerErrorTests {
    @Test("bad parameters and inputs throw an error naming the field, never trap")
    func errors() {
        func field(_ body: () throws -> Void) -> String? {
            do { try body() } catch let error as QuantizationError { return error.field } catch { return "\(error)" }
            return nil
        }
        #expect(field { _ = try QuantizationParameters(scale: 0) } == "scale")
        #expect(field { _ = try QuantizationParameters(scale: -1) } == "scale")
        #expect(field { _ = try QuantizationParameters(scale: .nan) } == "scale")
        #expect(field { _ = try QuantizationParameters(scale: 1, bits: 1) } == "bits")
        #expect(field { _ = try QuantizationParameters(scale: 1, zeroPoint: 500) } == "zeroPoint")
        #expect(field { _ = try QuantizationParameters.symmetric(maxAbs: -1) } == "maxAbs")
        #expect(field { _ = try QuantizationParameters.asymmetric(min: 1, max: 1) } == "range")
        #expect(field { _ = try QuantizationParameters(scale: 1).quantize(.nan) } == "value")
        #expect(field { _ = try QuantizationParameters(scale: 1, bits: 9).quantizeInt8(1) } == "bits")
        #expect(field { _ = try DyadicMultiplier(approximating: 0) } == "ratio")
        #expect(field { _ = try DyadicMultiplier(approximating: .infinity) } == "ratio")
        #expect(field { _ = try RoundingRule.down.divide(1, by: 0) } == "divisor")
        #expect(field { _ = try SecondOrderPolynomial(a: 0, b: 1, c: 1) } == "a")
        #expect(field { _ = try IBERT.polynomial(ScaledInteger(1, scale: 0), .erf) } == "scale")
        #expect(field { _ = try IBERT.polynomial(ScaledInteger(Int64.max, scale: 1), .erf) } == "i-poly")
        #expect(field { _ = try IBERT.gelu(ScaledInteger(1, scale: -0.1)) } == "scale")
        #expect(field { _ = try IBERT.gelu(1, scale: 0.1, upshift: 30) } == "upshift")
        #expect(field { _ = try IBERT.gelu(Int32.max, scale: 1e-3) } == "i-gelu")   // the output exceeds Int32
        #expect(field { _ = try IBERT.exp(ScaledInteger(1, scale: 0.1)) } == "x")
        #expect(field { _ = try IBERT.exp(ScaledInteger(-1, scale: 1.0), upshift: 0) } == "scale")   // S > ln 2
        #expect(field { _ = try IBERT.exp(ScaledInteger(-1, scale: 0.1), outputShift: 31) } == "outputShift")
        #expect(field { _ = try IBERT.softmax([Int32](), scale: 0.1) } == "row")
        #expect(field { _ = try IBERT.softmax([1, 2], scale: .nan) } == "scale")
        #expect(field { _ = try IBERT.softmax([1, 2], scale: 0.1, outputBits: 0) } == "outputBits")
        #expect(field { _ = try IBERT.sqrt(-1) } == "n")
        #expect(field { _ = try IBERT.layerNorm([]) } == "row")
        #expect(field { _ = try IBERT.layerNorm([1, 2], fractionBits: 31) } == "fractionBits")
    }
}
