import EDMBytes
import EDMFrames

/// What the catalog knows about one command, response, URC or final result: its name, the
/// names of its fields in order, and a one-line summary for people.
///
/// A name may appear twice with different kinds: `+UDCP` is a command (`AT+UDCP=<url>`) and
/// an information response (`+UDCP:<peer>`). `ATCatalog.entry(named:)` tells them apart by
/// the trailing colon of responses (`"+UDCP:"`).
public struct ATCatalogEntry: Hashable, Sendable {
    /// What the entry describes: a command, a response or a URC.
    public enum Kind: String, Hashable, Sendable {
        /// Sent by the host as `AT<name>…`.
        case command
        /// An information line answering a command, before its final result.
        case response
        /// An unsolicited result code: the module says it on its own.
        case urc
        /// `OK`, `ERROR`, `+CME ERROR`.
        case final
        /// The `>` prompt.
        case prompt
    }

    /// A second field list, used when parameter `parameter` has the text `equals`
    /// (`+UUDPC` with type 1 is a Bluetooth peer and has other fields than an IP peer).
    public struct Variant: Hashable, Sendable {
        public let parameter: Int
        public let equals: String
        public let fields: [String]
    }

    /// `+UWSC`, `E0`, `O2`, empty for plain `AT`; `+UUWLE`, `+STARTUP`, `OK`, `>`.
    /// Written without the `AT` of commands and without the colon of responses.
    public let name: String
    public let kind: Kind
    /// Field names of the parameters, in order (snake_case, stable: renderers and JSON use them).
    /// A line may carry fewer parameters than there are names (`AT+USECMNG=3`).
    public let fields: [String]
    public let variant: Variant?
    /// Whether the last field takes every remaining parameter, commas and all (`AT+UDUV`'s
    /// string, `AT+UDCP`'s URL): the module reads them as one value.
    public let lastFieldTakesRest: Bool
    /// One line for people: `Wi-Fi link down`.
    public let summary: String

    public init(_ name: String, _ kind: Kind, fields: [String] = [], variant: Variant? = nil,
                lastFieldTakesRest: Bool = false, summary: String) {
        self.name = name
        self.kind = kind
        self.fields = fields
        self.variant = variant
        self.lastFieldTakesRest = lastFieldTakesRest
        self.summary = summary
    }

    /// The name as it starts a line: `AT+UWSC`, `ATE0`, `+UDCP:`, `+STARTUP`, `OK`.
    public var displayName: String {
        switch kind {
        case .command: "AT" + name
        case .response: name + ":"
        case .urc, .final, .prompt: name
        }
    }

    /// The field names that apply to `line` (the variant's when it matches).
    public func fieldNames(for line: ATCommandLine) -> [String] {
        if let variant, line.parameter(variant.parameter) == variant.equals { return variant.fields }
        return fields
    }

    /// Whether `line` is of this entry: same name (ASCII case ignored) and a matching kind.
    public func matches(_ line: ATCommandLine) -> Bool {
        matches(line.kind, upperCasedName: line.upperCasedName)
    }

    package func matches(_ lineKind: ATCommandLine.Kind, upperCasedName: String) -> Bool {
        guard upperCasedName == name else { return false }
        switch (lineKind, kind) {
        case (.command, .command), (.information, .response), (.information, .urc),
             (.final, .final), (.prompt, .prompt):
            return true
        default:
            return false
        }
    }
}
