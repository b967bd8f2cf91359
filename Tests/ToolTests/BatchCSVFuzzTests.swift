import EDMBytes
import Testing
@testable import azure_dps

/// The batch CSV reader on many seeded texts (like `ConfigFuzzTests`, in-process, since the
/// tool target sits above the CSV library where libFuzzer cannot link): texts made of the
/// columns' names, CSV's own punctuation and arbitrary bytes. Any text is a list of rows that
/// a batch can run, or an error that names the file.
@Suite struct BatchCSVFuzzTests {
    static let path = "fuzz.csv"
    /// Headers a batch accepts; half the texts start with one, so that rows are reached.
    static let headers = ["port,cert,key\n", "port\n", "port,symmetric-key-file\n", "PORT,registration-id\n"]
    static let pieces = BatchRow.columns + headers + [
        "PORT", "bogus", ",", ",", "\n", "\n", "\r\n",
        "\r", "\"", "\"\"", "\"a, b\"", " ", "\t", "/dev/ttyUSB0", "c.pem", "k.pem", "", "é", "\u{0}", "\u{FEFF}",
    ]

    @Test func anyTextIsRowsOrAnErrorNamingTheFile() {
        var rng = SplitMix64(seed: 16)
        var parsed = 0, refused = 0
        for _ in 0..<20_000 {
            var text = rng.chance(1, in: 2) ? Self.headers[rng.below(Self.headers.count)] : ""
            for _ in 0..<rng.within(0...20) {
                text += rng.chance(1, in: 10) ? String(decoding: [rng.byte()], as: UTF8.self)
                                              : Self.pieces[rng.below(Self.pieces.count)]
            }
            do throws(BatchRow.CSVError) {
                let rows = try BatchRow.parse(csv: text, path: Self.path)
                parsed += 1
                Self.expectRunnable(rows, text)
            } catch {
                refused += 1
                #expect(error.message.hasPrefix(Self.path), "\(text.debugDescription): \(error.message)")
            }
        }
        // Both sides of the reader were reached, not only its first error.
        #expect(parsed > 500 && refused > 1_000, "parsed \(parsed), refused \(refused)")
    }

    /// What a batch relies on: at least one row, each with a port, a source naming its row in
    /// order, and credentials that come in pairs.
    static func expectRunnable(_ rows: [BatchRow], _ text: String) {
        #expect(!rows.isEmpty, "\(text.debugDescription)")
        for (i, row) in rows.enumerated() {
            #expect(!row.port.isEmpty && row.source == "\(path) row \(i + 1)", "\(text.debugDescription)")
            #expect(row.credentialCheck() == nil, "\(text.debugDescription)")
        }
    }

    @Test func aQuotedFieldAndBlankLinesRead() throws {
        let rows = try BatchRow.parse(csv: "port,cert,key\n\n\"/dev/a, b\",c.pem,k.pem\n\n/dev/c,,\n", path: Self.path)
        #expect(rows.map(\.port) == ["/dev/a, b", "/dev/c"])
        #expect(rows.map(\.cert) == ["c.pem", nil])
    }
}
