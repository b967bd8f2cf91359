import EDMKit
import EDMKitIO
import Foundation
import Testing

/// A field trace served as the NINA-W15 model with the trace's profile: hosts other than the
/// one that made the trace, with other credentials and ids, reproduce its outcome.
@Suite struct TraceModelServeTests {
    static let log = "captures/azure-dps-example-session.log"

    static func records(_ path: String) throws -> [TraceRecord] {
        let input = try CaptureInput(path: Tool.root + "/" + path)
        var records: [TraceRecord] = []
        while let more = try input.next() { records += more }
        return records
    }

    /// The second host reaches assigned against the log's model, in simulated time, although
    /// the log shows no `+STARTUP` after its reboot and elides the credentials' bodies.
    @Test func referenceFlowHostReachesAssignedAgainstTheLogsModel() throws {
        var link = ModelLink(model: SimulatedModule(trace: try Self.records(Self.log)))
        let body = try ReferenceFlowHost().run(&link)
        #expect(body.contains(#""status":"assigned""#) && body.contains("leoDPS.azure-devices.net"), "\(body)")
        let answers = link.model.answers
        #expect(!answers.contains { $0.source == .refused }, "\(answers.map(\.line))")
        // Every request has its recorded equivalent (the reboot's +STARTUP, which the log
        // lacks, is the model's).
        #expect(answers.count == 19 && answers.allSatisfy { $0.source == .recording }, "\(answers.map(\.line))")
    }

    /// The same host through a real pty against `edm-replay serve`, at the log's own pace
    /// and faster; serve reports each answer as it happens and a table at the end.
    @Test(arguments: [1.0, 8.0])
    func referenceFlowHostReachesAssignedAgainstServe(_ speed: Double) throws {
        let dir = try Tool.temporaryDirectory("flow")
        let link = dir + "/module"
        let server = try Tool.start(
            "edm-replay", ["serve", Self.log, "--link", link, "--speed", String(speed), "--duration", "90"])
        defer { server.process.interrupt() }
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: link) { Thread.sleep(forTimeInterval: 0.05) }
        var host = ReferenceFlowHost()
        host.timeout = .seconds(30)
        var port = try PortLink(path: link)
        let body = try host.run(&port)
        #expect(body.contains(#""status":"assigned""#), "\(body)")
        port.port.close()
        server.process.interrupt()
        let served = try server.finish()
        #expect(served.stderr.contains("played   EDM AT+UWSCA=0,3"), "\(served.stderr)")
        #expect(served.stderr.contains("played   credential bytes (ca.pem, 1261)"), "\(served.stderr)")
        #expect(served.stderr.contains("played from the recording  19"), "\(served.stderr)")
        // The log shows no boot after its AT+CPWROFF: the model's, reported as such.
        #expect(served.stderr.contains("rebooted boot noise and +STARTUP at "), "\(served.stderr)")
        #expect(served.stderr.contains("refused (divergences)      0"), "\(served.stderr)")
        if speed == 1 {
            try Data(served.stderr.utf8).write(to: URL(fileURLWithPath: Tool.root + "/.build/serve-reference-flow.txt"))
        }
    }
}

/// `check` picks its mode from who made the trace, names what a short trace lacks, and
/// writes JUnit XML.
@Suite struct CheckModeAndJUnitTests {
    @Test func theModeComesFromTheTrace() throws {
        let r = try Tool.run(
            "edm-replay", ["check", "captures/azure-dps-example-session.pcapng", "captures/scenarios/assigned.pcapng"])
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        #expect(
            r.stderr.contains(
                "azure-dps-example-session.pcapng: semantic replay (written by edm-decode, not recorded by azure-dps)"),
            "\(r.stderr)")
        #expect(r.stderr.contains("scenarios/assigned.pcapng: strict replay (recorded by azure-dps)"), "\(r.stderr)")
        #expect(r.stdout.contains("captures/scenarios/assigned.pcapng: strict replay"))
    }

    /// A run cut during its credentials: no peer URL, so no registration id or id scope.
    @Test func whatAShortTraceLacksIsNamedWithItsOption() throws {
        let cut = try Tool.temporaryDirectory("short") + "/cut.log"
        let log = try String(contentsOfFile: Tool.root + "/captures/azure-dps-example-session.log", encoding: .utf8)
        try Data(log.components(separatedBy: "\n").prefix(16).joined(separator: "\n").utf8).write(
            to: URL(fileURLWithPath: cut))
        let r = try Tool.run("edm-replay", ["check", cut])
        #expect(
            r.stderr.contains("the trace does not show the registration id; give it with --registration-id"),
            "\(r.stderr)")
        #expect(r.stderr.contains("the trace does not show the id scope; give it with --id-scope"), "\(r.stderr)")
        #expect(r.stderr.contains("the trace does not show the Wi-Fi SSID; give it with --ssid"), "\(r.stderr)")
        let given = try Tool.run(
            "edm-replay", ["check", cut, "--registration-id", "ninadps", "--id-scope", "0ne0067E45C", "--ssid", "SSID"])
        #expect(!given.stderr.contains("does not show"), "\(given.stderr)")
    }

    @Test func junitHasOneCasePerTraceWithTheFirstDivergence() throws {
        let dir = try Tool.temporaryDirectory("junit")
        // A trace whose machine no longer agrees: one changed host command.
        let bad = dir + "/changed.log"
        let log = try String(contentsOfFile: Tool.root + "/captures/azure-dps-example-session.log", encoding: .utf8)
        try Data(log.replacingOccurrences(of: "AT+UWSCA=0,3", with: "AT+UWSCA=0,9").utf8).write(
            to: URL(fileURLWithPath: bad))
        let xml = dir + "/report.xml"
        let r = try Tool.run(
            "edm-replay", ["check", "captures/scenarios/assigned.pcapng", bad, "--mode", "strict", "--junit", xml])
        #expect(r.status == 1)
        let text = try String(contentsOfFile: xml, encoding: .utf8)
        #expect(text.hasPrefix(#"<?xml version="1.0" encoding="UTF-8"?>"#))
        #expect(text.contains(#"tests="2" failures="1""#), "\(text)")
        #expect(text.contains(#"<testcase classname="edm-replay.strict" name="captures/scenarios/assigned.pcapng""#))
        #expect(text.contains(#"<failure message="divergence at "#), "\(text)")
        #expect(
            text.components(separatedBy: "<testcase ").count == 3
                && text.components(separatedBy: "</testcase>").count == 3)
        // The same on every run: simulated times only.
        let again = dir + "/again.xml"
        _ = try Tool.run(
            "edm-replay", ["check", "captures/scenarios/assigned.pcapng", bad, "--mode", "strict", "--junit", again])
        #expect(try String(contentsOfFile: again, encoding: .utf8) == text)
    }
}

/// `serve --mutate`: check's seeded faults, live, each reported as it is injected.
@Suite struct ServeMutateTests {
    @Test func faultsAreInjectedLiveAndReported() throws {
        let dir = try Tool.temporaryDirectory("mutate")
        let link = dir + "/module"
        let server = try Tool.start(
            "edm-replay",
            [
                "serve", TraceModelServeTests.log, "--link", link, "--speed", "8", "--duration", "60",
                "--mutate", "delay=1:3ms,split=0.5:3", "--seed", "4"
            ])
        defer { server.process.interrupt() }
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: link) { Thread.sleep(forTimeInterval: 0.05) }
        var port = try PortLink(path: link)
        // Delays and splits only: a careful host still gets there.
        let body = try ReferenceFlowHost().run(&port)
        #expect(body.contains(#""status":"assigned""#))
        port.port.close()
        server.process.interrupt()
        let served = try server.finish()
        #expect(served.stderr.contains("serving with faults"), "\(served.stderr)")
        #expect(served.stderr.contains(" delay: "), "\(served.stderr)")
        #expect(served.stderr.contains(" split: "), "\(served.stderr)")
        #expect(served.stderr.contains("faults injected"), "\(served.stderr)")
    }

    @Test func seedWithoutMutateIsAUsageError() throws {
        let r = try Tool.run(
            "edm-replay", ["serve", TraceModelServeTests.log, "--link", "/tmp/nope-\(getpid())", "--seed", "3"])
        #expect(r.status == 64 && r.stderr.contains("--seed 3 goes with --mutate"), "\(r.stderr)")
        let bad = try Tool.run(
            "edm-replay", ["serve", TraceModelServeTests.log, "--link", "/tmp/nope-\(getpid())", "--mutate", "drop=2"])
        #expect(bad.status == 64 && bad.stderr.contains("--mutate"), "\(bad.stderr)")
    }
}
