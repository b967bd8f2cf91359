import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis
import EDMRender
import EDMProvisioning
import Crypto

/// A credential in the simulated module's store (`AT+USECMNG`): its type, name and MD5.
///
/// Tests start a module with credentials already present to check that a host skips uploads
/// whose MD5 already matches. The module never needs the bytes again, only their digest.
public struct StoredCredential: Hashable, Sendable {
    /// The `<type>` of `AT+USECMNG`.
    public enum Kind: Int, CaseIterable, Hashable, Sendable {
        case rootCA = 0
        case clientCertificate = 1
        case clientPrivateKey = 2
    }

    public var kind: Kind
    /// The name given to `AT+USECMNG=0` (at most 32 characters).
    public var name: String
    /// 32 upper-case hex digits, as the module reports it.
    public var md5: String
    /// The imported size in bytes, when known.
    public var size: Int?

    /// A credential stored from its bytes; the MD5 is computed.
    public init(kind: Kind, name: String, bytes: some Collection<UInt8>) {
        self.kind = kind
        self.name = name
        self.md5 = Self.md5(bytes)
        self.size = bytes.count
    }

    /// A credential known only by its digest (upper-cased here).
    public init(kind: Kind, name: String, md5: String) {
        self.kind = kind
        self.name = name
        self.md5 = md5.uppercased()
        self.size = nil
    }

    /// MD5 in the module's spelling: 32 upper-case hex digits.
    public static func md5(_ bytes: some Collection<UInt8>) -> String {
        hexString(Array(Insecure.MD5.hash(data: Array(bytes))))
    }

    /// Stores sort by type, then name: the order `AT+USECMNG=3` lists them in.
    package static func precedes(_ a: StoredCredential, _ b: StoredCredential) -> Bool {
        (a.kind.rawValue, a.name) < (b.kind.rawValue, b.name)
    }
}
