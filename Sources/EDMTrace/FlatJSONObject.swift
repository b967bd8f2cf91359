import EDMBytes
import EDMFrames
import EDMAT
import EDMSession

/// The top-level fields of one small JSON object: strings decoded, numbers kept as text.
package enum FlatJSONObject {
    /// One field's value.
    package enum Value: Equatable {
        case string(String)
        case number(ArraySlice<UInt8>)
        case other
    }

    /// Field name to value; nil when the bytes are not one object.
    package static func parse(_ b: [UInt8]) -> [String: Value]? {
        var i = 0
        func skipSpace() { while i < b.count, ByteText.isSpace(b[i]) { i += 1 } }
        func string() -> String? {
            guard i < b.count, b[i] == 0x22 else { return nil }
            i += 1
            var scalars = String.UnicodeScalarView()
            var raw: [UInt8] = []
            func flush() { scalars.append(contentsOf: String(decoding: raw, as: UTF8.self).unicodeScalars); raw = [] }
            while i < b.count, b[i] != 0x22 {
                guard b[i] == 0x5C else { raw.append(b[i]); i += 1; continue }
                guard i + 1 < b.count else { return nil }
                let e = b[i + 1]
                i += 2
                switch e {
                case 0x22, 0x5C, 0x2F: raw.append(e)
                case 0x62: raw.append(0x08)
                case 0x66: raw.append(0x0C)
                case 0x6E: raw.append(ByteText.lf)
                case 0x72: raw.append(ByteText.cr)
                case 0x74: raw.append(ByteText.tab)
                case 0x75:
                    guard i + 4 <= b.count else { return nil }
                    var v: UInt32 = 0
                    for d in b[i..<(i + 4)] {
                        guard let h = ByteText.hexValue(d) else { return nil }
                        v = v << 4 | UInt32(h)
                    }
                    i += 4
                    flush()
                    scalars.append(Unicode.Scalar(v) ?? "\u{FFFD}") // lone surrogates: replacement
                default: return nil
                }
            }
            guard i < b.count else { return nil }
            i += 1
            flush()
            return String(scalars)
        }
        func skipValue() -> Value? {
            skipSpace()
            guard i < b.count else { return nil }
            if b[i] == 0x22 { return string().map(Value.string) }
            if b[i] == 0x7B || b[i] == 0x5B {
                var depth = 0, strings = JSONStringState()
                while i < b.count {
                    let c = b[i]; i += 1
                    if strings.take(c) { continue }
                    if c == 0x7B || c == 0x5B {
                        depth += 1
                    } else if c == 0x7D || c == 0x5D {
                        depth -= 1
                        if depth == 0 { return .other }
                    }
                }
                return nil
            }
            let start = i
            while i < b.count, b[i] != 0x2C, b[i] != 0x7D, !ByteText.isSpace(b[i]) { i += 1 }
            let token = b[start..<i]
            if token.first.map({ ByteText.isDigit($0) || $0 == 0x2D }) == true { return .number(token) }
            return token.isEmpty ? nil : .other
        }
        skipSpace()
        guard i < b.count, b[i] == 0x7B else { return nil }
        i += 1
        var fields: [String: Value] = [:]
        skipSpace()
        if i < b.count, b[i] == 0x7D { return fields }
        while true {
            skipSpace()
            guard let key = string() else { return nil }
            skipSpace()
            guard i < b.count, b[i] == 0x3A else { return nil }
            i += 1
            guard let value = skipValue() else { return nil }
            fields[key] = value
            skipSpace()
            guard i < b.count else { return nil }
            if b[i] == 0x2C { i += 1; continue }
            if b[i] == 0x7D { return fields }
            return nil
        }
    }
}
