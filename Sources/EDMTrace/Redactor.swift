import EDMBytes
import EDMFrames
import EDMAT
import EDMSession

/// Replaces secrets in a unit's bytes with filler of the same length.
///
/// Secrets: the Wi-Fi passphrase or password (`AT+UWSC` tags 6, 8, 9), a private key's
/// password and bytes (`AT+USECMNG` type 2), a SAS token stored with `AT+UDUV`. Lengths are
/// kept so frames stay valid and offsets stay true; the caller marks the record redacted.
public enum Redactor {
    public static let filler = UInt8(ascii: "*")

    /// The unit's bytes with secrets replaced, or nil when it holds none.
    public static func redact(_ unit: borrowing SessionUnit) -> [UInt8]? {
        switch unit.kind {
        case .raw(.payload):
            guard unit.credential?.type == 2 else { return nil }
            // All filler, so a replay (which knows only the size) sends the very same bytes.
            return [UInt8](repeating: filler, count: unit.bytes.count)
        case .at(.command):
            return redactCommand(unit.bytes, text: unit.bytes)
        case .frame(let frame) where frame.payloadID == .atRequest:
            return redactCommand(unit.bytes, text: frame.body)
        default:
            return nil
        }
    }

    /// Redacts from the first secret parameter to the end of the command line; `body` is
    /// the part of `bytes` that holds the AT text (a frame's body, not its stop byte).
    package static func redactCommand(_ bytes: ArraySlice<UInt8>, text body: ArraySlice<UInt8>) -> [UInt8]? {
        let text = trimmingLineBreaks(body)
        guard ATText.isCommand(text), mayHoldSecret(text) else { return nil }
        let secret = ATCatalog.secretParameterIndices(of: ATCommandLine(bytes: text))
        guard let first = secret.first,
              let equals = text.firstIndex(of: UInt8(ascii: "=")) else { return nil }
        var start = equals + 1, commas = 0, quoted = false
        while commas < first, start < text.endIndex {
            if text[start] == UInt8(ascii: "\"") { quoted.toggle() }
            if text[start] == UInt8(ascii: ","), !quoted { commas += 1 }
            start += 1
        }
        var out = Array(bytes)
        for i in start..<text.endIndex { out[i - bytes.startIndex] = filler }
        return out
    }

    /// False when the line cannot hold a secret; the full check (`ATCatalog.secretParameterIndices`,
    /// which parses the line) decides the rest. This runs on every command, and a session sends
    /// many `AT+UWSC`, `AT+USECMNG` and `AT+UDUV` lines without a secret, so it reads the rules
    /// of `SecretParameters` off the bytes, always erring towards "maybe": a set command named
    /// by a rule (a name with non-ASCII bytes is left to the full check: Unicode upper-casing
    /// can turn it into one of ours), with its first secret parameter present, and then a
    /// selector that is plain digits of one of the rule's values (anything else: maybe), or
    /// `SharedAccessSignature` somewhere in the arguments. Commas inside quotes only make more
    /// parameters seem present, which errs the same way.
    package static func mayHoldSecret(_ text: ArraySlice<UInt8>) -> Bool {
        let nameStart = text.startIndex + 2 // after "AT"
        guard let end = text[nameStart...].firstIndex(where: { $0 == UInt8(ascii: "=") || $0 == UInt8(ascii: "?") }),
              text[end] == UInt8(ascii: "="), end + 1 == text.endIndex || text[end + 1] != UInt8(ascii: "?") else {
            return false // action, read or test form
        }
        let name = text[nameStart..<end], arguments = text[(end + 1)...]
        guard name.allSatisfy({ $0 < 0x80 }) else { return true }
        guard let rule = SecretParameters.rule(spelledBy: name) else { return false }
        // Up to the first secret parameter, counting commas (inside quotes too, which errs
        // towards "maybe"), and the selector's bytes on the way.
        let selectorIndex = if case .selector(let index, _) = rule.condition { index } else { -1 }
        var commas = 0
        var parameterStart = arguments.startIndex
        var selector = arguments[arguments.startIndex..<arguments.startIndex]
        var i = arguments.startIndex
        while i < arguments.endIndex, commas < rule.first {
            if arguments[i] == UInt8(ascii: ",") {
                if commas == selectorIndex { selector = arguments[parameterStart..<i] }
                commas += 1
                parameterStart = i + 1
            }
            i += 1
        }
        guard commas == rule.first else { return false }
        switch rule.condition {
        case .selector(_, let values):
            guard !selector.isEmpty, selector.count <= 18, selector.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                  !arguments[..<selector.endIndex].contains(UInt8(ascii: "\"")) else { return true }
            return values.contains(selector.reduce(0) { $0 * 10 + Int($1 - 0x30) })
        case .sasToken:
            return ByteText.contains(arguments, SecretParameters.sasTokenPrefix)
        }
    }
}

extension SessionUnit {
    /// The unit with its secrets replaced (see `Redactor`), or itself when it holds none.
    public var redacted: SessionUnit { redactedIfSecret ?? self }

    /// The unit with its secrets starred, or nil when it holds none (one pass: what callers
    /// that flag redacted units ask).
    public var redactedIfSecret: SessionUnit? {
        var unit = self
        return unit.redactIfSecret() ? unit : nil
    }

    /// Stars the unit's secrets in place; false when it holds none (it is then unchanged).
    public mutating func redactIfSecret() -> Bool {
        guard let bytes = Redactor.redact(self) else { return false }
        self.bytes = bytes[...] // (a frame unit's frame is a view of the same bytes: redacted too)
        if case .frame = kind { kind = .frame(EDMFrame(unchecked: self.bytes)) }
        return true
    }

    /// Whether `redacted` changes anything.
    public var holdsSecret: Bool { redactedIfSecret != nil }
}
