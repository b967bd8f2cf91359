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
        case (.object(let x), .object(let y)): x.count == y.count && zip(x,
            y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
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
            var scanner = JSONScanner(bytes: bytes)
            guard let value = scanner.value(depth: 0), scanner.atEnd() else { return nil }
            return value
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
}

extension JSONScanner {
    /// The value at `i`, built into a tree (nil when it is not valid JSON).
    package mutating func value(depth: Int) -> JSONValue? {
        guard depth < Self.maxDepth, let first = peek() else { return nil }
        switch first {
        case UInt8(ascii: "n"): return literal("null") ? .null : nil
        case UInt8(ascii: "t"): return literal("true") ? .bool(true) : nil
        case UInt8(ascii: "f"): return literal("false") ? .bool(false) : nil
        case UInt8(ascii: "\""): return string().map(JSONValue.string)
        case UInt8(ascii: "["):
            i += 1
            var items: [JSONValue] = []
            if peek() == UInt8(ascii: "]") { i += 1; return .array(items) }
            while true {
                guard let item = value(depth: depth + 1), let next = peek() else { return nil }
                items.append(item)
                i += 1
                if next == UInt8(ascii: "]") { return .array(items) }
                guard next == UInt8(ascii: ",") else { return nil }
            }
        case UInt8(ascii: "{"):
            var members: [(String, JSONValue)] = []
            let valid = self.members(depth: depth) { key, scanner in
                guard let item = scanner.value(depth: depth + 1) else {
                    _ = scanner.fail()
                    return true
                }  // (read, and bad)
                members.append((key.text, item))
                return true
            }
            return valid ? .object(members) : nil
        default:
            return number().map(JSONValue.number)
        }
    }
}
