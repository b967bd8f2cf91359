import Testing
@testable import EDMKit

@Suite struct EDMFrameTests {
    @Test func startEventRoundTrips() throws {
        let bytes: [UInt8] = [0xAA, 0x00, 0x02, 0x00, 0x71, 0x55]
        let frame = try EDMFrame(validating: bytes[...])
        #expect(frame.payloadID == .startEvent)
        #expect(frame.body.isEmpty)
        #expect(EDMEncoder.startEvent() == bytes)
    }
}
