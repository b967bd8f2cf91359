import Testing
@testable import EDMKit

/// The machine against the simulator, every scenario, in simulated time.
@Suite struct ProvisioningScenarioTests {
    static let ca = Array("-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n".utf8)
    static let cert = Array("-----BEGIN CERTIFICATE-----\nsim-device\n-----END CERTIFICATE-----\n".utf8)
    static let key = Array("-----BEGIN PRIVATE KEY-----\nsecret-key-bytes\n-----END PRIVATE KEY-----\n".utf8)
    static let passphrase = Array("correct horse battery".utf8)

    static var configuration: ProvisioningConfiguration {
        ProvisioningConfiguration(
            idScope: "0ne00000001", registrationID: "sim-device",
            credentials: [.init(type: .rootCA, name: "ca.pem", bytes: ca),
                          .init(type: .clientCertificate, name: "cert.pem", bytes: cert),
                          .init(type: .clientPrivateKey, name: "key.pem", bytes: key)],
            ssid: "lab", passphrase: passphrase)
    }

    /// The host's configuration for a scenario: X.509, or a SAS token with the root CA alone.
    static func configuration(for scenario: SimulatorScenario) -> ProvisioningConfiguration {
        var c = configuration
        if let attestation = scenario.sasAttestation(idScope: c.idScope, registrationID: c.registrationID) {
            c.attestation = attestation
            c.credentials = [c.credentials[0]]
        }
        return c
    }

    static func run(_ scenario: SimulatorScenario, seed: UInt64 = 1, store: [StoredCredential] = [],
                    chunking: ProvisioningHarness<SimulatedModule>.Chunking = .whole) -> ProvisioningRun {
        var harness = ProvisioningHarness(configuration: configuration(for: scenario),
                                          module: SimulatedModule(scenario: scenario, seed: seed, store: store))
        harness.chunking = chunking
        return harness.run()
    }

    static let expected: [SimulatorScenario: Int32] = [
        .assigned: 0, .assignedFast: 0, .failed: 2, .disabled: 2, .unauthorized: 2, .throttled: 0,
        .wrongPassphrase: 5, .noNetwork: 3, .mqttRefused: 5, .dpsSilent: 3, .noisyLine: 0, .reboot: 4,
        .leftoverEDM: 0, .slow: 0, .sas: 0, .sasGroupKey: 2, .sasExpired: 2, .sasTooLong: 4,
    ]

    static func sent(_ run: ProvisioningRun) -> [UnitSnapshot] {
        Chunking.decode(run.records).units.filter { $0.direction == .host }
    }

    @Test(arguments: SimulatorScenario.allCases)
    func scenarioEndsInItsOutcome(_ scenario: SimulatorScenario) {
        let run = Self.run(scenario)
        #expect(run.outcome.exitCode == Self.expected[scenario], "\(scenario): \(run.outcome)")
        let sent = Self.sent(run)
        // The passphrase went out exactly once (zero times if Wi-Fi was never reached).
        #expect(sent.filter { $0.text?.hasPrefix("AT+UWSC=0,8,") == true }.count == 1)
        // Whenever the module was still in EDM at the end, the run closed its peers and rebooted it.
        let decoded = Chunking.decode(run.records).units
        if scenario != .reboot {
            #expect(sent.last?.text == "AT+CPWROFF", "\(scenario) did not end with AT+CPWROFF")
            #expect(decoded.last?.text == "+STARTUP", "\(scenario): the module did not come back to command mode")
            let connected = decoded.compactMap { $0.text?.hasPrefix("+UUDPC:") == true ? $0.link?.peer : nil }
            let closed = sent.compactMap { $0.text?.hasPrefix("AT+UDCPC=") == true ? Int($0.text!.dropFirst(9)) : nil }
            #expect(
                Set(connected).isSubset(of: Set(closed)), "\(scenario): peers \(connected) left open (closed \(closed))"
            )
        }
    }

    @Test func assignedNamesTheHubAndDevice() {
        guard case .assigned(let hub, let device, _, _) = Self.run(.assigned).outcome else {
            Issue.record("not assigned")
            return
        }
        #expect(hub == "sim-hub.azure-devices.net" && device == "sim-device")
    }

    @Test func credentialsAreSkippedWhenTheirMD5Matches() {
        let fresh = Self.sent(Self.run(.assignedFast))
        #expect(fresh.filter { $0.type == "payload" }.map(\.bytes) == [Self.ca, Self.cert, Self.key])
        let stored = [
            StoredCredential(kind: .rootCA, name: "ca.pem", bytes: Self.ca),
            StoredCredential(kind: .clientCertificate, name: "cert.pem", bytes: Array("an older certificate".utf8)),
            StoredCredential(kind: .clientPrivateKey, name: "key.pem", bytes: Self.key)
        ]
        let run = Self.run(.assignedFast, store: stored)
        #expect(run.outcome.exitCode == 0)
        #expect(Self.sent(run).filter { $0.type == "payload" }.map(\.bytes) == [Self.cert])
        let notes = run.actions.compactMap { if case .note(let note) = $0 { note } else { nil } }
        #expect(notes == [.credentialAlreadyStored(.rootCA, name: "ca.pem", md5: stored[0].md5),
                          .credentialAlreadyStored(.clientPrivateKey, name: "key.pem", md5: stored[2].md5)])
    }

    @Test func pollsRespectThePacing() {
        var c = Self.configuration
        c.pollInterval = .seconds(3)
        var harness = ProvisioningHarness(
            configuration: c, module: SimulatedModule(scenario: .assigned, seed: 4, dps: .init(pollsUntilDone: 5)))
        harness.chunking = .whole
        let run = harness.run()
        #expect(run.outcome.exitCode == 0)
        let polls = Self.sent(run).filter { $0.type == "data_command" && $0.bytes.count == 8 }.map(\.time)
        #expect(polls.count == 5)
        #expect(zip(polls, polls.dropFirst()).allSatisfy { $1 - $0 >= .seconds(3) }, "\(polls)")
    }

    @Test func throttlingBacksOff() {
        let run = Self.run(.throttled)
        #expect(run.outcome.exitCode == 0)
        let registers = Self.sent(run).filter { $0.type == "data_command" && $0.text == nil && $0.bytes.count > 8 }.map(
            \.time)
        #expect(registers.count == 2)
        #expect(registers[1] - registers[0] >= RetryPolicy().initialDelay)
        let notes = run.actions.compactMap { if case .note(let note) = $0 { note } else { nil } }
        guard case .retrying(let answer, let backoff) = notes.first, notes.count == 1 else {
            Issue.record("expected one retry note, got \(notes)")
            return
        }
        #expect(answer.errorCode == 429001 && registers[1] - registers[0] >= backoff)
        #expect(notes[0].message.hasSuffix("; retrying in \(seconds(backoff)) s"))
    }

    @Test(arguments: [SimulatorScenario.assigned, .noisyLine, .throttled, .leftoverEDM])
    func runIsIdenticalAcrossRepetitionsAndChunkings(_ scenario: SimulatorScenario) {
        let whole = Self.run(scenario, seed: 9)
        #expect(Self.run(scenario, seed: 9).records == whole.records)
        for chunking: ProvisioningHarness<SimulatedModule>.Chunking in [
            .bytes, .random(seed: 3, max: 17), .random(seed: 8, max: 300)
        ] {
            let run = Self.run(scenario, seed: 9, chunking: chunking)
            #expect(run.outcome == whole.outcome)
            #expect(
                run.records.filter { $0.direction == .host } == whole.records.filter { $0.direction == .host },
                "\(scenario) \(chunking)")
        }
    }

    /// For random seeds and scenarios: always finishes, never waits without a deadline,
    /// and never sends a frame the module would reject.
    @Test func propertiesHoldForRandomSeeds() {
        var rng = SplitMix64(seed: 2026)
        for _ in 0..<60 {
            let scenario = SimulatorScenario.allCases[Int(rng.next() % UInt64(SimulatorScenario.allCases.count))]
            let seed = rng.next()
            var c = Self.configuration(for: scenario)
            c.pollInterval = .milliseconds(2000 + Int64(rng.next() % 4000))
            c.seed = seed
            var harness = ProvisioningHarness(
                configuration: c,
                module: SimulatedModule(
                    scenario: scenario, seed: seed, dps: .init(pollsUntilDone: 1 + Int(rng.next() % 4))))
            harness.chunking = .random(seed: seed, max: 1 + Int(rng.next() % 64))
            let run = harness.run()
            #expect(run.outcome.exitCode == Self.expected[scenario], "\(scenario) seed \(seed): \(run.outcome)")
            #expect(
                run.actions.contains { if case .finished = $0 { true } else { false } },
                "\(scenario) seed \(seed) did not finish")
            // Every wake-up time is in the future of the step that asked for it.
            #expect(
                !run.actions.isEmpty
                    && run.actions.allSatisfy { if case .wake(let at) = $0 { at <= .seconds(1000) } else { true } })
            let hostUnits = Self.sent(run)
            #expect(
                hostUnits.allSatisfy { $0.diagnostic == nil && $0.type != "garbage" },
                "\(scenario) seed \(seed): the host sent bad bytes")
        }
    }
}
