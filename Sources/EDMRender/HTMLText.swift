import EDMBytes
import EDMTrace

/// Text made safe for the places the HTML report puts it: element text and attributes, and
/// JSON inside a `<script>` element.
package enum HTMLText {
    /// `&`, `<`, `>`, `"` and `'` as entities: capture text is shown, never read as markup.
    package static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else {
            return text
        }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// JSON bytes copied into a script element: `<`, `>` and `&` as `\u003c`, `\u003e`,
    /// `\u0026`, and `/` as `\/`. In JSON these bytes occur only inside strings, where the
    /// escapes mean the same, so the data reads back unchanged; but no capture text can end
    /// the element (`</script>`) or put a URL such as `https://` in the file as written.
    package static func appendScriptSafe(_ json: UnsafeRawBufferPointer, to out: inout OutputBuffer) {
        var start = 0
        for i in 0..<json.count {
            let b = json[i]
            guard b == 0x3C || b == 0x3E || b == 0x26 || b == 0x2F else { continue }
            if start < i { out.append(UnsafeRawBufferPointer(rebasing: json[start..<i])) }
            switch b {
            case 0x3C: out.append(contentsOf: #"\u003c"#.utf8)
            case 0x3E: out.append(contentsOf: #"\u003e"#.utf8)
            case 0x26: out.append(contentsOf: #"\u0026"#.utf8)
            default: out.append(contentsOf: #"\/"#.utf8)
            }
            start = i + 1
        }
        if start < json.count { out.append(UnsafeRawBufferPointer(rebasing: json[start...])) }
    }

    /// `2024-05-01 12:34:56.789 UTC` for nanoseconds since the Unix epoch (the proleptic
    /// Gregorian calendar, worked out here: the core reads no clock and no time zone).
    package static func utc(unixNanoseconds: Int64) -> String {
        let millis = unixNanoseconds.dividedRoundingDown(by: 1_000_000)
        let days = millis.dividedRoundingDown(by: 86_400_000)
        let inDay = millis - days * 86_400_000
        let (year, month, day) = TimeText.civil(fromDays: days)
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let ms = inDay % 1000
        return "\(year)-\(two(month))-\(two(day)) \(two(inDay / 3_600_000)):\(two(inDay / 60_000 % 60)):"
            + "\(two(inDay / 1000 % 60)).\(ms < 100 ? "0" : "")\(two(ms)) UTC"
    }
}

extension Int64 {
    /// The quotient rounded towards minus infinity (times before 1970 stay on their day).
    fileprivate func dividedRoundingDown(by d: Int64) -> Int64 {
        let q = self / d
        return self % d < 0 ? q - 1 : q
    }
}
