import CSV
import Foundation
import ToolSupport

/// One module of a batch: a CSV row, a `[[module]]` table of the config file, or a
/// simulated module.
struct BatchRow {
    /// Where it was given, for messages: "modules.csv row 2", "lab.toml:12", "simulated module 3".
    var source: String
    var port: String
    var registrationID: String?
    /// An X.509 enrollment's files; both or neither.
    var cert: String?
    var key: String?
    var ca: String?
    /// A symmetric-key enrollment of this module alone (the batch's key otherwise).
    var symmetricKeyFile: String?
    var groupKeyFile: String?

    /// The columns a CSV file may have; `port` is required, and each row gives `cert` and
    /// `key`, or a key file, or leaves the key to the batch (`--group-key-file`).
    static let columns = ["port", "registration-id", "cert", "key", "ca", "symmetric-key-file", "group-key-file"]

    /// Whether the row names an X.509 certificate and key, checked to come in pairs.
    func credentialCheck() -> String? {
        if (cert == nil) != (key == nil) {
            return "\(source): \(cert == nil ? "a key but no cert" : "a cert but no key"): give both"
        }
        if cert != nil, symmetricKeyFile != nil || groupKeyFile != nil {
            return "\(source): a cert and a symmetric key: a module's enrollment is X.509 or a symmetric key"
        }
        if symmetricKeyFile != nil, groupKeyFile != nil {
            return "\(source): symmetric-key-file and group-key-file: an enrollment is individual or a group"
        }
        return nil
    }

    /// Why a CSV file is not a batch: the message names the file and the row.
    struct CSVError: Error { var message: String }

    /// The rows of a CSV file (`parse(csv:path:)`); exits with 65 naming the row when the file
    /// is not such a CSV.
    static func read(csv path: String) -> [BatchRow] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            fail("cannot read \(path)", .unreadable(path))
        }
        do throws(CSVError) { return try parse(csv: text, path: path) } catch { fail(error.message, .dataErr) }
    }

    /// The rows of a CSV text with a header naming its columns (in any order). Fields may be
    /// quoted ("a, b"); blank lines are skipped.
    static func parse(csv text: String, path: String) throws(CSVError) -> [BatchRow] {
        let reader: CSVReader
        do {
            reader = try CSVReader(string: text, hasHeaderRow: true, trimFields: true)
        } catch {
            throw CSVError(message: "\(path) has no header line (port, and cert,key or a key file column: "
                         + "\(columns.joined(separator: ",")))")
        }
        let header = (reader.headerRow ?? []).map { $0.lowercased() }
        func column(_ name: String) -> Int? { header.firstIndex(of: name) }
        guard let port = column("port") else {
            throw CSVError(message: "\(path) line 1: the header must name the column port (and cert and key for X.509 "
                         + "enrollments); it has \(header.joined(separator: ","))")
        }
        if let unknown = header.first(where: { !columns.contains($0) }) {
            throw CSVError(message: "\(path) line 1: unknown column \"\(unknown)\" "
                           + "(known: \(columns.joined(separator: ", ")))")
        }
        let id = column("registration-id"), ca = column("ca"), cert = column("cert"), key = column("key")
        let individual = column("symmetric-key-file"), group = column("group-key-file")
        var rows: [BatchRow] = []
        var n = 0
        while let fields = reader.next() {
            if fields.allSatisfy(\.isEmpty) { continue }
            n += 1
            let source = "\(path) row \(n)"
            guard fields.count == header.count else {
                throw CSVError(message: "\(source): \(fields.count) fields, the header has \(header.count)")
            }
            func value(_ i: Int?) -> String? { i.map { fields[$0] }.flatMap { $0.isEmpty ? nil : $0 } }
            if fields[port].isEmpty { throw CSVError(message: "\(source): no port") }
            let row = BatchRow(source: source, port: fields[port], registrationID: value(id), cert: value(cert),
                               key: value(key), ca: value(ca), symmetricKeyFile: value(individual),
                               groupKeyFile: value(group))
            if let problem = row.credentialCheck() { throw CSVError(message: problem) }
            rows.append(row)
        }
        if let error = reader.error { throw CSVError(message: "\(path) row \(n + 1): \(error)") }
        guard !rows.isEmpty else { throw CSVError(message: "\(path) has no rows") }
        return rows
    }

    /// The `[[module]]` tables of a config file.
    static func read(modulesOf file: ConfigFile) -> [BatchRow] {
        (0..<file.modules.count).map { i in
            do throws(ConfigFile.ParseError) {
                func value(_ key: String) throws(ConfigFile.ParseError) -> String? {
                    try file.moduleString(i, key).flatMap { $0.isEmpty ? nil : $0 }
                }
                guard let port = try value("port") else {
                    throw ConfigFile.ParseError(message: "\(file.path) [[module]] \(i + 1): no port")
                }
                let source = file.modules[i]["port"].flatMap(\.line).map { "\(file.path):\($0)" }
                    ?? "\(file.path) [[module]] \(i + 1)"
                let row = BatchRow(
                    source: source, port: port, registrationID: try value("registration-id"),
                    cert: try value("cert"), key: try value("key"), ca: try value("ca"),
                    symmetricKeyFile: try value("symmetric-key-file"), groupKeyFile: try value("group-key-file"))
                if let problem = row.credentialCheck() { throw ConfigFile.ParseError(message: problem) }
                return row
            } catch {
                fail(error.message, .usage)
            }
        }
    }

    /// Two rows on one port would fight over it: refused before any module starts (65),
    /// naming both. Two names for one device (a by-id link and its tty) count as one port.
    static func checkPorts(_ rows: [BatchRow]) {
        var seen: [String: BatchRow] = [:]
        for row in rows {
            let device = URL(fileURLWithPath: row.port).resolvingSymlinksInPath().path
            if let first = seen[device] {
                let same = first.port == row.port
                    ? "port \(row.port)" : "port \(first.port) (\(row.port), the same device)"
                fail("\(first.source) and \(row.source) both name \(same): each module needs a port of its own",
                     .dataErr)
            }
            seen[device] = row
        }
    }
}
