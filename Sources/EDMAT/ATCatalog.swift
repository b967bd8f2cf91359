import EDMBytes
import EDMFrames

/// The AT commands, responses and URCs of the provisioning flow (docs/protocol.md, "AT commands of
/// the provisioning flow"), with their field names, and what they mean.
///
/// The table is an Array, in the order of docs/protocol.md: anything built from it (a dissector
/// value table, a help text) comes out in the same order on every run.
public enum ATCatalog {
    public static let entries: [ATCatalogEntry] = [
        // Commands, host to module.
        .init("", .command, summary: "attention: check that the module answers in command mode"),
        .init("+UFACTORY", .command, summary: "restore factory settings (effective after the next reboot)"),
        .init("+CPWROFF", .command, summary: "reboot the module"),
        .init("E0", .command, summary: "turn command echo off"),
        .init("E1", .command, summary: "turn command echo on"),
        // Import is `0,<type>,<name>,<size>[,<password>]`; remove and read-MD5 use the first
        // three fields, list only the first.
        .init("+USECMNG", .command, fields: ["operation", "type", "credential", "size", "password"],
              summary: "credential manager: import, remove, list or read the MD5 of certificates and keys"),
        .init("O2", .command, summary: "enter Extended Data Mode (EDM)"),
        .init("+UWSC", .command, fields: ["config", "tag", "value"],
            summary: "set a Wi-Fi station configuration parameter"),
        .init("+UWSCA", .command, fields: ["config", "action"], summary: "run a Wi-Fi station configuration action"),
        .init("+UDCP", .command, fields: ["url"], lastFieldTakesRest: true, summary: "connect a peer given by URL"),
        .init("+UDUV", .command, fields: ["index", "value"], lastFieldTakesRest: true,
              summary: "store a URL variable that later URLs use as %%<index>"),
        .init("+UDCPC", .command, fields: ["peer"], summary: "close a peer"),
        // Information responses, before the final result.
        .init("+USECMNG", .response, fields: ["operation", "type", "credential", "md5"],
              summary: "a credential and its MD5"),
        .init("+UDCP", .response, fields: ["peer"], summary: "the peer handle of a new connection"),
        // Unsolicited result codes.
        .init("+STARTUP", .urc, summary: "module started (boot finished)"),
        .init("+UUWLE", .urc, fields: ["connection", "bssid", "channel"], summary: "Wi-Fi link up"),
        .init("+UUWLD", .urc, fields: ["connection", "reason"], summary: "Wi-Fi link down"),
        .init("+UUNU", .urc, fields: ["interface"], summary: "network up"),
        .init("+UUND", .urc, fields: ["interface"], summary: "network down"),
        .init("+UUDPC", .urc, fields: ["peer", "type", "protocol", "local_ip", "local_port", "remote_ip",
            "remote_port"],
              variant: .init(parameter: 1, equals: "1", fields: ["peer", "type", "profile", "address", "frame_size"]),
              summary: "peer connected"),
        .init("+UUDPD", .urc, fields: ["peer"], summary: "peer disconnected"),
        // Final results and the prompt.
        .init("OK", .final, summary: "command succeeded"),
        .init("ERROR", .final, summary: "command failed"),
        .init("+CME ERROR", .final, fields: ["error"], summary: "command failed with an error code"),
        .init(">", .prompt, summary: "the module waits for the credential's bytes"),
    ]

    /// The entry of a name: `"+UWSC"` or `"AT+UWSC"`, `"E0"`, `""` or `"AT"` (plain AT),
    /// `"+UUWLD"`, `"OK"`. Commands come first, so `"+UDCP"` is the command and `"+UDCP:"`
    /// (with the colon) the information response. ASCII case is ignored; nil if unknown.
    public static func entry(named name: String) -> ATCatalogEntry? {
        var key = name.uppercased()
        if key.hasPrefix("AT") {
            key.removeFirst(2)
            return entries.first { $0.kind == .command && $0.name == key }
        }
        if key.hasSuffix(":") {
            key.removeLast()
            return entries.first { $0.kind != .command && $0.name == key }
        }
        return entries.first { $0.name == key }
    }

    /// The entry a parsed line belongs to (a command, or a response/URC/final of that name).
    public static func entry(for line: ATCommandLine) -> ATCatalogEntry? {
        let name = line.upperCasedName
        guard let candidates = entriesByName[name] else { return nil }
        return candidates.lazy.map { entries[$0] }.first { $0.matches(line.kind, upperCasedName: name) }
    }

    /// The indices of the entries of each name, in table order (a line not seen before asks
    /// for its entry twice or three times, and going down the table compared names with most).
    private static let entriesByName: [String: [Int]] = Dictionary(grouping: entries.indices) { entries[$0].name }

    /// The line's parameters with their field names, in order: `+UUWLD:0,4` gives
    /// `[("connection", "0"), ("reason", "4")]`. Parameters past the known fields, and all
    /// parameters of an unknown line, are named `parameter_<n>` (1-based).
    ///
    /// Values are given as sent, secrets included: redact with `secretParameterIndices`.
    public static func fields(of line: ATCommandLine) -> [(name: String, value: String)] {
        let entry = entry(for: line)
        let names = entry?.fieldNames(for: line) ?? []
        var result = [(name: String, value: String)]()
        for (i, parameter) in line.parameters.enumerated() {
            if entry?.lastFieldTakesRest == true, i == names.count - 1, let rest = line.rest(from: i) {
                result.append((names[i], rest.text))
                break
            }
            result.append((i < names.count ? names[i] : "parameter_\(i + 1)", parameter.text))
        }
        return result
    }

    // MARK: - Secrets

    /// The index of the first parameter that holds a secret: 2 for `AT+UWSC` tag 8
    /// (passphrase) and tag 9 (password), 4 for `AT+USECMNG` import's key password. Nil when
    /// the line carries none. See `secretParameterIndices` for every secret parameter.
    public static func secretParameterIndex(of line: ATCommandLine) -> Int? {
        secretParameterIndices(of: line).first
    }

    /// Every parameter that holds (part of) a secret, in order. A secret written without
    /// quotes may hold commas, which split it into several parameters: all of them count.
    /// Also `AT+UWSC` tag 6 (WEP keys) and an `AT+UDUV` string that is a SAS token.
    ///
    /// Not covered: a `passwd=` value inside an `AT+UDCP` URL (part of one parameter).
    public static func secretParameterIndices(of line: ATCommandLine) -> [Int] {
        guard line.kind == .command, line.form == .set, let rule = SecretParameters.rule(named: line.upperCasedName)
        else { return [] }
        let count = line.parameters.count
        guard count > rule.first else { return [] }
        switch rule.condition {
        case .selector(let index, let values):
            guard let value = line.integer(index), values.contains(value) else { return [] }
        case .sasToken:
            guard let value = line.rest(from: rule.first), isSASToken(value.text) else { return [] }
        }
        return Array(rule.first..<count)
    }

    /// DPS symmetric-key enrollments pass their SAS token as a URL variable (`passwd=%%n`).
    package static func isSASToken(_ text: String) -> Bool {
        text.hasPrefix(SecretParameters.sasTokenPrefix.description)
    }

    // MARK: - Credential import

    /// The import of `AT+USECMNG=0,<type>,<name>,<size>[,<password>]`: after the `>` prompt
    /// the host sends exactly `size` raw bytes, which are no AT text. Nil for any other line.
    public static func credentialImport(of line: ATCommandLine) -> (type: Int, name: String, size: Int)? {
        guard line.kind == .command, line.form == .set, line.name.uppercased() == "+USECMNG",
              line.parameters.count >= 4, line.integer(0) == 0,
              let type = line.integer(1), let size = line.integer(3), size >= 0
        else { return nil }
        return (type, line.parameters[2].text, size)
    }

    /// `root CA`, `client certificate`, `client private key` (`AT+USECMNG` types 0, 1, 2).
    public static func credentialTypeName(_ type: Int) -> String {
        name(type, in: credentialTypes) ?? "credential type \(type)"
    }
}
