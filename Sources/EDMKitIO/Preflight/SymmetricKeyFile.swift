import EDMKit

/// A symmetric-key enrollment's key, read and checked before any serial port is opened, and
/// the SAS token signed with it.
///
/// The key is base64 text, as the Azure portal shows it (an individual enrollment's key, or an
/// enrollment group's, from which each device's key is derived). Nothing here prints it.
public struct SymmetricKeyFile: Sendable {
    /// Which enrollment the key belongs to.
    public enum Kind: String, Sendable {
        /// An individual enrollment: the key signs the token itself.
        case individual
        /// An enrollment group: the device's key is derived from it for each registration id.
        case group
    }

    public let kind: Kind
    /// The decoded key bytes: a secret.
    let key: [UInt8]

    /// Keys DPS generates are 32 or 64 bytes; shorter or longer text is rarely a key.
    public static let plausibleLength = 16...128

    /// `text` is the file's content or the environment variable's value; `source` names it in
    /// messages (never the key).
    public init(text: String, kind: Kind, source: String) throws(PreflightError) {
        let trimmed = Array(text.utf8).filter { $0 != 0x0A && $0 != 0x0D && $0 != 0x20 && $0 != 0x09 }
        guard let key = Base64.decode(trimmed) else {
            throw PreflightError(
                .badSymmetricKey, file: source, line: nil,
                "the \(kind.rawValue) key is not base64 (\(trimmed.count) "
                    + "characters); copy the primary key from the enrollment."
            )
        }
        guard Self.plausibleLength.contains(key.count) else {
            throw PreflightError(
                .badSymmetricKey, file: source, line: nil,
                "the \(kind.rawValue) key decodes to \(key.count) bytes; DPS keys are 32 or 64 "
                    + "(\(Self.plausibleLength.lowerBound) to \(Self.plausibleLength.upperBound) accepted)."
            )
        }
        self.kind = kind
        self.key = key
    }

    /// The token for `registrationID`, valid until `now + lifetime` (Unix seconds).
    public func token(idScope: String, registrationID: String, now: Int64, lifetime: Int64) -> SASToken {
        let signingKey = kind == .group ? SASToken.deviceKey(groupKey: key, registrationID: registrationID) : key
        return SASToken(idScope: idScope, registrationID: registrationID, key: signingKey, expiry: now + lifetime)
    }

    /// A host clock before this (the toolkit's release) is wrong, and a token signed with it is
    /// refused by DPS as expired or not yet valid.
    public static let earliestPlausibleTime: Int64 = 1_796_083_200 // 2026-12-01T00:00:00Z

    /// The problems a token would have, as warnings: a clock before the release, a lifetime
    /// that ends before now.
    public static func clockWarnings(now: Int64, lifetime: Int64) -> [String] {
        var out: [String] = []
        if now < earliestPlausibleTime {
            out.append(
                "the host clock reads \(now) (Unix seconds), before this toolkit was released: "
                    + "DPS will refuse a token signed with it (401000); set the clock."
            )
        }
        if lifetime <= 0 { out.append("the SAS token's lifetime is not positive: it has expired before it is sent.") }
        return out
    }

    /// The longest AT line an EDM frame carries: the body of the largest frame u-blox builds.
    public static let maxATLine = EDMFrame.maxBodyCount

    /// Why the lines that carry the token cannot be sent, with the numbers; nil when they fit.
    public static func lengthProblem(token: String, url: String) -> String? {
        let tokenLine = "AT+UDUV=1,\(token)\r".utf8.count
        let urlLine = "AT+UDCP=\(url)\r".utf8.count
        if tokenLine > maxATLine {
            return "the SAS token's AT+UDUV line is \(tokenLine) bytes; an EDM frame carries at most \(maxATLine)."
        }
        if urlLine > maxATLine {
            return "the AT+UDCP line is \(urlLine) bytes; an EDM frame carries at most \(maxATLine)."
        }
        return nil
    }
}
