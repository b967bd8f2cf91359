import EDMKitIO
import Foundation
import ToolSupport

/// Where a run's symmetric key comes from: a file named by an option or the config file, else
/// an environment variable, else the simulated bench. Only its kind and origin are ever shown.
struct SymmetricKeySource: Sendable {
    /// The key's base64 text: a secret.
    var text: String
    var kind: SymmetricKeyFile.Kind
    /// A file's path or the variable's name, for messages.
    var origin: String

    static let individualVariable = "AZURE_DPS_SYMMETRIC_KEY"
    static let groupVariable = "AZURE_DPS_GROUP_KEY"

    /// The key to use, or nil for an X.509 run. A variable counts only when no certificate is
    /// given, so a key left in the environment does not turn an X.509 command line into a SAS run.
    static func find(individualFile: String?, groupFile: String?, certificateGiven: Bool,
                     environment: [String: String], fallback: SymmetricKeySource?) -> SymmetricKeySource? {
        if individualFile != nil, groupFile != nil {
            fail("symmetric-key-file and group-key-file are both set: an enrollment is individual or a group", .usage)
        }
        if let path = individualFile ?? groupFile {
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data,
                encoding: .utf8) else {
                fail("cannot read the key file \(path)", .unreadable(path))
            }
            return SymmetricKeySource(text: text, kind: individualFile != nil ? .individual : .group, origin: path)
        }
        if certificateGiven { return nil }
        let individual = environment[individualVariable], group = environment[groupVariable]
        if individual != nil, group != nil {
            fail("\(individualVariable) and \(groupVariable) are both set: unset the one that does not apply", .usage)
        }
        if let individual { return SymmetricKeySource(text: individual, kind: .individual, origin: individualVariable) }
        if let group { return SymmetricKeySource(text: group, kind: .group, origin: groupVariable) }
        return fallback
    }

    /// The key checked (base64, a plausible length); exits 65 with a message that never shows it.
    func read() -> SymmetricKeyFile {
        do { return try SymmetricKeyFile(text: text, kind: kind, source: origin) } catch {
            fail(error.message, ExitStatus(error.code))
        }
    }
}
