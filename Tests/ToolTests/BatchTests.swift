import Foundation
import Testing

/// `azure-dps batch` as a production line uses it: simulated modules, JSON Lines, labelled
/// progress, one recording per module, rows from a CSV (quoted fields) or [[module]] tables.
@Suite struct BatchTests {
    static let env = ["AZURE_DPS_WIFI_PASSPHRASE": "simulator passphrase"]

    /// Four simulated modules: every one assigned, each with its own recording (which
    /// edm-decode reads), one JSON line per module in row order with its port, then a summary.
    @Test func simulatedModulesEachAssignedWithARecordingOfTheirOwn() throws {
        let dir = try Tool.temporaryDirectory("batch-sim")
        let r = try Tool.run("azure-dps", ["batch", "--simulate", "4", "--simulate-speed", "20", "--json", "-v"],
                             directory: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        try #require(lines.count == 5, "\(r.stdout)")
        var recordings = Set<String>(), ports: [String] = []
        for line in lines.dropLast() {
            try StrictJSON.check(line)
            let o = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(line.hasPrefix("{\"port\":"), "\(line)")
            #expect(o["outcome"] as? String == "assigned", "\(line)")
            #expect(o["assignedHub"] as? String == "sim-hub.azure-devices.net", "\(line)")
            let recording = try #require(o["recording"] as? String)
            recordings.insert(recording)
            ports.append(try #require(o["port"] as? String))
            let decoded = try Tool.run("edm-decode", [recording, "-f", "json"], directory: dir)
            #expect(decoded.stdout.contains("\"outcome\":\"assigned\""), "\(recording): \(decoded.stdout.suffix(300))")
        }
        #expect(recordings.count == 4, "\(recordings)")
        #expect(Set(ports).count == 4)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".pcapng") }
        #expect(Set(files) == recordings, "\(files) vs \(recordings)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(lines[4].utf8)) as? [String: Any])
        let s = try #require(summary["summary"] as? [String: Any])
        #expect(s["modules"] as? Int == 4 && s["exitCode"] as? Int == 0, "\(lines[4])")
        #expect((s["durationMs"] as? Int ?? 0) > 0, "\(lines[4])")
        let outcomes = s["outcomes"] as? [String: Int]
        #expect(outcomes?["assigned"] == 4 && outcomes?["refused"] == 0 && outcomes?.count == 7, "\(lines[4])")
        // Every progress line, the -v transcript's included, names its module; the table after is the only exception.
        let progress = r.stderr.split(separator: "\n", omittingEmptySubsequences: false).prefix { !$0.isEmpty }
        #expect(progress.count > 40)
        for line in progress {
            #expect(ports.contains { line.hasPrefix("[sim-device on \($0)] ") }, "unlabelled: \(line)")
        }
        #expect(progress.contains { $0.contains("-> edm AT request") || $0.contains("-> at command") },
                "no transcript lines")
    }

    /// --record one.pcapng names every module's recording after it, and help says so.
    @Test func oneRecordingNameGivesEachModuleItsOwn() throws {
        let dir = try Tool.temporaryDirectory("batch-record")
        let batch = ["batch", "--simulate", "2", "--simulate-speed", "20", "--record", "one.pcapng"]
        let r = try Tool.run("azure-dps", batch + ["--json"], directory: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        #expect(names == ["one-sim-device-2.pcapng", "one-sim-device.pcapng"], "\(names)")
        // Run again: the names are taken, and given names are never written over.
        let again = try Tool.run("azure-dps", batch, directory: dir)
        #expect(again.status == 64, "\(again.stderr)")
        #expect(again.stderr.contains("one-sim-device.pcapng") && again.stderr.contains("--overwrite"),
                "\(again.stderr)")
        #expect(try Tool.run("azure-dps", ["batch", "--help"]).stdout.contains("one-<registration id>.pcapng"))
    }

    /// A CSV with quoted fields (a comma inside a path) and the same port twice: refused
    /// before any module starts, naming both rows.
    @Test func thePortOfTwoRowsIsRefusedNamingBoth() throws {
        let dir = try Tool.temporaryDirectory("batch-ports")
        let c = try Tool.simulatorCredentials(in: dir)
        // (a comma in the folder: the module only sees the file's own name, which may not have one)
        try FileManager.default.createDirectory(atPath: "\(dir)/lab, bench 3", withIntermediateDirectories: true)
        let odd = "\(dir)/lab, bench 3/cert.pem"
        try FileManager.default.copyItem(atPath: c.cert, toPath: odd)
        let csv = try Tool.temporaryFile("ports-\(UUID().uuidString).csv", Data("""
            port,cert,key
            /dev/ttyNOPE1,"\(odd)",\(c.key)
            /dev/ttyNOPE2,\(c.cert),\(c.key)
            "/dev/ttyNOPE1",\(c.cert),\(c.key)

            """.utf8))
        let shared = ["--id-scope", "x", "--ssid", "lab", "--ca", c.ca, "--no-record"]
        let r = try Tool.run("azure-dps", ["batch", csv] + shared, environment: Self.env)
        #expect(r.status == 65, "\(r.stderr)")
        #expect(r.stderr.contains("\(csv) row 1 and \(csv) row 3 both name port /dev/ttyNOPE1"), "\(r.stderr)")
        // Distinct ports: the quoted path was read whole (the modules fail on their missing ports, exit 6).
        let fine = try Tool.temporaryFile("fine-\(UUID().uuidString).csv", Data("""
            port,cert,key
            /dev/ttyNOPE1,"\(odd)",\(c.key)
            /dev/ttyNOPE2,\(c.cert),\(c.key)

            """.utf8))
        let ran = try Tool.run("azure-dps", ["batch", fine, "--json"] + shared, environment: Self.env)
        #expect(ran.status == 6, "\(ran.stderr)")
        let failed = ran.stdout.split(separator: "\n").filter { $0.contains("\"outcome\":\"serial_error\"") }
        #expect(failed.count == 2, "\(ran.stdout)")
    }

    /// The modules as [[module]] tables of the config file, with shared settings beside them.
    @Test func modulesFromConfigTables() throws {
        let dir = try Tool.temporaryDirectory("batch-toml")
        let c = try Tool.simulatorCredentials(in: dir)
        let config = try Tool.temporaryFile("lab-\(UUID().uuidString).toml", Data("""
            id_scope = "0ne00SIMUL8"   # the alias works here too
            ssid = "lab"
            ca = "\(c.ca)"

            [[module]]
            port = "/dev/ttyNOPE5"
            cert = "\(c.cert)"
            key = "\(c.key)"

            [[module]]
            port = "/dev/ttyNOPE6"
            registration-id = "sim-device"
            cert = "\(c.cert)"
            key = "\(c.key)"

            """.utf8))
        let r = try Tool.run("azure-dps", ["batch", "--config", config, "--no-record", "--json"], environment: Self.env)
        #expect(r.status == 6, "\(r.stderr)")
        let ports = r.stdout.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["port"] as? String
        }
        #expect(ports == ["/dev/ttyNOPE5", "/dev/ttyNOPE6"], "\(r.stdout)")
        // A table without a port is named; a port for every module at the top level is refused.
        let noPort = try Tool.temporaryFile("noport-\(UUID().uuidString).toml",
                                            Data("[[module]]\ncert = \"a.pem\"\nkey = \"a.key\"\n".utf8))
        let missing = try Tool.run("azure-dps", ["batch", "--config", noPort], environment: Self.env)
        #expect(missing.status == 64 && missing.stderr.contains("[[module]] 1: no port"), "\(missing.stderr)")
        let shared = try Tool.temporaryFile("shared-\(UUID().uuidString).toml",
                                            Data("port = \"/dev/ttyUSB0\"\n[[module]]\nport = \"/dev/ttyUSB1\"\n".utf8))
        let refused = try Tool.run("azure-dps", ["batch", "--config", shared], environment: Self.env)
        #expect(refused.status == 64, "\(refused.stderr)")
        #expect(refused.stderr.contains("\(shared):1: port is set for every module"), "\(refused.stderr)")
    }

    @Test func aBatchNeedsModules() throws {
        let r = try Tool.run("azure-dps", ["batch", "--id-scope", "x"])
        #expect(r.status == 64 && r.stderr.contains("--simulate N"), "\(r.stderr)")
        let csv = try Tool.temporaryFile("both-\(UUID().uuidString).csv", Data("port,cert,key\n".utf8))
        let both = try Tool.run("azure-dps", ["batch", csv, "--simulate", "2"])
        #expect(both.status == 64 && both.stderr.contains("--simulate 2 exclude each other"), "\(both.stderr)")
    }
}
