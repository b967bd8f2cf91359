import EDMBytes

/// The URL of an `AT+UDCP` peer: `mqtt://host:port/?client=…&pt=…&st=…&ca=…`, as the
/// catalog explains it and the simulator connects it.
///
/// Values are not escaped on the wire (docs/protocol.md, "AT commands of the provisioning
/// flow"): the query splits on `&`, each item on its first `=`, and only then is each `%%n`
/// replaced by URL variable n (`AT+UDUV`), which is what lets a topic hold `?`, `&` and `=`.
package struct PeerURL: Hashable, Sendable {
    /// As written (`mqtt`, `MQTT`).
    package let scheme: String
    /// `host:port`, `[fe80::1]:5000`.
    package let authority: String
    /// The text after the first `?`, split on `&` when a value is asked for.
    private let queryText: ArraySlice<UInt8>
    private let variables: [Int: String]

    /// Nil when the text is not `scheme://authority[/][?query]`. Works on UTF-8 bytes: every
    /// separator is ASCII, so Character-wise scanning would buy nothing.
    package init?(_ url: String, variables: [Int: String] = [:]) {
        let u = Array(url.utf8)[...]
        func text(_ bytes: ArraySlice<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }
        var schemeEnd = u.startIndex // (at the `://`)
        while schemeEnd + 3 <= u.endIndex,
              u[schemeEnd] != UInt8(ascii: ":") || u[schemeEnd + 1] != UInt8(ascii: "/")
                  || u[schemeEnd + 2] != UInt8(ascii: "/") {
            schemeEnd += 1
        }
        guard schemeEnd + 3 <= u.endIndex else { return nil }
        let rest = u[(schemeEnd + 3)...]
        // A bracketed IPv6 host holds colons but no `/` or `?`, so the first of those ends it.
        let end = rest.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") } ?? rest.endIndex
        scheme = text(u[..<schemeEnd])
        authority = text(rest[..<end])
        guard !scheme.isEmpty, !authority.isEmpty else { return nil }
        queryText = rest.firstIndex(of: UInt8(ascii: "?")).map { rest[($0 + 1)...] } ?? []
        self.variables = variables
    }

    /// Whether a value names a URL variable that is not set (a module refuses such a peer).
    package var usesUnsetVariable: Bool {
        queryText.contains(UInt8(ascii: "%")) && items().contains { Self.substitute($0.value, variables) == nil }
    }

    /// The host of `host:port` (the authority when it names no port).
    package var host: String {
        authority.lastIndex(of: ":").map { String(authority[..<$0]) } ?? authority
    }

    /// The port, when the authority ends in one between 1 and 65535.
    package var port: Int? {
        guard let colon = authority.lastIndex(of: ":"), let port = Int(authority[authority.index(after: colon)...]),
              (1...65535).contains(port) else { return nil }
        return port
    }

    /// The first value of `key` in the query, its URL variables substituted (one that is not
    /// set is left as written).
    package func query(_ key: String) -> String? {
        let key = Array(key.utf8)
        for item in items() where item.key.elementsEqual(key) {
            return Self.substitute(item.value, variables) ?? String(decoding: item.value, as: UTF8.self)
        }
        return nil
    }

    /// The query's `key=value` items in their order (an item without `=` has an empty value).
    private func items() -> [(key: ArraySlice<UInt8>, value: ArraySlice<UInt8>)] {
        var out: [(key: ArraySlice<UInt8>, value: ArraySlice<UInt8>)] = []
        var rest = queryText
        while !rest.isEmpty {
            let end = rest.firstIndex(of: UInt8(ascii: "&")) ?? rest.endIndex
            let item = rest[..<end]
            let eq = item.firstIndex(of: UInt8(ascii: "=")) ?? item.endIndex
            if !item.isEmpty { out.append((item[..<eq], item[eq...].dropFirst())) }
            rest = rest[end...].dropFirst()
        }
        return out
    }

    /// Replaces each `%%<digits>` by that URL variable; nil if one is not set.
    private static func substitute(_ value: ArraySlice<UInt8>, _ variables: [Int: String]) -> String? {
        let percent = UInt8(ascii: "%")
        var out: [UInt8] = []
        var i = value.startIndex
        while i < value.endIndex {
            guard value[i] == percent, i + 1 < value.endIndex, value[i + 1] == percent else {
                out.append(value[i])
                i += 1
                continue
            }
            var end = i + 2
            while end < value.endIndex, ByteText.isDigit(value[end]) { end += 1 }
            guard let n = Int(String(decoding: value[(i + 2)..<end],
                as: UTF8.self)), let variable = variables[n] else { return nil }
            out += variable.utf8
            i = end
        }
        return String(decoding: out, as: UTF8.self)
    }
}
