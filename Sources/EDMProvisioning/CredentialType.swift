import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis
import EDMRender

/// The `<type>` of `AT+USECMNG`: what a stored credential is for.
public enum CredentialType: Int, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    case rootCA = 0
    case clientCertificate = 1
    case clientPrivateKey = 2

    /// `root CA`, `client certificate`, `client private key`, as the transcripts say.
    public var description: String { ATCatalog.credentialTypeName(rawValue) }
}
