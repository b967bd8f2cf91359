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
        #expect(unit(Array("AT+UWSC=0,2,MySSID\r".utf8)).redactedIfSecret == nil)
        #expect(
            unit(Array("AT+UWSC=0,8,pass\r".utf8)).redactedIfSecret.map { Array($0.bytes) }
                == Array("AT+UWSC=0,8,****\r".utf8))
        #expect(!unit(Array("AT+UWSC=0,2,MySSID\r".utf8)).holdsSecret)
        #expect(!unit(EDMEncoder.atRequest("AT+UDCP=mqtt://h:8883/?client=x\r")).holdsSecret)
    }

    /// The quick check turns a line away only when the full check finds no secret in it.
    @Test func quickCheckNeverHidesASecret() {
        let lines = [
            "AT+UWSC=0,8,pass", "at+uwsc=0,8,pass", "AT+uWsC=0, 9 ,\"p,w\"", "AT+UWSC=0,+6,k1,k2", "AT+UWSC=0,2,SSID8",
            "AT+UWSC=0,5,2", "AT+UWSC=0,8", "AT+UWSC=\"0,8\",x", "AT+UWSC?", "AT+UWSC=?", "AT+UWSC", "AT+UWSCX=0,8,p",
            "AT+USECMNG=0,2,key.pem,1704,secret", "AT+USECMNG=0,2,key.pem,1704", "at+usecmng=0,0,ca,9,\"a,b\"",
            "AT+UDUV=0,SharedAccessSignature sr=x", "AT+UDUV=0,\"SharedAccessSignature sr=x,y\"", "AT+UDUV=0,$dps/x",
            "AT+UDUV=0",
            "AT+UDCP=mqtt://h:8883/?client=x", "ATO2", "AT", "AT+\u{212A}WSC=0,8,p", "AT+UWſC=0,8,p", "AT+CPWROFF"
        ]
        for line in lines {
            let text = Array(line.utf8)[...]
            let secret = ATCatalog.secretParameterIndices(of: ATCommandLine(bytes: text))
            #expect(Redactor.mayHoldSecret(text) || secret.isEmpty, "\(line)")
        }
        // It turns away what a session sends most, without parsing.
        for line in [
            "AT+UDCP=mqtt://h:8883/?client=x", "AT+UWSC?", "at+uwsc=0,2,SSID", "AT+UWSC=0,5,2", "AT+UWSC=0,18,x",
            "AT+USECMNG=0,0,ca.pem,1261", "AT+UDUV=0,$dps/registrations/GET/x"
        ] {
            #expect(!Redactor.mayHoldSecret(Array(line.utf8)[...]), "\(line)")
        }
        for line in [
            "AT+UWSC=0,8,p", "AT+UWSC=0,008,p", "AT+UWSC=0, 2,p", "AT+USECMNG=0,2,k,1,pw",
            "AT+UDUV=1,x SharedAccessSignature"
        ] {
            #expect(Redactor.mayHoldSecret(Array(line.utf8)[...]), "\(line)")
        }
    }

    /// The same over random lines built from the pieces that matter (names in any case, tags,
    /// quotes, spaces, commas, signs, SAS tokens): never a secret the quick check turns away.
    @Test func quickCheckNeverHidesASecretInRandomLines() {
        var rng = SplitMix64(seed: 11)
        let names = ["+UWSC", "+uwsc", "+USECMNG", "+UsecMng", "+UDUV", "+udUV", "+UDCP"]
        let values = [
            "0", "6", "8", "9", "08", "+8", " 8", "8 ", "\"8\"", "\"0", "2", "5", "18", "", "x", "\"a,b\"", " ",
            "SharedAccessSignature sr=a", "\"SharedAccessSignature x\"", "sharedaccesssignature", "key.pem", "\\", "=",
            "?"
        ]
        var secrets = 0
        for _ in 0..<20_000 {
            let parameters = (0..<Int.random(in: 0...6, using: &rng)).map { _ in values.randomElement(using: &rng)! }
            let line = "AT" + names.randomElement(using: &rng)! + "=" + parameters.joined(separator: ",")
            let text = Array(line.utf8)[...]
            let secret = !ATCatalog.secretParameterIndices(of: ATCommandLine(bytes: text)).isEmpty
            if secret { secrets += 1 }
            #expect(Redactor.mayHoldSecret(text) || !secret, "\(line)")
        }
        #expect(secrets > 1_000) // (the generator does reach secrets)
    }

    /// The quick check reads the rules of `SecretParameters` and so turns away, without a
    /// parse, the lines of those commands that every session sends without a secret.
    @Test(arguments: [
        "AT+UWSC=0,2,MyNet", "AT+UWSC=0,5,4", "AT+USECMNG=4,0,ca.pem", "AT+USECMNG=0,0,ca.pem,1261",
        "AT+UDUV=0,$dps/registrations/GET/iotdps-get-operationstatus/?$rid=1", "AT+UWSC=0", "AT+UDCP=mqtt://x"
    ])
    func quickCheckTurnsAwayLinesWithoutSecrets(line: String) {
        #expect(!Redactor.mayHoldSecret(Array(line.utf8)[...]))
    }
}
