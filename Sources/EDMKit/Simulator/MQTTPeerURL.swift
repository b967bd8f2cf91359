import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis
import EDMRender

/// The URL of an `AT+UDCP` peer: `mqtt://host:port/?client=…&pt=…&st=…&ca=…`.
///
/// Values are not escaped on the wire (docs/protocol.md, "AT commands of the provisioning flow"): a query splits on `&`, each
/// pair on its first `=`, and only then is each `%%n` replaced by URL variable n
/// (`AT+UDUV`), which is what lets a topic hold `?`, `&` and `=`.
struct MQTTPeerURL: Hashable, Sendable {
    var scheme: String
    var host: String
    var port: Int
    /// The query's pairs in their order (never a dictionary: a log lists them as written).
    var query: [Pair]

    struct Pair: Hashable, Sendable {
        var key: String
        var value: String
    }

    /// Nil when the text is not `scheme://host:port[/][?query]`, or uses an unset variable.
    init?(_ text: String, variables: [Int: String]) {
        guard let schemeEnd = text.range(of: "://") else { return nil }
        scheme = text[..<schemeEnd.lowerBound].lowercased()
        let rest = text[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        guard let colon = authority.lastIndex(of: ":"), let port = Int(authority[authority.index(after: colon)...]),
              (1...65535).contains(port) else { return nil }
        host = String(authority[..<colon])
        self.port = port
        guard !scheme.isEmpty, !host.isEmpty else { return nil }

        var pairs: [Pair] = []
        if let mark = rest[authorityEnd...].firstIndex(of: "?") {
            for item in rest[rest.index(after: mark)...].split(separator: "&", omittingEmptySubsequences: true) {
                let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard let value = Self.substitute(parts.count > 1 ? String(parts[1]) : "", variables) else { return nil }
                pairs.append(Pair(key: String(parts[0]), value: value))
            }
        }
        query = pairs
    }

    func value(_ key: String) -> String? { query.first { $0.key == key }?.value }

    var clientID: String? { value("client") }
    var publishTopic: String? { value("pt") }
    var subscribeTopic: String? { value("st") }

    /// Replaces each `%%<digits>` by that URL variable; nil if one is not set.
    static func substitute(_ value: String, _ variables: [Int: String]) -> String? {
        guard value.contains("%%") else { return value }
        var out = ""
        var rest = Substring(value)
        while let r = rest.range(of: "%%") {
            out += rest[..<r.lowerBound]
            let digits = rest[r.upperBound...].prefix { $0.isASCII && $0.isNumber }
            guard let n = Int(digits), let variable = variables[n] else { return nil }
            out += variable
            rest = rest[digits.endIndex...]
        }
        return out + rest
    }
}
