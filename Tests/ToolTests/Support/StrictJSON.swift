/// A JSON validator that, unlike JSONSerialization (which silently keeps one of two equal
/// keys), rejects an object that holds a key twice. It only checks; it builds no values.
struct StrictJSON {
    struct Failure: Error, CustomStringConvertible {
        var offset: Int
        var message: String
        var description: String { "\(message) at byte \(offset)" }
    }

    private let bytes: [UInt8]
    private var at = 0

    /// Throws unless `text` is exactly one JSON value (surrounding whitespace allowed) whose
    /// objects have unique keys.
    static func check(_ text: String) throws {
        var parser = StrictJSON(bytes: Array(text.utf8))
        try parser.value()
        parser.skipSpace()
        guard parser.at == parser.bytes.count else { throw parser.failure("text after the value") }
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private func failure(_ message: String) -> Failure { Failure(offset: at, message: message) }

    private mutating func skipSpace() {
        while at < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[at]) { at += 1 }
    }

    private mutating func expect(_ byte: UInt8) throws {
        skipSpace()
        guard at < bytes.count, bytes[at] == byte else {
            throw failure("expected '\(Character(Unicode.Scalar(byte)))'")
        }
        at += 1
    }

    private mutating func peek() -> UInt8? {
        skipSpace()
        return at < bytes.count ? bytes[at] : nil
    }

    private mutating func value() throws {
        switch peek() {
        case UInt8(ascii: "{"): try object()
        case UInt8(ascii: "["): try array()
        case UInt8(ascii: "\""): _ = try string()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case .some(let b) where b == UInt8(ascii: "-") || (0x30...0x39).contains(b): try number()
        default: throw failure("expected a value")
        }
    }

    private mutating func object() throws {
        try expect(UInt8(ascii: "{"))
        var keys = Set<[UInt8]>()
        if peek() == UInt8(ascii: "}") { at += 1; return }
        repeat {
            skipSpace()
            let start = at
            let key = try string()
            guard keys.insert(key).inserted else {
                at = start
                throw failure("duplicate key \"\(String(decoding: key, as: UTF8.self))\"")
            }
            try expect(UInt8(ascii: ":"))
            try value()
        } while try separator(closing: UInt8(ascii: "}"))
    }

    private mutating func array() throws {
        try expect(UInt8(ascii: "["))
        if peek() == UInt8(ascii: "]") { at += 1; return }
        repeat { try value() } while try separator(closing: UInt8(ascii: "]"))
    }

    /// True after a comma, false after the closing bracket.
    private mutating func separator(closing: UInt8) throws -> Bool {
        switch peek() {
        case UInt8(ascii: ","): at += 1; return true
        case closing: at += 1; return false
        default: throw failure("expected ',' or the closing bracket")
        }
    }

    /// The string's raw bytes between the quotes, escapes decoded only as far as needed to
    /// compare keys (`\u` sequences are kept as written).
    private mutating func string() throws -> [UInt8] {
        try expect(UInt8(ascii: "\""))
        var out: [UInt8] = []
        while at < bytes.count {
            let b = bytes[at]
            at += 1
            switch b {
            case UInt8(ascii: "\""): return out
            case UInt8(ascii: "\\"):
                guard at < bytes.count, Array("\"\\/bfnrtu".utf8).contains(bytes[at]) else {
                    throw failure("bad escape")
                }
                out.append(b)
                out.append(bytes[at])
                at += 1
            case 0..<0x20: throw failure("control character in a string")
            default: out.append(b)
            }
        }
        throw failure("unterminated string")
    }

    private mutating func number() throws {
        let start = at
        while at < bytes.count, Array("+-.eE0123456789".utf8).contains(bytes[at]) { at += 1 }
        guard Double(String(decoding: bytes[start..<at], as: UTF8.self)) != nil else { throw failure("bad number") }
    }

    private mutating func literal(_ word: String) throws {
        let w = Array(word.utf8)
        guard bytes.count - at >= w.count, Array(bytes[at..<at + w.count]) == w else {
            throw failure("expected \(word)")
        }
        at += w.count
    }
}
