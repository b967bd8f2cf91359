import Foundation
import Testing

/// One unit of `edm-decode -f json`, reduced to what the format tests compare.
struct DecodedUnit: Hashable, Sendable, CustomStringConvertible {
    var from: String
    var layer: String
    var type: String
    var hex: String
    var text: String?
    /// The unit's `time`, in microseconds (the JSON prints microseconds).
    var micros: Int64
    /// The unit's `offset` in its direction's stream.
    var offset: Int

    /// What must agree between two decodes of the same session.
    var key: String { "\(from) \(layer)/\(type) \(hex)" }
    var bytes: [UInt8] { Hex.decode(hex) }
    var description: String {
        "#\(from) \(layer)/\(type) @\(micros)µs \(text.map { "'\($0)'" } ?? String(hex.prefix(48)))"
    }
}

/// edm-decode's JSON Lines output: units and the closing summary.
struct Decoded {
    var units: [DecodedUnit]
    var summary: [String: Any]
    var stderr: String

    /// The summary's `import` notes: (code, line).
    var importNotes: [(code: String, line: Int?)] {
        ((summary["import"] as? [[String: Any]]) ?? []).map { ($0["code"] as? String ?? "", $0["line"] as? Int) }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

enum Decode {
    /// Runs `edm-decode ARGUMENTS -f json` and parses its output; throws unless it exits 0.
    static func json(_ arguments: [String]) throws -> Decoded {
        let r = try Tool.run("edm-decode", arguments + ["-f", "json"])
        guard r.status == 0 else {
            throw TestFailure("edm-decode \(arguments.joined(separator: " ")) exited \(r.status): \(r.stderr)")
        }
        var units: [DecodedUnit] = []
        var summary: [String: Any]?
        for line in r.stdout.split(separator: "\n") {
            guard let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw TestFailure("not a JSON object: \(line.prefix(200))")
            }
            if let s = o["summary"] as? [String: Any] {
                summary = s
                continue
            }
            guard let from = o["from"] as? String, let layer = o["layer"] as? String, let type = o["type"] as? String,
                let hex = o["hex"] as? String, let time = o["time"] as? NSNumber, let offset = o["offset"] as? Int
            else {
                throw TestFailure("unit without from, layer, type, hex, time or offset: \(line.prefix(200))")
            }
            units.append(DecodedUnit(from: from, layer: layer, type: type, hex: hex, text: o["text"] as? String,
                                     micros: Int64((time.doubleValue * 1_000_000).rounded()), offset: offset))
        }
        guard let summary else { throw TestFailure("no summary line in the output of edm-decode \(arguments)") }
        return Decoded(units: units, summary: summary, stderr: r.stderr)
    }
}

enum Hex {
    static func decode(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var high: UInt8?
        for c in hex.utf8 {
            let v: UInt8 = switch c {
            case 0x30...0x39: c - 0x30
            case 0x41...0x46: c - 0x41 + 10
            case 0x61...0x66: c - 0x61 + 10
            default: 0
            }
            if let h = high { out.append(h << 4 | v); high = nil } else { high = v }
        }
        return out
    }

    static func byte(_ b: UInt8, upper: Bool = true) -> String {
        let s = String(b, radix: 16, uppercase: upper)
        return s.count == 1 ? "0" + s : s
    }
}

/// Checks that two decodes give the same units in the same order (from, layer, type, hex),
/// reporting the first difference rather than two long arrays.
func expectSameUnits(
    _ got: [DecodedUnit], _ expected: [DecodedUnit], _ what: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(
        got.count == expected.count, "\(what): \(got.count) units, expected \(expected.count)",
        sourceLocation: sourceLocation)
    if let i = (0..<min(got.count, expected.count)).first(where: { got[$0].key != expected[$0].key }) {
        Issue.record(
            Comment(rawValue: "\(what): unit \(i) is \(got[i]), expected \(expected[i]) "
                + "(\(got[i].hex.count / 2) vs \(expected[i].hex.count / 2) bytes)"),
            sourceLocation: sourceLocation)
    }
}

/// Checks unit times against the times the capture was written with, and that they never go back.
func expectTimes(
    _ got: [DecodedUnit], _ expected: [Int64], _ what: String, sourceLocation: SourceLocation = #_sourceLocation
) {
    let times = got.map(\.micros)
    #expect(times == times.sorted(), "\(what): times go back", sourceLocation: sourceLocation)
    guard times.count == expected.count else { return } // the unit check reports the count
    if let i = times.indices.first(where: { times[$0] != expected[$0] }) {
        Issue.record(
            "\(what): unit \(i) (\(got[i])) at \(times[i]) µs, expected \(expected[i]) µs",
            sourceLocation: sourceLocation)
    }
}
