import Foundation

/// Maps data to pixels along one axis and picks readable ticks.
struct Scale {
    let scale: AxisScale
    let lo: Double, hi: Double        // data bounds (already padded / rounded to ticks)
    let from: Double, to: Double      // pixel range
    /// The axis's explicit ticks, if it has any; those inside the bounds replace the automatic ones.
    var explicitTicks: [Double]? = nil

    func callAsFunction(_ v: Double) -> Double {
        let t: Double
        switch scale {
        case .linear: t = hi > lo ? (v - lo) / (hi - lo) : 0.5
        case .log10: t = hi > lo ? (log10(v) - log10(lo)) / (log10(hi) - log10(lo)) : 0.5
        }
        return from + t * (to - from)
    }

    /// Tick values: 1-2-5 steps on linear axes (about five ticks); powers of ten on log axes (every k-th decade
    /// beyond ten decades, and 1-2-5 or 1…9 multiples when the axis spans less than two decade ticks).
    var ticks: [Double] {
        if let explicitTicks {
            let (a, b) = (Swift.min(lo, hi), Swift.max(lo, hi))
            return explicitTicks.filter { $0 >= a - abs(a) * 1e-9 && $0 <= b + abs(b) * 1e-9 }.sorted()
        }
        switch scale {
        case .linear:
            let step = Self.niceStep((hi - lo) / 5)
            let first = (lo / step - 1e-9).rounded(.up)
            var out: [Double] = []
            var k = 0.0
            while (first + k) * step <= hi + step * 1e-9 {
                let v = (first + k) * step
                out.append(abs(v) < step * 1e-9 ? 0 : v)
                k += 1
            }
            return out
        case .log10:
            let e0 = Int(log10(lo).rounded(.down)), e1 = Int(log10(hi).rounded(.up))
            let inside = { (v: Double) in v >= self.lo * (1 - 1e-9) && v <= self.hi * (1 + 1e-9) }
            let every = Swift.max(1, (e1 - e0 + 9) / 10)
            let decades = (e0...e1).filter { $0 % every == 0 }.map(NumberFormat.power10).filter(inside)
            if decades.count >= 2 { return decades }
            for mantissas in [[1.0, 2, 5], [1.0, 2, 3, 4, 5, 6, 7, 8, 9]] {
                let ticks = (e0...e1).flatMap { e in mantissas.map { $0 * NumberFormat.power10(e) } }.filter(inside)
                if ticks.count >= 2 { return ticks }
            }
            return decades
        }
    }

    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        let p = NumberFormat.power10(Int(log10(raw).rounded(.down)))
        for m in [1.0, 2, 5, 10] where m * p >= raw * (1 - 1e-9) { return m * p }
        return 10 * p
    }

    /// Data bounds for values, honouring fixed bounds and rounding to nice ticks; with explicit ticks, the
    /// outermost tick or value instead (no rounding outwards).
    static func bounds(_ values: [Double], axis: Axis, includeZero: Bool = false) -> (Double, Double) {
        var lo = axis.min ?? values.min() ?? 0, hi = axis.max ?? values.max() ?? 1
        if let ticks = axis.ticks, let tlo = ticks.min(), let thi = ticks.max() {
            if axis.min == nil { lo = Swift.min(lo, tlo) }
            if axis.min == nil && includeZero && axis.scale == .linear { lo = Swift.min(lo, 0) }
            if axis.max == nil { hi = Swift.max(hi, thi) }
            if hi <= lo { hi = axis.scale == .log10 ? lo * 10 : lo + 1 }
            return (lo, hi)
        }
        switch axis.scale {
        case .linear:
            if includeZero && axis.min == nil { lo = Swift.min(lo, 0) }
            if hi <= lo { hi = lo + 1 }
            let step = niceStep((hi - lo) / 5)
            if axis.min == nil { lo = (lo / step + 1e-9).rounded(.down) * step }
            if axis.max == nil { hi = (hi / step - 1e-9).rounded(.up) * step }
        case .log10:
            if axis.min == nil { lo = NumberFormat.power10(Int(log10(lo).rounded(.down))) }
            if axis.max == nil { hi = NumberFormat.power10(Int(log10(hi).rounded(.up))) }
            if hi <= lo { hi = lo * 10 }
        }
        return (lo, hi)
    }

    /// A tick label: powers of ten as 0.01 … 1000 then 1e4; other values in plain notation where short.
    static func label(_ v: Double, _ scale: AxisScale) -> String {
        if scale == .log10 {
            let e = Int(log10(v).rounded())
            if abs(v / NumberFormat.power10(e) - 1) > 1e-9 {   // a 2 or 5 multiple on a short log axis
                if v >= 1e-4 && v < 1e5 { return NumberFormat.trimmed(v, maxDecimals: 6) }
                let e0 = Int(log10(v).rounded(.down))
                return NumberFormat.trimmed(v / NumberFormat.power10(e0), maxDecimals: 1) + "e\(e0)"
            }
            if e >= 0 && e < 4 { return NumberFormat.fixed(v, decimals: 0) }
            if e < 0 && e > -4 { return NumberFormat.fixed(v, decimals: -e) }
            return "1e\(e)"
        }
        if abs(v) >= 1e5 || (abs(v) < 1e-3 && v != 0) { return NumberFormat.significant(v, digits: 3) }
        return NumberFormat.trimmed(v, maxDecimals: 6)
    }
}
