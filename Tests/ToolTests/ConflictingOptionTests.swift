import Foundation
import Testing

/// Options that conflict or would do nothing are refused with a usage error naming them, or
/// they work.
@Suite struct ConflictingOptionTests {
    static let passphrase = ["AZURE_DPS_WIFI_PASSPHRASE": "a passphrase"]

    static func expectRefused(
        _ command: [String], saying texts: [String], sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let r = try Tool.run(command[0], Array(command.dropFirst()), environment: passphrase)
        #expect(r.status == 64, "\(command): exit \(r.status)\n\(r.stderr)", sourceLocation: sourceLocation)
        for text in texts {
            #expect(
                r.stderr.contains(text), "\(command) does not say \(text):\n\(r.stderr)", sourceLocation: sourceLocation
            )
        }
    }

    @Test func azureDPSConflictsAreRefused() throws {
        let dir = try Tool.temporaryDirectory("conflicts")
        let c = try Tool.simulatorCredentials(in: dir)
        let csv = try Tool.temporaryFile(
            "rows-\(UUID().uuidString).csv", Data("port,cert,key\n/dev/ttyNOPE9,\(c.cert),\(c.key)\n".utf8))
        let real = ["--id-scope", "x", "--ssid", "lab", "--ca", c.ca, "--cert", c.cert, "--key", c.key]
        try Self.expectRefused(
            ["azure-dps", "--simulate", "--port", "/dev/ttyUSB0"], saying: ["--port /dev/ttyUSB0 and --simulate"])
        try Self.expectRefused(
            ["azure-dps", "--port", "/dev/ttyUSB0", "--record", "x.pcapng", "--no-record"] + real,
            saying: ["--record x.pcapng and --no-record"])
        try Self.expectRefused(
            ["azure-dps", "batch", csv, "--record", "x.pcapng", "--no-record", "--id-scope", "x"],
            saying: ["--no-record"])
        try Self.expectRefused(
            ["azure-dps", "batch", csv, "--port", "/dev/ttyUSB0"], saying: ["--port is a column of the CSV"])
        try Self.expectRefused(
            ["azure-dps", "--port", "/dev/ttyUSB0", "--simulate-speed", "4"] + real,
            saying: ["--simulate-speed goes with --simulate"])
        try Self.expectRefused(
            ["azure-dps", "--port", "/dev/ttyUSB0", "--offline"] + real, saying: ["--offline goes with --simulate"])
    }

    @Test func edmDecodeRefusesASideForACaptureOfBothSides() throws {
        try Self.expectRefused(
            ["edm-decode", "captures/azure-dps-example-session.log", "--from", "module"],
            saying: ["its format, azure-dps-log", "records both sides", "--input-format raw"])
        try Self.expectRefused(
            ["edm-decode", "captures/scenarios/assigned.pcapng", "--from", "host"], saying: ["its format, pcapng"])
        try Self.expectRefused(
            [
                "edm-decode", "--host", "captures/reference-session-host.bin", "--module",
                "captures/reference-session-module.bin",
                "--from", "host"
            ], saying: ["--from host is for capture files"])
        // What --from is for still works: a raw dump of one side, and its hex dump.
        let raw = try Tool.run("edm-decode", ["captures/reference-session-host.bin", "--from", "host", "-f", "json"])
        #expect(raw.status == 0 && raw.stdout.contains("\"from\":\"host\",\"layer\":\"at\""), "\(raw.stderr)")
        let hex = try Tool.temporaryFile("dump-\(UUID().uuidString).hex", Data("41 54 0d\n".utf8))
        let fromHex = try Tool.run("edm-decode", [hex, "--from", "host", "-f", "json"])
        #expect(fromHex.status == 0 && fromHex.stdout.contains("\"text\":\"AT\""), "\(fromHex.stderr)")
        // Naming the format says it is meant as raw bytes.
        let forced = try Tool.run(
            "edm-decode",
            ["captures/azure-dps-example-session.log", "--from", "module", "--input-format", "raw", "-f", "json"])
        #expect(forced.status == 0, "\(forced.stderr)")
    }

    @Test func replayOptionsThatWouldDoNothingAreRefused() throws {
        let trace = "captures/scenarios/assigned.pcapng"
        try Self.expectRefused(["edm-replay", "check", trace, "--seed", "3"], saying: ["--seed 3 goes with --mutate"])
        try Self.expectRefused(
            ["edm-replay", "check", trace, "--mutate", "drop=0.1", "-v"], saying: ["-v does not apply"])
        try Self.expectRefused(
            ["edm-replay", "check", trace, "--mutate", "drop=0.1", "--format", "json"],
            saying: ["--format json does not apply"])
        let seeded = try Tool.run("edm-replay", ["check", trace, "--mutate", "drop=0.1", "--seed", "3"])
        #expect(seeded.stdout.contains("seed 3"), "\(seeded.stdout)\(seeded.stderr)")
    }

    /// `-v` shows the transcript however the run is made; it is always redacted, and
    /// `--record-secrets` is about the recording alone.
    @Test func verboseShowsTheTranscriptWithoutARecordingAndOffline() throws {
        let dir = try Tool.temporaryDirectory("verbose")
        let live = try Tool.run(
            "azure-dps", ["--simulate", "assigned-fast", "--simulate-speed", "10", "-v", "--no-record"])
        #expect(
            live.status == 0 && live.stderr.contains("-> edm AT request AT+UWSC=0,2,simulated-lab"),
            "\(live.stderr.suffix(800))")
        let offline = try Tool.run(
            "azure-dps",
            [
                "--simulate", "wrong-passphrase", "--offline", "-v", "--record-secrets",
                "--record", "\(dir)/offline.pcapng"
            ])
        #expect(
            offline.status == 5 && offline.stderr.contains("-> edm AT request AT+UWSC=0,8,"),
            "\(offline.stderr.suffix(800))")
        #expect(!offline.stderr.contains("simulator passphrase"), "the passphrase is on stderr")
        let recording = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/offline.pcapng"))
        #expect(
            recording.range(of: Data("simulator passphrase".utf8)) != nil,
            "--record-secrets did not keep it in the recording")
        let decoded = try Tool.run("edm-decode", ["\(dir)/offline.pcapng", "-f", "json"])
        #expect(
            decoded.status == 0 && decoded.stdout.contains("\"outcome\":\"network_error\",\"network\":\"wifi\""),
            "\(decoded.stderr)")
    }

    /// What a what-if run leaves behind: nothing, unless asked.
    @Test func anOfflineRunRecordsOnlyWhenAsked() throws {
        func recordings() throws -> Set<String> {
            Set(
                try FileManager.default.contentsOfDirectory(atPath: Tool.root).filter {
                    $0.hasPrefix("azure-dps-") && $0.hasSuffix(".pcapng")
                })
        }
        let before = try recordings()
        let r = try Tool.run("azure-dps", ["--simulate", "--offline", "--json"])
        #expect(r.status == 0 && r.stdout.contains("\"recording\":null"), "\(r.stdout)")
        #expect(try recordings() == before)
    }

    /// With --simulate, what the options say wins over the simulated bench's settings.
    @Test func simulateHonoursTheGivenSettings() throws {
        let dir = try Tool.temporaryDirectory("simulate-options")
        let r = try Tool.run("azure-dps", ["--simulate", "--offline", "--id-scope", "0ne00MYOWN1", "--ssid", "my-lab",
                                           "--record", "\(dir)/run.pcapng"])
        #expect(r.status == 0, "\(r.stderr)")
        let decoded = try Tool.run("edm-decode", ["\(dir)/run.pcapng", "-f", "json"])
        #expect(
            decoded.stdout.contains("user=0ne00MYOWN1/registrations") && decoded.stdout.contains("AT+UWSC=0,2,my-lab"),
            "\(decoded.stdout.prefix(2000))")
    }
}
