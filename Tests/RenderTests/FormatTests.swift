import Foundation
import Testing
@testable import Render

@Suite("Render number formatting")
struct FormatTests {
    @Test("fixed rounds half away from zero and never prints -0")
    func fixed() {
        #expect(NumberFormat.fixed(3.14159, decimals: 2) == "3.14")
        #expect(NumberFormat.fixed(2.5, decimals: 0) == "3")
        #expect(NumberFormat.fixed(-2.5, decimals: 0) == "-3")
        #expect(NumberFormat.fixed(-0.0001, decimals: 2) == "0.00")
        #expect(NumberFormat.fixed(0.0094, decimals: 4) == "0.0094")
        #expect(NumberFormat.fixed(1323.65942784, decimals: 2) == "1323.66")
        #expect(NumberFormat.fixed(7, decimals: 3) == "7.000")
    }

    @Test("grouping, significant digits, percent and SI prefixes")
    func others() {
        #expect(NumberFormat.grouped(1_234_567) == "1,234,567")
        #expect(NumberFormat.grouped(-1000) == "-1,000")
        #expect(NumberFormat.grouped(999) == "999")
        #expect(NumberFormat.significant(0.0094372, digits: 2) == "0.0094")
        #expect(NumberFormat.significant(1323.66, digits: 4) == "1324")
        #expect(NumberFormat.significant(2.5e-7, digits: 2) == "2.5e-7")
        #expect(NumberFormat.significant(9.99e-5, digits: 2) == "1.0e-4")
        #expect(NumberFormat.percent(0.3215, decimals: 1) == "32.2%")
        #expect(NumberFormat.si(22.42e9, decimals: 2) == "22.42 G")
        #expect(NumberFormat.si(512, decimals: 2) == "512 ")
        #expect(NumberFormat.trimmed(4.0, maxDecimals: 3) == "4" && NumberFormat.trimmed(2.50, maxDecimals: 3) == "2.5")
    }

    @Test("powers of ten: plain exponent and superscript")
    func powersOfTen() {
        #expect(NumberFormat.exponential(8.44e10, decimals: 2) == "8.44e10")
        #expect(NumberFormat.exponential(1_000_000, decimals: 2) == "1.00e6")
        #expect(NumberFormat.timesTenPower(3.715e12, decimals: 3) == "3.715×10¹²")
        #expect(NumberFormat.timesTenPower(0.00025, decimals: 1) == "2.5×10⁻⁴")
        #expect(NumberFormat.timesTenPower(7, decimals: 0) == "7×10⁰")
    }

    @Test("edge cases: zero, negative zero, carries, extremes and non-finite values")
    func edges() {
        #expect(NumberFormat.fixed(-0.0, decimals: 2) == "0.00")
        #expect(NumberFormat.fixed(-0.004, decimals: 2) == "0.00")
        #expect(NumberFormat.fixed(-0.005, decimals: 2) == "-0.01")
        #expect(NumberFormat.fixed(0.0005, decimals: 3) == "0.001")
        #expect(NumberFormat.fixed(9.996, decimals: 2) == "10.00")
        #expect(NumberFormat.fixed(123.456, decimals: 0) == "123")
        #expect(NumberFormat.fixed(.nan, decimals: 2) == "NaN" && NumberFormat.fixed(-.infinity, decimals: 1) == "−∞")
        #expect(NumberFormat.grouped(0) == "0" && NumberFormat.grouped(1000) == "1,000")
        #expect(NumberFormat.grouped(Int.min) == "-9,223,372,036,854,775,808")
        #expect(NumberFormat.significant(0, digits: 3) == "0")
        #expect(NumberFormat.significant(-0.0094372, digits: 2) == "-0.0094")
        #expect(NumberFormat.significant(99.96, digits: 3) == "100" && NumberFormat.significant(0.09996, digits: 3) == "0.100")
        #expect(NumberFormat.significant(1.234e15, digits: 2) == "1.2e15")
        #expect(NumberFormat.significant(123_456_789, digits: 3) == "123456789")
        #expect(NumberFormat.percent(0.3214, decimals: 1) == "32.1%" && NumberFormat.percent(-0.00001, decimals: 1) == "0.0%")
        #expect(NumberFormat.si(22.4e9, decimals: 2) == "22.40 G")
        #expect(NumberFormat.si(1.5e12, decimals: 1) == "1.5 T" && NumberFormat.si(-2048, decimals: 1) == "-2.0 k")
        #expect(NumberFormat.si(3.2e6, decimals: 0) == "3 M")
    }

}
