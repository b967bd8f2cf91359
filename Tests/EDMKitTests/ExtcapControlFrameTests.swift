import EDMKit
import Testing

/// Wireshark's control-pipe framing: 'T', a 3-byte big-endian length (payload + 2), the
/// control number, the command, the payload.
@Suite struct ExtcapControlFrameTests {
    @Test(arguments: ExtcapControlFrame.Command.allCases)
    func everyCommandRoundTrips(_ command: ExtcapControlFrame.Command) throws {
        let frame = ExtcapControlFrame(control: 3, command: command, text: "the host opened /tmp/ttyNINA")
        let bytes = frame.bytes
        #expect(bytes.prefix(6) == [0x54, 0, 0, 30, 3, command.rawValue])
        let decoded = try #require(try ExtcapControlFrame.decode(bytes[...]))
        #expect(decoded.frame == frame && decoded.count == bytes.count)
        #expect(decoded.frame.command == command && decoded.frame.text == "the host opened /tmp/ttyNINA")
    }

    @Test func theCommandNumbersAreWiresharks() {
        #expect(ExtcapControlFrame.Command.allCases.map(\.rawValue) == Array(0...9))
        #expect(ExtcapControlFrame.Command.statusbarMessage.rawValue == 6)
        #expect(ExtcapControlFrame.Command.errorMessage.rawValue == 9)
    }

    /// An empty payload is length 2; a payload past 65535 bytes needs all three length bytes.
    @Test func theLengthCountsControlAndCommand() throws {
        #expect(ExtcapControlFrame(control: 0, command: .initialized).bytes == [0x54, 0, 0, 2, 0, 0])
        let big = ExtcapControlFrame(control: 1, command: .add, payload: [UInt8](repeating: 0x41, count: 70_000))
        #expect(big.bytes.prefix(4) == [0x54, 0x01, 0x11, 0x72]) // 70 002
        #expect(try ExtcapControlFrame.decode(big.bytes[...])?.frame == big)
    }

    /// Every proper prefix of a frame asks for more; two frames back to back come apart.
    @Test func aTruncatedFrameWaitsForTheRest() throws {
        let first = ExtcapControlFrame(control: 255, command: .statusbarMessage, text: "unplugged").bytes
        let second = ExtcapControlFrame(control: 0, command: .set, payload: [1]).bytes
        for n in 0..<first.count { #expect(try ExtcapControlFrame.decode(first[..<n]) == nil, "\(n) bytes") }
        let both = first + second
        let one = try #require(try ExtcapControlFrame.decode(both[...]))
        #expect(one.count == first.count)
        #expect(try ExtcapControlFrame.decode(both[one.count...])?.frame.payload == [1])
    }

    @Test func badFramesAreErrors() {
        #expect(throws: ExtcapControlFrame.DecodeError.badSync(0x41)) {
            try ExtcapControlFrame.decode([0x41, 0, 0, 2, 0, 0][...])
        }
        #expect(throws: ExtcapControlFrame.DecodeError.badLength(1)) {
            try ExtcapControlFrame.decode([0x54, 0, 0, 1, 0][...])
        }
    }

    /// A command Wireshark may add later is kept as a byte, so a reader can skip it.
    @Test func anUnknownCommandIsKept() throws {
        let decoded = try #require(try ExtcapControlFrame.decode([0x54, 0, 0, 3, 7, 42, 9][...]))
        #expect(decoded.frame.command == nil && decoded.frame.commandByte == 42 && decoded.frame.payload == [9])
    }
}
