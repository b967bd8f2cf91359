#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import EDMKit
import X509

/// The three PEM files a DPS X.509 run uploads, by path, in the module's terms: the root CA of
/// the DPS server (type 0), the device certificate (type 1), its private key (type 2).
public struct CredentialFiles: Hashable, Sendable {
    public var ca: String
    public var certificate: String
    public var key: String

    public init(ca: String, certificate: String, key: String) {
        self.ca = ca
        self.certificate = certificate
        self.key = key
    }

    /// `AT+USECMNG` limits (docs/protocol.md, "AT commands of the provisioning flow").
    public static let maximumSize = 8192
    public static let maximumNameLength = 32
}

/// One credential file as read from disk: the exact bytes and the name the module will store
/// it under.
struct CredentialFile {
    var path: String
    /// The file's base name: what `AT+USECMNG` and the MQTT URL's `ca=`/`cert=`/`privKey=` use.
    var name: String
    /// Exactly the file's bytes, trailing newline and all, because the module's MD5 is of
    /// what was uploaded and a later run compares against it to skip the upload.
    var bytes: [UInt8]

    /// Reads `path`, refusing what the module could never take before looking inside.
    init(path: String) throws(PreflightError) {
        self.path = path
        name = Self.baseName(path)
        try Self.checkName(name, path: path)
        bytes = try Self.read(path)
    }

    func credential(type: CredentialType) -> ProvisioningConfiguration.Credential {
        .init(type: type, name: name, bytes: bytes)
    }

    static func baseName(_ path: String) -> String {
        var path = Substring(path)
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        return String(path.split(separator: "/").last ?? path)
    }

    /// The name goes into `AT+USECMNG=0,<type>,"<name>",<size>` and into the MQTT URL unescaped,
    /// so a quote, a comma or an `&` would cut the command or the URL in the wrong place.
    static func checkName(_ name: String, path: String) throws(PreflightError) {
        guard path != "-" else {
            throw PreflightError(
                .badName, file: path,
                "standard input cannot be a credential; the module stores "
                    + "each credential under its file's name, so give a file."
            )
        }
        if name.utf8.count > CredentialFiles.maximumNameLength {
            throw PreflightError(
                .badName, file: path,
                "the name '\(name)' is \(name.utf8.count) characters; the module stores credentials under "
                    + "names of at most \(CredentialFiles.maximumNameLength), so rename or copy the file."
            )
        }
        if let bad = name.unicodeScalars.first(where: {
            !(0x21...0x7E).contains($0.value) || "\",&?=%#".unicodeScalars.contains($0)
        }) {
            throw PreflightError(
                .badName, file: path,
                "the name '\(name)' contains \(bad.value == 0x20 ? "a space" : "'\(bad)'"), which the AT command "
                    + "or the MQTT URL cannot carry; rename the file using letters, digits, '.', '-' and '_'."
            )
        }
    }

    /// All the bytes, but never more than one past the module's limit: a huge file given by
    /// mistake is refused without being held in memory.
    static func read(_ path: String) throws(PreflightError) -> [UInt8] {
        var bytes: [UInt8] = []
        var total = 0
        do throws(IOError) {
            let reader = try FileReader(path: path)
            while let chunk = try reader.read() {
                total += chunk.count
                if bytes.count <= CredentialFiles.maximumSize { bytes += chunk }
            }
        } catch {
            if error.isMissing {
                throw PreflightError(.missingFile, file: path, "no such file; check the path.")
            }
            throw PreflightError(.unreadableFile, file: path,
                "cannot be read (\(String(cString: strerror(error.errno)))); check the path and its permissions.")
        }
        guard total <= CredentialFiles.maximumSize else {
            throw PreflightError(
                .fileTooLarge, file: path,
                "\(total) bytes is more than the \(CredentialFiles.maximumSize) the module takes "
                    + "per credential; give one certificate or key per file, without extra text."
            )
        }
        return bytes
    }
}

/// What a credential file holds, parsed: certificates for the CA and device files, one private
/// key for the key file. Each error names the block's line, since a PEM file may hold several.
extension CredentialFile {
    /// Private-key labels swift-certificates reads: PKCS#8, SEC1 (EC), PKCS#1 (RSA).
    static let keyLabels: Set<String> = ["PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY"]

    /// The certificates, in file order (at least one). `role` is "CA" or "certificate", for
    /// the sentences.
    func certificates(role: String) throws(PreflightError) -> [Certificate] {
        var certificates: [Certificate] = []
        for block in try PEMScanner.scan(bytes, file: path) {
            guard block.label == "CERTIFICATE" else {
                // A key pasted into a certificate file would be uploaded as a certificate:
                // refuse it rather than send a secret where it does not belong.
                let what = block.label.hasSuffix("PRIVATE KEY") ? "a private key" : "a '\(block.label)' block"
                throw PreflightError(
                    .wrongContent, file: path, line: block.beginLine,
                    "the \(role) file holds \(what), not only certificates; give "
                        + "the certificate and the private key in separate files."
                )
            }
            do {
                certificates.append(try Certificate(derEncoded: block.der))
            } catch {
                throw PreflightError(
                    .badCertificate, file: path, line: block.beginLine,
                    "the CERTIFICATE block is not a valid X.509 certificate; "
                        + "the file is damaged or is not what its label says."
                )
            }
        }
        return certificates
    }

    /// The one private key of the file. `EC PARAMETERS` blocks (which `openssl ecparam -genkey`
    /// writes in front of the key) are skipped.
    func privateKey() throws(PreflightError) -> Certificate.PrivateKey {
        var key: (block: PEMBlock, value: Certificate.PrivateKey)?
        let blocks = try PEMScanner.scan(bytes, file: path)
        for block in blocks where block.label != "EC PARAMETERS" {
            if block.isEncrypted {
                throw PreflightError(
                    .encryptedKey, file: path, line: block.beginLine,
                    "the private key is encrypted, and encrypted keys are not supported here: the module needs the "
                        + "password to use it, so decrypt the key first (openssl pkey "
                        + "-in \(name) -out \(name).plain) and keep the plain file safe."
                )
            }
            guard Self.keyLabels.contains(block.label) else {
                let what =
                    switch block.label {
                    case "CERTIFICATE": "a certificate, not a private key; give the device's private key file"
                    case "PUBLIC KEY", "RSA PUBLIC KEY":
                        "a public key; the module needs the private key that goes with the certificate"
                    default: "a '\(block.label)' block, not a private key"
                    }
                throw PreflightError(.wrongContent, file: path, line: block.beginLine, "the key file holds \(what).")
            }
            if let first = key {
                throw PreflightError(
                    .wrongContent, file: path, line: block.beginLine,
                    "a second private key follows the one on line "
                        + "\(first.block.beginLine); give exactly one key per file."
                )
            }
            do {
                key = (block, try Certificate.PrivateKey(pemEncoded: Self.cleanPEM(block)))
            } catch {
                throw PreflightError(
                    .badKey, file: path, line: block.beginLine,
                    "the '\(block.label)' block is not a private key this tool can read (EC "
                        + "P-256, P-384, P-521 or RSA); the file is damaged or of another kind."
                )
            }
        }
        guard let key else {
            throw PreflightError(.wrongContent, file: path, line: blocks.first?.beginLine,
                "the key file holds EC parameters but no private key.")
        }
        return key.value
    }

    /// The block as swift-certificates' strict PEM parser wants it: no headers, 64-character
    /// lines. Built from the decoded bytes, so what is parsed is exactly what was checked.
    static func cleanPEM(_ block: PEMBlock) -> String {
        let base64 = Array(Base64.encode(block.der))
        let lines = stride(from: 0, to: base64.count, by: 64).map { String(base64[$0..<min($0 + 64, base64.count)]) }
        return (["-----BEGIN \(block.label)-----"] + lines + ["-----END \(block.label)-----"]).joined(separator: "\n")
    }
}
