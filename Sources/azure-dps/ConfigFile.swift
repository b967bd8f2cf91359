import ToolSupport

/// A `--config` file: the flat subset of TOML that settings need.
///
///     # lab bench 3
///     port = "/dev/serial/by-id/usb-FTDI_FT232R-if00-port0"
///     id-scope = "0ne0067E45C"
///     factory-reset = true
///     poll-interval = 3
///
/// Keys are the long option names (`id_scope` is accepted for `id-scope`); values are
/// strings, integers, decimals or booleans. Numbers take what their option takes (`Bounds`).
/// The command line wins over the file.
struct ConfigFile {
    private(set) var values: [(key: String, value: Value, line: Int)] = []
    let path: String

    enum Value: Equatable {
        case string(String)
        /// As written: read as its option reads it.
        case number(String)
        case bool(Bool)
    }

    struct ParseError: Error {
        var message: String
    }

    init(path: String, text: String) throws(ParseError) {
        self.path = path
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.drop { $0 == " " || $0 == "\t" }
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw ParseError(message: "\(path):\(n + 1): expected `key = value`, found \"\(line)\"")
            }
            let key = line[..<equals].trimmingSpaces.replacingUnderscores
            let valueText = Self.stripComment(line[line.index(after: equals)...]).trimmingSpaces
            guard !key.isEmpty, Self.knownKeys.contains(key) else {
                throw ParseError(message: "\(path):\(n + 1): unknown setting \"\(key)\" (known: \(Self.knownKeys.joined(separator: ", ")))")
            }
            let value: Value
            if valueText.hasPrefix("\""), valueText.hasSuffix("\""), valueText.count >= 2 {
                value = .string(String(valueText.dropFirst().dropLast()))
            } else if valueText == "true" || valueText == "false" {
                value = .bool(valueText == "true")
            } else if Double(valueText) != nil {
                value = .number(valueText)
            } else {
                throw ParseError(message: "\(path):\(n + 1): the value of \(key) must be a \"string\", a number, true or false")
            }
            values.append((key, value, n + 1))
        }
    }

    /// Every setting a file may hold: the provision command's long options.
    static let knownKeys = [
        "port", "baud", "flow-control", "id-scope", "registration-id", "ca", "cert", "key", "symmetric-key-file",
        "group-key-file", "sas-ttl", "ssid",
        "authentication", "passphrase-file", "payload", "factory-reset", "dps-host", "api-version",
        "poll-interval", "timeout", "record", "record-secrets", "json", "verbose",
    ]

    func string(_ key: String) throws(ParseError) -> String? {
        guard let entry = values.last(where: { $0.key == key }) else { return nil }
        guard case .string(let s) = entry.value else { throw ParseError(message: "\(path):\(entry.line): \(key) must be a quoted string") }
        return s
    }

    func number<Value>(_ key: String, _ bounds: Bounded<Value>) throws(ParseError) -> Value? {
        guard let entry = values.last(where: { $0.key == key }) else { return nil }
        guard case .number(let text) = entry.value, let n = try? bounds.parse(text) else {
            throw ParseError(message: "\(path):\(entry.line): \(key) takes \(bounds.values)")
        }
        return n
    }

    func bool(_ key: String) throws(ParseError) -> Bool? {
        guard let entry = values.last(where: { $0.key == key }) else { return nil }
        guard case .bool(let b) = entry.value else { throw ParseError(message: "\(path):\(entry.line): \(key) must be true or false") }
        return b
    }

    /// A `#` outside quotes starts a comment.
    private static func stripComment(_ text: Substring) -> Substring {
        var quoted = false
        for i in text.indices {
            if text[i] == "\"" { quoted.toggle() }
            if text[i] == "#", !quoted { return text[..<i] }
        }
        return text
    }
}

extension Substring {
    var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" || $0 == "\r" }.reversed())
    }
}

extension String {
    var replacingUnderscores: String { String(map { $0 == "_" ? "-" : $0 }) }
}
