import Foundation
import TOMLKit
import ToolSupport

/// A `--config` file, in TOML (read by TOMLKit):
///
///     # lab bench 3
///     port = "/dev/serial/by-id/usb-FTDI_FT232R-if00-port0"
///     id-scope = "0ne0067E45C"
///     factory-reset = true
///     poll-interval = 3
///
///     [[module]]                  # a batch's modules, one table each (or a CSV file)
///     port = "/dev/ttyUSB0"
///     cert = "device-01.pem"
///     key = "device-01.key"
///
/// Keys are the long option names (`id_scope` is read as `id-scope`); values are strings,
/// integers, decimals or booleans. Numbers take what their option takes (`Bounds`). The
/// command line wins over the file.
struct ConfigFile {
    let path: String
    /// The settings outside any table.
    private(set) var settings: [String: Entry] = [:]
    /// The `[[module]]` tables, in the file's order.
    private(set) var modules: [[String: Entry]] = []

    struct Entry {
        var value: Value
        /// Where the key is written, when it can be found (TOMLKit keeps no positions).
        var line: Int?
    }

    enum Value: Equatable {
        case string(String)
        /// As its option would read it from the command line.
        case number(String)
        case bool(Bool)
    }

    struct ParseError: Error {
        var message: String
    }

    init(path: String, text: String) throws(ParseError) {
        self.path = path
        let lines = KeyLines(text)
        if let line = lines.nameless {
            throw ParseError(message: "\(path):\(line): a table header starts with a name, as in [[module]]")
        }
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ParseError(message: "\(path):\(error.source.begin.line): \(Self.explain(error.description))")
        } catch {
            throw ParseError(message: "\(path): not a TOML file: \(error)")
        }
        var pairs: [(String, TOMLValueConvertible)] = []
        for key in table.keys.sorted() {
            let name = key.replacingUnderscores, value = table[key]!
            if name == "module" {
                guard let array = value.array, array.allSatisfy({ $0.table != nil }) else {
                    throw ParseError(message: "\(path):\(lines.line(of: key, module: nil).map(String.init) ?? "?"): "
                                     + "modules are [[module]] tables (two brackets), one per module")
                }
                for (i, module) in array.enumerated() {
                    modules.append(try entries(module.table!, known: Self.moduleKeys, lines: lines, module: i))
                }
                continue
            }
            pairs.append((key, value))
        }
        settings = try entries(pairs, known: Self.knownKeys, lines: lines, module: nil)
    }

    /// Every setting a file may hold: the provision command's long options.
    static let knownKeys = [
        "port", "baud", "flow-control", "id-scope", "registration-id", "ca", "cert", "key", "symmetric-key-file",
        "group-key-file", "sas-ttl", "ssid",
        "authentication", "passphrase-file", "payload", "factory-reset", "dps-host", "api-version",
        "poll-interval", "timeout", "record", "record-secrets", "json", "verbose",
    ]

    /// What a `[[module]]` table may hold: a batch row's columns.
    static let moduleKeys = BatchRow.columns

    func string(_ key: String) throws(ParseError) -> String? { try Self.string(settings, key, where: place(nil)) }

    func number<Value>(_ key: String, _ bounds: Bounded<Value>) throws(ParseError) -> Value? {
        guard let entry = settings[key] else { return nil }
        guard case .number(let text) = entry.value, let n = try? bounds.parse(text) else {
            throw ParseError(message: "\(place(nil)(entry)): \(key) takes \(bounds.values)")
        }
        return n
    }

    func bool(_ key: String) throws(ParseError) -> Bool? {
        guard let entry = settings[key] else { return nil }
        guard case .bool(let b) = entry.value else {
            throw ParseError(message: "\(place(nil)(entry)): \(key) must be true or false")
        }
        return b
    }

    /// A string of the `i`th `[[module]]` table.
    func moduleString(_ i: Int, _ key: String) throws(ParseError) -> String? {
        try Self.string(modules[i], key, where: place(i))
    }

    /// "lab.toml:7", or "lab.toml [[module]] 2" when the line is not known.
    func place(_ module: Int?) -> (Entry) -> String {
        { [path] entry in
            entry.line.map { "\(path):\($0)" } ?? (module.map { "\(path) [[module]] \($0 + 1)" } ?? path)
        }
    }

    private static func string(_ entries: [String: Entry], _ key: String,
                               where place: (Entry) -> String) throws(ParseError) -> String? {
        guard let entry = entries[key] else { return nil }
        guard case .string(let s) = entry.value else {
            throw ParseError(message: "\(place(entry)): \(key) must be a quoted string")
        }
        return s
    }

    private func entries(_ pairs: some Sequence<(String, TOMLValueConvertible)>, known: [String], lines: KeyLines,
                         module: Int?) throws(ParseError) -> [String: Entry] {
        var result: [String: Entry] = [:]
        for (key, value) in pairs.sorted(by: { $0.0 < $1.0 }) {
            let name = key.replacingUnderscores, line = lines.line(of: key, module: module)
            let at = line.map { "\(path):\($0)" } ?? (module.map { "\(path) [[module]] \($0 + 1)" } ?? path)
            guard known.contains(name) else {
                let within = module == nil ? "" : " in [[module]]"
                let names = known.joined(separator: ", ")
                throw ParseError(message: "\(at): unknown setting \"\(key)\"\(within) (known: \(names))")
            }
            guard result[name] == nil else {
                throw ParseError(message: "\(at): \(name) is given twice (as - and as _)")
            }
            let entry: Value
            switch value.type {
            case .string: entry = .string(value.string!)
            case .int: entry = .number(String(value.int!))
            case .double: entry = .number(String(value.double!))
            case .bool: entry = .bool(value.bool!)
            default:
                throw ParseError(message: "\(at): the value of \(name) must be a \"string\", a number, true or false")
            }
            result[name] = Entry(value: entry, line: line)
        }
        return result
    }

    private func entries(_ table: TOMLTable, known: [String], lines: KeyLines,
                         module: Int?) throws(ParseError) -> [String: Entry] {
        try entries(table.keys.map { ($0, table[$0]!) }, known: known, lines: lines, module: module)
    }

    /// toml++'s message, with what to do about the commonest slip said plainly.
    private static func explain(_ message: String) -> String {
        // A string that runs to the end of its line (toml++ then meets the line break, a control
        // character) or of the file.
        if message.hasPrefix("Error while parsing string"),
           message.contains("control characters") || message.contains("end-of-file") {
            return "unterminated string: a quote is missing its closing quote (\(message))"
        }
        return message
    }
}

extension ProvisionOptions {
    /// The `--config` file, read and parsed; nil without `--config`. Exits with 66 (or 65)
    /// when it cannot be read and 64 when it is not a config file.
    func loadConfig() -> ConfigFile? {
        guard let config else { return nil }
        guard let text = try? String(contentsOfFile: config, encoding: .utf8) else {
            fail("cannot read the config file \(config)", .unreadable(config))
        }
        do { return try ConfigFile(path: config, text: text) } catch { fail(error.message, .usage) }
    }
}

extension String {
    var replacingUnderscores: String { String(map { $0 == "_" ? "-" : $0 }) }
}
