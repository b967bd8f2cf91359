import Foundation
import Testing

/// SIGTERM (CI cancelling a job, systemd, docker stop) and SIGHUP end a run as Ctrl-C does:
/// the module cleaned up, `cancelled`, exit 130, the recording whole; the pty servers remove
/// their --link.
@Suite struct SignalTests {
    /// A simulated run signalled in its MQTT steps: exit 130 (the README's "interrupted"),
    /// outcome `cancelled`, and a recording edm-decode reads to the module's reboot.
    @Test(arguments: [SIGTERM, SIGHUP, SIGINT])
    func aSignalEndsTheRunAsCtrlCDoes(_ signal: Int32) throws {
        let dir = try Tool.temporaryDirectory("signal")
        let recording = "\(dir)/run.pcapng"
        // At eight times the reference speed, 2.2 s in is the MQTT connect step (EDM, peers open).
        let running = try Tool.start("azure-dps", ["--simulate", "--simulate-speed", "8", "--json",
                                                   "--record", recording])
        Thread.sleep(forTimeInterval: 2.2)
        kill(running.process.processIdentifier, signal)
        let r = try running.finish()
        #expect(running.process.terminationReason == .exit, "killed by the signal: \(r.stderr)")
        #expect(r.status == 130, "\(r.stderr)")
        let result = try JSONSerialization.jsonObject(with: r.stdoutBytes) as? [String: Any]
        #expect(result?["outcome"] as? String == "cancelled" && result?["exitCode"] as? Int == 130, "\(r.stdout)")
        #expect(result?["recording"] as? String == recording)
        let says = signal == SIGINT ? "Interrupted: closing the MQTT peers" : "received: closing the MQTT peers"
        #expect(r.stderr.contains(says), "\(r.stderr)")
        let decoded = try Tool.run("edm-decode", [recording, "-f", "json"])
        #expect(decoded.status == 0, "\(decoded.stderr)")
        let units = decoded.stdout.split(separator: "\n")
        #expect(units.contains { $0.contains("\"text\":\"AT+CPWROFF\"") }, "no reboot in \(decoded.stdout.suffix(600))")
        #expect(units.dropLast().last?.contains("+STARTUP") == true, "\(decoded.stdout.suffix(600))")
    }

    /// A batch signalled mid-run: every module cancelled, each recording readable.
    @Test func aSignalEndsEveryModuleOfABatch() throws {
        let dir = try Tool.temporaryDirectory("signal-batch")
        let running = try Tool.start("azure-dps", ["batch", "--simulate", "3", "--simulate-speed", "8", "--json",
                                                   "--record", "\(dir)/batch.pcapng"])
        Thread.sleep(forTimeInterval: 2.2)
        kill(running.process.processIdentifier, SIGTERM)
        let r = try running.finish()
        #expect(r.status == 130, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 4, "\(r.stdout)")
        for line in lines.dropLast() {
            let result = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(result?["outcome"] as? String == "cancelled", "\(line)")
            let recording = try #require(result?["recording"] as? String)
            #expect(try Tool.run("edm-decode", [recording, "-f", "json"]).status == 0)
        }
        #expect(lines.last?.contains("\"cancelled\":3") == true, "\(lines.last ?? "")")
    }

    /// `azure-dps simulator` and `edm-replay serve` remove their --link when signalled.
    @Test(arguments: [SIGTERM, SIGHUP])
    func theServersRemoveTheirLink(_ signal: Int32) throws {
        let dir = try Tool.temporaryDirectory("signal-link")
        let servers = [("azure-dps", ["simulator"]), ("edm-replay", ["serve", "captures/scenarios/assigned.pcapng"])]
        for (tool, arguments) in servers {
            let link = "\(dir)/\(tool)-module"
            let running = try Tool.start(tool, arguments + ["--link", link])
            for _ in 0..<200 where !Self.exists(link) { Thread.sleep(forTimeInterval: 0.05) }
            #expect(Self.exists(link), "\(tool) made no link")
            kill(running.process.processIdentifier, signal)
            let r = try running.finish()
            #expect(running.process.terminationReason == .exit && r.status == 0, "\(tool): \(r.status) \(r.stderr)")
            #expect(!Self.exists(link), "\(tool) left \(link) behind")
        }
    }

    /// Also when serving ends on its own (`--duration`).
    @Test func serveRemovesItsLinkAtTheEnd() throws {
        let dir = try Tool.temporaryDirectory("serve-end")
        let link = "\(dir)/module"
        let r = try Tool.run("edm-replay", ["serve", "captures/scenarios/assigned.pcapng", "--link", link,
                                            "--duration", "1"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!Self.exists(link))
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }
}
