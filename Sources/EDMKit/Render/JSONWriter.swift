/// Compact JSON written straight into bytes: the one place that quotes strings and prints
/// numbers for everything we emit as JSON.
///
/// edm-decode writes a JSON line per unit, millions per capture; building a tree of values
/// and Strings first spent most of its time in allocations. Here a line is appended to one
/// reusable byte array, hex and escapes are written in place, and string literals are copied without conversion.
public struct JSONWriter: Sendable {
    public private(set) var bytes: [UInt8] = []
    /// Whether the current object or array already has a member (so the next needs a comma).
    private var hasMember = false

    public init(capacity: Int = 1024) { bytes.reserveCapacity(capacity) }

    /// Empties the writer, keeping its storage.
    public mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        hasMember = false
    }

    // MARK: Structure

    public mutating func openObject() { separate(); bytes.append(UInt8(ascii: "{")); hasMember = false }
    public mutating func closeObject() { bytes.append(UInt8(ascii: "}")); hasMember = true }
    public mutating func openArray() { separate(); bytes.append(UInt8(ascii: "[")); hasMember = false }
    public mutating func closeArray() { bytes.append(UInt8(ascii: "]")); hasMember = true }

    /// `"key":`, after a comma when the object has members. The value comes next and adds
    /// no comma of its own (`separate()` sees `hasMember` cleared). Keys are literals, known
    /// to need no escaping, so they are copied as they are.
    public mutating func key(_ name: StaticString) {
        if hasMember { bytes.append(UInt8(ascii: ",")) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        hasMember = false
    }

    /// A key made at run time (catalog field names, parsed documents), escaped as needed.
    public mutating func key(text name: String) {
        if hasMember { bytes.append(UInt8(ascii: ",")) }
        hasMember = false
        string(name)
        bytes.append(UInt8(ascii: ":"))
        hasMember = false
    }

    /// A comma before an array element or a key-less value that follows another.
    private mutating func separate() {
        if hasMember { bytes.append(UInt8(ascii: ",")) }
        hasMember = true
    }

    // MARK: Values

    public mutating func null() { separate(); bytes.append(contentsOf: "null".utf8) }
    public mutating func bool(_ b: Bool) { separate(); bytes.append(contentsOf: (b ? "true" : "false").utf8) }

    /// Text already valid as a JSON number (or a literal), written as is.
    public mutating func number(_ text: String) { separate(); bytes.append(contentsOf: text.utf8) }

    public mutating func int(_ value: Int) {
        separate()
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        digits(UInt64(value.magnitude))
    }

    /// Seconds with microseconds: `14.076000`.
    public mutating func seconds(_ d: Duration) {
        separate()
        let us = d.components.seconds * 1_000_000 + d.components.attoseconds / 1_000_000_000_000
        if us < 0 { bytes.append(UInt8(ascii: "-")) }
        digits(UInt64(us.magnitude / 1_000_000))
        bytes.append(UInt8(ascii: "."))
        var fraction = UInt64(us.magnitude % 1_000_000), unit: UInt64 = 100_000
        while unit > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(fraction / unit))
            fraction %= unit
            unit /= 10
        }
    }

    /// Decimal digits, written in place from the last one.
    private mutating func digits(_ value: UInt64) {
        var count = 1, rest = value
        while rest >= 10 { rest /= 10; count += 1 }
        let end = bytes.count + count
        bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: count))
        bytes.withUnsafeMutableBufferPointer { out in
            var v = value, i = end
            repeat {
                i -= 1
                out[i] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
            } while v > 0
        }
    }

    /// `0x0044`: four uppercase hex digits, quoted.
    public mutating func hexString(_ value: UInt16) {
        separate()
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: "0"), UInt8(ascii: "x")])
        for shift in stride(from: 12, through: 0, by: -4) { bytes.append(Self.hexDigits[Int(value >> UInt16(shift) & 0xF)]) }
        bytes.append(UInt8(ascii: "\""))
    }

    public mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { quote(validUTF8: $0) }
    }

    /// Bytes as a JSON string, decoded as UTF-8 (invalid sequences become U+FFFD, as
    /// `String(decoding:as:)` does).
    public mutating func string(utf8 text: ArraySlice<UInt8>) {
        if text.allSatisfy({ $0 < 0x80 }) {
            text.withUnsafeBufferPointer { quote(validUTF8: $0) }
        } else {
            string(String(decoding: text, as: UTF8.self))
        }
    }

    /// Uppercase hex digits in quotes, written in place.
    public mutating func hex(_ data: ArraySlice<UInt8>) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: data.count * 2))
        bytes.withUnsafeMutableBufferPointer { out in
            data.withUnsafeBufferPointer { input in
                var o = start
                for b in input {
                    out[o] = Self.hexDigits[Int(b >> 4)]
                    out[o + 1] = Self.hexDigits[Int(b & 0x0F)]
                    o += 2
                }
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Members written earlier by another writer (`"a":1,"b":2`, cached), in the current object.
    public mutating func members(_ fragment: [UInt8]) {
        guard !fragment.isEmpty else { return }
        separate()
        bytes.append(contentsOf: fragment)
    }

    // MARK: Quoting

    private static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)
    private static let lowerHexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Only ASCII needs escaping in UTF-8; runs that need none are copied whole.
    private mutating func quote(validUTF8 text: UnsafeBufferPointer<UInt8>) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        var run = 0
        for i in 0..<text.count {
            let b = text[i]
            guard b < 0x20 || b == 0x22 || b == 0x5C else { continue }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[run..<i]))
            run = i + 1
            switch b {
            case 0x22: bytes.append(contentsOf: [0x5C, 0x22])  // \"
            case 0x5C: bytes.append(contentsOf: [0x5C, 0x5C])  // \\
            case 0x0A: bytes.append(contentsOf: [0x5C, 0x6E])  // \n
            case 0x0D: bytes.append(contentsOf: [0x5C, 0x72])  // \r
            case 0x09: bytes.append(contentsOf: [0x5C, 0x74])  // \t
            default: bytes.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, Self.lowerHexDigits[Int(b >> 4)], Self.lowerHexDigits[Int(b & 0xF)]]) // \u00hh
            }
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[run...]))
        bytes.append(UInt8(ascii: "\""))
    }
}
