import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis
import EDMRender
import EDMProvisioning

/// Says whether a host request is "the same" as a recorded one, for semantic replay.
///
/// Same AT command and parameters, except what is opaque or secret: a DPS `$rid` value,
/// a passphrase or key password (recordings redact them), a credential's bytes. Data
/// commands match by channel and, for DPS registrations, by registration id (DPS ignores
/// the body of a poll, and tools write different register bodies for the same request).
public enum RequestMatcher {
    public enum Request: Hashable, Sendable {
        case at(String)
        case payload(size: Int)
        case data(channel: UInt8, registrationID: String?)
        case resend
    }

    /// The request a host unit makes, nil for units that are not requests.
    public static func request(_ unit: SessionUnit) -> Request? {
        switch unit.kind {
        case .at(.command): return unit.text.map { .at(normalized($0)) }
        case .raw(.payload): return .payload(size: unit.bytes.count)
        case .frame(let frame):
            switch frame.payloadID {
            case .atRequest: return unit.text.map { .at(normalized($0)) }
            case .dataCommand:
                let json = frame.data.flatMap { JSONValue(parsing: $0) }
                return .data(channel: frame.channel ?? 0, registrationID: json?["registrationId"]?.string)
            case .resendConnectEvents: return .resend
            default: return nil
            }
        default: return nil
        }
    }

    /// The command with `$rid` values and secret parameters replaced by `*`.
    package static func normalized(_ text: String) -> String {
        let line = ATCommandLine(text)
        guard line.kind == .command else { return text }
        let secret = ATCatalog.secretParameterIndices(of: line)
        var parameters = line.parameters.map(\.raw)
        for i in secret where i < parameters.count { parameters[i] = "*" }
        if let first = secret.first, first < parameters.count { parameters = Array(parameters[...first]) }
        let arguments = parameters.joined(separator: ",")
        return line.prefix.uppercased() + line.name.uppercased() + line.separator + maskRID(line.rawArguments == nil ? "" : arguments)
    }

    /// `…?$rid=1&operationId=…` → `…?$rid=*&operationId=…`: the rid is opaque (docs/protocol.md, "DPS over the module's MQTT client").
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
