import Testing
@testable import EDMKit

/// The simulated module against the reference session's host side, and its command mode.
@Suite struct SimulatorTests {
    static func referenceRun(seed: UInt64 = 0) -> SimulatorHarness {
        var h = SimulatorHarness(.assignedFast, seed: seed)
        h.runReferenceHost()
        return h
    }

    @Test func referenceFlowIsAssignedOnChannelZero() {
        let h = Self.referenceRun()
        let events = h.dataEvents
        #expect(events.map(\.channel) == [0, 0])
        #expect(events.first?.text.contains(#""status":"assigning""#) == true)
        let assigned = events.last?.text ?? ""
        #expect(assigned.contains(#""status":"assigned""#))
        #expect(SimulatorHarness.jsonString("assignedHub", in: assigned) == "sim-hub.azure-devices.net")
        #expect(SimulatorHarness.jsonString("deviceId", in: assigned) == "ninadps")
        #expect(SimulatorHarness.jsonString("substatus", in: assigned) == "initialAssignment")
        #expect(SimulatorHarness.jsonString("operationId", in: assigned) == h.lastOperationID)
    }

    @Test func referenceFlowKeepsTheReferenceLatencies() {
        let h = Self.referenceRun()
        let module = h.moduleUnits
        func time(_ text: String) -> Duration? { module.first { $0.text == text }?.time }
        #expect(time("+UDCP:2\r\nOK") == .milliseconds(22440))
        #expect(time("+UUWLE:0,\(h.module.bssid),\(h.module.wifiChannel)") == .milliseconds(17017))
        #expect(time("+UUDPC:2,2,6,0.0.0.0,0,20.43.44.164,8883") == .milliseconds(25726))
        #expect(module.filter { $0.type == "data_event" }.map(\.time) == [.milliseconds(26168), .milliseconds(27466)])
        #expect(module.filter { $0.type == "connect_event" }.map(\.bytes) == ReferenceSession.records
            .filter { $0.direction == .module && $0.bytes.count > 4 && $0.bytes[4] == 0x11 }.map(\.bytes))
        #expect(module.last?.text == "+STARTUP")
        #expect(module.last?.time == .milliseconds(27482 + 2284))
    }

    @Test func referenceFlowDecodesCleanly() {
        let h = Self.referenceRun()
        let decoded = h.decoded
        #expect(decoded.units.filter { $0.type == "garbage" }.isEmpty)
        #expect(decoded.anomalies.isEmpty, "\(decoded.anomalies)")
        // Echo, prompt and import result, as the reference shows them.
        #expect(h.texts("echo").prefix(3) == ["AT+UFACTORY", "AT+CPWROFF", "AT+USECMNG=0,0,ca.pem,1261"])
        #expect(h.texts("prompt").count == 3)
        let md5 = StoredCredential.md5(ReferenceSession.pem("CERTIFICATE", size: 1261))
        #expect(h.texts("response").first == "+USECMNG:0,0,\"ca.pem\",\"\(md5)\"")
    }

    @Test func sameSeedSameBytesOtherSeedOtherIDs() {
        let a = Self.referenceRun(seed: 7), b = Self.referenceRun(seed: 7), c = Self.referenceRun(seed: 8)
        #expect(a.records == b.records)
        #expect(a.module.log == b.module.log)
        #expect(a.lastOperationID != c.lastOperationID)
    }

    /// Output depends on the host's bytes and times only, not on when the driver takes it,
    /// even with line noise and jitter drawn from the seed.
    @Test func outputDoesNotDependOnWhenItIsTaken() {
        let timing = SimulatorTiming(jitter: .milliseconds(5))
        var sparse = SimulatorHarness(.noisyLine, seed: 9, store: SimulatorHarness.credentials, timing: timing)
        var dense = sparse
        sparse.register()
        var last = 0
        for record in sparse.records where record.direction == .host {
            let ms = Int(record.time / .milliseconds(1))
            while last < ms { last += 7; dense.run(untilMS: min(last, ms)) }
            dense.send(record.bytes, atMS: ms)
        }
        dense.run(untilMS: 7500)
        #expect(dense.moduleChunks == sparse.moduleChunks)
        #expect(sparse.moduleChunks.count > 20)
        #expect(sparse.moduleUnits.first { $0.text == "+UDCP:2\r\nOK" }?.time != .milliseconds(3540))
    }

    @Test func importReportsTheRealMD5() {
        var h = SimulatorHarness(.assigned)
        h.send("AT+USECMNG=0,0,abc.pem,3\r", atMS: 0)
        h.run(untilMS: 1100)
        #expect(h.moduleBytes == Array("AT+USECMNG=0,0,abc.pem,3\r\r\n>".utf8))
        h.send("abc", atMS: 1100)
        h.send("AT+USECMNG=4,0,abc.pem\r", atMS: 3200)
        h.run(untilMS: 4000)
        #expect(
            h.texts("response") == [
                #"+USECMNG:0,0,"abc.pem","900150983CD24FB0D6963F7D28E17F72""#,
                #"+USECMNG:4,0,"abc.pem","900150983CD24FB0D6963F7D28E17F72""#
            ])
        #expect(
            h.moduleChunks.first { $0.bytes.starts(with: Array("\r\n+USECMNG:0".utf8)) }?.time
                == .milliseconds(1100 + 2023))
    }

    @Test func echoFollowsATE() {
        var h = SimulatorHarness(.assigned)
        h.send("AT\r", atMS: 0)
        h.send("ATE0\r", atMS: 100)
        h.send("AT\r", atMS: 200)
        h.send("ATE1\r", atMS: 300)
        h.send("AT\r", atMS: 400)
        h.run(untilMS: 500)
        let text = String(decoding: h.moduleBytes, as: UTF8.self)
        #expect(text == "AT\r\r\nOK\r\nATE0\r\r\nOK\r\n\r\nOK\r\n\r\nOK\r\nAT\r\r\nOK\r\n")
    }

    @Test func unknownCommandsAndBadLinesAreErrors() {
        var h = SimulatorHarness(.assigned)
        h.send("AT+NOSUCH=1\r", atMS: 0)
        h.send("hello\r", atMS: 100)
        h.send("AT+USECMNG=4,0,missing.pem\r", atMS: 200)
        h.run(untilMS: 300)
        #expect(h.moduleUnits.filter { $0.type == "final" }.map(\.text) == ["ERROR", "ERROR", "ERROR"])
    }

    @Test func refusedImportDoesNotSwallowTheNextCommand() {
        var h = SimulatorHarness(.assigned)
        h.send("AT+USECMNG=0,0,big.pem,99999\rAT\r", atMS: 0)
        h.run(untilMS: 100)
        #expect(h.module.log.contains { $0.contains("bad import") })
        #expect(String(decoding: h.moduleBytes, as: UTF8.self).hasSuffix("AT\r\r\nOK\r\n"))
    }

    @Test func storedCredentialsCanBeListedQueriedAndRemoved() {
        var h = SimulatorHarness(.assigned, store: SimulatorHarness.credentials)
        h.send("ATE0\r", atMS: 0)
        h.send("AT+USECMNG=3\r", atMS: 100)
        h.send("AT+USECMNG=2,1,cert.pem\r", atMS: 200)
        h.send("AT+USECMNG=4,1,cert.pem\r", atMS: 300)
        h.run(untilMS: 400)
        let md5 = SimulatorHarness.credentials.map(\.md5)
        #expect(
            h.texts("response") == [
                "+USECMNG:3,0,\"ca.pem\",\"\(md5[0])\"", "+USECMNG:3,1,\"cert.pem\",\"\(md5[1])\"",
                "+USECMNG:3,2,\"key.pem\",\"\(md5[2])\""
            ])
        #expect(h.moduleUnits.filter { $0.type == "final" }.map(\.text) == ["OK", "OK", "OK", "ERROR"])
    }

    @Test func factoryResetErasesCredentialsAtTheNextRestart() {
        var h = SimulatorHarness(.assigned, store: SimulatorHarness.credentials)
        h.send("AT+UFACTORY\r", atMS: 0)
        h.send("AT+USECMNG=4,0,ca.pem\r", atMS: 100)
        h.send("AT+CPWROFF\r", atMS: 200)
        h.send("AT+USECMNG=4,0,ca.pem\r", atMS: 1000)
        h.send("AT+USECMNG=4,0,ca.pem\r", atMS: 3000)
        h.run(untilMS: 3100)
        let units = h.moduleUnits
        #expect(units.filter { $0.type == "final" }.map(\.text) == ["OK", "OK", "OK", "ERROR"])
        #expect(units.contains { $0.type == "noise" })
        #expect(units.filter { $0.text == "+STARTUP" }.map(\.time) == [.milliseconds(212 + 2284)])
        #expect(h.module.log.contains { $0.contains("booting") })
    }

    @Test func powerOnGreetsAfterBootNoise() {
        var h = SimulatorHarness(.assigned, seed: 3)
        h.module.powerOn(now: .zero)
        #expect(h.module.nextOutputTime == .milliseconds(60))
        h.run(untilMS: 3000)
        #expect(h.moduleUnits.dropLast().allSatisfy { $0.layer == "raw" })
        #expect(h.moduleBytes.contains { $0 >= 0x80 })
        #expect(h.texts("urc") == ["+STARTUP"])
    }

    @Test func nextOutputTimeIsTheFirstChunksTime() {
        var module = SimulatedModule(scenario: .assigned)
        #expect(module.nextOutputTime == nil)
        module.receive(Array("AT\r".utf8)[...], now: .milliseconds(5))
        #expect(module.nextOutputTime == .milliseconds(6))
        #expect(module.takeOutput(until: .milliseconds(6)).map(\.bytes) == [Array("AT\r".utf8)])
        #expect(module.nextOutputTime == .milliseconds(17))
        #expect(module.takeOutput(until: .seconds(1)).map(\.time) == [.milliseconds(17)])
        #expect(module.nextOutputTime == nil)
    }

    @Test func scenariosHaveStableNamesAndSummaries() {
        let names = SimulatorScenario.allCases.map(\.rawValue)
        #expect(
            names == [
                "assigned", "assigned-fast", "failed", "disabled", "unauthorized", "throttled", "wrong-passphrase",
                "no-network", "mqtt-refused", "dps-silent", "noisy-line", "reboot", "leftover-edm", "slow",
                "sas", "sas-group-key", "sas-expired", "sas-too-long"
            ])
        #expect(Set(SimulatorScenario.allCases.map(\.summary)).count == names.count)
        #expect(SimulatorScenario(rawValue: "leftover-edm") == .leftoverEDM)
    }
}
