import EDMKitIO
import Foundation
import Testing

/// The credentials `azure-dps --simulate` uploads, read from Sources/azure-dps/
/// SimulatorCredentials.swift (an executable target, which tests cannot import): the
/// simulated run goes through the same pre-flight, so they must pass it.
enum SimulatorFixture {
    static let texts: [String] = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        let source = try! String(
            contentsOfFile: parts.joined(separator: "/") + "/Sources/azure-dps/SimulatorCredentials.swift",
            encoding: .utf8)
        // The three multi-line literals, their indentation removed.
        return source.components(separatedBy: "\"\"\"").enumerated().filter { $0.offset % 2 == 1 }.map { block in
            block.element.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                .joined(separator: "\n")
        }
    }()
    static var ca: String { texts[0] }
    static var cert: String { texts[1] }
    static var key: String { texts[2] }
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
        #expect(
            report.credentials.map(\.bytes)
                == [SimulatorFixture.ca, SimulatorFixture.cert, SimulatorFixture.key].map { Array($0.utf8) })
    }

    @Test func theCNIsTheDefaultRegistrationID() throws {
        #expect(try Preflight.check(files(), registrationID: nil, now: PKI.now).registrationID == "sim-device")
    }

    /// They were made on 2026-11-28 and last a century: a check on the day they were made.
    @Test func theyAreValidFromTheirFirstDay() throws {
        let firstDay = try #require(ISO8601DateFormatter().date(from: "2026-11-28T09:37:42Z"))
        #expect(try Preflight.check(files(), registrationID: "sim-device", now: firstDay).notBefore == firstDay)
        expectPreflightError(try files(), now: firstDay - 1, .notYetValid, file: try files().certificate)
    }
}
