import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis
import EDMRender
import EDMProvisioning

/// The text of a request with what is opaque or secret masked: a DPS `$rid` value, a
/// passphrase or key password (recordings redact them). `ExchangeKey` builds on it.
public enum RequestMatcher {
    /// The command with `$rid` values and secret parameters replaced by `*`.
    package static func normalized(_ text: String) -> String {
        let line = ATCommandLine(text)
        guard line.kind == .command else { return text }
        let secret = ATCatalog.secretParameterIndices(of: line)
        var parameters = line.parameters.map(\.raw)
        for i in secret where i < parameters.count { parameters[i] = "*" }
        if let first = secret.first, first < parameters.count { parameters = Array(parameters[...first]) }
        let arguments = parameters.joined(separator: ",")
        return line.prefix.uppercased() + line.name.uppercased() + line.separator
            + maskRID(line.rawArguments == nil ? "" : arguments)
    }

    /// `…?$rid=1&operationId=…` → `…?$rid=*&operationId=…`: the rid is opaque
    /// (docs/protocol.md, "DPS over the module's MQTT client").
    package static func maskRID(_ text: String) -> String {
        var out = ""
        var rest = Substring(text)
        while let r = rest.firstRange(of: "$rid=") {
            out += rest[..<r.upperBound] + "*"
            rest = rest[r.upperBound...]
            rest = rest[(rest.firstIndex(where: { $0 == "&" || $0 == "," }) ?? rest.endIndex)...]
        }
        return out + rest
    }
}
