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
    var cert: String
    var key: String
    var ca: String?

    /// The columns a CSV file may have; `port`, `cert` and `key` are required.
    static let columns = ["port", "registration-id", "cert", "key", "ca"]

    /// The rows of a CSV file with a header naming its columns (in any order). Fields may be
    /// quoted ("a, b"); blank lines are skipped. Exits with 65 naming the row when the file
    /// is not such a CSV.
    static func read(csv path: String) -> [BatchRow] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            fail("cannot read \(path)", .unreadable(path))
        }
        let reader: CSVReader
        do {
            reader = try CSVReader(string: text, hasHeaderRow: true, trimFields: true)
        } catch {
            fail("\(path) has no header line (port,cert,key, optionally registration-id and ca)", .dataErr)
        }
        let header = (reader.headerRow ?? []).map { $0.lowercased() }
        func column(_ name: String) -> Int? { header.firstIndex(of: name) }
        guard let port = column("port"), let cert = column("cert"), let key = column("key") else {
            fail("\(path) line 1: the header must name the columns port, cert and key (and optionally "
                 + "registration-id, ca); it has \(header.joined(separator: ","))", .dataErr)
        }
        if let unknown = header.first(where: { !columns.contains($0) }) {
            fail("\(path) line 1: unknown column \"\(unknown)\" (known: \(columns.joined(separator: ", ")))", .dataErr)
        }
        let id = column("registration-id"), ca = column("ca")
        var rows: [BatchRow] = []
        var n = 0
        while let fields = reader.next() {
            if fields.allSatisfy(\.isEmpty) { continue }
            n += 1
            let source = "\(path) row \(n)"
            guard fields.count == header.count else {
                fail("\(source): \(fields.count) fields, the header has \(header.count)", .dataErr)
            }
            func value(_ i: Int?) -> String? { i.map { fields[$0] }.flatMap { $0.isEmpty ? nil : $0 } }
            for (i, name) in [(port, "port"), (cert, "cert"), (key, "key")] where fields[i].isEmpty {
                fail("\(source): no \(name)", .dataErr)
            }
            rows.append(BatchRow(source: source, port: fields[port], registrationID: value(id), cert: fields[cert],
                                 key: fields[key], ca: value(ca)))
        }
        if let error = reader.error { fail("\(path) row \(n + 1): \(error)", .dataErr) }
        guard !rows.isEmpty else { fail("\(path) has no rows", .dataErr) }
        return rows
    }

    /// The `[[module]]` tables of a config file.
    static func read(modulesOf file: ConfigFile) -> [BatchRow] {
        (0..<file.modules.count).map { i in
            do throws(ConfigFile.ParseError) {
                func required(_ key: String) throws(ConfigFile.ParseError) -> String {
                    guard let value = try file.moduleString(i, key), !value.isEmpty else {
                        throw ConfigFile.ParseError(message: "\(file.path) [[module]] \(i + 1): no \(key)")
                    }
                    return value
                }
                let port = try required("port")
                let source = file.modules[i]["port"].flatMap(\.line).map { "\(file.path):\($0)" }
                    ?? "\(file.path) [[module]] \(i + 1)"
                return BatchRow(source: source, port: port, registrationID: try file.moduleString(i, "registration-id"),
                                cert: try required("cert"), key: try required("key"),
                                ca: try file.moduleString(i, "ca"))
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
