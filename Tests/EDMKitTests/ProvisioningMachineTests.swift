import Testing
@testable import EDMKit

/// The machine against recorded module behaviour (semantic replay of the reference run).
@Suite struct ProvisioningMachineTests {
    /// Configured like the reference run: its ids, SSID, credential names, MD5s and sizes.
    static var referenceConfiguration: ProvisioningConfiguration {
        var c = ProvisioningConfiguration(
            idScope: "0ne0067E45C", registrationID: "ninadps",
            credentials: [
                .init(type: .rootCA, name: "ca.pem", md5: "ACB694A59C17E0D791529BB19706A6E4", size: 1261),
                .init(type: .clientCertificate, name: "cert.pem", md5: "9A1F95B8D512FA0ED075DD2B794ECB2A", size: 1224),
                .init(type: .clientPrivateKey, name: "key.pem", md5: "695D5D1EBB1DDBD0C6F2C128BAEB7F34", size: 1704),
            ],
            ssid: "SSID", passphrase: Array("PASSWORD".utf8))
        c.factoryReset = true
        return c
    }

    @Test func referenceSessionReplaysToAssigned() {
        let responder = SimulatedModule(trace: ReferenceSession.records)
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
        let steps = run.actions.compactMap {
            if case .stepFinished(let s, let e) = $0 { "\(s.rawValue):\(e.rawValue)" } else { nil }
        }
        #expect(
            steps == [
                "detect mode:done", "factory reset:done", "credentials:done", "enter EDM:done", "Wi-Fi:done",
                "MQTT connect:done", "DPS register:assigning", "MQTT poll peer:done", "DPS poll:assigned",
                "close peers:done", "power off:done"
            ])
    }
}

/// A step with nothing to do says so: no factory reset unless asked for.
@Suite struct SkippedStepTests {
    @Test func aFactoryResetNotAskedForIsSkipped() {
        for reset in [false, true] {
            var c = ProvisioningScenarioTests.configuration
            c.factoryReset = reset
            let run = ProvisioningHarness(configuration: c, module: SimulatedModule(scenario: .assignedFast)).run()
            let results = run.actions.compactMap { if case .stepFinished(.factoryReset, let e) = $0 { e } else { nil } }
            #expect(
                results == [reset ? .done : .skipped] && run.outcome.exitCode == 0, "factory reset \(reset): \(results)"
            )
            #expect(ProvisioningScenarioTests.sent(run).contains { $0.text == "AT+UFACTORY" } == reset)
        }
    }
}

/// Illegal or unexpected input always leads to a defined outcome.
@Suite struct ProvisioningMachineFailureTests {
    static func run(_ module: ScriptedModule) -> ProvisioningRun {
        ProvisioningHarness(configuration: ProvisioningMachineTests.referenceConfiguration, module: module).run()
    }

    /// Replace the answer to each AT request of the reference run with ERROR, one at a time.
    @Test func errorToEachCommand() {
        let run = Self.run(ScriptedModule(records: ReferenceSession.records))
        let requests = Chunking.decode(run.records).units.filter { $0.type == "command" || $0.type == "at_request" }
            .compactMap(\.text)
        #expect(requests.count == 21)
        for (i, request) in requests.enumerated() {
            let failed = Self.run(ScriptedModule(records: ReferenceSession.records, errorAt: i))
            switch request {
            case _ where i == 0 || request.hasPrefix("AT+USECMNG=4,"):
                // A probe answered ERROR still shows a module in command mode; an MD5 query
                // answered ERROR means "not stored": upload.
                #expect(failed.outcome.exitCode == 0, "\(request): \(failed.outcome)")
            case _ where request.hasPrefix("AT+UDCPC=") || i == requests.count - 1:
                // Cleanup: the outcome stays assigned.
                #expect(failed.outcome.exitCode == 0, "\(request): \(failed.outcome)")
            default:
                guard case .moduleError(_, let what) = failed.outcome else {
                    Issue.record("ERROR to \(request) gave \(failed.outcome)")
                    continue
                }
                #expect(what.contains("answered ERROR") || what.contains("refused"), "\(request): \(what)")
                #expect(failed.outcome.exitCode == 4)
            }
        }
    }

    @Test func confirmationWithNoRequestPendingIsAProtocolViolation() {
        let stray = EDMEncoder.atConfirmation("\r\nOK\r\n")
        let run = Self.run(ScriptedModule(records: ReferenceSession.records, extra: [(.milliseconds(13_000), stray)]))
        guard case .moduleError(let step, let what) = run.outcome else {
            Issue.record("got \(run.outcome)")
            return
        }
        #expect(step == .wifi && what.contains("protocol violation"))
    }

    @Test func dataOnAnUnknownChannelIsIgnoredAndNoted() {
        let stray = EDMEncoder.dataEvent(channel: 7, data: Array("{\"status\":\"assigned\"}".utf8))
        let run = Self.run(ScriptedModule(records: ReferenceSession.records, extra: [(.milliseconds(17_500), stray)]))
        #expect(run.outcome.exitCode == 0)
        #expect(run.actions.contains(.note(.dataOnUnknownChannel(7))))
    }

    @Test func wrongPassphraseIsANetworkError() {
        let down = EDMEncoder.atEvent("\r\n+UUWLD:0,4\r\n")
        var records = ReferenceSession.records.filter { !($0.direction == .module && $0.time >= .milliseconds(17_000)) }
        records.append(TraceRecord(time: .milliseconds(17_017), direction: .module, bytes: down))
        records.sort { $0.time < $1.time }   // stable: the URC lands right after AT+UWSCA's OK
        let run = Self.run(ScriptedModule(records: records))
        guard case .networkError(.wifi, let what) = run.outcome else {
            Issue.record("got \(run.outcome)")
            return
        }
        #expect(what.contains("passphrase"))
        #expect(run.outcome.exitCode == 5)
    }

    @Test func silentModuleTimesOut() {
        let run = ProvisioningHarness(
            configuration: ProvisioningMachineTests.referenceConfiguration, module: SilentModule()
        ).run()
        guard case .timedOut(.detectMode, _) = run.outcome else {
            Issue.record("got \(run.outcome)")
            return
        }
        #expect(run.outcome.exitCode == 3)
        #expect(run.duration == .seconds(3), "three probes a second apart")
    }

    @Test func cancelClosesPeersAndPowersOff() {
        var harness = ProvisioningHarness(
            configuration: ProvisioningMachineTests.referenceConfiguration,
            module: ScriptedModule(records: ReferenceSession.records))
        harness.cancelAt = .milliseconds(19_500)  // peer 2 connected, peer 4 announced (+UDCP:4)
        let run = harness.run()
        #expect(run.outcome == .cancelled && run.outcome.exitCode == 130)
        let sent = Chunking.decode(run.records).units.filter { $0.direction == .host }.compactMap(\.text)
        #expect(Array(sent.suffix(3)) == ["AT+UDCPC=2", "AT+UDCPC=4", "AT+CPWROFF"])
    }
}

/// A module that never says anything (unpowered, wrong baud rate).
struct SilentModule: ModuleModel {
    mutating func receive(_ bytes: ArraySlice<UInt8>, now: Duration) {}
    var nextOutputTime: Duration? { nil }
    mutating func takeOutput(until now: Duration) -> [(time: Duration, bytes: [UInt8])] { [] }
}
