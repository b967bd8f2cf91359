import Foundation
import Testing
@testable import EDMKit

/// SAS tokens (symmetric-key enrollments): the token against an independent computation, and
/// the machine against the simulated DPS, which checks resource, expiry and signature.
@Suite struct SASTokenTests {
    static let groupKey = SimulatedDPS.Configuration.SymmetricKeyEnrollment.simulator.key
    static let idScope = "0ne00000001", registrationID = "sim-device"
    /// An hour after the simulated DPS's clock starts.
    static let expiry = SimulatedDPS.Configuration().epochSeconds + 3600

    /// HMAC-SHA256 and base64 by Python's standard library, as a second opinion.
    static func python(_ script: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        return String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func tokenMatchesAnIndependentComputation() throws {
        let key = Array("individual enrollment key".utf8)
        let token = SASToken(
            idScope: Self.idScope, registrationID: Self.registrationID, key: key, expiry: 1_900_000_000)
        let keyHex = key.map { String(format: "%02x", $0) }.joined()
        let expected = try Self.python("""
            import base64, hashlib, hmac, urllib.parse
            sr = urllib.parse.quote("\(Self.idScope)/registrations/\(Self.registrationID)", safe="")
            sig = base64.b64encode(hmac.new(bytes.fromhex("\(keyHex)"), (sr + "\\n1900000000").encode(), hashlib.sha256).digest()).decode()
            print("SharedAccessSignature sr=" + sr + "&sig=" + urllib.parse.quote(sig, safe="") + "&se=1900000000&skn=registration")
            """)
        #expect(token.text == expected)
        #expect(SASToken(parsing: token.text) == token)
        #expect(token.isSigned(with: key) && !token.isSigned(with: Array("another key".utf8)))
    }

    @Test func derivedDeviceKeyMatchesAnIndependentComputation() throws {
        let derived = SASToken.deviceKey(groupKey: Self.groupKey, registrationID: Self.registrationID)
        let keyHex = Self.groupKey.map { String(format: "%02x", $0) }.joined()
        let expected = try Self.python("""
            import base64, hashlib, hmac
            print(base64.b64encode(hmac.new(bytes.fromhex("\(keyHex)"), b"\(Self.registrationID)", hashlib.sha256).digest()).decode())
            """)
        #expect(Base64.encode(derived) == expected)
        #expect(Base64.decode(Array(expected.utf8)) == derived)
    }

    static func run(
        signingWith key: [UInt8], expiry: Int64 = expiry, dps: SimulatedDPS.Configuration = .init()
    ) -> ProvisioningRun {
        var configuration = ProvisioningScenarioTests.configuration
        configuration.credentials = [configuration.credentials[0]] // the root CA only
        let token = SASToken(idScope: Self.idScope, registrationID: Self.registrationID, key: key, expiry: expiry)
        configuration.attestation = .symmetricKey(token: token.text)
        return ProvisioningHarness(
            configuration: configuration, module: SimulatedModule(scenario: .assigned, seed: 1, dps: dps)
        ).run()
    }

    static func hostLines(_ run: ProvisioningRun) -> [String] {
        Chunking.decode(run.records).units.filter { $0.direction == .host }.compactMap(\.text)
    }

    @Test func groupEnrollmentWithTheDerivedKeyIsAssigned() {
        let run = Self.run(
            signingWith: SASToken.deviceKey(groupKey: Self.groupKey, registrationID: Self.registrationID))
        guard case .assigned(_, let device, _, let body) = run.outcome else {
            Issue.record("\(run.outcome)")
            return
        }
        #expect(device == Self.registrationID)
        #expect(body.contains(#""symmetricKey":{"enrollmentGroupId":"sim-sas-group"}"#))
        let lines = Self.hostLines(run)
        #expect(
            lines.contains {
                $0.hasPrefix("AT+UDUV=1,SharedAccessSignature sr=0ne00000001%2Fregistrations%2Fsim-device&sig=")
            })
        let urls = lines.filter { $0.hasPrefix("AT+UDCP=") }
        #expect(
            urls.count == 2
                && urls.allSatisfy {
                    $0.contains("&ca=ca.pem&passwd=%%1") && !$0.contains("cert=") && !$0.contains("privKey=")
                })
        #expect(
            !lines.contains { $0.hasPrefix("AT+USECMNG=0,1") || $0.hasPrefix("AT+USECMNG=0,2") },
            "no client certificate or key")
    }

    @Test func individualEnrollmentIsAssigned() {
        let key = Array("individual enrollment key".utf8)
        let run = Self.run(signingWith: key, dps: .init(symmetricKeyEnrollment: .init(key: key)))
        guard case .assigned(_, _, _, let body) = run.outcome else { Issue.record("\(run.outcome)"); return }
        #expect(body.contains(#""symmetricKey":{}"#))
    }

    @Test func theGroupKeyUsedDirectlyIsRefusedWithAdvice() {
        let run = Self.run(signingWith: Self.groupKey)
        guard case .refused(let dps) = run.outcome else { Issue.record("\(run.outcome)"); return }
        #expect(dps.errorCode == 401000)
        #expect(run.outcome.exitCode == 2)
        #expect(ProvisioningOutcome.advice(dps).contains("derived key"))
    }

    @Test func anExpiredTokenIsRefused() {
        let derived = SASToken.deviceKey(groupKey: Self.groupKey, registrationID: Self.registrationID)
        let run = Self.run(signingWith: derived, expiry: SimulatedDPS.Configuration().epochSeconds - 1)
        guard case .refused(let dps) = run.outcome else { Issue.record("\(run.outcome)"); return }
        #expect(dps.errorCode == 401000 && (dps.message ?? "").contains("expired"))
    }

    @Test func aTokenTooLongForTheModuleIsAModuleError() {
        var configuration = ProvisioningScenarioTests.configuration
        configuration.credentials = [configuration.credentials[0]]
        configuration.attestation = .symmetricKey(
            token: SASToken.prefix + String(repeating: "x", count: SimulatedModule.maxURLVariableLength))
        let run = ProvisioningHarness(
            configuration: configuration, module: SimulatedModule(scenario: .assigned, seed: 1)
        ).run()
        guard case .moduleError(let step, _) = run.outcome else {
            Issue.record("\(run.outcome)")
            return
        }
        #expect(step == .connectRegister)
    }

    @Test func theTokenIsRedactedInTheRecording() {
        let derived = SASToken.deviceKey(groupKey: Self.groupKey, registrationID: Self.registrationID)
        let run = Self.run(signingWith: derived)
        let token = SASToken(
            idScope: Self.idScope, registrationID: Self.registrationID, key: derived, expiry: Self.expiry)
        var decoder = SessionDecoder()
        var units: [SessionUnit] = []
        for record in run.records {
            decoder.receive(
                time: record.time, direction: record.direction, bytes: record.bytes[...], appendingTo: &units)
        }
        decoder.finish(appendingTo: &units)
        let redacted = units.map { Array($0.redacted.bytes) }.flatMap { $0 }
        let signature = Array(SASToken.urlEncoded(token.signature).utf8)
        #expect(units.contains { $0.holdsSecret })
        #expect(redacted.firstRange(of: signature) == nil)
        #expect(
            run.records.flatMap(\.bytes).firstRange(of: signature) != nil, "(the harness's own records are unredacted)")
    }
}
