/// The one way Core reads the lines of a data file (profiles, training logs, records): LF, CRLF or a lone CR
/// end a line, a final line end adds no empty line, and lines are numbered from 1 for error messages.
///
/// Swift treats "\r\n" as one `Character`, so `text.split(separator: "\n")` does not split a CRLF file; this
/// reader does.
public enum DataLines {
    public struct Line: Sendable, Hashable {
        public var number: Int
        public var text: String
    }

    public static func split(_ text: String) -> [Line] {
        var lines: [Line] = []
        var current = ""
        var number = 1
        var pendingCR = false
        for scalar in text.unicodeScalars {
            if pendingCR {
                pendingCR = false
                if scalar == "\n" { continue }
            }
            if scalar == "\n" || scalar == "\r" {
                lines.append(Line(number: number, text: current))
                current = ""
                number += 1
                pendingCR = scalar == "\r"
            } else {
                current.unicodeScalars.append(scalar)
            }
        }
        if !current.isEmpty { lines.append(Line(number: number, text: current)) }
        return lines
    }
}
