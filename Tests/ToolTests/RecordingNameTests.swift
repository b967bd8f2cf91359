import Foundation
import Testing

/// Recordings are never written over unless asked: a default name that is taken gets a
/// number, a given one that exists is refused unless --overwrite.
@Suite struct RecordingNameTests {
    /// Every default name the run could pick is taken already: it takes the -2 of its own
    /// and leaves the others as they were.
    @Test func aTakenDefaultNameGetsANumber() throws {
        let dir = try Tool.temporaryDirectory("default-name")
        let f = DateFormatter()
        f.dateFormat = "yyyyMMdd-HHmmss"
        f.timeZone = TimeZone(identifier: "UTC")
        let now = Date()
        var taken: [String] = []
        for s in -2...30 {
            let name = "azure-dps-\(f.string(from: now.addingTimeInterval(Double(s))))-sim-device.pcapng"
            try Data("keep".utf8).write(to: URL(fileURLWithPath: "\(dir)/\(name)"))
            taken.append(name)
        }
        let r = try Tool.run("azure-dps", ["--simulate", "--simulate-speed", "20", "--json"], directory: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let o = try JSONSerialization.jsonObject(with: r.stdoutBytes) as? [String: Any]
        let recording = try #require(o?["recording"] as? String)
        #expect(recording.hasSuffix("-sim-device-2.pcapng"), "\(recording)")
        #expect(taken.contains(recording.replacingOccurrences(of: "-2.pcapng", with: ".pcapng")), "\(recording)")
        for name in taken {
            let kept = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/\(name)"))
            #expect(kept == Data("keep".utf8), "\(name) overwritten")
        }
        #expect(try Tool.run("edm-decode", [recording, "-f", "json"], directory: dir).status == 0)
    }

    /// Two runs started at once in one folder write two recordings.
    @Test func twoRunsAtOnceKeepBothRecordings() throws {
        let dir = try Tool.temporaryDirectory("two-runs")
        let runs = try (0..<2).map { _ in
            try Tool.start("azure-dps", ["--simulate", "--simulate-speed", "20", "--json"], directory: dir)
        }
        let results = try runs.map { try $0.finish() }
        let recordings = try results.map { r in
            #expect(r.status == 0, "\(r.stderr)")
            let o = try JSONSerialization.jsonObject(with: r.stdoutBytes) as? [String: Any]
            return try #require(o?["recording"] as? String)
        }
        #expect(Set(recordings).count == 2, "\(recordings)")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir)
        #expect(Set(files) == Set(recordings), "\(files)")
    }

    /// A --record that exists is a usage error naming the option, and the file is left alone;
    /// --overwrite replaces it.
    @Test func aGivenRecordingThatExistsNeedsOverwrite() throws {
        let dir = try Tool.temporaryDirectory("given-name")
        let path = "\(dir)/run.pcapng"
        try Data("keep".utf8).write(to: URL(fileURLWithPath: path))
        for extra in [[], ["--offline"]] {
            let r = try Tool.run("azure-dps", ["--simulate", "--record", path] + extra)
            #expect(r.status == 64, "\(r.stderr)")
            #expect(r.stderr.contains("--record \(path)") && r.stderr.contains("--overwrite"), "\(r.stderr)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data("keep".utf8))
        }
        let replaced = try Tool.run("azure-dps", ["--simulate", "--offline", "--record", path, "--overwrite"])
        #expect(replaced.status == 0, "\(replaced.stderr)")
        #expect(try Tool.run("edm-decode", [path, "-f", "json"]).stdout.contains("\"outcome\":\"assigned\""))
        let contradiction = try Tool.run("azure-dps", ["--simulate", "--offline", "--no-record", "--overwrite"])
        #expect(contradiction.status == 64, "\(contradiction.stderr)")
        #expect(contradiction.stderr.contains("--overwrite and --no-record"), "\(contradiction.stderr)")
    }
}
