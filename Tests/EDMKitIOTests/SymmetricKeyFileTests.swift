import EDMKit
import EDMKitIO
import Testing

/// The symmetric-key pre-flight: the key's text, the token it signs, the clock and the lengths.
@Suite struct SymmetricKeyFileTests {
    static let key = [UInt8](repeating: 0x5A, count: 32)
    static let text = Base64.encode(key)

    @Test func aGroupKeySignsWithTheDerivedKeyAndAnIndividualKeyWithItself() throws {
        let group = try SymmetricKeyFile(text: Self.text + "\n", kind: .group, source: "group.key")
        let individual = try SymmetricKeyFile(text: Self.text, kind: .individual, source: "device.key")
        let derived = SASToken.deviceKey(groupKey: Self.key, registrationID: "dev-1")
        let a = group.token(idScope: "0ne1", registrationID: "dev-1", now: 1_800_000_000, lifetime: 3600)
        let b = individual.token(idScope: "0ne1", registrationID: "dev-1", now: 1_800_000_000, lifetime: 3600)
        #expect(a.isSigned(with: derived) && !a.isSigned(with: Self.key))
        #expect(b.isSigned(with: Self.key) && !b.isSigned(with: derived))
        #expect(a.expiry == 1_800_003_600 && a.resource == "0ne1%2Fregistrations%2Fdev-1")
    }

    @Test(arguments: ["not base64!", "QUJD", String(repeating: "QUJD", count: 60), ""])
    func implausibleKeysAreRefusedWithoutShowingThem(text: String) {
        #expect(throws: PreflightError.self) { try SymmetricKeyFile(text: text, kind: .individual, source: "k") }
        do { _ = try SymmetricKeyFile(text: text, kind: .individual, source: "k") } catch {
            #expect(error.code == .badSymmetricKey)
            #expect(text.count < 4 || !error.message.contains(text), "the message shows the key")
        }
    }

    @Test func aClockBeforeTheReleaseAndANonPositiveLifetimeAreWarnedOf() {
        #expect(SymmetricKeyFile.clockWarnings(now: 1_800_000_000, lifetime: 3600).isEmpty)
        #expect(SymmetricKeyFile.clockWarnings(now: 946_684_800, lifetime: 3600).count == 1)
        #expect(SymmetricKeyFile.clockWarnings(now: 1_800_000_000, lifetime: 0).count == 1)
    }

    @Test func linesAnEDMFrameCannotCarryAreRefusedWithTheNumbers() {
        #expect(SymmetricKeyFile.lengthProblem(token: "SharedAccessSignature sr=x", url: "mqtt://h:1/") == nil)
        let long = String(repeating: "x", count: SymmetricKeyFile.maxATLine)
        #expect(
            SymmetricKeyFile.lengthProblem(token: long, url: "mqtt://h:1/")?.contains("\(SymmetricKeyFile.maxATLine)")
                == true)
        #expect(SymmetricKeyFile.lengthProblem(token: "t", url: long)?.contains("AT+UDCP") == true)
    }
}
