import Testing
@testable import EDMKit

@Suite struct RedactorTests {
    func unit(_ bytes: [UInt8], direction: Direction = .host, after: [UInt8] = []) -> SessionUnit {
        var decoder = SessionDecoder()
        decoder.receive(time: .zero, direction: direction, bytes: (after + bytes)[...])
        decoder.finish()
        var last: SessionUnit?
        while let u = decoder.next() { last = u }
        return last!
    }

    @Test func passphraseInAnEDMRequestKeepsTheFrameValid() throws {
        let redacted = unit(EDMEncoder.atRequest("AT+UWSC=0,8,secret pass\r")).redacted
        let frame = try EDMFrame(validating: redacted.bytes)
        #expect(String(decoding: frame.body, as: UTF8.self) == "AT+UWSC=0,8,***********\r")
    }

    @Test func passphraseInCommandMode() {
        #expect(Array(unit(Array("AT+UWSC=0,8,\"a,b\"\r".utf8)).redacted.bytes) == Array("AT+UWSC=0,8,*****\r".utf8))
    }

    @Test func privateKeyBytesAreAllFiller() {
        let key = Array("-----BEGIN PRIVATE KEY-----\nabc\n".utf8)
        let u = unit(key, after: Array("AT+USECMNG=0,2,key.pem,\(key.count)\r".utf8))
        #expect(u.type == "payload" && u.credential?.type == 2)
        #expect(Array(u.redacted.bytes) == [UInt8](repeating: 0x2A, count: key.count))
        // A certificate is not a secret.
        let cert = unit(key, after: Array("AT+USECMNG=0,1,cert.pem,\(key.count)\r".utf8))
        #expect(!cert.holdsSecret)
    }

    @Test func otherCommandsAreLeftAlone() {
        #expect(!unit(Array("AT+UWSC=0,2,MySSID\r".utf8)).holdsSecret)
        #expect(!unit(EDMEncoder.atRequest("AT+UDCP=mqtt://h:8883/?client=x\r")).holdsSecret)
    }
}
