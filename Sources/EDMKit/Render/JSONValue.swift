/// A JSON value with object members kept in order, parsed and written without Foundation.
///
/// Order matters twice here: DPS bodies are shown as they came, and everything we write
/// must be byte-identical from run to run (a Dictionary's order changes per process).
public enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    /// The number's text as written, so nothing is lost to floating point.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case (.bool(let x), .bool(let y)): x == y
        case (.number(let x), .number(let y)): x == y
        case (.string(let x), .string(let y)): x == y
        case (.array(let x), .array(let y)): x == y
        case (.object(let x), .object(let y)): x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(serialized) }

    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members.first { $0.0 == key }?.1 }
        return nil
    }

    public var string: String? { if case .string(let s) = self { s } else { nil } }
    public var integer: Int? { if case .number(let n) = self { Int(n) } else { nil } }

    /// Parses one JSON document; nil when the bytes are not exactly that.
    public init?<C: Collection>(parsing bytes: C) where C.Element == UInt8 {
        // (Through a pointer: every byte passes the parser's loops, and an array checked its
        // index at each; DPS bodies are parsed for every answer not seen before.)
        let parsed: JSONValue? = Array(bytes).withUnsafeBufferPointer { bytes in
            var parser = Parser(bytes: bytes)
            guard let value = parser.value(depth: 0) else { return nil }
            parser.skipSpace()
            return parser.i == bytes.count ? value : nil
        }
        guard let parsed else { return nil }
        self = parsed
    }

    /// Compact JSON, members in their order.
    public var serialized: String {
        var writer = JSONWriter(capacity: 256)
        write(to: &writer)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    public func write(to writer: inout JSONWriter) {
        switch self {
        case .null: writer.null()
        case .bool(let b): writer.bool(b)
        case .number(let n): writer.number(n)
        case .string(let s): writer.string(s)
        case .array(let items):
            writer.openArray()
            for item in items { item.write(to: &writer) }
            writer.closeArray()
        case .object(let members):
            writer.openObject()
            for (key, value) in members {
                writer.key(text: key)
                value.write(to: &writer)
            }
            writer.closeObject()
        }
    }

    private struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var i = 0
        /// Nesting deeper than this is refused rather than recursed into.
        static let maxDepth = 64

        mutating func skipSpace() {
            while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D { i += 1 }
        }

        mutating func literal(_ word: String, _ value: JSONValue) -> JSONValue? {
            let n = word.utf8.count
            guard bytes.count - i >= n, bytes[i..<(i + n)].elementsEqual(word.utf8) else { return nil }
            i += n
            return value
        }

        mutating func value(depth: Int) -> JSONValue? {
            skipSpace()
            guard i < bytes.count, depth < Self.maxDepth else { return nil }
            switch bytes[i] {
            case UInt8(ascii: "n"): return literal("null", .null)
            case UInt8(ascii: "t"): return literal("true", .bool(true))
            case UInt8(ascii: "f"): return literal("false", .bool(false))
            case UInt8(ascii: "\""): return string().map(JSONValue.string)
            case UInt8(ascii: "["):
                i += 1
                var items: [JSONValue] = []
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                while true {
                    guard let item = value(depth: depth + 1) else { return nil }
                    items.append(item)
                    skipSpace()
                    guard i < bytes.count else { return nil }
                    i += 1
                    if bytes[i - 1] == UInt8(ascii: "]") { return .array(items) }
                    guard bytes[i - 1] == UInt8(ascii: ",") else { return nil }
                }
            case UInt8(ascii: "{"):
                i += 1
                var members: [(String, JSONValue)] = []
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
                while true {
                    skipSpace()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: "\""), let key = string() else { return nil }
                    skipSpace()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return nil }
                    i += 1
                    guard let item = value(depth: depth + 1) else { return nil }
                    members.append((key, item))
                    skipSpace()
                    guard i < bytes.count else { return nil }
                    i += 1
                    if bytes[i - 1] == UInt8(ascii: "}") { return .object(members) }
                    guard bytes[i - 1] == UInt8(ascii: ",") else { return nil }
                }
            default:
                let start = i
                while i < bytes.count, Self.isNumberByte(bytes[i]) { i += 1 }
                let text = String(decoding: bytes[start..<i], as: UTF8.self)
                guard i > start, Double(text) != nil else { return nil }
                return .number(text)
            }
        }

        /// `+-0123456789.eE`: what a number is scanned over (then checked whole).
        static func isNumberByte(_ b: UInt8) -> Bool {
            b >= 0x30 && b <= 0x39 || b == UInt8(ascii: "+") || b == UInt8(ascii: "-") || b == UInt8(ascii: ".")
                || b == UInt8(ascii: "e") || b == UInt8(ascii: "E")
        }

        mutating func string() -> String? {
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
                guard i < bytes.count else { return nil }
                let e = bytes[i]
                i += 1
                switch e {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    guard i + 4 <= bytes.count, let code = UInt32(String(decoding: bytes[i..<(i + 4)], as: UTF8.self), radix: 16) else { return nil }
                    i += 4
                    // Surrogate pairs are rare in DPS bodies; a lone one becomes U+FFFD.
                    out.append(contentsOf: Array(String(Unicode.Scalar(code).map(Character.init) ?? "\u{FFFD}").utf8))
                default: out.append(e)
                }
            }
            return nil
        }
    }
}
