import Testing
@testable import EDMKit

/// The machine against recorded module behaviour (semantic replay of the reference run).
@Suite struct ProvisioningMachineTests {
    /// Configured like the reference run: its ids, SSID, credential names, MD5s and sizes.
    static var referenceConfiguration: ProvisioningConfiguration {
        var c = ProvisioningConfiguration(
            idScope: "0ne0067E45C", registrationID: "ninadps",
            credentials: [
                .init(type: 0, name: "ca.pem", md5: "ACB694A59C17E0D791529BB19706A6E4", size: 1261),
                .init(type: 1, name: "cert.pem", md5: "9A1F95B8D512FA0ED075DD2B794ECB2A", size: 1224),
                .init(type: 2, name: "key.pem", md5: "695D5D1EBB1DDBD0C6F2C128BAEB7F34", size: 1704),
            ],
            ssid: "SSID", passphrase: Array("PASSWORD".utf8))
        c.factoryReset = true
        return c
    }

    @Test func referenceSessionReplaysToAssigned() {
        let responder = TraceResponder(records: ReferenceSession.records)
        let run = ProvisioningHarness(configuration: Self.referenceConfiguration, module: responder).run()
        guard case .assigned(let hub, let device, let substatus, _) = run.outcome else {
            Issue.record("expected assigned, got \(run.outcome)")
            return
        }
        #expect(hub == "leoDPS.azure-devices.net" && device == "ninadps" && substatus == "initialAssignment")
        #expect(run.outcome.exitCode == 0)
        // It uploaded all three credentials (the recording has no stored MD5s), sent the
        // passphrase once, and ended with AT+CPWROFF.
        let sent = Chunking.decode(run.records).units.filter { $0.direction == .host }
        #expect(sent.filter { $0.type == "payload" }.map(\.bytes.count) == [1261, 1224, 1704])
        #expect(sent.filter { $0.text?.hasPrefix("AT+UWSC=0,8,") == true }.count == 1)
        #expect(sent.last?.text == "AT+CPWROFF")
        let steps = run.actions.compactMap { if case .stepFinished(let s, let e) = $0 { "\(s.rawValue):\(e.rawValue)" } else { nil } }
        #expect(steps == ["detect mode:done", "factory reset:done", "credentials:done", "enter EDM:done", "Wi-Fi:done",
                          "MQTT connect:done", "DPS register:assigning", "MQTT poll peer:done", "DPS poll:assigned",
                          "close peers:done", "power off:done"])
    }
}
