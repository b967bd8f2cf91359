import Testing
@testable import EDMKit

/// The machine's state, step by step, and the configuration it reads.
@Suite struct ProvisioningStateTests {
    static let reference = ProvisioningMachineTests.referenceConfiguration
    static let simulated = ProvisioningScenarioTests.configuration

    /// The states the machine is left in by each input of a harness run (states passed
    /// through within one input are not seen).
    static func states(_ configuration: ProvisioningConfiguration, _ module: some ModuleModel,
                       cancelAt: Duration? = nil) -> [ProvisioningState] {
        var harness = ProvisioningHarness(configuration: configuration, module: module)
        harness.cancelAt = cancelAt
        var states = [ProvisioningState.notStarted]
        _ = harness.runKeepingModule { machine in
            if states.last != machine.state { states.append(machine.state) }
        }
        return states
    }

    @Test func theReferenceRunWalksEveryStage() {
        let states = Self.states(Self.reference, SimulatedModule(trace: ReferenceSession.records))
        var expected: [ProvisioningState] = [.notStarted, .detectingMode(probe: 0),
                                             .factoryResetting(.resetSent), .factoryResetting(.rebooting(.commandSent)),
                                             .factoryResetting(.rebooting(.awaitingStartup))]
        for index in 0..<3 {
            expected += [.credentials(index: index, stage: .querying), .credentials(index: index, stage: .importing),
                         .credentials(index: index, stage: .uploading)]
        }
        expected += [.enteringEDM(.switching), .enteringEDM(.settling), .enteringEDM(.probing)]
        // SSID, authentication, passphrase, activate; then +UUWLE, then +UUNU ends the step.
        expected += (0...4).map { .wifi(answered: $0, linkUp: false) } + [.wifi(answered: 4, linkUp: true)]
        expected += [.connectingRegister(.connecting), .registering(.init()), .connectingPoll(.settingTopic),
                     .connectingPoll(.connecting), .polling(.init())]
        expected += [.closingPeers(handle: 2), .closingPeers(handle: 4), .poweringOff(.commandSent),
                     .poweringOff(.awaitingStartup)]
        #expect(states == expected)
    }

    @Test func detectionProbesThreeTimesThenTimesOut() {
        let states = Self.states(Self.reference, SilentModule())
        #expect(Array(states.prefix(4)) == [.notStarted] + (0...2).map { .detectingMode(probe: $0) })
        // Never in EDM: both cleanup steps end as they start.
        #expect(Array(states.dropFirst(4)) == [.poweringOff(.commandSent)])
    }

    @Test func cancelClosesEachOpenPeerInTurn() {
        let module = ScriptedModule(records: ReferenceSession.records)
        let states = Self.states(Self.reference, module, cancelAt: .milliseconds(19_500))
        #expect(Array(states.suffix(4)) == [.closingPeers(handle: 2), .closingPeers(handle: 4),
                                             .poweringOff(.commandSent), .poweringOff(.awaitingStartup)])
    }

    @Test func aRetryCarriesItsCountAndBackoffIntoTheNextAttempt() {
        let states = Self.states(Self.simulated, SimulatedModule(scenario: .throttled, seed: 1))
        let attempts = states.compactMap { if case .registering(let attempt) = $0 { attempt } else { nil } }
        #expect(attempts.count == 2 && attempts[0] == .init())
        #expect(attempts.last?.retries == 1)
        let backoff = attempts.last?.backoff ?? .zero
        let policy = RetryPolicy()
        #expect(backoff >= policy.delay(attempt: 1) && backoff < policy.delay(attempt: 1) + policy.jitter, "\(backoff)")
    }

    @Test func theEDMSettleTimeIsTheConfiguredPause() {
        for settle: Duration in [.milliseconds(50), .milliseconds(200)] {
            var c = Self.simulated
            c.edmSettleTime = settle
            let run = ProvisioningHarness(configuration: c, module: SimulatedModule(scenario: .assignedFast)).run()
            #expect(run.outcome.exitCode == 0)
            let units = Chunking.decode(run.records).units
            guard let ato2 = units.first(where: { $0.text == "ATO2" }),
                  let ok = units.first(where: { $0.reply?.request == ato2.index }),
                  let frame = units.first(where: { $0.direction == .host && $0.layer == "edm" })
            else {
                Issue.record("no ATO2, its OK, or no EDM frame")
                continue
            }
            #expect(frame.time - ok.time == settle)
        }
    }

    @Test func credentialsAreNamedInTheURLByTypeNotByPosition() {
        var c = Self.simulated
        c.credentials.reverse()
        let run = ProvisioningHarness(configuration: c, module: SimulatedModule(scenario: .assignedFast)).run()
        #expect(run.outcome.exitCode == 0, "\(run.outcome)")
        let sent = ProvisioningScenarioTests.sent(run).compactMap(\.text)
        let files = ProvisioningScenarioTests.self
        #expect(sent.filter { $0.hasPrefix("AT+USECMNG=0,") } == ["AT+USECMNG=0,2,key.pem,\(files.key.count)",
                                                                 "AT+USECMNG=0,1,cert.pem,\(files.cert.count)",
                                                                 "AT+USECMNG=0,0,ca.pem,\(files.ca.count)"])
        let url = sent.first { $0.hasPrefix("AT+UDCP=") } ?? ""
        #expect(url.hasSuffix("&ca=ca.pem&cert=cert.pem&privKey=key.pem"), "\(url)")
    }
}
