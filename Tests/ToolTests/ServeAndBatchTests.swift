import Foundation
import Testing

/// Recorded and simulated modules served on ptys, with azure-dps as the host.
@Suite struct ServeAndBatchTests {
    /// `edm-replay serve` + `azure-dps` through the pty reproduce the recorded outcome of every
    /// capture in captures/manifest.json, for a device that is not the recorded one: its own
    /// credentials (other names and sizes: RSA, where the recordings' are EC), registration id
    /// and SSID. Serve reports what it modelled, and refuses nothing.
    @Test(arguments: CapturesTests.entries.map(\.file))
    func servedRecordingReproducesItsOutcomeForAnotherDevice(_ capture: String) throws {
        let outcome = try #require(CapturesTests.entries.first { $0.file == capture }?.expect)
        let dir = try Tool.temporaryDirectory("serve")
        let c = try Self.otherCredentials(in: dir)
        let link = dir + "/module"
        let server = try Tool.start(
            "edm-replay", ["serve", "captures/" + capture, "--link", link, "--speed", "10", "--duration", "120"])
        defer { server.process.interrupt() }
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: link) { Thread.sleep(forTimeInterval: 0.05) }
        let r = try Tool.run(
            "azure-dps",
            [
                "--port", link, "--id-scope", "0ne00SIMUL8", "--ssid", "plant-floor-3", "--ca", c.ca, "--cert", c.cert,
                "--key", c.key,
                "--no-flow-control", "--no-record", "--json", "--poll-interval", "2"
            ],
            environment: ["AZURE_DPS_WIFI_PASSPHRASE": "another passphrase"])
        #expect(r.stdout.contains("\"outcome\":\"\(outcome)\""), "\(capture): \(r.stdout) \(r.stderr)")
        #expect((r.status == 0) == (outcome == "assigned"), "\(capture): exit \(r.status)")
        if outcome == "assigned" { #expect(r.stdout.contains("field-unit-0042"), "\(r.stdout)") }
        server.process.interrupt()
        let served = try server.finish()
        #expect(served.stderr.contains("modelled AT+USECMNG=0,0,dps-root.pem,"), "\(served.stderr)")
        #expect(served.stderr.contains("modelled credential bytes"), "\(served.stderr)")
        #expect(served.stderr.contains("refused (divergences)      0"), "\(served.stderr)")
    }

    /// A root CA and a device certificate (CN field-unit-0042) with its key, made with openssl.
    static func otherCredentials(in dir: String) throws -> (ca: String, cert: String, key: String) {
        let steps = [
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "root.key", "-out", "dps-root.pem", "-subj",
                "/CN=Field Test Root", "-days", "3650"
            ],
            [
                "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "unit-0042.key", "-out", "unit.csr", "-subj",
                "/CN=field-unit-0042"
            ],
            [
                "x509", "-req", "-in", "unit.csr", "-CA", "dps-root.pem", "-CAkey", "root.key", "-CAcreateserial",
                "-out", "unit-0042.crt", "-days", "3650"
            ]
        ]
        for arguments in steps {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["openssl"] + arguments
            p.currentDirectoryURL = URL(fileURLWithPath: dir)
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            #expect(p.terminationStatus == 0, "openssl \(arguments)")
        }
        return (dir + "/dps-root.pem", dir + "/unit-0042.crt", dir + "/unit-0042.key")
    }

    /// Eight simulated modules at once finish in about the time of the slowest one.
    @Test func batchOfEightRunsInParallel() throws {
        let dir = try Tool.temporaryDirectory("batch")
        let c = try Tool.simulatorCredentials(in: dir)
        var servers: [Tool.Running] = []
        var rows = ["port,cert,key"]
        for i in 0..<8 {
            let link = "\(dir)/nina\(i)"
            servers.append(
                try Tool.start(
                    "azure-dps", ["simulator", "assigned-fast", "--link", link, "--speed", "5", "--seed", String(i + 1)]
                ))
            rows.append("\(link),\(c.cert),\(c.key)")
        }
        defer { for s in servers { s.process.interrupt() } }
        for i in 0..<8 {
            for _ in 0..<100 where !FileManager.default.fileExists(atPath: "\(dir)/nina\(i)") {
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
        let csv = try Tool.temporaryFile("modules.csv", Data((rows.joined(separator: "\n") + "\n").utf8))
        let started = Date()
        let r = try Tool.run(
            "azure-dps",
            [
                "batch", csv, "--id-scope", "0ne00SIMUL8", "--ssid", "simulated-lab", "--ca", c.ca,
                "--no-flow-control", "--no-record", "--poll-interval", "2"
            ],
            environment: ["AZURE_DPS_WIFI_PASSPHRASE": "simulator passphrase"])
        let elapsed = Date().timeIntervalSince(started)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.components(separatedBy: "assigned: Assigned to sim-hub").count - 1 == 8, "\(r.stderr)")
        // One module at speed 5 takes about 4.5 s; eight in sequence would take over 30 s.
        #expect(elapsed < 15, "batch of 8 took \(elapsed) s")
    }
}
