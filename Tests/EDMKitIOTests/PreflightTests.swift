import Crypto
import EDMKit
import EDMKitIO
import Foundation
import Testing
import X509
import _CryptoExtras

/// Certificates and keys made in-process with swift-certificates and swift-crypto, so the
/// tests need no openssl and no fixture that ages out.
enum PKI {
    /// 2027-01-15: inside the simulator certificates' validity (2026-11-28 to 2126).
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let day: TimeInterval = 24 * 3600

    static func name(_ commonName: String?, organization: String = "EDM toolkit tests") throws -> DistinguishedName {
        try DistinguishedName {
            OrganizationName(organization)
            if let commonName { CommonName(commonName) }
        }
    }

    /// `ca`: nil leaves basicConstraints out.
    static func certificate(
        subject: DistinguishedName, publicKey: Certificate.PublicKey, issuer: DistinguishedName,
        issuerKey: Certificate.PrivateKey, ca: Bool? = false,
        notBefore: Date = now - 365 * day, notAfter: Date = now + 365 * day
    ) throws -> Certificate {
        var extensions = Certificate.Extensions()
        if let ca {
            let constraints: BasicConstraints =
                ca ? .isCertificateAuthority(maxPathLength: nil) : .notCertificateAuthority
            try extensions.append(constraints.makeCertificateExtension())
        }
        return try Certificate(
            version: .v3, serialNumber: .init(), publicKey: publicKey,
            notValidBefore: notBefore, notValidAfter: notAfter, issuer: issuer, subject: subject,
            extensions: extensions, issuerPrivateKey: issuerKey
        )
    }

    /// A self-signed root, like the DPS server's DigiCert Global Root G2.
    static func root(
        _ commonName: String = "Test Global Root G2", ca: Bool? = true, notAfter: Date = now + 3650 * day
    ) throws -> Certificate {
        let key = P256.Signing.PrivateKey()
        let name = try name(commonName)
        return try certificate(
            subject: name, publicKey: .init(key.publicKey), issuer: name, issuerKey: .init(key), ca: ca,
            notAfter: notAfter
        )
    }

    static func pem(_ certificate: Certificate) throws -> String {
        try certificate.serializeAsPEM().pemString + "\n"
    }
}

/// The three PEM texts of one run; tests spoil one and write them out.
struct CredentialTexts {
    var ca: String
    var certificate: String
    var key: String

    /// A device certificate for `commonName`, issued by a device CA (not the root in ca.pem,
    /// as in a real enrollment), with its P-256 key as PKCS#8.
    static func good(
        commonName: String? = "device-01", notBefore: Date = PKI.now - 30 * PKI.day,
        notAfter: Date = PKI.now + 365 * PKI.day, key: Certificate.PrivateKey? = nil, keyPEM: String? = nil
    ) throws -> CredentialTexts {
        let deviceKey = key ?? Certificate.PrivateKey(P256.Signing.PrivateKey())
        let issuerKey = P384.Signing.PrivateKey()
        let certificate = try PKI.certificate(
            subject: PKI.name(commonName), publicKey: deviceKey.publicKey, issuer: PKI.name("Device Issuing CA"),
            issuerKey: .init(issuerKey), notBefore: notBefore, notAfter: notAfter
        )
        return CredentialTexts(
            ca: try PKI.pem(PKI.root()), certificate: try PKI.pem(certificate),
            key: try keyPEM ?? deviceKey.serializeAsPEM().pemString + "\n"
        )
    }

    /// Written under `directory` as ca.pem, cert.pem, key.pem.
    func write(to directory: TemporaryDirectory) throws -> CredentialFiles {
        CredentialFiles(
            ca: try directory.write("ca.pem", ca), certificate: try directory.write("cert.pem", certificate),
            key: try directory.write("key.pem", key)
        )
    }
}

/// A fresh directory, removed when the test lets go of it.
final class TemporaryDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("preflight-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func write(_ name: String, _ text: String) throws -> String { try write(name, bytes: Array(text.utf8)) }

    func write(_ name: String, bytes: [UInt8]) throws -> String {
        let file = "\(path)/\(name)"
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        return file
    }
}

/// Runs pre-flight expecting `code`, and checks that the sentence names the file (and the
/// line, when given).
@discardableResult
func expectPreflightError(
    _ files: CredentialFiles, registrationID: String? = nil, now: Date = PKI.now,
    _ code: PreflightError.Code, file: String?, line: Int? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) -> PreflightError? {
    let error = #expect(throws: PreflightError.self, sourceLocation: sourceLocation) {
        try Preflight.check(files, registrationID: registrationID, now: now)
    }
    guard let error else { return nil }
    #expect(error.code == code, "\(error.message)", sourceLocation: sourceLocation)
    #expect(error.file == file, sourceLocation: sourceLocation)
    if let file { #expect(error.message.hasPrefix(file), "\(error.message)", sourceLocation: sourceLocation) }
    #expect(error.line == line, "\(error.message)", sourceLocation: sourceLocation)
    if let line { #expect(error.message.contains("line \(line):"), "\(error.message)", sourceLocation: sourceLocation) }
    #expect(error.description == error.message, sourceLocation: sourceLocation)
    return error
}

@Suite("Pre-flight: credentials that pass")
struct PreflightTests {
    let directory: TemporaryDirectory

    init() throws { directory = try TemporaryDirectory() }

    @Test func goodSetPassesAndTheRegistrationIDDefaultsToTheCN() throws {
        let files = try CredentialTexts.good().write(to: directory)
        let report = try Preflight.check(files, registrationID: nil, now: PKI.now)
        #expect(report.registrationID == "device-01")
        #expect(report.certificateSubject == "CN=device-01,O=EDM toolkit tests")
        #expect(report.caSubject == "CN=Test Global Root G2,O=EDM toolkit tests")
        #expect(report.notBefore == PKI.now - 30 * PKI.day)
        #expect(report.notAfter == PKI.now + 365 * PKI.day)
        #expect(report.warnings.isEmpty)
        #expect(report.credentials.map(\.type) == [.rootCA, .clientCertificate, .clientPrivateKey])
        #expect(report.credentials.map(\.name) == ["ca.pem", "cert.pem", "key.pem"])
        for (credential, path) in zip(report.credentials, [files.ca, files.certificate, files.key]) {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            #expect(credential.bytes == bytes, "bytes exactly as in the file, trailing newline included")
            #expect(credential.size == bytes.count)
            #expect(credential.md5 == Insecure.MD5.hash(data: bytes).map { String(format: "%02X", $0) }.joined())
        }
    }

    @Test func aGivenRegistrationIDEqualToTheCNPasses() throws {
        let files = try CredentialTexts.good(commonName: "dev.01_a:b").write(to: directory)
        #expect(try Preflight.check(files, registrationID: "dev.01_a:b", now: PKI.now).registrationID == "dev.01_a:b")
    }

    /// The key formats people have: PKCS#8 (EC and RSA), SEC1, PKCS#1.
    @Test(arguments: [
        "P-256 PKCS#8", "P-384 PKCS#8", "P-256 SEC1", "P-256 SEC1 with EC PARAMETERS", "RSA PKCS#1", "RSA PKCS#8"
    ])
    func keyFormats(_ format: String) throws {
        let texts: CredentialTexts
        switch format {
        case "P-384 PKCS#8":
            texts = try .good(key: .init(P384.Signing.PrivateKey()))
        case "P-256 SEC1", "P-256 SEC1 with EC PARAMETERS":
            let key = P256.Signing.PrivateKey()
            let parameters = format.hasSuffix("PARAMETERS")
                ? "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n" : ""
            let base64 = Data(sec1DER(key)).base64EncodedString(options: .lineLength64Characters)
            let sec1 = "-----BEGIN EC PRIVATE KEY-----\n\(base64)\n-----END EC PRIVATE KEY-----\n"
            texts = try .good(key: .init(key), keyPEM: parameters + sec1)
        case "RSA PKCS#1", "RSA PKCS#8":
            let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
            texts = try .good(
                key: .init(key), keyPEM: format.hasSuffix("#1") ? key.pemRepresentation : key.pkcs8PEMRepresentation)
            #expect(texts.key.contains(format.hasSuffix("#1") ? "BEGIN RSA PRIVATE KEY" : "BEGIN PRIVATE KEY"))
        default:
            texts = try .good()
        }
        let report = try Preflight.check(texts.write(to: directory), registrationID: "device-01", now: PKI.now)
        #expect(report.credentials[2].bytes == Array(texts.key.utf8))
    }

    /// SEC1 `ECPrivateKey` for P-256 (RFC 5915): version 1, the scalar, the curve, the point.
    func sec1DER(_ key: P256.Signing.PrivateKey) -> [UInt8] {
        let curve: [UInt8] = [0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07]
        let body: [UInt8] = [0x02, 0x01, 0x01, 0x04, 0x20] + key.rawRepresentation + [0xA0, 0x0A] + curve
            + [0xA1, 0x44, 0x03, 0x42, 0x00] + key.publicKey.x963Representation
        return [0x30, UInt8(body.count)] + body
    }

    @Test func textAroundBlocksAndCRLFLineEndingsPass() throws {
        var texts = try CredentialTexts.good()
        texts.certificate = "Subject: CN=device-01\r\n" + texts.certificate.replacingOccurrences(of: "\n", with: "\r\n")
            + "trailing notes\n"
        let report = try Preflight.check(texts.write(to: directory), registrationID: nil, now: PKI.now)
        #expect(report.credentials[1].bytes == Array(texts.certificate.utf8))
    }

    @Test func aByteOrderMarkPasses() throws {
        var texts = try CredentialTexts.good()
        texts.key = "\u{FEFF}" + texts.key
        let report = try Preflight.check(texts.write(to: directory), registrationID: nil, now: PKI.now)
        #expect(report.credentials[2].bytes?.prefix(3) == [0xEF, 0xBB, 0xBF])
    }

    @Test func aCertificateEndingWithin30DaysIsAWarning() throws {
        let files = try CredentialTexts.good(notAfter: PKI.now + 10.5 * PKI.day).write(to: directory)
        let report = try Preflight.check(files, registrationID: nil, now: PKI.now)
        #expect(report.warnings.count == 1)
        #expect(report.warnings.first?.hasPrefix("\(files.certificate): the certificate expires in 10 days") == true)
    }

    @Test func aCAFileWithSeveralCertificatesChecksTheFirstAndWarns() throws {
        var texts = try CredentialTexts.good()
        texts.ca += try PKI.pem(PKI.root("Second Root"))
        let files = try texts.write(to: directory)
        let report = try Preflight.check(files, registrationID: nil, now: PKI.now)
        #expect(report.caSubject.hasPrefix("CN=Test Global Root G2"))
        #expect(report.credentials[0].bytes == Array(texts.ca.utf8), "the file is uploaded whole")
        #expect(
            report.warnings == [
                "\(files.ca): holds 2 certificates; only the first (CN=Test Global Root G2,O=EDM toolkit "
                    + "tests) was checked, and the whole file is uploaded, which the module may not accept."
            ])
    }
}
