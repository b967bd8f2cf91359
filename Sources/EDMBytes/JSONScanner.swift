/// Reads JSON from bytes in place: the pieces `JSONValue` builds its trees from, and a way to
/// walk an object's members without building anything.
///
/// A DPS body read into a tree (arrays of members, a String per key) would be built for the
/// few fields anyone reads; `members(depth:_:)`
/// hands over each key as bytes and skips the values no one reads, checking them all the
/// same, so a document is accepted or refused exactly as `JSONValue(parsing:)` would.
package struct JSONScanner {
    package let bytes: UnsafeBufferPointer<UInt8>
    package var i = 0
    /// Set by a value that is not valid JSON: the whole document is refused.
    private(set) var failed = false
    /// Nesting deeper than this is refused rather than recursed into.
    package static let maxDepth = 64

    package init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// Whether only white space is left.
    package mutating func atEnd() -> Bool {
        skipSpace()
        return !failed && i == bytes.count
    }

    package mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D { i += 1 }
    }

    /// The next byte after white space, nil at the end.
    package mutating func peek() -> UInt8? {
        skipSpace()
        return i < bytes.count ? bytes[i] : nil
    }

    package mutating func fail() -> Bool {
        failed = true
        return false
    }

    package mutating func literal(_ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard bytes.count - i >= n, bytes[i..<(i + n)].elementsEqual(UnsafeBufferPointer(start: word.utf8Start,
            count: n)) else { return fail() }
        i += n
        return true
    }

    /// The number's text, checked whole (scanned over `+-0123456789.eE`).
    package mutating func number() -> String? {
        let start = i
        while i < bytes.count, Self.isNumberByte(bytes[i]) { i += 1 }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        guard i > start, Double(text) != nil else { _ = fail(); return nil }
        return text
    }

    package static func isNumberByte(_ b: UInt8) -> Bool {
        b >= 0x30 && b <= 0x39 || b == UInt8(ascii: "+") || b == UInt8(ascii: "-") || b == UInt8(ascii: ".")
            || b == UInt8(ascii: "e") || b == UInt8(ascii: "E")
    }

    /// The string at `i` (its opening quote), decoded.
    package mutating func string() -> String? {
        i += 1
        // Most strings hold no escape: decoded straight from the input, not a byte at a time.
        let start = i
        while i < bytes.count, bytes[i] != UInt8(ascii: "\""), bytes[i] != UInt8(ascii: "\\") { i += 1 }
        if i < bytes.count, bytes[i] == UInt8(ascii: "\"") {
            i += 1
            return String(decoding: bytes[start..<(i - 1)], as: UTF8.self)
        }
        var out = Array(bytes[start..<i])
        while i < bytes.count {
            let c = bytes[i]
            i += 1
            if c == UInt8(ascii: "\"") { return String(decoding: out, as: UTF8.self) }
            guard c == UInt8(ascii: "\\") else { out.append(c); continue }
            guard i < bytes.count else { break }
            let e = bytes[i]
            i += 1
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"):
                guard i + 4 <= bytes.count, let code = UInt32(String(decoding: bytes[i..<(i + 4)], as: UTF8.self),
                    radix: 16) else {
                    _ = fail()
                    return nil
                }
                i += 4
                // Surrogate pairs are rare in DPS bodies; a lone one becomes U+FFFD.
                out.append(contentsOf: Array(String(Unicode.Scalar(code).map(Character.init) ?? "\u{FFFD}").utf8))
            default: out.append(e)
            }
        }
        _ = fail()
        return nil
    }

    /// Reads over the string at `i` (its opening quote), checking its escapes as `string()`
    /// does, without decoding it.
    package mutating func skipString() -> Bool {
        i += 1
        while i < bytes.count {
            let c = bytes[i]
            i += 1
            if c == UInt8(ascii: "\"") { return true }
            guard c == UInt8(ascii: "\\") else { continue }
            guard i < bytes.count else { break }
            i += 1
            guard bytes[i - 1] == UInt8(ascii: "u") else { continue }
            guard i + 4 <= bytes.count, UInt32(String(decoding: bytes[i..<(i + 4)], as: UTF8.self),
                radix: 16) != nil else { break }
            i += 4
        }
        return fail()
    }

    /// A member's name: its bytes when they hold no escape (then compared as they are),
    /// else decoded.
    package enum Key {
        case raw(Slice<UnsafeBufferPointer<UInt8>>)
        case decoded(String)

        package static func == (key: Key, name: StaticString) -> Bool {
            switch key {
            case .raw(let bytes):
                guard bytes.count == name.utf8CodeUnitCount else { return false }
                var i = bytes.startIndex, j = name.utf8Start
                while i < bytes.endIndex { guard bytes.base[i] == j.pointee else { return false }; i += 1; j += 1 }
                return true
            case .decoded(let text): return text == name.description
            }
        }

        package var text: String {
            switch self {
            case .raw(let bytes): String(decoding: bytes, as: UTF8.self)
            case .decoded(let text): text
            }
        }
    }

    package mutating func key() -> Key? {
        guard peek() == UInt8(ascii: "\"") else { _ = fail(); return nil }
        let start = i + 1
        var j = start
        while j < bytes.count, bytes[j] != UInt8(ascii: "\""), bytes[j] != UInt8(ascii: "\\") { j += 1 }
        if j < bytes.count, bytes[j] == UInt8(ascii: "\"") {
            i = j + 1
            return .raw(bytes[start..<j])
        }
        return string().map(Key.decoded)
    }

    /// Walks the members of the object at `i` (nested `depth` deep): `member` gets each key
    /// with the scanner at its value, and reads the value (returning true) or leaves it to be
    /// skipped (false). False when the object is not valid JSON.
    package mutating func members(depth: Int, _ member: (Key, inout JSONScanner) -> Bool) -> Bool {
        guard depth < Self.maxDepth, peek() == UInt8(ascii: "{") else { return fail() }
        i += 1
        if peek() == UInt8(ascii: "}") { i += 1; return true }
        while true {
            guard let key = key(), peek() == UInt8(ascii: ":") else { return fail() }
            i += 1
            if !member(key, &self) { _ = skip(depth: depth + 1) }
            guard !failed, let next = peek() else { return fail() }
            i += 1
            if next == UInt8(ascii: "}") { return true }
            guard next == UInt8(ascii: ",") else { return fail() }
        }
    }

    /// Reads over one value, checking it as `JSONValue` would parse it.
    package mutating func skip(depth: Int) -> Bool {
        guard depth < Self.maxDepth, let first = peek() else { return fail() }
        switch first {
        case UInt8(ascii: "n"): return literal("null")
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "\""): return skipString()
        case UInt8(ascii: "{"): return members(depth: depth) { _, _ in false }
        case UInt8(ascii: "["):
            i += 1
            if peek() == UInt8(ascii: "]") { i += 1; return true }
            while true {
                guard skip(depth: depth + 1), let next = peek() else { return fail() }
                i += 1
                if next == UInt8(ascii: "]") { return true }
                guard next == UInt8(ascii: ",") else { return fail() }
            }
        default: return number() != nil
        }
    }
}
