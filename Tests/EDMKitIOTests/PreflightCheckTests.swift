import Crypto
import EDMKitIO
import Foundation
import Testing
import X509

/// Files that are well-formed PEM but that the module or DPS would refuse.
@Suite("Pre-flight: files and certificates refused")
struct PreflightCheckTests {
    let directory: TemporaryDirectory

    init() throws { directory = try TemporaryDirectory() }

    @Test(arguments: ["ca", "certificate", "key"])
    func aMissingFile(_ which: String) throws {
        var files = try CredentialTexts.good().write(to: directory)
        let absent = "\(directory.path)/absent.pem"
        switch which {
        case "ca": files.ca = absent
        case "certificate": files.certificate = absent
        default: files.key = absent
        }
        let error = expectPreflightError(files, .missingFile, file: absent)
        #expect(error?.message == "\(absent): no such file; check the path.")
    }

    @Test func aDirectoryIsUnreadable() throws {
        var files = try CredentialTexts.good().write(to: directory)
        files.key = "\(directory.path)/key.pem.d"
        try FileManager.default.createDirectory(atPath: files.key, withIntermediateDirectories: false)
        let error = expectPreflightError(files, .unreadableFile, file: files.key)
        #expect(error?.message.contains("cannot be read (Is a directory)") == true)
    }

    @Test func aFileOverTheModulesLimit() throws {
        var texts = try CredentialTexts.good()
        let notes = String(repeating: "# notes\n", count: 1100)
        texts.certificate = notes + texts.certificate
        let files = try texts.write(to: directory)
        let error = expectPreflightError(files, .fileTooLarge, file: files.certificate)
        #expect(error?.message.contains("\(texts.certificate.utf8.count) bytes is more than the 8192") == true)
    }

    @Test func exactly8192BytesPasses() throws {
        var texts = try CredentialTexts.good()
        texts.certificate =
            String(repeating: "#", count: 8192 - texts.certificate.utf8.count - 1) + "\n" + texts.certificate
        #expect(texts.certificate.utf8.count == 8192)
        #expect(
            try Preflight.check(texts.write(to: directory), registrationID: nil, now: PKI.now).credentials[1].size
                == 8192)
    }

    @Test func aNameOver32CharactersIsRefusedAnd32Passes() throws {
        let texts = try CredentialTexts.good()
        var files = try texts.write(to: directory)
        files.key = try directory.write(String(repeating: "k", count: 28) + ".pem", texts.key)
        #expect(try Preflight.check(files, registrationID: nil, now: PKI.now).credentials[2].name.count == 32)
        files.key = try directory.write(String(repeating: "k", count: 29) + ".pem", texts.key)
        let error = expectPreflightError(files, .badName, file: files.key)
        #expect(error?.message.contains("is 33 characters") == true)
    }

    @Test func aNameThatWouldBreakTheATCommand() throws {
        let texts = try CredentialTexts.good()
        var files = try texts.write(to: directory)
        files.ca = try directory.write("root,g2.pem", texts.ca)
        let error = expectPreflightError(files, .badName, file: files.ca)
        #expect(error?.message.contains("contains ','") == true)
    }

    @Test func aKeyThatIsNotTheCertificates() throws {
        var texts = try CredentialTexts.good()
        texts.key = try Certificate.PrivateKey(P256.Signing.PrivateKey()).serializeAsPEM().pemString
        let files = try texts.write(to: directory)
        let error = expectPreflightError(files, .keyMismatch, file: files.key)
        #expect(error?.message.contains("does not belong to the certificate in \(files.certificate)") == true)
    }

    @Test func anExpiredCertificate() throws {
        let files = try CredentialTexts.good(notBefore: PKI.now - 400 * PKI.day, notAfter: PKI.now - PKI.day).write(
            to: directory)
        let error = expectPreflightError(files, .expired, file: files.certificate)
        #expect(error?.message.contains("expired on 2027-01-14T08:00:00Z (it is now 2027-01-15T08:00:00Z)") == true)
    }

    @Test func aCertificateNotYetValid() throws {
        let files = try CredentialTexts.good(notBefore: PKI.now + 2 * PKI.day).write(to: directory)
        let error = expectPreflightError(files, .notYetValid, file: files.certificate)
        #expect(
            error?.message.contains("not valid before 2027-01-17T08:00:00Z and it is now 2027-01-15T08:00:00Z") == true)
    }

    @Test func aCertificateWithoutCN() throws {
        let files = try CredentialTexts.good(commonName: nil).write(to: directory)
        let error = expectPreflightError(files, .noCommonName, file: files.certificate)
        #expect(error?.message.contains("(O=EDM toolkit tests) has no CN") == true)
    }

    @Test func aCNThatIsNotTheRegistrationID() throws {
        let files = try CredentialTexts.good().write(to: directory)
        let error = expectPreflightError(
            files, registrationID: "device-02", .registrationIDMismatch, file: files.certificate)
        #expect(
            error?.message.contains("the certificate's CN is 'device-01' but the registration id is 'device-02'")
                == true)
    }

    @Test func aRegistrationIDDPSWouldRefuse() throws {
        let files = try CredentialTexts.good().write(to: directory)
        let error = expectPreflightError(files, registrationID: "device 01", .badRegistrationID, file: nil)
        #expect(
            error?.message
                == "the registration id 'device 01' contains a space, but DPS "
                    + "takes only letters, digits, '-', '.', '_' and ':'."
        )
    }

    @Test func aCNThatCannotBeTheRegistrationID() throws {
        let files = try CredentialTexts.good(commonName: "device&01").write(to: directory)
        expectPreflightError(files, .badCommonName, file: files.certificate)
    }

    /// The usual mistake: the CA that issued the device certificate instead of the DPS root.
    @Test func aCAFileWithAnIntermediate() throws {
        var texts = try CredentialTexts.good()
        let rootKey = P256.Signing.PrivateKey()
        let intermediateKey = P256.Signing.PrivateKey()
        texts.ca = try PKI.pem(
            PKI.certificate(
                subject: PKI.name("Device Issuing CA"), publicKey: .init(intermediateKey.publicKey),
                issuer: PKI.name("Company Root"), issuerKey: .init(rootKey), ca: true
            )
        )
        let files = try texts.write(to: directory)
        let error = expectPreflightError(files, .caNotSelfSigned, file: files.ca)
        #expect(
            error?.message.contains("is issued by CN=Company Root,O=EDM toolkit tests, so it is not a root") == true)
        #expect(
            error?.message.contains("(e.g. DigiCert Global Root G2), not the CA that issued the device certificate")
                == true)
    }

    @Test func aCAFileWithTheDeviceCertificate() throws {
        var texts = try CredentialTexts.good()
        texts.ca = texts.certificate
        let files = try texts.write(to: directory)
        expectPreflightError(files, .caNotSelfSigned, file: files.ca)
    }

    @Test(arguments: [false, nil] as [Bool?])
    func aSelfSignedCAFileThatIsNotACA(_ basicConstraints: Bool?) throws {
        var texts = try CredentialTexts.good()
        texts.ca = try PKI.pem(PKI.root("Not A CA", ca: basicConstraints))
        let files = try texts.write(to: directory)
        let error = expectPreflightError(files, .caNotAuthority, file: files.ca)
        #expect(error?.message.contains("not marked as a CA") == true)
    }

    @Test func anExpiredRootIsAWarning() throws {
        var texts = try CredentialTexts.good()
        texts.ca = try PKI.pem(PKI.root(notAfter: PKI.now - PKI.day))
        let files = try texts.write(to: directory)
        let report = try Preflight.check(files, registrationID: nil, now: PKI.now)
        #expect(report.warnings.count == 1)
        #expect(report.warnings.first?.contains("the TLS handshake with DPS may fail") == true)
    }
}
