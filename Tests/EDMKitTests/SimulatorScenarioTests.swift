import Testing
@testable import EDMKit

/// Each scenario's distinctive behaviour, through the compact flow of SimulatorHarness+DPSFlow.
@Suite struct SimulatorScenarioTests {
    static func registered(_ scenario: SimulatorScenario, seed: UInt64 = 0) -> SimulatorHarness {
        var h = SimulatorHarness(flow: scenario, seed: seed)
        h.register()
        return h
    }

    static func errorCode(_ body: String) -> Int? {
        guard let r = body.range(of: #""errorCode":"#) else { return nil }
        return Int(body[r.upperBound...].prefix { $0.isNumber })
    }

    @Test func assignedAfterTheConfiguredPoll() {
        var h = Self.registered(.assigned)
        h.openPollPeer()
        h.poll(atMS: 9000)
        h.poll(atMS: 12000)
        h.run(untilMS: 13000)
        let statuses = h.dataEvents.map { SimulatorHarness.jsonString("status", in: $0.text) }
        #expect(statuses == ["assigning", "assigning", "assigned"])
        #expect(h.dataEvents.allSatisfy { $0.channel == 0 })
        #expect(h.texts("at_event").contains("+UUDPC:4,2,6,0.0.0.0,0,20.43.44.164,8883"))
    }

    @Test(arguments: [(SimulatorScenario.failed, "failed"), (.disabled, "disabled"), (.assignedFast, "assigned")])
    func terminalStatusOnTheFirstPoll(scenario: SimulatorScenario, status: String) {
        var h = Self.registered(scenario, seed: 1)
        h.openPollPeer()
        h.poll(atMS: 9000)
        if scenario != .assignedFast { h.poll(atMS: 12000) }
        h.run(untilMS: 13000)
        let last = h.dataEvents.last?.text ?? ""
        #expect(SimulatorHarness.jsonString("status", in: last) == status)
        if scenario == .failed { #expect(Self.errorCode(last) == 400207) }
    }

    @Test func unauthorizedAnswers401002() {
        let h = Self.registered(.unauthorized)
        let body = h.dataEvents.first?.text ?? ""
        #expect(Self.errorCode(body) == 401002)
        #expect(SimulatorHarness.jsonString("message", in: body) == "Invalid certificate.")
        #expect(SimulatorHarness.jsonString("operationId", in: body) == nil)
    }

    @Test func throttledFirstThenAccepted() {
        var h = Self.registered(.throttled)
        #expect(Self.errorCode(h.dataEvents.first?.text ?? "") == 429001)
        h.publish(channel: 0, SimulatorHarness.registration, atMS: 10000)
        h.run(untilMS: 11000)
        #expect(h.dataEvents.count == 2)
        #expect(SimulatorHarness.jsonString("status", in: h.dataEvents.last?.text ?? "") == "assigning")
    }

    @Test func pollingFasterThanTheQuotaIsThrottled() {
        var h = SimulatorHarness(flow: .assigned, seed: 2, dps: SimulatedDPS.Configuration(pollsUntilDone: 100))
        h.register()
        h.openPollPeer()
        for i in 0..<6 { h.poll(atMS: 8000 + 500 * i) }
        h.poll(atMS: 8000 + 10_600)
        h.run(untilMS: 20000)
        let codes = h.dataEvents.dropFirst().map { Self.errorCode($0.text) }
        #expect(codes == [nil, nil, nil, nil, nil, 429001, nil])
    }

    @Test func unknownOperationIsNotFound() {
        var h = Self.registered(.assigned)
        h.request("AT+UDUV=0,$dps/registrations/GET/iotdps-get-operationstatus/?$rid=1&operationId=5.nope", atMS: 7500)
        h.request("AT+UDCP=" + SimulatorHarness.pollURL, atMS: 7520)
        h.poll(atMS: 9000)
        h.run(untilMS: 10000)
        #expect(Self.errorCode(h.dataEvents.last?.text ?? "") == 404201)
    }

    @Test func dpsSilentNeverAnswers() {
        var h = Self.registered(.dpsSilent)
        h.run(untilMS: 60000)
        #expect(h.dataEvents.isEmpty)
        #expect(h.moduleUnits.contains { $0.type == "connect_event" })
    }

    @Test func wrongPassphraseReportsASecurityProblem() {
        var h = SimulatorHarness(flow: .wrongPassphrase)
        h.joinWiFi()
        h.run(untilMS: 10000)
        #expect(h.texts("at_event") == ["+UUWLD:0,4"])
        #expect(h.moduleUnits.first { $0.text == "+UUWLD:0,4" }?.time == .milliseconds(200 + 31 + 2864))
    }

    @Test func noNetworkStaysSilent() {
        var h = SimulatorHarness(flow: .noNetwork)
        h.joinWiFi()
        h.run(untilMS: 60000)
        #expect(h.texts("at_event").isEmpty)
        #expect(h.texts("at_confirmation") == ["OK", "OK", "OK", "OK"])
    }

    @Test func mqttRefusedDisconnectsThePeer() {
        let h = Self.registered(.mqttRefused)
        #expect(h.texts("at_confirmation").last == "+UDCP:2\r\nOK")
        #expect(h.texts("at_event").last == "+UUDPD:2")
        #expect(!h.moduleUnits.contains { $0.type == "connect_event" })
        #expect(h.dataEvents.isEmpty)
    }

    @Test func missingCredentialRefusesThePeer() {
        var h = SimulatorHarness(.assigned, store: Array(SimulatorHarness.credentials.prefix(2)))
        h.joinWiFi()
        h.request("AT+UDCP=" + SimulatorHarness.registerURL, atMS: 3200)
        h.run(untilMS: 8000)
        #expect(h.texts("at_event").last == "+UUDPD:2")
        #expect(h.module.log.contains { $0.contains("no privKey credential named key.pem") })
    }

    @Test func closingAPeerSendsDisconnectThenUUDPD() {
        var h = Self.registered(.assigned)
        h.request("AT+UDCPC=2", atMS: 8000)
        h.run(untilMS: 9000)
        let tail = h.moduleUnits.suffix(3).map { $0.type + " " + ($0.text ?? "") }
        #expect(tail == ["at_confirmation OK", "disconnect_event ", "at_event +UUDPD:2"])
    }

    @Test func leftoverEDMIgnoresPlainATButAnswersAnATRequest() {
        var h = SimulatorHarness(.leftoverEDM)
        h.send("AT\r", atMS: 0)
        h.run(untilMS: 1000)
        #expect(h.moduleBytes.isEmpty)
        h.request("AT", atMS: 1000)
        h.run(untilMS: 2000)
        #expect(h.moduleBytes == EDMEncoder.atConfirmation("\r\nOK\r\n"))
        h.request("AT+CPWROFF", atMS: 2000)
        h.send("AT\r", atMS: 5000)
        h.run(untilMS: 6000)
        #expect(h.texts("urc") == ["+STARTUP"])
        #expect(h.texts("final").last == "OK")
    }

    @Test func framesTooSoonAfterATO2AreLost() {
        var h = SimulatorHarness(.assigned)
        h.send("ATO2\r", atMS: 0)
        h.request("AT", atMS: 20)
        h.request("AT", atMS: 100)
        h.run(untilMS: 200)
        #expect(h.texts("at_confirmation") == ["OK"])
        #expect(h.module.log.contains { $0.contains("lost") })
    }

    @Test func noisyLineCorruptsButDecodes() {
        var h = Self.registered(.noisyLine, seed: 5)
        h.openPollPeer()
        h.poll(atMS: 9000)
        h.poll(atMS: 12000)
        h.run(untilMS: 13000)
        let units = h.moduleUnits
        #expect(units.contains { $0.type == "start_event" })
        #expect(units.contains { $0.type == "garbage" })
        // Some frame went out in pieces, yet every frame decodes.
        #expect(h.moduleChunks.contains { $0.bytes.first == 0xAA && (try? EDMFrame(validating: $0.bytes[...])) == nil })
        #expect(SimulatorHarness.jsonString("status", in: h.dataEvents.last?.text ?? "") == "assigned")
    }

    @Test func rebootScenarioRestartsAfterTheNetworkComesUp() {
        var h = Self.registered(.reboot)
        h.run(untilMS: 10000)
        let startup = h.moduleUnits.first { $0.text == "+STARTUP" }
        #expect(startup?.time == .milliseconds(3143 + 1500 + 2284))
        #expect(h.decoded.anomalies.contains { $0.code == .unexpectedReboot })
        #expect(!h.moduleUnits.contains { $0.type == "connect_event" })
    }

    @Test func slowTriplesTheLatencies() {
        var h = SimulatorHarness(flow: .slow)
        h.joinWiFi()
        h.run(untilMS: 20000)
        // Requests 20 ms apart now queue behind each other's 42 ms replies; the link comes
        // up 3 × 2864 ms after the activation's OK.
        let confirmations = h.moduleUnits.filter { $0.type == "at_confirmation" }.map(\.time)
        #expect(confirmations == [.milliseconds(142), .milliseconds(184), .milliseconds(226), .milliseconds(319)])
        #expect(h.moduleUnits.first { $0.text?.hasPrefix("+UUWLE") == true }?.time == .milliseconds(319 + 3 * 2864))
    }

    /// Scenarios without line trouble produce only clean units, whatever the host does.
    @Test(arguments: SimulatorScenario.allCases.filter { $0 != .noisyLine && $0 != .reboot })
    func cleanScenariosDecodeWithoutGarbage(scenario: SimulatorScenario) {
        var h = SimulatorHarness(flow: scenario, seed: 11)
        h.register()
        h.openPollPeer()
        h.poll(atMS: 9000)
        h.poll(atMS: 12000)
        h.request("AT+CPWROFF", atMS: 13000)
        h.run(untilMS: 20000)
        #expect(!h.moduleUnits.contains { $0.type == "garbage" })
        #expect(h.moduleUnits.last?.text == "+STARTUP")
    }
}

/// The noisy line's garbage is arbitrary bytes, valid-looking headers included, and the frame
/// after it still decodes: the stream decoder, given garbage and frame whole, ends on that
/// exact frame, for every kind of frame the module sends.
@Suite struct LineNoiseTests {
    @Test func garbageNeverHidesTheFrameAfterIt() {
        var rng = SplitMix64(seed: 7)
        let frames = [EDMEncoder.atConfirmation("\r\nOK\r\n"), EDMEncoder.atEvent("\r\n+UUNU:0\r\n"),
                      EDMEncoder.atConfirmation("\r\n+UDCP:2\r\nOK\r\n")]
        var headers = 0, starts = 0
        for i in 0..<3000 {
            let frame = frames[i % frames.count]
            let garbage = LineNoise.garbage(before: frame, &rng)
            #expect((1...11).contains(garbage.count))
            starts += garbage.filter { $0 == EDMFrame.start }.count
            if zip(garbage, garbage.dropFirst()).contains(where: { $0 == EDMFrame.start && $1 == 0 }) { headers += 1 }
            var decoder = EDMStreamDecoder()
            var buffer = (garbage + frame)[...]
            var last: EDMStreamUnit?
            while let unit = decoder.decode(&buffer) { last = unit }
            #expect(buffer.isEmpty && last.map { Array($0.bytes) } == frame, "garbage \(garbage) hid the frame")
        }
        #expect(headers > 500 && starts > 1000, "\(headers) valid-looking headers, \(starts) starts")
    }

    @Test(arguments: 1...24)
    func aNoisyLineStillProvisions(seed: UInt64) {
        let run = ProvisioningHarness(configuration: ProvisioningScenarioTests.configuration,
                                      module: SimulatedModule(scenario: .noisyLine, seed: seed)).run()
        #expect(run.outcome.exitCode == 0, "seed \(seed): \(run.outcome)")
    }
}
