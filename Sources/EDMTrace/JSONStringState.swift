/// Where a byte-by-byte walk over JSON stands with respect to strings: inside one or not, and
/// whether the byte before was an escaping backslash. The walkers that skip or cut JSON
/// without parsing it (`FlatJSONObject`, `JSONEventScanner`) count brackets only outside
/// strings, and this is what tells them where those are.
package struct JSONStringState: Sendable {
    package private(set) var inString = false
    private var escaped = false

    package init() {}

    /// Takes the next byte; true when it belongs to a string, its quotes included.
    package mutating func take(_ b: UInt8) -> Bool {
        if inString {
            if escaped { escaped = false } else if b == 0x5C { escaped = true } else if b == 0x22 { inString = false }
            return true
        }
        inString = b == 0x22
        return inString
    }
}
