/// Summary statistics the chapters' tables share.
public enum Statistics {
    /// The middle value of `values` (the mean of the two middle ones for an even count); `values` non-empty.
    public static func median(_ values: [Double]) -> Double {
        let s = values.sorted(), n = s.count
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
    }
}
