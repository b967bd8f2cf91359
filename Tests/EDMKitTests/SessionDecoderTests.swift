import Testing
@testable import EDMKit

@Suite struct SessionDecoderTests {
    static let whole = Chunking.decode(ReferenceSession.records)

    @Test func unitsCoverEachDirectionExactly() {
        for direction in Direction.allCases {
            let bytes = Self.whole.units.filter { $0.direction == direction }.flatMap(\.bytes)
            #expect(bytes == ReferenceSession.stream(direction))
        }
    }

    @Test func followsTheModesOfTheReferenceSession() {
        let units = Self.whole.units
        let summary = units.map { "\($0.direction!.rawValue) \($0.layer)/\($0.type)" }
        // Command mode: noise, +STARTUP, commands with echo and final, prompt and payload.
        #expect(
            summary.prefix(6) == [
                "module raw/noise", "module at/urc", "host at/command", "module at/echo", "module at/final",
                "host at/command"
            ])
        #expect(units.filter { $0.type == "payload" }.map(\.bytes.count) == [1261, 1224, 1704])
        #expect(units.filter { $0.type == "prompt" }.count == 3)
        #expect(
            units.filter { $0.type == "response" }.map(\.text) == [
                #"+USECMNG:0,0,"ca.pem","ACB694A59C17E0D791529BB19706A6E4""#,
                #"+USECMNG:0,1,"cert.pem","9A1F95B8D512FA0ED075DD2B794ECB2A""#,
                #"+USECMNG:0,2,"key.pem","695D5D1EBB1DDBD0C6F2C128BAEB7F34""#
            ])
        // EDM after ATO2/OK, both ways, and back to text after AT+CPWROFF.
        #expect(units.filter { $0.layer == "edm" }.count == 27)
        #expect(units.filter { $0.layer == "edm" && $0.direction == .host }.count == 10)
        #expect(Array(summary.suffix(3)) == ["module edm/at_confirmation", "module raw/noise", "module at/urc"])
        #expect(units.last?.text == "+STARTUP")
        #expect(units.filter { $0.type == "garbage" }.isEmpty)
        #expect(Self.whole.anomalies.isEmpty, "\(Self.whole.anomalies)")
    }

    @Test func correlatesRequestsWithReplies() {
        let units = Self.whole.units
        let udcp = units.first { $0.direction == .host && $0.text?.hasPrefix("AT+UDCP=mqtt") == true }!
        let reply = units.first { $0.reply?.request == udcp.index }!
        #expect(reply.text == "+UDCP:2\r\nOK")
        #expect(reply.reply?.latency == .milliseconds(340))
        let ato2 = units.first { $0.text == "ATO2" && $0.type == "command" }!
        #expect(units.first { $0.reply?.request == ato2.index }?.reply?.latency == .milliseconds(10))
        // Every host request got its reply.
        let requests = units.filter { $0.type == "command" || $0.type == "at_request" }
        #expect(requests.count == 14)
        #expect(Set(units.compactMap(\.reply?.request)) == Set(requests.map(\.index)))
    }

    @Test func bindsChannelsToPeerHandles() {
        let units = Self.whole.units
        #expect(
            units.filter { $0.text?.hasPrefix("+UUDPC") == true }.map(\.link) == [
                SessionUnit.Link(channel: 0, peer: 2), SessionUnit.Link(channel: 1, peer: 4)
            ])
        let dataEvents = units.filter { $0.type == "data_event" }
        #expect(
            dataEvents.map(\.link) == [SessionUnit.Link(channel: 0, peer: 2), SessionUnit.Link(channel: 0, peer: 2)])
        #expect(
            units.filter { $0.type == "data_command" }.map(\.link) == [
                SessionUnit.Link(channel: 0, peer: 2), SessionUnit.Link(channel: 1, peer: 4)
            ])
    }

    /// Units appended to the caller's array (edm-decode's way) are those `next()` gives,
    /// each step after the units of the steps before, whole records or byte by byte.
    @Test func appendingGivesTheSameUnitsAsNext() {
        for records in [ReferenceSession.records, Chunking.split(ReferenceSession.records) { _ in 1 }] {
            var decoder = SessionDecoder()
            var units: [SessionUnit] = []
            for record in records {
                decoder.receive(
                    time: record.time, direction: record.direction, bytes: record.bytes[...], appendingTo: &units)
            }
            decoder.finish(appendingTo: &units)
            #expect(units.map(UnitSnapshot.init) == Self.whole.units)
            #expect(decoder.next() == nil)
        }
    }

    @Test func byteByByteGivesTheSameUnits() {
        #expect(Chunking.decode(Chunking.split(ReferenceSession.records) { _ in 1 }).units == Self.whole.units)
    }

    @Test(arguments: [1, 2, 3, 7, 42, 1000])
    func randomChunkingGivesTheSameUnits(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let records = Chunking.split(ReferenceSession.records) { _ in Int.random(in: 1...64, using: &rng) }
        #expect(Chunking.decode(records) == Self.whole)
    }

    /// Every record cut in two at every index, one record at a time.
    @Test func everySplitPointGivesTheSameUnits() {
        let records = ReferenceSession.records
        for (r, record) in records.enumerated() where record.bytes.count > 1 {
            for cut in stride(from: 1, to: record.bytes.count, by: record.bytes.count > 200 ? 37 : 1) {
                var split = records
                split[r] = TraceRecord(
                    time: record.time, direction: record.direction, bytes: Array(record.bytes[..<cut]))
                split.insert(
                    TraceRecord(time: record.time, direction: record.direction, bytes: Array(record.bytes[cut...])),
                    at: r + 1)
                let units = Chunking.decode(split).units
                if units != Self.whole.units {
                    Issue.record("record \(r) cut at \(cut) changes the units")
                    return
                }
            }
        }
    }

    /// A capture of the module's side alone still follows it into EDM (its echo of ATO2)
    /// and back (+STARTUP), and does not complain about replies without requests.
    @Test func moduleSideAloneFollowsTheModes() {
        let (units, anomalies) = Chunking.decode([
            TraceRecord(time: .zero, direction: .module, bytes: ReferenceSession.stream(.module))
        ])
        #expect(units.filter { $0.layer == "edm" }.count == 17)
        // The reboot's noise is seen from EDM (nobody asked for the reboot on this side).
        #expect(units.filter { $0.type == "garbage" }.map(\.bytes.count) == [1, 2])
        #expect(units.last?.text == "+STARTUP" && anomalies.isEmpty)
    }

    /// Without the host's side, the module's echo stands for the request: the information
    /// line after an echoed AT+USECMNG is its response, not a URC.
    @Test func moduleSideAloneTiesResponsesToEchoedCommands() {
        let (units, _) = Chunking.decode([
            TraceRecord(time: .zero, direction: .module, bytes: ReferenceSession.stream(.module))
        ])
        let credentialLines = units.filter { $0.text?.hasPrefix("+USECMNG:") == true }
        #expect(
            credentialLines.count == 3 && credentialLines.allSatisfy { $0.type == "response" },
            "\(credentialLines.map(\.type))")
        #expect(units.filter { $0.type == "urc" }.allSatisfy { $0.text == "+STARTUP" })
    }

    /// An information line after the echoed command's final result is a URC again, and one
    /// of another name than the echoed command is a URC.
    @Test func echoedCommandEndsWithItsFinalResult() {
        let text =
            "AT+USECMNG=4,0,ca\r\r\n+UUNU:0\r\n\r\n+USECMNG:4,0,\"ca\",\"AB\"\r\n\r\nOK\r\n\r\n+USECMNG:4,0,\"ca\",\"AB\"\r\n"
        let (units, _) = Chunking.decode([TraceRecord(time: .zero, direction: .module, bytes: Array(text.utf8))])
        #expect(units.map(\.type) == ["echo", "urc", "response", "final", "urc"])
    }

    @Test func captureStartingInEDMIsDetected() {
        let frames = EDMEncoder.atConfirmation("\r\nOK\r\n") + EDMEncoder.dataEvent(channel: 1, data: Array("x".utf8))
        let tail = Array(EDMEncoder.atEvent("\r\n+UUNU:0\r\n").suffix(4))
        let (units, _) = Chunking.decode([TraceRecord(time: .zero, direction: .module, bytes: tail + frames)])
        // The frame's tail before it is text cut at its CR: noise, since no mode is known yet.
        #expect(units.map(\.type) == ["noise", "noise", "at_confirmation", "data_event"])
        #expect(units.map(\.offset) == [0, 2, 4, 16])
    }

    @Test func unexpectedRebootInEDMIsAnAnomaly() {
        let records = [
            TraceRecord(time: .zero, direction: .module, bytes: EDMEncoder.atEvent("\r\n+UUNU:0\r\n")),
            TraceRecord(time: .seconds(1), direction: .host, bytes: EDMEncoder.atRequest("AT+UDCP=x\r")),
            TraceRecord(time: .seconds(2), direction: .module, bytes: [0x11, 0x9A] + Array("\r\n+STARTUP\r\n".utf8)),
            TraceRecord(time: .seconds(3), direction: .module, bytes: Array("\r\nOK\r\n".utf8)),
        ]
        let (units, anomalies) = Chunking.decode(records)
        #expect(units.map(\.type) == ["at_event", "at_request", "garbage", "urc", "final"])
        #expect(anomalies.map(\.code) == [.unexpectedReboot, .unsolicitedReply])
    }

    @Test func unansweredRequestIsAnAnomaly() {
        let records = [
            TraceRecord(time: .zero, direction: .host, bytes: Array("AT\r".utf8)),
            TraceRecord(time: .seconds(1), direction: .host, bytes: Array("ATE0\r".utf8)),
            TraceRecord(time: .seconds(2), direction: .module, bytes: Array("\r\nOK\r\n".utf8)),
        ]
        let (units, anomalies) = Chunking.decode(records)
        #expect(
            anomalies == [SessionAnomaly(.unanswered, unit: 0, message: "no final result to  before the next command")])
        #expect(units[2].reply == SessionUnit.Reply(request: 1, latency: .seconds(1)))
    }

    /// Noise in EDM that holds a `>` after a line break is garbage, not a prompt: the stream
    /// stays in EDM and the frames after it are still frames, however the bytes are split.
    @Test func aRawPromptByteInEDMIsNoise() {
        let ok = EDMEncoder.atConfirmation("\r\nOK\r\n")
        let input = ok + [0x0D, 0x0A, UInt8(ascii: ">"), 0x20] + ok + ok
        for cut in 0...input.count {
            var decoder = SessionDecoder()
            decoder.receive(time: .zero, direction: .module, bytes: input[..<cut])
            decoder.receive(time: .zero, direction: .module, bytes: input[cut...])
            decoder.finish()
            var kinds: [String] = []
            while let unit = decoder.next() { kinds.append(unit.layer + "/" + unit.type) }
            #expect(kinds.filter { $0 == "edm/at_confirmation" }.count == 3, "cut at \(cut): \(kinds)")
            #expect(!kinds.contains("at/prompt"), "cut at \(cut): \(kinds)")
        }
    }
}
