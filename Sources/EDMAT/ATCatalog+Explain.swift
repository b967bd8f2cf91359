import EDMBytes
import EDMFrames

/// Plain-language explanations of AT lines, for transcripts and failure messages.
///
/// Explanations never show a secret: a passphrase or password is described by its length,
/// an `AT+UDCP` URL by its host, port and client id only.
extension ATCatalog {
    /// One sentence fragment saying what `line` means, e.g. `Wi-Fi link down: security
    /// problem, check the passphrase`. Nil for a line the catalog does not know.
    /// A known line whose arguments do not fit gets the entry's summary.
    public static func explain(_ line: ATCommandLine) -> String? {
        guard let entry = entry(for: line) else { return nil }
        if line.form == .test { return "ask which values \(entry.displayName) accepts" }
        if line.form == .read { return "read the settings of \(entry.displayName)" }
        return explanation(of: line, entry: entry) ?? entry.summary
    }

    /// The detailed explanation, or nil to fall back on the entry's summary.
    private static func explanation(of line: ATCommandLine, entry: ATCatalogEntry) -> String? {
        let p = line.parameters.count
        switch (entry.kind, entry.name) {
        case (.command, "+USECMNG"):
            return credentialCommand(line)
        case (.command, "+UWSC"):
            guard p >= 2, let config = line.integer(0), let tag = line.integer(1) else { return nil }
            guard p > 2, let value = line.rest(from: 2)?.text else {
                return "Wi-Fi station config \(config): read \(stationTagName(tag))"
            }
            return "Wi-Fi station config \(config): " + stationSetting(tag: tag, value: value, parameterCount: p - 2)
        case (.command, "+UWSCA"):
            guard p == 2, let config = line.integer(0), let action = line.integer(1) else { return nil }
            return "Wi-Fi station config \(config): " + (name(action, in: stationActions) ?? "action \(action)")
        case (.command, "+UDCP"):
            guard let url = line.rest(from: 0)?.text, let peer = PeerURL(url) else { return nil }
            // (One String grown once: every session connects with a URL of its own.)
            let client = peer.query("client")
            var text = "connect "
            text.reserveCapacity(32 + peer.authority.utf8.count + (client?.utf8.count ?? 0))
            text += peer.scheme.uppercased()
            text += " peer to "
            text += peer.authority
            if let client { text += ", client \""; text += client; text += "\"" }
            if let password = peer.query("passwd") { text += passwordSource(password) }
            return text
        case (.command, "+UDUV"):
            guard p >= 2, let index = line.integer(0), let value = line.rest(from: 1)?.text else { return nil }
            if isSASToken(value) { return "set URL variable \(index) to a SAS token (\(value.count) characters)" }
            var text = "set URL variable "
            text.reserveCapacity(24 + value.utf8.count)
            text += String(index)
            text += " to \""
            text += value
            text += "\""
            return text
        case (.command, "+UDCPC"):
            return line.integer(0).map { "close peer \($0)" }
        case (.response, "+USECMNG"):
            guard p == 4, let op = line.integer(0), let type = line.integer(1) else { return nil }
            let what = "\(credentialTypeName(type)) \"\(line.parameters[2].text)\""
            let md5 = line.parameters[3].text
            switch op {
            case 0: return "\(what) stored, MD5 \(md5)"
            case 4: return "\(what) has MD5 \(md5)"
            default: return nil
            }
        case (.response, "+UDCP"):
            return line.integer(0).map { "connecting as peer \($0)" }
        case (.urc, "+UUWLE"):
            guard p == 3 else { return nil }
            return "Wi-Fi up, BSSID \(macText(line.parameters[1].text)), channel \(line.parameters[2].text)"
        case (.urc, "+UUWLD"):
            guard p == 2, let reason = line.integer(1) else { return nil }
            return "Wi-Fi link down: " + linkDownReason(reason)
        case (.urc, "+UUNU"):
            return line.integer(0).map { "network up (interface \($0))" }
        case (.urc, "+UUND"):
            return line.integer(0).map { "network down (interface \($0))" }
        case (.urc, "+UUDPC"):
            return peerConnected(line)
        case (.urc, "+UUDPD"):
            return line.integer(0).map { "peer \($0) disconnected" }
        case (.final, "+CME ERROR"):
            if let code = line.cmeError { return "command failed with error \(code)" }
            return p == 1 ? "command failed with error \"\(line.parameters[0].text)\"" : nil
        default:
            return nil
        }
    }

    /// Where a peer URL's `passwd=` comes from, never the password: a symmetric-key DPS
    /// enrollment keeps its SAS token in a URL variable (`passwd=%%1`).
    private static func passwordSource(_ value: String) -> String {
        let u = value.utf8
        if u.count > 2, value.hasPrefix("%%"), u.dropFirst(2).allSatisfy(ByteText.isDigit) {
            return ", password from URL variable \(value.dropFirst(2))"
        }
        return ", password given in the URL"
    }

    private static func credentialCommand(_ line: ATCommandLine) -> String? {
        guard let op = line.integer(0) else { return nil }
        if op == 3 { return "list stored credentials" }
        guard line.parameters.count >= 3, let type = line.integer(1) else { return nil }
        let what = "\(credentialTypeName(type)) \"\(line.parameters[2].text)\""
        switch op {
        case 0:
            guard let size = credentialImport(of: line)?.size else { return nil }
            let password = line.parameters.count > 4 ? ", password-protected" : ""
            return "import \(what) (\(size) bytes\(password))"
        case 2: return "remove \(what)"
        case 4: return "read the MD5 of \(what)"
        default: return nil
        }
    }

    /// What an `AT+UWSC` tag sets. Secrets (tags 6, 8, 9) are described, never shown.
    private static func stationSetting(tag: Int, value: String, parameterCount: Int) -> String {
        func yesNo(_ v: String) -> String { v == "1" ? "yes" : v == "0" ? "no" : "\"\(v)\"" }
        switch tag {
        case 0: return "active on startup: \(yesNo(value))"
        case 2: return "SSID \"\(value)\""
        case 5:
            return "authentication " + (Int(value).flatMap { name($0, in: authenticationTypes) } ?? "type \"\(value)\"")
        case 6: return "WEP keys (\(parameterCount) given)"
        case 8:
            if value.utf8.count == 64, value.utf8.allSatisfy(isHexDigit) { return "pre-shared key (64 hex digits)" }
            let hint = (8...63).contains(value.count) ? "" : "; WPA needs 8 to 63"
            return "passphrase (\(value.count) characters\(hint))"
        case 9: return "password (\(value.count) characters)"
        case 15: return "validate the CA: \(yesNo(value))"
        case 100: return "IPv4 mode " + (value == "1" ? "static" : value == "2" ? "DHCP" : "\"\(value)\"")
        default:
            let name = stationTagName(tag)
            return unquotedStationTags.contains(tag) ? "\(name) \(value)" : "\(name) \"\(value)\""
        }
    }

    private static func stationTagName(_ tag: Int) -> String {
        stationTags.first { $0.tag == tag }?.name ?? "tag \(tag)"
    }

    private static func linkDownReason(_ reason: Int) -> String {
        name(reason, in: linkDownReasons) ?? "reason \(reason)"
    }

    /// `+UUDPC`: IP peers say `<h>,<type 2|3>,<proto>,<local ip>,<local port>,<remote ip>,<remote port>`,
    /// Bluetooth peers `<h>,1,<profile>,<address>p|r,<frame size>`. Codes differ from EDM's.
    private static func peerConnected(_ line: ATCommandLine) -> String? {
        guard let peer = line.integer(0), let type = line.integer(1), let code = line.integer(2) else { return nil }
        let v = line.parameters.map(\.text)
        switch (type, v.count) {
        case (1, 5):
            let profile = name(code, in: peerProfiles) ?? "profile \(code)"
            var address = v[3], kind = ""
            if let last = address.last, last == "p" || last == "r" {
                kind = last == "p" ? " (public)" : " (random)"
                address.removeLast()
            }
            return "peer \(peer) connected: Bluetooth \(profile) to \(macText(address))\(kind), frame size \(v[4])"
        case (2, 7), (3, 7):
            let proto = name(code, in: peerProtocols) ?? "protocol \(code)"
            let host = type == 3 && !v[5].hasPrefix("[") ? "[\(v[5])]" : v[5]
            return "peer \(peer) connected: IPv\(type == 2 ? 4 : 6) \(proto) to \(host):\(v[6])"
        default:
            return nil
        }
    }

    /// `802AA8035ADE` as `80:2A:A8:03:5A:DE`; other text unchanged.
    package static func macText(_ hex: String) -> String {
        let u = Array(hex.utf8)
        guard u.count == 12, u.allSatisfy(isHexDigit) else { return hex }
        return stride(from: 0, to: 12, by: 2)
            .map { String(decoding: u[$0..<($0 + 2)], as: UTF8.self).uppercased() }
            .joined(separator: ":")
    }

    private static func isHexDigit(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "A")...UInt8(ascii: "F"),
            UInt8(ascii: "a")...UInt8(ascii: "f"):
            true
        default: false
        }
    }
}
