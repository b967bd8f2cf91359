import Foundation
import Testing

/// The reference azure_dps.py log (captures/azure-dps-example-session.log) decodes completely.
@Suite struct EDMDecodeReferenceLogTests {
    /// The transcript, byte for byte, against Tests/ToolTests/Golden/reference-transcript.txt.
    /// `RECORD_GOLDEN=1 swift test --filter referenceTranscript` rewrites the file and fails on
    /// purpose, so a recording run can never pass as a check (swift-argument-parser's snapshot
    /// helper does the same); review the diff, then run again without it.
    @Test func referenceTranscriptMatchesTheGoldenFile() throws {
        let r = try Tool.run("edm-decode", [Reference.log, "-f", "transcript"])
        #expect(r.status == 0 && r.stderr.isEmpty, "\(r.stderr)")
        try Golden.check(r.stdoutBytes, "reference-transcript.txt")
    }

    /// Each import note follows the unit its line became (the log is fed a line at a time).
    @Test func importNotesFollowTheUnitsTheyConcern() throws {
        let r = try Tool.run("edm-decode", [Reference.log, "-f", "transcript"])
        let lines = r.stdout.split(separator: "\n").map(String.init)
        func after(_ note: String) -> String? {
            lines.firstIndex { $0.contains(note) }.flatMap { $0 > 0 ? lines[$0 - 1] : nil }
        }
        #expect(after("warning: lines 14-16: credential elided")?.contains("raw payload, 1261 bytes") == true)
        #expect(after("warning: line 38: EDM frame declares payload length 18")?.contains("AT+UWSC=0,2,SSID") == true)
        #expect(
            after("warning: line 42: EDM frame declares payload length 31")?.contains("AT+UWSC=0,8,********") == true)
        #expect(after("note: lines 65-66: connect event rebuilt")?.contains("Connect event ch1") == true)
        #expect(
            after("note: line 73: not part of the serial session")?.contains("assigned to leoDPS.azure-devices.net")
                == true)
        #expect(lines.prefix(3).allSatisfy { $0.contains("not part of the serial session") })
    }

    @Test func theSummaryNamesTheOutcomeAndAccountsForEveryOddLine() throws {
        let decoded = try Decode.json([Reference.log])
        let s = decoded.summary
        #expect(s["outcome"] as? String == "assigned")
        #expect(s["reason"] as? String == "Assigned to leoDPS.azure-devices.net as device ninadps.")
        let dps = try #require(s["dps"] as? [String: Any])
        #expect(dps["assignedHub"] as? String == "leoDPS.azure-devices.net")
        #expect(dps["deviceId"] as? String == "ninadps")
        #expect(dps["status"] as? String == "assigned" && dps["substatus"] as? String == "initialAssignment")
        #expect(s["bad_units"] as? Int == 0 && (s["anomalies"] as? [Any])?.isEmpty == true)

        let notes = decoded.importNotes
        // The two frames whose values were redacted by hand, lengths left as they were.
        #expect(notes.filter { $0.code == "length_mismatch" }.map(\.line) == [38, 42])
        // The three PEM bodies the log elides ('...'), padded to their declared sizes.
        #expect(notes.filter { $0.code == "elided" }.map(\.line) == [14, 22, 30])
        let messages = (s["import"] as? [[String: Any]] ?? []).compactMap { $0["message"] as? String }
        #expect(messages.filter { $0.contains("elided") && $0.contains("padded") }.count == 3)
        #expect(messages.contains { $0.contains("declares payload length 31 but its printed body makes 23") })
        // Lines that are not part of the session: the shell prompt, the port, the script's verdict.
        #expect(notes.filter { $0.code == "note" }.map(\.line) == [1, 2, 3, 73])
        #expect(notes.filter { $0.code == "guessed" }.map(\.line) == [52, 65])
        #expect(!notes.contains { $0.code == "unrecognized_line" })

        // Every timestamped line became units, in the log's order and times.
        let logText = try String(contentsOfFile: Tool.root + "/" + Reference.log, encoding: .utf8)
        let stamps = logText.split(separator: "\n", omittingEmptySubsequences: false).compactMap { line -> Int64? in
            let t = line.drop { $0 == " " }
            guard let ms = t.firstIndex(of: "m"), t[ms...].hasPrefix("ms "), let v = Int64(t[..<ms]) else { return nil }
            return v * 1000
        }
        #expect(stamps.count == 45 && logText.split(separator: "\n", omittingEmptySubsequences: false).count >= 75)
        #expect(Set(decoded.units.map(\.micros)) == Set(stamps))
        #expect(decoded.units.count == 55 && decoded.units.map(\.micros) == decoded.units.map(\.micros).sorted())
        // The host's frames come back with their printed bodies; the passphrase is redacted.
        #expect(decoded.units.contains { $0.text == "AT+UWSC=0,8,********" })
    }
}

/// Golden files under Tests/ToolTests/Golden.
enum Golden {
    static let directory = Tool.root + "/Tests/ToolTests/Golden"
    static var recording: Bool { ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1" }

    static func check(_ actual: Data, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let path = directory + "/" + name
        if recording {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try actual.write(to: URL(fileURLWithPath: path))
            Issue.record(
                Comment(rawValue: "Recorded \(path) (RECORD_GOLDEN=1). Review it, then run again "
                    + "without RECORD_GOLDEN: a recording run never passes."),
                sourceLocation: sourceLocation)
            return
        }
        guard let expected = FileManager.default.contents(atPath: path) else {
            Issue.record("No golden file \(path): record it with RECORD_GOLDEN=1", sourceLocation: sourceLocation)
            return
        }
        if actual != expected {
            let a = String(decoding: actual, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            let e = String(decoding: expected, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            let i = zip(a, e).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, e.count)
            Issue.record("""
                Output differs from \(path) at line \(i + 1) (\(a.count) lines vs \(e.count) expected):
                  got:      \(i < a.count ? String(a[i]) : "<end>")
                  expected: \(i < e.count ? String(e[i]) : "<end>")
                (RECORD_GOLDEN=1 rewrites the file if the change is intended)
                """, sourceLocation: sourceLocation)
        }
    }
}
