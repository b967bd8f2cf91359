import EDMBytes
import Crypto

/// The shared access signature a symmetric-key enrollment signs in with: the MQTT password
/// DPS checks at CONNECT (docs/protocol.md, "Symmetric-key enrollments").
///
///     SharedAccessSignature sr={sr}&sig={sig}&se={se}&skn=registration
///     sig = url-encoded base64(HMAC-SHA256(key, sr + "\n" + se))
///
/// with `sr` the URL-encoded `{idScope}/registrations/{registrationId}` and `se` the expiry in
/// Unix seconds. Pure: the host's clock reaches it only as the expiry.
public struct SASToken: Hashable, Sendable {
    /// The resource: `{idScope}/registrations/{registrationId}`, URL-encoded.
    public var resource: String
    /// The signature, base64 (not URL-encoded).
    public var signature: String
    /// Expiry, Unix seconds.
    public var expiry: Int64
    /// The key name; `registration` for DPS, optional in practice.
    public var keyName: String?

    public static let prefix = "SharedAccessSignature "

    /// Signs for `registrationID` with `key` (the raw bytes of the base64 key), valid until `expiry`.
    public init(idScope: String, registrationID: String, key: [UInt8], expiry: Int64) {
        resource = Self.urlEncoded("\(idScope)/registrations/\(registrationID)")
        self.expiry = expiry
        keyName = "registration"
        signature = Self.sign(resource: resource, expiry: expiry, key: key)
    }

    /// The token as the module's MQTT client sends it as its password.
    public var text: String {
        var out = Self.prefix + "sr=\(resource)&sig=\(Self.urlEncoded(signature))&se=\(expiry)"
        if let keyName { out += "&skn=\(keyName)" }
        return out
    }

    /// Reads a token back (the simulated DPS checks what a host sent); nil when it is not one.
    public init?(parsing text: String) {
        guard text.hasPrefix(Self.prefix) else { return nil }
        var fields: [(String, String)] = []
        for item in text.dropFirst(Self.prefix.count).split(separator: "&", omittingEmptySubsequences: false) {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { return nil }
            fields.append((String(parts[0]), String(parts[1])))
        }
        func value(_ key: String) -> String? { fields.first { $0.0 == key }?.1 }
        guard let resource = value("sr"), let sig = value("sig").flatMap(Self.urlDecoded),
              let expiry = value("se").flatMap({ Int64($0) }) else { return nil }
        self.resource = resource
        signature = sig
        self.expiry = expiry
        keyName = value("skn")
    }

    /// Whether `key` made this token's signature (DPS's check, in constant time).
    public func isSigned(with key: [UInt8]) -> Bool {
        let expected = Array(Self.sign(resource: resource, expiry: expiry, key: key).utf8)
        let actual = Array(signature.utf8)
        return expected.count == actual.count && zip(expected, actual).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// An enrollment group's device key: base64(HMAC-SHA256(group key, registration id)),
    /// returned as the raw bytes a token is signed with.
    public static func deviceKey(groupKey: [UInt8], registrationID: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array(registrationID.utf8), using: SymmetricKey(data: groupKey)))
    }

    private static func sign(resource: String, expiry: Int64, key: [UInt8]) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array("\(resource)\n\(expiry)".utf8),
            using: SymmetricKey(data: key))
        return Base64.encode(Array(mac))
    }

    /// Percent-encoding of everything but RFC 3986's unreserved characters, upper-case hex.
    public static func urlEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(UnicodeScalar(byte))
            default:
                out += "%" + hexString([byte])
            }
        }
        return out
    }

    /// Percent-decoding, either case of hex; nil for a broken escape.
    public static func urlDecoded(_ text: String) -> String? {
        var out: [UInt8] = []
        var bytes = text.utf8[...]
        while let byte = bytes.popFirst() {
            guard byte == UInt8(ascii: "%") else {
                out.append(byte)
                continue
            }
            guard bytes.count >= 2, let hi = ByteText.hexValue(bytes.removeFirst()),
                let lo = ByteText.hexValue(bytes.removeFirst())
            else {
                return nil
            }
            out.append(hi << 4 | lo)
        }
        return String(decoding: out, as: UTF8.self)
    }
}
