/// The one number formatter of the project: locale-independent, deterministic, never "-0".
///
/// ```swift
/// NumberFormat.fixed(3.14159, decimals: 2)      // "3.14"
/// NumberFormat.grouped(1234567)                  // "1,234,567"
/// NumberFormat.significant(0.0094372, digits: 2) // "0.0094"
/// NumberFormat.percent(0.3215, decimals: 1)      // "32.2%"
/// NumberFormat.trimmed(2.50, maxDecimals: 3)     // "2.5"
/// NumberFormat.si(22.42e9, decimals: 2)          // "22.42 G"
/// NumberFormat.exponential(8.44e10, decimals: 2)  // "8.44e10"
/// NumberFormat.timesTenPower(3.715e12, decimals: 3) // "3.715×10¹²"
/// ```
public enum NumberFormat {
    /// `x` rounded half away from zero to `decimals` places, in plain decimal notation.
    public static func fixed(_ x: Double, decimals: Int) -> String {
        guard x.isFinite else { return x.isNaN ? "NaN" : (x > 0 ? "∞" : "−∞") }
        let k = max(0, min(decimals, 15))
        var scale = 1.0
        for _ in 0..<k { scale *= 10 }
        let scaled = (abs(x) * scale).rounded(.toNearestOrAwayFromZero)
        guard scaled < 9.0e18 else { return significant(x, digits: 15) }
        let n = UInt64(scaled)
        var digits = String(n)
        if k > 0 {
            if digits.count <= k { digits = String(repeating: "0", count: k - digits.count + 1) + digits }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -k))
        }
        return (x < 0 && n != 0 ? "-" : "") + digits
    }

    /// Thousands separated by commas.
    public static func grouped(_ n: Int) -> String {
        let s = String(n.magnitude)
        var out = ""
        for (i, ch) in s.enumerated() {
            if i > 0 && (s.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// `x` with `digits` significant digits in plain notation (scientific only from 1e15 or below 1e-4);
    /// the integer digits of a large number are all kept: `significant(123456.7, digits: 3)` is "123457".
    public static func significant(_ x: Double, digits: Int) -> String {
        guard x.isFinite else { return fixed(x, decimals: 0) }
        if x == 0 { return "0" }
        let magnitude = abs(x)
        var exponent = 0
        var m = magnitude
        while m >= 10 { m /= 10; exponent += 1 }
        while m < 1 { m *= 10; exponent -= 1 }
        if exponent >= 15 || exponent < -4 {
            var mantissa = fixed(x / power10(exponent), decimals: max(0, digits - 1))
            if mantissa.hasPrefix("10") || mantissa.hasPrefix("-10") {   // rounding carried into a new digit
                exponent += 1
                mantissa = fixed(x / power10(exponent), decimals: max(0, digits - 1))
            }
            return "\(mantissa)e\(exponent)"
        }
        let decimals = max(0, digits - 1 - exponent)
        // Rounding can carry into a new leading digit (99.96 → 100.0); then one decimal fewer keeps `digits`.
        if decimals > 0, (abs(x) * power10(decimals)).rounded(.toNearestOrAwayFromZero) >= power10(digits) {
            return fixed(x, decimals: decimals - 1)
        }
        return fixed(x, decimals: decimals)
    }

    /// At most `maxDecimals` places, with trailing zeros (and a bare point) removed: 4.0 → "4", 2.50 → "2.5".
    public static func trimmed(_ x: Double, maxDecimals: Int) -> String {
        var s = fixed(x, decimals: maxDecimals)
        guard s.contains(".") else { return s }
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }

    /// A fraction as a percentage.
    public static func percent(_ fraction: Double, decimals: Int) -> String {
        fixed(fraction * 100, decimals: decimals) + "%"
    }

    /// With an SI prefix (k, M, G, T, P) and a space before it: `si(512, decimals: 0)` is "512 ".
    public static func si(_ x: Double, decimals: Int) -> String {
        let prefixes = ["", "k", "M", "G", "T", "P"]
        var value = x, i = 0
        while abs(value) >= 1000 && i < prefixes.count - 1 { value /= 1000; i += 1 }
        return "\(fixed(value, decimals: i == 0 ? 0 : decimals)) \(prefixes[i])"
    }

    /// A mantissa with `decimals` places and a plain decimal exponent, for counts too large to group:
    /// `exponential(8.44e10, decimals: 2)` is "8.44e10". The mantissa is not renormalised after rounding
    /// (9.999e3 with 2 decimals gives "10.00e3").
    public static func exponential(_ x: Double, decimals: Int) -> String {
        let (mantissa, exponent) = decimalExponent(x)
        return fixed(mantissa, decimals: decimals) + "e" + String(exponent)
    }

    /// A mantissa with `decimals` places times a power of ten in superscript digits:
    /// `timesTenPower(3.715e12, decimals: 3)` is "3.715×10¹²".
    public static func timesTenPower(_ x: Double, decimals: Int) -> String {
        let (mantissa, exponent) = decimalExponent(x)
        let superscripts: [Character] = ["⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"]
        let power = String(String(exponent.magnitude).map { superscripts[Int(String($0))!] })
        return fixed(mantissa, decimals: decimals) + "×10" + (exponent < 0 ? "⁻" : "") + power
    }

    /// `x = mantissa × 10^exponent` with 1 ≤ |mantissa| < 10 (0 for 0).
    static func decimalExponent(_ x: Double) -> (mantissa: Double, exponent: Int) {
        guard x.isFinite, x != 0 else { return (x, 0) }
        var exponent = 0, mantissa = x
        while abs(mantissa) >= 10 { mantissa /= 10; exponent += 1 }
        while abs(mantissa) < 1 { mantissa *= 10; exponent -= 1 }
        return (mantissa, exponent)
    }

    static func power10(_ e: Int) -> Double {
        var p = 1.0
        for _ in 0..<abs(e) { p *= 10 }
        return e >= 0 ? p : 1 / p
    }
}
