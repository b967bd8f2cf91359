/// Small byte-level text helpers shared by the text importers.
///
/// The importers work on bytes, never `String`: slsnif logs are not UTF-8, and a capture
/// must not change because a byte sequence fails to decode.
package enum ByteText {
    @usableFromInline package static let lf: UInt8 = 0x0A
    @usableFromInline package static let cr: UInt8 = 0x0D
    @usableFromInline package static let space: UInt8 = 0x20
    @usableFromInline package static let tab: UInt8 = 0x09

    /// Whether all eight bytes are printable ASCII, 0x20 to 0x7E. Checks of text look at eight
    /// bytes at a time this way, and at one byte at a time only in words where this fails.
    @inlinable @inline(__always)
    package static func isPlainASCII(_ word: UInt64) -> Bool {
        bytes(of: word, below: 0x20) | bytes(of: word, equalTo: 0x7F) | word & highBits == 0
    }

    /// The high bit of each of the eight bytes that is below `limit` (at most 0x80), exact up
    /// to the first such byte: the bits above it may be false alarms (a borrow). The classic
    /// test for a zero byte, `(x - 0x01…) & ~x & 0x80…`, with `limit` for 1.
    @inlinable @inline(__always)
    package static func bytes(of word: UInt64, below limit: UInt8) -> UInt64 {
        (word &- eachByte &* UInt64(limit)) & ~word & highBits
    }

    /// The high bit of each of the eight bytes that equals `byte`, exact up to the first.
    @inlinable @inline(__always)
    package static func bytes(of word: UInt64, equalTo byte: UInt8) -> UInt64 {
        bytes(of: word ^ eachByte &* UInt64(byte), below: 1)
    }

    @usableFromInline package static let eachByte: UInt64 = 0x0101_0101_0101_0101,
        highBits: UInt64 = 0x8080_8080_8080_8080

    @inlinable
    package static func isSpace(_ b: UInt8) -> Bool { b == space || b == tab || b == cr || b == lf || b == 0x0B
        || b == 0x0C }
    @inlinable
    package static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    /// The value of one hex digit, either case.
    @inlinable
    package static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: return b - 0x30
        case 0x41...0x46: return b - 0x41 + 10
        case 0x61...0x66: return b - 0x61 + 10
        default: return nil
        }
    }

    /// Two hex digits at `i` and `i + 1`.
    @inlinable
    package static func hexByte(_ s: ArraySlice<UInt8>, at i: Int) -> UInt8? {
        guard i >= s.startIndex, i + 1 < s.endIndex, let hi = hexValue(s[i]), let lo = hexValue(s[i + 1]) else {
            return nil
        }
        return hi << 4 | lo
    }

    @inlinable
    package static func trimmed(_ s: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var lo = s.startIndex, hi = s.endIndex
        while lo < hi, isSpace(s[lo]) { lo += 1 }
        while hi > lo, isSpace(s[hi - 1]) { hi -= 1 }
        return s[lo..<hi]
    }

    /// Without leading and trailing spaces (only U+0020, as AT parameters are trimmed).
    @inlinable
    package static func trimmed(spaces s: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var lo = s.startIndex, hi = s.endIndex
        while lo < hi, s[lo] == space { lo += 1 }
        while hi > lo, s[hi - 1] == space { hi -= 1 }
        return s[lo..<hi]
    }

    @inlinable
    package static func trimmedTrailing(_ s: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var hi = s.endIndex
        while hi > s.startIndex, isSpace(s[hi - 1]) { hi -= 1 }
        return s[s.startIndex..<hi]
    }

    /// A non-negative decimal integer made of the whole slice (no sign, no spaces).
    @inlinable
    package static func decimal(_ s: ArraySlice<UInt8>) -> Int? {
        guard !s.isEmpty, s.count <= 18 else { return nil }
        var v = 0
        for b in s {
            guard isDigit(b) else { return nil }
            v = v * 10 + Int(b - 0x30)
        }
        return v
    }

    /// Splits on runs of spaces and tabs.
    @inlinable
    package static func fields(_ s: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        s.split(whereSeparator: { $0 == space || $0 == tab })
    }

    /// The slice after `prefix`, when it starts with it.
    @inlinable
    package static func dropPrefix(_ s: ArraySlice<UInt8>, _ prefix: String) -> ArraySlice<UInt8>? {
        let p = prefix.utf8
        guard s.starts(with: p) else { return nil }
        return s.dropFirst(p.count)
    }

    /// Whether the bytes are exactly `text` (a literal, compared byte for byte with no String
    /// in between: the session decoder asks this several times per unit).
    @inlinable
    package static func equals(_ s: ArraySlice<UInt8>, _ text: StaticString) -> Bool {
        s.count == text.utf8CodeUnitCount && starts(s, with: text)
    }

    @inlinable
    package static func starts(_ s: ArraySlice<UInt8>, with text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard s.count >= count else { return false }
        return s.withUnsafeBufferPointer { bytes in
            for i in 0..<count where bytes[i] != text.utf8Start[i] { return false }
            return true
        }
    }

    /// Whether `text` occurs anywhere in the bytes.
    @inlinable
    package static func contains(_ s: ArraySlice<UInt8>, _ text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard count > 0, s.count >= count else { return count == 0 }
        // (Compared whole only where the first byte matches: this runs on every AT+UDUV.)
        let first = text.utf8Start.pointee
        var i = s.startIndex
        while i <= s.endIndex - count {
            if s[i] == first, starts(s[i...], with: text) { return true }
            i += 1
        }
        return false
    }

    /// Text for messages: invalid UTF-8 shown as U+FFFD, long lines cut.
    @inlinable
    package static func quote(_ s: ArraySlice<UInt8>, limit: Int = 60) -> String {
        let cut = s.prefix(limit)
        let text = String(decoding: cut, as: UTF8.self)
        return "'" + text + (s.count > limit ? "…" : "") + "'"
    }

    @inlinable
    package static func string(_ s: ArraySlice<UInt8>) -> String { String(decoding: s, as: UTF8.self) }
}
