import EDMKit
import Foundation
import X509

/// What pre-flight found: the registration id to use, the credentials ready to upload, and what
/// to show the user about the certificate.
public struct PreflightReport: Sendable {
    /// The one given, or the certificate's CN when none was given.
    public var registrationID: String
    /// Root CA (type 0), device certificate (1), private key (2), in upload order; bytes exactly
    /// as in the files, MD5 computed.
    public var credentials: [ProvisioningConfiguration.Credential]
    /// The device certificate's subject and validity, for display (nil with a symmetric key).
    public var certificateSubject: String?
    public var notBefore: Date?
    public var notAfter: Date?
    /// The CA file's (first) certificate's subject, for display.
    public var caSubject: String
    /// Things that do not stop the run but deserve a line on the terminal.
    public var warnings: [String]
}

/// The host-side checks (README, "azure-dps"), run before any serial
/// port is opened: everything that DPS or the module would otherwise refuse only after the
/// uploads, a Wi-Fi join and a TLS handshake, with an answer that rarely says which file is wrong.
public enum Preflight {
    /// A certificate ending sooner than this gets a warning.
    public static let expiryWarning: TimeInterval = 30 * 24 * 3600

    /// Reads and checks the three files; `now` is the host's wall clock, passed in so tests
    /// can stand anywhere in a certificate's life.
    public static func check(_ files: CredentialFiles, registrationID: String?,
        now: Date) throws(PreflightError) -> PreflightReport {
        // Every file is read first, so a wrong path is reported before anything subtler.
        let caFile = try CredentialFile(path: files.ca)
        let certificateFile = try CredentialFile(path: files.certificate)
        let keyFile = try CredentialFile(path: files.key)
        var warnings: [String] = []

        let roots = try caFile.certificates(role: "CA")
        let device = try certificateFile.certificates(role: "certificate")[0]
        let key = try keyFile.privateKey()

        guard key.publicKey == device.publicKey else {
            throw PreflightError(
                .keyMismatch, file: keyFile.path,
                "the private key does not belong to the certificate in \(certificateFile.path) "
                    + "(their public keys differ); give the key the certificate was issued for."
            )
        }
        try checkDates(device, file: certificateFile.path, now: now, warnings: &warnings)
        let id = try checkRegistrationID(registrationID, against: device, file: certificateFile.path)
        try checkRoot(roots[0], file: caFile.path, now: now, warnings: &warnings)
        if roots.count > 1 {
            warnings.append(
                "\(caFile.path): holds \(roots.count) certificates; only the first (\(roots[0].subject)) "
                    + "was checked, and the whole file is uploaded, which the module may not accept."
            )
        }
        return PreflightReport(
            registrationID: id,
            credentials: [caFile.credential(type: .rootCA), certificateFile.credential(type: .clientCertificate),
                          keyFile.credential(type: .clientPrivateKey)],
            certificateSubject: String(describing: device.subject),
            notBefore: device.notValidBefore,
            notAfter: device.notValidAfter,
            caSubject: String(describing: roots[0].subject),
            warnings: warnings
        )
    }

    /// A symmetric-key run: the root CA is the one file uploaded (the module still checks the
    /// server's TLS certificate), and the registration id is given, since no certificate names it.
    public static func checkRootOnly(ca: String, registrationID: String,
        now: Date) throws(PreflightError) -> PreflightReport {
        let caFile = try CredentialFile(path: ca)
        let roots = try caFile.certificates(role: "CA")
        if let fault = fault(inRegistrationID: registrationID) {
            throw PreflightError(.badRegistrationID, "the registration id '\(registrationID)' \(fault).")
        }
        var warnings: [String] = []
        try checkRoot(roots[0], file: caFile.path, now: now, warnings: &warnings)
        return PreflightReport(registrationID: registrationID, credentials: [caFile.credential(type: .rootCA)],
                               caSubject: String(describing: roots[0].subject), warnings: warnings)
    }

    /// DPS refuses a certificate outside its validity; the module has no clock to notice.
    static func checkDates(_ certificate: Certificate, file: String, now: Date,
        warnings: inout [String]) throws(PreflightError) {
        if now < certificate.notValidBefore {
            throw PreflightError(
                .notYetValid, file: file,
                "the certificate is not valid before \(stamp(certificate.notValidBefore)) "
                    + "and it is now \(stamp(now)); check this computer's clock, or wait."
            )
        }
        if now > certificate.notValidAfter {
            throw PreflightError(
                .expired, file: file,
                "the certificate expired on \(stamp(certificate.notValidAfter)) (it "
                    + "is now \(stamp(now))); DPS will refuse it, so issue a new one."
            )
        }
        let left = certificate.notValidAfter.timeIntervalSince(now)
        if left < expiryWarning {
            let days = Int(left / (24 * 3600))
            warnings.append(
                "\(file): the certificate expires in \(days) day\(days == 1 ? "" : "s"), "
                    + "on \(stamp(certificate.notValidAfter)); renew it soon."
            )
        }
    }

    /// DPS requires the CN to equal the registration id (docs/protocol.md, "DPS over the module's MQTT
    /// client"); without one given, the CN is the registration id.
    static func checkRegistrationID(_ given: String?, against certificate: Certificate,
        file: String) throws(PreflightError) -> String {
        if let given, let fault = fault(inRegistrationID: given) {
            throw PreflightError(.badRegistrationID, "the registration id '\(given)' \(fault).")
        }
        let commonNames = certificate.subject.flatMap { $0 }
            .filter { $0.type == .RDNAttributeType.commonName }
            .map { String($0.value) ?? String(describing: $0.value) }
        guard let commonName = commonNames.first else {
            throw PreflightError(
                .noCommonName, file: file,
                "the certificate's subject (\(certificate.subject)) has no CN, and DPS takes the "
                    + "CN as the registration id; issue a certificate with CN=<registration id>."
            )
        }
        guard let given else {
            if let fault = fault(inRegistrationID: commonName) {
                throw PreflightError(.badCommonName, file: file,
                    "the certificate's CN '\(commonName)' is the registration id, but it \(fault).")
            }
            return commonName
        }
        guard given == commonName else {
            throw PreflightError(
                .registrationIDMismatch, file: file,
                "the certificate's CN is '\(commonName)' but the registration id is '\(given)', and DPS requires them "
                    + "to be equal; give '\(commonName)' as the registration "
                    + "id, or the certificate issued for '\(given)'."
            )
        }
        return given
    }

    /// DPS registration ids: up to 128 of letters, digits, '-', '.', '_', ':'. The id also goes
    /// unescaped into the MQTT URL and topics, where anything else could cut them.
    static func fault(inRegistrationID id: String) -> String? {
        if id.isEmpty { return "is empty" }
        if id.utf8.count > 128 { return "is \(id.utf8.count) characters, more than DPS's 128" }
        let allowed: (Unicode.Scalar) -> Bool = { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)
            || "-._:".unicodeScalars.contains($0)) }
        if let bad = id.unicodeScalars.first(where: { !allowed($0) }) {
            return "contains \(bad == " " ? "a space" : "'\(bad)'"), but DPS "
                + "takes only letters, digits, '-', '.', '_' and ':'"
        }
        return nil
    }

    /// The CA credential is what the module trusts the DPS *server* with, so it must be a root:
    /// the usual mistake is the CA that issued the device certificate, after which every TLS
    /// handshake fails with nothing on the serial line to say why.
    static func checkRoot(_ ca: Certificate, file: String, now: Date, warnings: inout [String]) throws(PreflightError) {
        let advice = "the module needs the root CA of the DPS server's TLS certificate (e.g. "
            + "DigiCert Global Root G2), not the CA that issued the device certificate"
        guard ca.issuer == ca.subject else {
            throw PreflightError(.caNotSelfSigned, file: file,
                "the certificate (\(ca.subject)) is issued by \(ca.issuer), so it is not a root; \(advice).")
        }
        guard ca.publicKey.isValidSignature(ca.signature, for: ca) else {
            throw PreflightError(
                .caNotSelfSigned, file: file,
                "the certificate (\(ca.subject)) names itself as issuer but is "
                    + "not signed by its own key, so it is not a root; \(advice)."
            )
        }
        switch try? ca.extensions.basicConstraints {
        case .isCertificateAuthority:
            break
        case nil where ca.version == .v1:
            break  // v1 roots predate extensions; RFC 5280 still accepts them as trust anchors.
        default:
            throw PreflightError(
                .caNotAuthority, file: file,
                "the certificate (\(ca.subject)) is self-signed but not "
                    + "marked as a CA (basicConstraints CA:TRUE); \(advice)."
            )
        }
        if now > ca.notValidAfter || now < ca.notValidBefore {
            warnings.append(
                "\(file): the root CA is valid only from \(stamp(ca.notValidBefore)) to "
                    + "\(stamp(ca.notValidAfter)); the TLS handshake with DPS may fail."
            )
        }
    }

    /// UTC, to the second: what a user compares against `openssl x509 -dates`.
    static func stamp(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
