import EDMAT
import EDMAnalysis

/// The AT catalog as Lua tables, for the Wireshark dissector (`wireshark/ucx_edm.lua`): the
/// part of that file between its `BEGIN GENERATED` and `END GENERATED` lines is exactly
/// `lua`, so the dissector explains a line with the names the transcript uses.
/// `make dissector-tables` rewrites that part; a test fails when it is out of date.
public enum DissectorTables {
    public static let begin = "-- BEGIN GENERATED from the AT catalog by `make dissector-tables`; do not edit."
    public static let end = "-- END GENERATED"

    /// The generated part, `begin` and `end` lines included, ending in a line break.
    public static var lua: String {
        var out = begin + "\n"
        out += "-- The catalog's entries by the kind of line they explain (the first of a name wins).\n"
        out += "local AT_ENTRIES = {\n"
        for (group, kinds) in lineKinds {
            out += "    \(group) = {\n"
            var seen = Set<String>()
            for entry in ATCatalog.entries where kinds.contains(entry.kind) && seen.insert(entry.name).inserted {
                out += "        [\(quoted(entry.name))] = { kind = \(quoted(entry.kind.rawValue)), "
                out += "display = \(quoted(entry.displayName)),\n"
                out += "            summary = \(quoted(entry.summary)),\n"
                out += "            fields = \(list(entry.fields))"
                if entry.lastFieldTakesRest { out += ", rest = true" }
                if let variant = entry.variant {
                    out += ",\n            variant = { parameter = \(variant.parameter), "
                    out += "equals = \(quoted(variant.equals)), fields = \(list(variant.fields)) }"
                }
                out += " },\n"
            }
            out += "    },\n"
        }
        out += "}\n"
        out += table("STATION_TAGS", ATCatalog.stationTags.map { ($0.tag, $0.name) })
        out +=
            "local UNQUOTED_STATION_TAGS = { "
            + ATCatalog.unquotedStationTags.map { "[\($0)] = true" }.joined(separator: ", ") + " }\n"
        out += table("AUTHENTICATION_TYPES", ATCatalog.authenticationTypes)
        out += table("STATION_ACTIONS", ATCatalog.stationActions)
        out += table("LINK_DOWN_REASONS", ATCatalog.linkDownReasons)
        out += table("CREDENTIAL_TYPES", ATCatalog.credentialTypes)
        out += table("PEER_PROTOCOLS", ATCatalog.peerProtocols)
        out += table("PEER_PROFILES", ATCatalog.peerProfiles)
        out += "-- An ERROR to AT+USECMNG=4,... (read a credential's MD5).\n"
        out += "local NOT_STORED_YET = \(quoted(UnitDescription.notStoredYet))\n"
        return out + end + "\n"
    }

    /// The kinds of parsed line (`ATCommandLine.Kind`) and the entries each may belong to.
    private static let lineKinds: [(String, [ATCatalogEntry.Kind])] = [
        ("command", [.command]), ("information", [.response, .urc]), ("final", [.final]), ("prompt", [.prompt]),
    ]

    private static func table(_ name: String, _ rows: [(code: Int, name: String)]) -> String {
        "local \(name) = {\n" + rows.map { "    [\($0.code)] = \(quoted($0.name)),\n" }.joined() + "}\n"
    }

    private static func list(_ items: [String]) -> String {
        items.isEmpty ? "{}" : "{ " + items.map(quoted).joined(separator: ", ") + " }"
    }

    /// A Lua string literal: printable ASCII as is, `"` and `\` escaped, every other byte as
    /// a decimal escape (Lua strings are bytes: the escapes give the UTF-8 back).
    package static func quoted(_ text: String) -> String {
        var out = "\""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): out += "\\" + String(UnicodeScalar(byte))
            case 0x20..<0x7F: out.append(Character(UnicodeScalar(byte)))
            default:
                // (Three digits always: a digit that follows stays a character of its own.)
                let digits = String(byte)
                out += "\\" + String(repeating: "0", count: 3 - digits.count) + digits
            }
        }
        return out + "\""
    }
}
