import EDMKitIO
import Foundation
import Testing

/// PEM faults: each names the file and the line a user should open in an editor.
@Suite("Pre-flight: PEM structure")
struct PreflightPEMTests {
    /// Lives as long as the test: Swift Testing makes a suite instance per test.
    let directory: TemporaryDirectory

    init() throws { directory = try TemporaryDirectory() }

    /// `text` with its 1-based line `number` passed through `edit` (nil removes the line).
    func editing(_ text: String, line number: Int, _ edit: (String) -> String?) -> String {
        var lines = text.components(separatedBy: "\n")
        if let edited = edit(lines[number - 1]) { lines[number - 1] = edited } else { lines.remove(at: number - 1) }
        return lines.joined(separator: "\n")
    }

    /// The good set with the certificate text replaced, written out.
    func files(certificate: (String) -> String) throws -> CredentialFiles {
        var texts = try CredentialTexts.good()
        texts.certificate = certificate(texts.certificate)
        return try texts.write(to: directory)
    }

    func files(key: String) throws -> CredentialFiles {
        var texts = try CredentialTexts.good()
        texts.key = key
        return try texts.write(to: directory)
    }

    /// Lines of the certificate text: BEGIN is 1, END is `count - 1` (the text ends in "\n").
    func lineCount(_ text: String) -> Int { text.components(separatedBy: "\n").count }

    @Test func corruptBase64OnLine3() throws {
        let files = try files { text in
            self.editing(text, line: 3) { line in String(line.prefix(9)) + "!" + line.dropFirst(10) }
        }
        let error = expectPreflightError(files, .badBase64, file: files.certificate, line: 3)
        #expect(error?.message.contains("'!' at column 10 is not base64") == true)
    }

    @Test func dataAfterPadding() throws {
        var paddedLine = 0
        let files = try files { text in
            paddedLine = self.lineCount(text) - 2  // a padded group before the last data line
            return self.editing(text, line: paddedLine) { "QQ==\n" + $0 }
        }
        let error = expectPreflightError(files, .badBase64, file: files.certificate, line: paddedLine + 1)
        #expect(error?.message.contains("after the '=' padding") == true)
    }

    @Test func aCutLastLine() throws {
        var cutLine = 0
        let files = try files { text in
            cutLine = self.lineCount(text) - 2
            return self.editing(text, line: cutLine) { String($0.dropLast(3)) }
        }
        let error = expectPreflightError(files, .badBase64, file: files.certificate, line: cutLine)
        #expect(error?.message.contains("not a whole number of 4-character groups") == true)
    }

    @Test func aMissingLineLeavesDERThatIsNotACertificate() throws {
        let files = try files { text in self.editing(text, line: 4) { _ in nil } }
        expectPreflightError(files, .badCertificate, file: files.certificate, line: 1)
    }

    @Test func noBeginLine() throws {
        let files = try files { _ in "just some notes\n" }
        let error = expectPreflightError(files, .noPEMBlock, file: files.certificate)
        #expect(error?.message == "\(files.certificate): no '-----BEGIN' line; this is not a PEM file.")
    }

    @Test func anEmptyFile() throws {
        let files = try files { _ in "" }
        let error = expectPreflightError(files, .noPEMBlock, file: files.certificate)
        #expect(error?.message.contains("the file is empty") == true)
    }

    @Test func aDERFileGetsAHint() throws {
        var files = try CredentialTexts.good().write(to: directory)
        files.certificate = try directory.write("cert.der", bytes: [0x30, 0x82, 0x01, 0x0A, 0x02, 0x01])
        let error = expectPreflightError(files, .noPEMBlock, file: files.certificate)
        #expect(error?.message.contains("binary DER") == true)
    }

    @Test func anEndWithoutBegin() throws {
        var endLine = 0
        let files = try files { text in
            endLine = self.lineCount(text) - 2  // the END line, once BEGIN is gone
            return self.editing(text, line: 1) { _ in nil }
        }
        expectPreflightError(files, .noPEMBlock, file: files.certificate, line: endLine)
    }

    @Test func beginAndEndLabelsDiffer() throws {
        var endLine = 0
        let files = try files { text in
            endLine = self.lineCount(text) - 1
            return self.editing(text, line: endLine) { _ in "-----END PRIVATE KEY-----" }
        }
        let error = expectPreflightError(files, .labelMismatch, file: files.certificate, line: endLine)
        #expect(error?.message.contains("does not close '-----BEGIN CERTIFICATE-----' from line 1") == true)
    }

    @Test func endMissingAtEndOfFile() throws {
        let files = try files { text in self.editing(text, line: self.lineCount(text) - 1) { _ in nil } }
        let error = expectPreflightError(files, .missingEnd, file: files.certificate, line: 1)
        #expect(error?.message.contains("has no END line") == true)
    }

    @Test func endMissingBeforeTheNextBegin() throws {
        var texts = try CredentialTexts.good()
        let firstEnd = lineCount(texts.ca) - 1
        texts.ca = editing(texts.ca, line: firstEnd) { _ in nil } + texts.ca
        let files = try texts.write(to: directory)
        let error = expectPreflightError(files, .missingEnd, file: files.ca, line: 1)
        #expect(error?.message.contains("before the next BEGIN on line \(firstEnd)") == true)
    }

    @Test func encryptedPKCS8Key() throws {
        let files = try files(
            key:
                "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIBvTBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQwwHAQI\n-----END "
                    + "ENCRYPTED PRIVATE KEY-----\n"
        )
        let error = expectPreflightError(files, .encryptedKey, file: files.key, line: 1)
        #expect(error?.message.contains("encrypted keys are not supported here: the module needs the password") == true)
    }

    @Test func encryptedLegacyKey() throws {
        let key = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: "
            + "AES-256-CBC,0123456789ABCDEF0123456789ABCDEF\n\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n"
        let files = try files(key: key)
        expectPreflightError(files, .encryptedKey, file: files.key, line: 1)
    }

    @Test func aKeyFileThatHoldsACertificate() throws {
        var texts = try CredentialTexts.good()
        texts.key = texts.certificate
        let files = try texts.write(to: directory)
        let error = expectPreflightError(files, .wrongContent, file: files.key, line: 1)
        #expect(error?.message.contains("holds a certificate, not a private key") == true)
    }

    @Test func aKeyFileThatHoldsAPublicKey() throws {
        let files = try files(key: "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
        let error = expectPreflightError(files, .wrongContent, file: files.key, line: 1)
        #expect(error?.message.contains("holds a public key") == true)
    }

    @Test func twoKeysInOneFile() throws {
        var texts = try CredentialTexts.good()
        let second = lineCount(texts.key)
        texts.key += texts.key
        let files = try texts.write(to: directory)
        expectPreflightError(files, .wrongContent, file: files.key, line: second)
    }

    /// A key pasted under the certificate would be uploaded as a certificate: refused, and no
    /// key material appears in the sentence.
    @Test func aCertificateFileWithTheKeyAppended() throws {
        var texts = try CredentialTexts.good()
        let keyLine = lineCount(texts.certificate)
        texts.certificate += texts.key
        let files = try texts.write(to: directory)
        let error = expectPreflightError(files, .wrongContent, file: files.certificate, line: keyLine)
        #expect(error?.message.contains("holds a private key") == true)
        let keyBase64 = texts.key.split(separator: "\n")[1]
        #expect(error?.message.contains(keyBase64) == false)
    }

    @Test func aKeyBlockThatIsNotAKey() throws {
        let files = try files(key: "-----BEGIN PRIVATE KEY-----\nMAMCAQA=\n-----END PRIVATE KEY-----\n")
        expectPreflightError(files, .badKey, file: files.key, line: 1)
    }
}
