import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis
import EDMRender
import EDMProvisioning
import EDMModel

/// Works out from a trace how the host was configured: ids, SSID, credentials.
///
/// Everything comes from what the host sent and the module answered: the `AT+UDCP` URL
/// (client, user = id scope, api-version, host, port, keepAlive, credential names), the
/// `AT+UWSC` lines, the credential imports (their bytes as recorded, their MD5 as the
/// module reported it), the registration body. What the trace lacks keeps its default.
public enum ReplayConfiguration {
    public static func infer(from records: [TraceRecord]) -> ProvisioningConfiguration {
        infer(from: ReplayCheck.decode(records))
    }

    /// The same, from the trace's units when the caller has decoded them already.
    public static func infer(from units: [SessionUnit]) -> ProvisioningConfiguration {
        var c = ProvisioningConfiguration(idScope: "", registrationID: "", credentials: [], ssid: "", passphrase: [])
        var imported: [(type: CredentialType, name: String, bytes: [UInt8])] = []
        var md5s: [String: String] = [:]
        var urlVariables: [Int: String] = [:]
        for unit in units {
            // Only the module's three types can be configured; an import of another, which the
            // module refuses, is left out.
            if unit.type == "payload", let credential = unit.credential,
               let type = CredentialType(rawValue: credential.type) {
                imported.append((type, credential.name, Array(unit.bytes)))
            }
            if let frame = unit.frame, frame.payloadID == .dataCommand, let data = frame.data,
               let json = JSONValue(parsing: data), case .object(let members) = json, json["registrationId"] != nil {
                c.payload = members.first { $0.0 == "payload" }?.1.serialized
            }
            guard let text = unit.text else { continue }
            for line in text.unicodeScalars.split(whereSeparator: { $0 == "\r"
                || $0 == "\n" }).map({ ATCommandLine(String($0)) }) {
                switch (line.kind, line.upperCasedName) {
                case (.command, "+UFACTORY"): c.factoryReset = true
                case (.command, "+UWSC"):
                    switch line.integer(1) {
                    case 2: c.ssid = line.rest(from: 2)?.text ?? ""
                    case 5: c.authentication = line.integer(2).map(WiFiAuthentication.init) ?? c.authentication
                    case 8: c.passphrase = Array((line.rest(from: 2)?.text ?? "").utf8)
                    default: break
                    }
                case (.command, "+UDCP"):
                    guard let url = line.rest(from: 0)?.text else { break }
                    apply(url: url, to: &c)
                case (.command, "+UDUV"):
                    // A SAS token (or its redacted filler, which replays as the same bytes).
                    if let index = line.integer(0), let value = line.rest(from: 1)?.text { urlVariables[index] = value }
                case (.information, "+USECMNG") where line.integer(0) == 0:
                    if let name = line.parameter(2), let md5 = line.parameter(3) { md5s[name] = md5 }
                default: break
                }
            }
        }
        if case .symmetricKey(_, let variable, let key) = c.attestation {
            c.attestation = .symmetricKey(token: urlVariables[variable] ?? "", variable: variable, passwordKey: key)
        } else if let (variable,
            token) = urlVariables.sorted(by: { $0.key < $1.key }).first(where: { Self.isToken($0.value) }) {
            // A run that ended before its first peer (the module refused the token) still set it.
            c.attestation = .symmetricKey(token: token, variable: variable)
        }
        c.credentials = imported.map { item in
            .init(type: item.type, name: item.name, md5: md5s[item.name] ?? "", size: item.bytes.count,
                bytes: item.bytes)
        }
        return c
    }

    /// `mqtt://host:port/?client=…&user=<scope>/registrations/<id>/api-version=<v>&…&keepAlive=60`.
    /// A SAS token as sent, or as a recording keeps it (redacted: filler of its length).
    static func isToken(_ value: String) -> Bool {
        value.hasPrefix(SASToken.prefix) || !value.isEmpty && value.utf8.allSatisfy { $0 == Redactor.filler }
    }

    package static func apply(url: String, to c: inout ProvisioningConfiguration) {
        let afterScheme = url.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false)
        if afterScheme.count > 2 {
            let hostPort = afterScheme[2].split(separator: ":")
            if let host = hostPort.first { c.dpsHost = String(host) }
            if hostPort.count > 1, let port = Int(hostPort[1]) { c.dpsPort = port }
        }
        guard let query = url.split(separator: "?", maxSplits: 1).dropFirst().first else { return }
        for pair in query.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1)
            guard kv.count == 2 else { continue }
            let value = String(kv[1])
            switch kv[0] {
            case "client": c.registrationID = value
            case "user":
                let parts = value.split(separator: "/")
                if let scope = parts.first { c.idScope = String(scope) }
                if let version = parts.last, version.hasPrefix("api-version=") {
                    c.apiVersion = String(version.dropFirst(12))
                }
            case "keepAlive": c.keepAlive = Int(value) ?? c.keepAlive
            case "passwd" where value.hasPrefix("%%"):
                if let variable = Int(value.dropFirst(2)) { c.attestation = .symmetricKey(token: "",
                    variable: variable) }
            default: break
            }
        }
    }
}
