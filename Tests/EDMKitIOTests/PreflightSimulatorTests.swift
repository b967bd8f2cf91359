import EDMKitIO
import Foundation
import Testing

/// The credentials `azure-dps --simulate` uploads, copied from Sources/azure-dps/
/// SimulatorCredentials.swift (an executable target, which tests cannot import): the simulated
/// run goes through the same pre-flight, so they must pass it.
enum SimulatorFixture {
    static let ca = """
    -----BEGIN CERTIFICATE-----
    MIIBzjCCAXWgAwIBAgIUfnIIDtzo+JzzICLMBO9Jk1Kri3swCgYIKoZIzj0EAwIw
    NDEyMDAGA1UEAwwpRURNIHRvb2xraXQgc2ltdWxhdG9yIHJvb3QgQ0EgKHRlc3Qg
    b25seSkwIBcNMjYxMTI4MDkzNzQyWhgPMjEyNjExMDQwOTM3NDJaMDQxMjAwBgNV
    BAMMKUVETSB0b29sa2l0IHNpbXVsYXRvciByb290IENBICh0ZXN0IG9ubHkpMFkw
    EwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEeysjbMUHIBElLd1pT5Vp3jBy7665Hj1p
    Np8eGgXmt/r1f8B5tG4lpLkaNTWJTbcUwBhBG0qVGEJUb9DOJq6VyqNjMGEwHQYD
    VR0OBBYEFHn0um68FxsbYa0scgQYIjqMJ7OuMB8GA1UdIwQYMBaAFHn0um68Fxsb
    Ya0scgQYIjqMJ7OuMA8GA1UdEwEB/wQFMAMBAf8wDgYDVR0PAQH/BAQDAgEGMAoG
    CCqGSM49BAMCA0cAMEQCIAXEdwdkUuxSHcDnAt9EkJtN5iLMsCE38y8d4xRli1FY
    AiAZ3sUAr3lQnLNLbpsvq0iIFY0pt90VhE47r6Sly6abzA==
    -----END CERTIFICATE-----
    """
    static let cert = """
    -----BEGIN CERTIFICATE-----
    MIIBvzCCAWWgAwIBAgIUWfFxtO3h0hwiiK99vsV7L+Ep63IwCgYIKoZIzj0EAwIw
    NDEyMDAGA1UEAwwpRURNIHRvb2xraXQgc2ltdWxhdG9yIHJvb3QgQ0EgKHRlc3Qg
    b25seSkwIBcNMjYxMTI4MDkzNzQyWhgPMjEyNjExMDQwOTM3NDJaMBUxEzARBgNV
    BAMMCnNpbS1kZXZpY2UwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAARpI8exym9Q
    m9bMTh/dGDZUOccBNoDCsA4+gWKVBh5J0nagnUFTsuBpH7zOgOOctA8rUhz1nOyJ
    LOLCqav1o6Z+o3IwcDAJBgNVHRMEAjAAMA4GA1UdDwEB/wQEAwIHgDATBgNVHSUE
    DDAKBggrBgEFBQcDAjAdBgNVHQ4EFgQU6BSCBOMnQ+GBCNxwZ5nBferZHtkwHwYD
    VR0jBBgwFoAUefS6brwXGxthrSxyBBgiOowns64wCgYIKoZIzj0EAwIDSAAwRQIh
    AIfAr3e3XtQhmHLzZM84flL6LqFryksuYtlrrJYogXPuAiBTULqlej08+VbKREe1
    bGGWG/ex3hWmQIOJKNWxhC3W+A==
    -----END CERTIFICATE-----
    """
    static let key = """
    -----BEGIN PRIVATE KEY-----
    MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgyL8/yIxqAgqhOvZD
    YAPGGH0bmqDiFrHuaZv7Cwr8GNyhRANCAARpI8exym9Qm9bMTh/dGDZUOccBNoDC
    sA4+gWKVBh5J0nagnUFTsuBpH7zOgOOctA8rUhz1nOyJLOLCqav1o6Z+
    -----END PRIVATE KEY-----
    """
}

@Suite("Pre-flight: simulator credentials")
struct PreflightSimulatorTests {
    let directory: TemporaryDirectory

    init() throws { directory = try TemporaryDirectory() }

    func files() throws -> CredentialFiles {
        try CredentialTexts(ca: SimulatorFixture.ca, certificate: SimulatorFixture.cert, key: SimulatorFixture.key)
            .write(to: directory)
    }

    @Test func theyPassWithRegistrationIDSimDevice() throws {
        let report = try Preflight.check(files(), registrationID: "sim-device", now: PKI.now)
        #expect(report.registrationID == "sim-device")
        #expect(report.certificateSubject == "CN=sim-device")
        #expect(report.caSubject == "CN=EDM toolkit simulator root CA (test only)")
        #expect(report.warnings.isEmpty)
        #expect(report.credentials.map(\.bytes) == [SimulatorFixture.ca, SimulatorFixture.cert, SimulatorFixture.key].map { Array($0.utf8) })
    }

    @Test func theCNIsTheDefaultRegistrationID() throws {
        #expect(try Preflight.check(files(), registrationID: nil, now: PKI.now).registrationID == "sim-device")
    }

    /// They were made on 2026-11-28 and last a century: a check on the day they were made.
    @Test func theyAreValidFromTheirFirstDay() throws {
        let firstDay = try #require(ISO8601DateFormatter().date(from: "2026-11-28T09:37:42Z"))
        #expect(try Preflight.check(files(), registrationID: "sim-device", now: firstDay).notBefore == firstDay)
        expectPreflightError(try files(), now: firstDay - 1, .notYetValid, exit: 65, file: try files().certificate)
    }
}
