import Foundation
import Testing

/// Recorded and simulated modules served on ptys, with azure-dps as the host.
@Suite struct ServeAndBatchTests {
    /// `edm-replay serve` + `azure-dps` through the pty reproduce the recorded outcome.
    @Test(arguments: ["assigned-fast", "wrong-passphrase", "unauthorized"])
    func servedRecordingReproducesItsOutcome(_ scenario: String) throws {
        let dir = try Tool.temporaryDirectory("serve")
        let c = try Tool.simulatorCredentials(in: dir)
        let link = dir + "/module"
        let server = try Tool.start("edm-replay", ["serve", "captures/scenarios/\(scenario).pcapng", "--link", link, "--speed", "4", "--duration", "60"])
        defer { server.process.interrupt() }
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: link) { Thread.sleep(forTimeInterval: 0.05) }
        let r = try Tool.run("azure-dps", ["--port", link, "--id-scope", "0ne00SIMUL8", "--ssid", "simulated-lab", "--ca", c.ca, "--cert", c.cert, "--key", c.key,
                                           "--no-flow-control", "--no-record", "--json", "--poll-interval", "2"],
                             environment: ["AZURE_DPS_WIFI_PASSPHRASE": "simulator passphrase"])
        let expected: Int32 = ["assigned-fast": 0, "wrong-passphrase": 5, "unauthorized": 2][scenario]!
        #expect(r.status == expected, "\(scenario): \(r.stderr)")
        server.process.interrupt()
        let served = try server.finish()
        #expect(served.stderr.contains("played"), "\(served.stderr)")
    }

    /// Eight simulated modules at once finish in about the time of the slowest one.
    @Test func batchOfEightRunsInParallel() throws {
        let dir = try Tool.temporaryDirectory("batch")
        let c = try Tool.simulatorCredentials(in: dir)
        var servers: [Tool.Running] = []
        var rows = ["port,cert,key"]
        for i in 0..<8 {
            let link = "\(dir)/nina\(i)"
            servers.append(try Tool.start("azure-dps", ["simulator", "assigned-fast", "--link", link, "--speed", "5", "--seed", String(i + 1)]))
            rows.append("\(link),\(c.cert),\(c.key)")
        }
        defer { for s in servers { s.process.interrupt() } }
        for i in 0..<8 { for _ in 0..<100 where !FileManager.default.fileExists(atPath: "\(dir)/nina\(i)") { Thread.sleep(forTimeInterval: 0.05) } }
        let csv = try Tool.temporaryFile("modules.csv", Data((rows.joined(separator: "\n") + "\n").utf8))
        let started = Date()
        let r = try Tool.run("azure-dps", ["batch", csv, "--id-scope", "0ne00SIMUL8", "--ssid", "simulated-lab", "--ca", c.ca,
                                           "--no-flow-control", "--no-record", "--poll-interval", "2"],
                             environment: ["AZURE_DPS_WIFI_PASSPHRASE": "simulator passphrase"])
        let elapsed = Date().timeIntervalSince(started)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.components(separatedBy: "assigned: Assigned to sim-hub").count - 1 == 8, "\(r.stderr)")
        // One module at speed 5 takes about 4.5 s; eight in sequence would take over 30 s.
        #expect(elapsed < 15, "batch of 8 took \(elapsed) s")
    }
}
