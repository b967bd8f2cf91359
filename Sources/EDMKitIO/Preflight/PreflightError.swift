/// Why the credentials cannot go to the module, as one plain sentence naming the file (and the
/// line, for PEM errors), with a stable code (from which azure-dps chooses its exit status).
///
/// Pre-flight runs before any serial port is opened, so every one of these is found in a
/// fraction of a second instead of after a minute of uploads and a refused TLS handshake.
public struct PreflightError: Error, CustomStringConvertible, Sendable {
    /// What went wrong.
    public enum Code: String, Sendable, CaseIterable {
        /// A credential file does not exist.
        case missingFile
        /// A credential file exists but cannot be read (permissions, a directory, I/O).
        case unreadableFile
        /// More than the module's 8192 bytes per credential (`AT+USECMNG` size limit).
        case fileTooLarge
        /// The file's base name cannot serve as the module's credential name (over 32
        /// characters, or a character that would break the `AT+USECMNG` command line).
        case badName
        /// No `-----BEGIN` line at all (an empty file, a DER file, the wrong file), or an END
        /// line with no BEGIN before it.
        case noPEMBlock
        /// An END line whose label is not the one its BEGIN line opened.
        case labelMismatch
        /// A BEGIN line whose END never comes (end of file, or another BEGIN first).
        case missingEnd
        /// A character outside the base64 alphabet, misplaced padding, or a truncated block.
        case badBase64
        /// A well-formed block of the wrong kind: a certificate in the key file, a key in a
        /// certificate file, a public key where the private key belongs.
        case wrongContent
        /// A CERTIFICATE block whose bytes are not an X.509 certificate.
        case badCertificate
        /// A private-key block whose bytes are not a key this tool understands.
        case badKey
        /// A password-protected key (`ENCRYPTED PRIVATE KEY`, or `Proc-Type: 4,ENCRYPTED`).
        case encryptedKey
        /// The private key is not the one the certificate was issued for.
        case keyMismatch
        /// The certificate's notAfter is before `now`.
        case expired
        /// The certificate's notBefore is after `now`.
        case notYetValid
        /// The certificate's subject has no CN, so there is no registration id to check or use.
        case noCommonName
        /// The certificate's CN is not the registration id given
        /// (docs/protocol.md, "DPS over the module's MQTT client").
        case registrationIDMismatch
        /// The registration id given holds characters DPS refuses or the MQTT URL cannot carry.
        case badRegistrationID
        /// The CN, taken as the registration id, holds such characters.
        case badCommonName
        /// The CA file's certificate is not self-signed: an intermediate or the device's issuer.
        case caNotSelfSigned
        /// The CA file's certificate is self-signed but not a CA (basicConstraints CA false).
        case caNotAuthority
        /// A symmetric key that is not base64, or of an implausible length.
        case badSymmetricKey
    }

    public var code: Code
    /// The path as given, when one file is at fault.
    public var file: String?
    /// 1-based line in `file`, for PEM errors.
    public var line: Int?
    /// The whole sentence, file and line included, ready to print.
    public var message: String

    public init(_ code: Code, file: String? = nil, line: Int? = nil, _ what: String) {
        self.code = code
        self.file = file
        self.line = line
        switch (file, line) {
        case (let file?, let line?): message = "\(file) line \(line): \(what)"
        case (let file?, nil): message = "\(file): \(what)"
        default: message = what
        }
    }

    public var description: String { message }
}
