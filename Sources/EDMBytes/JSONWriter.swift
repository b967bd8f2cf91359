/// Compact JSON written straight into bytes: the one place that quotes strings and prints
/// numbers for everything we emit as JSON.
///
/// edm-decode writes a JSON line per unit, millions per capture; building a tree of values
/// and Strings first spent most of its time in allocations. Here lines are appended to one
/// reusable `OutputBuffer`: each value asks it once for room and is stored through a pointer
/// (hex, digits and escapes in place), and string literals are copied without conversion.
public struct JSONWriter: Sendable {
    /// What has been written (edm-decode lets lines collect here and writes them in blocks).
    public private(set) var buffer: OutputBuffer
    /// Whether the current object or array already has a member (so the next needs a comma).
    private var hasMember = false

    public init(capacity: Int = 1024) { buffer = OutputBuffer(capacity: capacity) }

    /// The bytes written, copied out.
    public var bytes: [UInt8] { buffer.array }

    /// Empties the writer, keeping its storage.
    public mutating func reset() {
        buffer.removeAll()
        hasMember = false
    }

    /// Ends a line of JSON Lines: a newline, and the next value starts a new document.
    public mutating func newline() {
        buffer.append(0x0A)
        hasMember = false
    }

    // MARK: Structure

    public mutating func openObject() { separate(); buffer.append(UInt8(ascii: "{")); hasMember = false }
    public mutating func closeObject() { buffer.append(UInt8(ascii: "}")); hasMember = true }
    public mutating func openArray() { separate(); buffer.append(UInt8(ascii: "[")); hasMember = false }
    public mutating func closeArray() { buffer.append(UInt8(ascii: "]")); hasMember = true }

    /// `"key":`, after a comma when the object has members. The value comes next and adds
    /// no comma of its own (`separate()` sees `hasMember` cleared). Keys are literals, known
    /// to need no escaping, so they are copied as they are. (Inlined: with the literal's length
    /// known where it is written, the copy is a few stores, not a call to memcpy.)
    @inline(__always)
    public mutating func key(_ name: StaticString) {
        let n = name.utf8CodeUnitCount
        let out = buffer.room(n + 4)
        var o = 0
        if hasMember { out[0] = UInt8(ascii: ","); o = 1 }
        out[o] = UInt8(ascii: "\"")
        (out + o + 1).update(from: name.utf8Start, count: n)
        out[o + n + 1] = UInt8(ascii: "\"")
        out[o + n + 2] = UInt8(ascii: ":")
        buffer.advance(o + n + 3)
        hasMember = false
    }

    /// A key made at run time (catalog field names, parsed documents), escaped as needed.
    public mutating func key(text name: String) {
        if hasMember { buffer.append(UInt8(ascii: ",")) }
        hasMember = false
        string(name)
        buffer.append(UInt8(ascii: ":"))
        hasMember = false
    }

    /// A comma before an array element or a key-less value that follows another.
    private mutating func separate() {
        if hasMember { buffer.append(UInt8(ascii: ",")) }
        hasMember = true
    }

    // MARK: Values

    public mutating func null() { separate(); buffer.append(contentsOf: "null".utf8) }
    public mutating func bool(_ b: Bool) { separate(); buffer.append(contentsOf: (b ? "true" : "false").utf8) }

    /// Text already valid as a JSON number (or a literal), written as is.
    public mutating func number(_ text: String) { separate(); buffer.append(contentsOf: text.utf8) }

    public mutating func int(_ value: Int) {
        separate()
        if value < 0 { buffer.append(UInt8(ascii: "-")) }
        buffer.appendDecimal(UInt64(value.magnitude))
    }

    /// Seconds with microseconds: `14.076000`.
    public mutating func seconds(_ d: Duration) {
        separate()
        let us = d.wholeMicroseconds
        if us < 0 { buffer.append(UInt8(ascii: "-")) }
        buffer.appendDecimal(UInt64(us.magnitude / 1_000_000))
        buffer.append(UInt8(ascii: "."))
        buffer.appendDecimal(UInt64(us.magnitude % 1_000_000), minimumDigits: 6)
    }

    /// `0x0044`: four uppercase hex digits, quoted.
    public mutating func hexString(_ value: UInt16) {
        separate()
        let out = buffer.room(8)
        out[0] = UInt8(ascii: "\""); out[1] = UInt8(ascii: "0"); out[2] = UInt8(ascii: "x")
        for i in 0..<4 { out[3 + i] = Self.hexDigit(UInt8(value >> UInt16(12 - 4 * i) & 0xF)) }
        out[7] = UInt8(ascii: "\"")
        buffer.advance(8)
    }

    public mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { quote(validUTF8: $0) }
    }

    /// Bytes as a JSON string, decoded as UTF-8 (invalid sequences become U+FFFD, as
    /// `String(decoding:as:)` does).
    public mutating func string(utf8 text: ArraySlice<UInt8>) {
        let ascii = text.withUnsafeBufferPointer { input in
            guard input.allSatisfy({ $0 < 0x80 }) else { return false }
            quote(validUTF8: input)
            return true
        }
        if !ascii { string(String(decoding: text, as: UTF8.self)) }
    }

    /// Uppercase hex digits in quotes, written in place (every unit's bytes go out as hex, so
    /// this is JSON's busiest loop): sixteen bytes at a time in vector registers, then a byte
    /// at a time from a table.
    public mutating func hex(_ data: ArraySlice<UInt8>) {
        separate()
        let n = data.count
        let out = buffer.room(2 * n + 2)
        out[0] = UInt8(ascii: "\"")
        let digits = UnsafeMutableRawPointer(out + 1)
        data.withUnsafeBytes { input in
            var i = 0
            while i + 16 <= n {
                let bytes = input.loadUnaligned(fromByteOffset: i, as: SIMD16<UInt8>.self)
                digits.storeBytes(of: Self.hexDigits(of: bytes), toByteOffset: 2 * i, as: SIMD16<UInt16>.self)
                i += 16
            }
            Self.hexPairs.withUnsafeBufferPointer { pairs in
                for j in i..<n { digits.storeBytes(of: pairs[Int(input[j])].littleEndian, toByteOffset: 2 * j,
                    as: UInt16.self) }
            }
        }
        out[2 * n + 1] = UInt8(ascii: "\"")
        buffer.advance(2 * n + 2)
    }

    /// Bytes as a JSON string of one character per byte, U+0000 to U+00FF (a reader gets each
    /// byte back as its character's code): about half the size of hex for the text most units
    /// are. Printable ASCII is copied; the rest is escaped (`\r`, `\n`, `\t`, `\u00hh`).
    public mutating func byteString(_ data: ArraySlice<UInt8>) {
        separate()
        let out = buffer.room(6 * data.count + 2)
        out[0] = UInt8(ascii: "\"")
        var o = 1
        for b in data {
            switch b {
            case 0x22, 0x5C:
                out[o] = 0x5C; out[o + 1] = b; o += 2
            case 0x0A, 0x0D, 0x09:
                out[o] = 0x5C
                out[o + 1] = b == 0x0A ? UInt8(ascii: "n") : b == 0x0D ? UInt8(ascii: "r") : UInt8(ascii: "t")
                o += 2
            case 0x20..<0x7F:
                out[o] = b; o += 1
            default:
                out[o] = 0x5C; out[o + 1] = UInt8(ascii: "u"); out[o + 2] = 0x30; out[o + 3] = 0x30
                out[o + 4] = Self.lowerHexDigit(b >> 4); out[o + 5] = Self.lowerHexDigit(b & 0xF)
                o += 6
            }
        }
        out[o] = UInt8(ascii: "\"")
        buffer.advance(o + 1)
    }

    /// The 32 hex digits of sixteen bytes, each byte's two as one 16-bit lane, the first digit
    /// in the low half (so they read in order stored little-endian): every nibble becomes a
    /// digit at once, `0x30 + n`, 7 more from 10 up. (Arithmetic only: the standard library's
    /// vector comparisons compile to a loop over the lanes.)
    @inline(__always)
    package static func hexDigits(of bytes: SIMD16<UInt8>) -> SIMD16<UInt16> {
        @inline(__always) func digits(_ nibbles: SIMD16<UInt8>) -> SIMD16<UInt16> {
            let letter = (nibbles &+ 6) &>> 4 // 1 from 10 up
            return SIMD16<UInt16>(truncatingIfNeeded: nibbles &+ 0x30 &+ (letter &<< 3) &- letter)
        }
        return digits(bytes &>> 4) | digits(bytes & 0x0F) &<< 8
    }

    /// A byte's two digits, the first in the low half: stored little-endian, they read in order.
    private static let hexPairs: [UInt16] = (0...255).map { (b: UInt8) in
        UInt16(hexDigit(b >> 4)) | UInt16(hexDigit(b & 0x0F)) << 8
    }

    /// Members written earlier by another writer (`"a":1,"b":2`, cached), in the current object.
    public mutating func members(_ fragment: [UInt8]) {
        guard !fragment.isEmpty else { return }
        separate()
        fragment.withUnsafeBytes { buffer.append($0) }
    }

    // MARK: Quoting

    @inline(__always)
    private static func hexDigit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 0x30 + nibble : 0x37 + nibble }

    /// Only ASCII needs escaping in UTF-8; runs that need none are copied whole.
    private mutating func quote(validUTF8 text: UnsafeBufferPointer<UInt8>) {
        separate()
        // Room for the worst case (every byte as \u00hh) up front: one check per string.
        let out = buffer.room(6 * text.count + 2)
        out[0] = UInt8(ascii: "\"")
        var o = 1, i = 0
        let n = text.count
        while i < n {
            // Eight bytes at a time up to the next that needs escaping (most text needs none;
            // DPS bodies, a quote every few bytes). The word is stored whole: bytes past that
            // one are written again after its escape.
            if i + 8 <= n {
                let word = UnsafeRawPointer(text.baseAddress! + i).loadUnaligned(as: UInt64.self)
                UnsafeMutableRawPointer(out + o).storeBytes(of: word, as: UInt64.self)
                let escapes = Self.escapes(word)
                guard escapes != 0 else {
                    o += 8
                    i += 8
                    continue
                }
                let clean = escapes.trailingZeroBitCount / 8
                o += clean
                i += clean
            }
            let b = text[i]
            i += 1
            guard b < 0x20 || b == 0x22 || b == 0x5C else {
                out[o] = b
                o += 1
                continue
            }
            out[o] = 0x5C
            switch b {
            case 0x22, 0x5C: out[o + 1] = b               // \" \\
            case 0x0A: out[o + 1] = UInt8(ascii: "n")
            case 0x0D: out[o + 1] = UInt8(ascii: "r")
            case 0x09: out[o + 1] = UInt8(ascii: "t")
            default:                                       // \u00hh
                out[o + 1] = UInt8(ascii: "u"); out[o + 2] = 0x30; out[o + 3] = 0x30
                out[o + 4] = Self.lowerHexDigit(b >> 4); out[o + 5] = Self.lowerHexDigit(b & 0xF)
                o += 4
            }
            o += 2
        }
        out[o] = UInt8(ascii: "\"")
        buffer.advance(o + 1)
    }

    @inline(__always)
    private static func lowerHexDigit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 0x30 + nibble : 0x57 + nibble }

    /// The bytes of the eight that need escaping (below 0x20, `"`, `\\`) as their high bits
    /// set, exact up to the first such byte (the lowest set bit). Bytes from 0x80 up, UTF-8,
    /// never count.
    @inline(__always)
    package static func escapes(_ word: UInt64) -> UInt64 {
        ByteText.bytes(of: word, below: 0x20) | ByteText.bytes(of: word, equalTo: 0x22) | ByteText.bytes(of: word,
            equalTo: 0x5C)
    }
}
