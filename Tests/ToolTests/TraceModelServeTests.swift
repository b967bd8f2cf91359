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
        let server = try Tool.start("edm-replay", ["serve", Self.log, "--link", link, "--speed", String(speed), "--duration", "90"])
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
        #expect(served.stderr.contains("played   credential bytes (1261)"), "\(served.stderr)")
        #expect(served.stderr.contains("played from the recording  19"), "\(served.stderr)")
        #expect(served.stderr.contains("refused (divergences)      0"), "\(served.stderr)")
        if speed == 1 { try Data(served.stderr.utf8).write(to: URL(fileURLWithPath: Tool.root + "/.build/serve-reference-flow.txt")) }
    }
}
