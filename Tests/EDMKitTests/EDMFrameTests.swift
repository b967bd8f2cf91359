import Testing
@testable import EDMKit

/// The test vectors of docs/protocol.md, each decoded to its stated meaning and re-encoded.
@Suite struct EDMFrameTests {
    static func bytes(_ hex: String) -> [UInt8] {
        hex.split(separator: " ").map { UInt8($0, radix: 16)! }
    }

    func decodeOne(_ hex: String) throws -> EDMFrame {
        try EDMFrame(validating: Self.bytes(hex)[...])
    }

    @Test func startEvent() throws {
        let frame = try decodeOne("AA 00 02 00 71 55")
        #expect(frame.payloadID == .startEvent && frame.body.isEmpty)
        #expect(EDMEncoder.startEvent() == Array(frame.bytes))
    }

    @Test func bluetoothConnect() throws {
        let frame = try decodeOne("AA 00 0D 00 11 03 01 0E 11 BB 33 44 55 66 01 66 55")
        let event = try #require(frame.connectEvent)
        #expect(
            event
                == EDMConnectEvent(
                    channel: 3,
                    link: .bluetooth(profile: 14, address: [0x11, 0xBB, 0x33, 0x44, 0x55, 0x66], frameSize: 358)))
        #expect(event.summary == "Bluetooth SPS 11BB33445566, frame size 358")
        #expect(EDMEncoder.connectEvent(event) == Array(frame.bytes))
    }

    @Test func junkThenIPv4Connect() {
        let input = Self.bytes("00 AA 00 11 00 11 05 02 00 C0 A8 00 02 13 88 C0 A8 00 01 0F A0 55")
        var decoder = EDMStreamDecoder()
        var buffer = input[...]
        let first = decoder.decode(&buffer)
        #expect(first == .garbage(input[0..<1], EDMDiagnostic(.noStartByte, offset: 0, count: 1)))
        guard case .frame(let frame, let offset)? = decoder.decode(&buffer) else {
            Issue.record("expected the frame after one junk byte")
            return
        }
        #expect(offset == 1 && buffer.isEmpty)
        let event = EDMConnectEvent(
            channel: 5,
            link: .ipv4(
                protocol: 0, remote: [192, 168, 0, 2], remotePort: 5000, local: [192, 168, 0, 1], localPort: 4000))
        #expect(frame.connectEvent == event)
        #expect(event.summary == "IPv4 TCP remote 192.168.0.2:5000 local 192.168.0.1:4000")
        #expect(EDMEncoder.connectEvent(event) == Array(input.dropFirst()))
    }

    @Test func ipv6Connect() throws {
        let frame = try decodeOne(
            "AA 00 29 00 11 05 03 00 FE 80 00 00 00 00 00 00 00 00 00 00 00 00 00 02 "
                + "13 88 FE 80 00 00 00 00 00 00 00 00 00 00 00 00 00 01 0F A0 55"
        )
        let event = try #require(frame.connectEvent)
        #expect(event.summary == "IPv6 TCP remote [fe80::2]:5000 local [fe80::1]:4000")
        #expect(EDMEncoder.connectEvent(event) == Array(frame.bytes))
    }

    @Test func disconnectDataAndResend() throws {
        let disconnect = try decodeOne("AA 00 03 00 21 03 55")
        #expect(disconnect.payloadID == .disconnectEvent && disconnect.channel == 3)
        #expect(EDMEncoder.disconnectEvent(channel: 3) == Array(disconnect.bytes))

        let event = try decodeOne("AA 00 05 00 31 03 12 34 55")
        #expect(event.payloadID == .dataEvent && event.channel == 3 && event.data.map(Array.init) == [0x12, 0x34])
        #expect(EDMEncoder.dataEvent(channel: 3, data: [0x12, 0x34]) == Array(event.bytes))

        let command = try decodeOne("AA 00 05 00 36 03 12 34 55")
        #expect(
            command.payloadID == .dataCommand && command.channel == 3 && command.data.map(Array.init) == [0x12, 0x34])
        #expect(EDMEncoder.dataCommand(channel: 3, data: [0x12, 0x34]) == Array(command.bytes))

        let resend = try decodeOne("AA 00 02 00 56 55")
        #expect(resend.payloadID == .resendConnectEvents)
        #expect(EDMEncoder.resendConnectEvents() == Array(resend.bytes))
    }

    @Test func atFrames() throws {
        let urc = try decodeOne("AA 00 0E 00 41 2B 55 55 44 50 44 3A 33 2C 31 0D 0A 55")
        #expect(urc.payloadID == .atEvent && urc.atText.map { String(decoding: $0, as: UTF8.self) } == "+UUDPD:3,1\r\n")
        #expect(EDMEncoder.atEvent("+UUDPD:3,1\r\n") == Array(urc.bytes))

        let request = try decodeOne("AA 00 05 00 44 41 54 0D 55")
        #expect(request.payloadID == .atRequest && request.atText.map(Array.init) == Array("AT\r".utf8))
        #expect(EDMEncoder.atRequest("AT\r") == Array(request.bytes))

        let hardware = try decodeOne(
            "AA 00 2E 00 41 0D 0A 2B 55 55 44 50 43 3A 32 2C 32 2C 31 2C 30 2E 30 2E 30 2E "
                + "30 2C 30 2C 31 36 32 2E 31 35 39 2E 32 30 30 2E 31 2C 31 32 33 0D 0A 55"
        )
        let text = "\r\n+UUDPC:2,2,1,0.0.0.0,0,162.159.200.1,123\r\n"
        #expect(hardware.atText.map { String(decoding: $0, as: UTF8.self) } == text)
        #expect(EDMEncoder.atEvent(text) == Array(hardware.bytes))
    }

    @Test func unknownIDIsKept() throws {
        let frame = try decodeOne("AA 00 04 0F F1 01 02 55")
        #expect(!frame.payloadID.isKnown && frame.payloadID.jsonName == "unknown")
        #expect(frame.payloadID.name == "Unknown 0x0FF1" && Array(frame.body) == [1, 2])
        #expect(EDMEncoder.frame(EDMPayloadID(rawValue: 0x0FF1), body: [1, 2]) == Array(frame.bytes))
    }

    @Test func validationNamesTheProblem() {
        #expect(throws: EDMDiagnostic(.badStopByte, offset: 0, count: 6)) {
            try EDMFrame(validating: Self.bytes("AA 00 02 00 71 54")[...])
        }
        #expect(throws: EDMDiagnostic(.invalidLength, offset: 0, count: 5)) {
            try EDMFrame(validating: Self.bytes("AA 00 01 00 55")[...])
        }
        #expect(throws: EDMDiagnostic(.reservedBitsSet, offset: 0, count: 6)) {
            try EDMFrame(validating: Self.bytes("AA 10 02 00 71 55")[...])
        }
        #expect(throws: EDMDiagnostic(.truncated, offset: 0, count: 5)) {
            try EDMFrame(validating: Self.bytes("AA 00 02 00 71")[...])
        }
        #expect(throws: EDMDiagnostic(.trailingBytes, offset: 6, count: 1)) {
            try EDMFrame(validating: Self.bytes("AA 00 02 00 71 55 00")[...])
        }
    }

    /// A decoded frame is a view: its body lives in the caller's buffer, not in a copy.
    @Test func decodingCopiesNothing() {
        let input = EDMEncoder.dataEvent(channel: 0, data: Array("{\"status\":\"assigning\"}".utf8))
        var decoder = EDMStreamDecoder()
        var buffer = input[...]
        guard case .frame(let frame, _)? = decoder.decode(&buffer) else {
            Issue.record("no frame")
            return
        }
        input.withUnsafeBufferPointer { whole in
            frame.data!.withUnsafeBufferPointer { data in
                #expect(data.baseAddress == whole.baseAddress! + 6)
                #expect(data.count == input.count - 7)
            }
        }
    }
}
