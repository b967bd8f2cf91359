import Foundation
import Testing

/// Every capture in captures/manifest.json replays to its expected outcome.
@Suite struct CapturesTests {
    struct Entry: Decodable {
        var file: String
        var mode: String?
        var expect: String?
        var hub: String?
        var device: String?
    }

    static let entries: [Entry] = {
        struct Manifest: Decodable { var captures: [Entry] }
        let data = try! Data(contentsOf: URL(fileURLWithPath: Tool.root + "/captures/manifest.json"))
        return try! JSONDecoder().decode(Manifest.self, from: data).captures.filter { $0.expect != nil }
    }()

    @Test(arguments: entries.map(\.file))
    func replaysToItsExpectation(_ file: String) throws {
        let entry = Self.entries.first { $0.file == file }!
        let r = try Tool.run(
            "edm-replay",
            ["check", "captures/\(file)", "--mode", entry.mode!, "--expect", entry.expect!, "--format", "json"])
        #expect(r.status == 0, "\(file): \(r.stdout) \(r.stderr)")
        let report = try JSONSerialization.jsonObject(with: r.stdoutBytes) as? [String: Any]
        #expect(report?["passed"] as? Bool == true && report?["divergence"] is NSNull, "\(file)")
        if let hub = entry.hub {
            #expect((report?["reason"] as? String)?.contains("Assigned to \(hub) as device \(entry.device!)") == true)
        }
    }

    /// The manifest names every file in captures/ (and nothing that is not there).
    @Test func manifestIsComplete() throws {
        let all = try FileManager.default.subpathsOfDirectory(atPath: Tool.root + "/captures")
            .filter { $0.hasSuffix(".pcapng") || $0.hasSuffix(".log") || $0.hasSuffix(".bin") }.sorted()
        struct Manifest: Decodable { var captures: [[String: AnyDecodable]] }
        let data = try Data(contentsOf: URL(fileURLWithPath: Tool.root + "/captures/manifest.json"))
        let named = try JSONDecoder().decode(Manifest.self, from: data).captures.flatMap { e in
            ["file", "module"].compactMap { e[$0]?.string }
        }.sorted()
        #expect(named == all)
    }

    @Test func aChangedRecordingIsReportedAsADivergence() throws {
        // Flip one byte of a host AT request in a copy of a recording: strict replay must say where.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: Tool.root + "/captures/scenarios/assigned.pcapng"))
        let range = try #require(bytes.range(of: Data("AT+UWSCA=0,3".utf8)))
        bytes[range.upperBound - 1] = UInt8(ascii: "4")
        let path = try Tool.temporaryFile("changed.pcapng", bytes)
        let r = try Tool.run("edm-replay", ["check", path])
        #expect(r.status == 1)
        #expect(
            r.stdout.contains("divergence at") && r.stdout.contains("AT+UWSCA=0,4")
                && r.stdout.contains("AT+UWSCA=0,3"), "\(r.stdout)")
    }
}

struct AnyDecodable: Decodable {
    var string: String?
    init(from decoder: Decoder) throws { string = try? decoder.singleValueContainer().decode(String.self) }
}

/// `edm-replay fuzz` over every capture, 1000 seeds each: no hang, nothing past the deadlines.
@Suite struct CapturesFuzzTests {
    @Test func thousandSeedsPerCaptureFindNoProblem() throws {
        let files = CapturesTests.entries.map { "captures/" + $0.file }
        let r = try Tool.run("edm-replay", ["fuzz"] + files + ["--runs", "1000"])
        #expect(r.status == 0, "\(r.stdout)")
        #expect(r.stdout.components(separatedBy: "verdicts: clean 1000\n").count - 1 == files.count, "\(r.stdout)")
    }

    @Test func mutatedCheckNamesItsFaults() throws {
        let r = try Tool.run(
            "edm-replay", ["check", "captures/scenarios/assigned.pcapng", "--mutate", "drop=1", "--seed", "3"])
        #expect(r.stdout.contains("fault at") && r.stdout.contains("drop"))
        #expect(
            r.stdout.contains("Timed out in step \\\"detect mode\\\"") || r.stdout.contains("timed out")
                || r.stdout.contains("Timed out"), "\(r.stdout)")
    }
}
