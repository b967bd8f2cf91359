import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis
import EDMRender
import EDMProvisioning

/// A trace's module side cut into exchanges: each host request and what the module sent after
/// it, until the next request, with offsets from the request. The model plays an exchange when
/// the host makes an equivalent request (`ExchangeKey`), in recorded order.
public struct RecordedExchanges: Sendable {
    /// What the module sent, one decoded unit at a time (its bytes as recorded).
    package struct Part: Sendable {
        package var offset: Duration
        package var unit: SessionUnit
    }

    package struct Exchange: Sendable {
        package var key: ExchangeKey
        /// The request as recorded (redacted as the recording is), for reports.
        package var request: String
        /// The bytes of a recorded payload (credential upload), to compare with the host's.
        package var payload: [UInt8]?
        package var parts: [Part]
        /// Where the module started a reboot (a `+STARTUP` after the final result): parts from
        /// there are left to the model, which reboots then.
        package var rebootOffset: Duration?
        package var used = false
    }

    package private(set) var exchanges: [Exchange] = []
    /// What the module sent before the host's first request, at its recorded time.
    package private(set) var opening: [SessionUnit] = []

    public init() {}

    public init(units: [SessionUnit]) {
        var current: (time: Duration, index: Int)?
        for unit in units {
            if unit.direction == .host {
                guard let key = ExchangeKey(unit) else { continue }
                let payload: [UInt8]? = unit.type == "payload" ? Array(unit.bytes) : nil
                exchanges.append(Exchange(key: key, request: Self.describe(unit), payload: payload, parts: []))
                current = (unit.time, exchanges.count - 1)
            } else if let current {
                exchanges[current.index].parts.append(Part(offset: unit.time - current.time, unit: unit))
            } else {
                opening.append(unit)
            }
        }
        for i in exchanges.indices { exchanges[i].rebootOffset = Self.rebootOffset(exchanges[i].parts) }
    }

    /// The records with each credential upload that a log printed shorter than it announced
    /// (the azure_dps.py log elides PEM bodies as `...`) filled out to its size with redaction
    /// filler, where the host's next command shows the upload had ended. Without this the
    /// decoder would count the following commands as credential bytes.
    public static func closingElidedUploads(_ records: [TraceRecord]) -> [TraceRecord] {
        var out: [TraceRecord] = []
        out.reserveCapacity(records.count)
        var owed: Int?
        /// Where the upload's last record went, so that its filler follows it directly.
        var last: Int?
        for record in records {
            guard record.direction == .host else {
                out.append(record)
                continue
            }
            if let remaining = owed, remaining > 0, let last,
                record.bytes.starts(with: Array("AT".utf8)) || record.bytes.first == EDMFrame.start {
                out.insert(
                    TraceRecord(
                        time: out[last].time, direction: .host,
                        bytes: Array(repeating: Redactor.filler, count: remaining)),
                    at: last + 1)
                owed = nil
            }
            if let remaining = owed {
                owed = remaining - record.bytes.count > 0 ? remaining - record.bytes.count : nil
                last = out.count
                out.append(record)
                continue
            }
            out.append(record)
            last = nil
            let line = ATCommandLine(String(decoding: record.bytes.prefix { $0 != 0x0D && $0 != 0x0A }, as: UTF8.self))
            if line.kind == .command, line.upperCasedName == "+USECMNG", line.integer(0) == 0,
                let size = line.integer(3) {
                owed = size
            }
        }
        return out
    }

    public var isEmpty: Bool { exchanges.isEmpty && opening.isEmpty }

    /// The first exchange not yet played whose request is equivalent to `key`.
    package func firstUnused(_ key: ExchangeKey) -> Int? { exchanges.firstIndex { !$0.used && $0.key == key } }

    package mutating func markUsed(_ index: Int) { exchanges[index].used = true }

    /// Requests of the exchanges no host asked for, in recorded order.
    public var neverAsked: [String] { exchanges.filter { !$0.used }.map(\.request) }

    /// `+UDCP:2` in `[+UDCP:2, OK]`: the final result is an `OK` or `ERROR` line, a prompt, or
    /// an EDM confirmation carrying one.
    package static func isFinal(_ unit: SessionUnit) -> Bool {
        switch unit.kind {
        case .at(.final), .at(.prompt): return true
        case .frame(let frame) where frame.payloadID == .atConfirmation: return true
        default: return false
        }
    }

    package static func isStartup(_ unit: SessionUnit) -> Bool {
        unit.text?.split(whereSeparator: \.isNewline).contains { $0.hasPrefix("+STARTUP") } == true && !isFinal(unit)
    }

    /// A reboot inside an exchange: the noise run before a `+STARTUP` that comes after the
    /// final result (a `+STARTUP` before it, as the azure_dps.py log prints one, is played).
    private static func rebootOffset(_ parts: [Part]) -> Duration? {
        guard let final = parts.firstIndex(where: { isFinal($0.unit) }),
              let startup = parts[(final + 1)...].firstIndex(where: { isStartup($0.unit) }) else { return nil }
        var first = startup
        while first > final + 1, parts[first - 1].unit.type == "noise" { first -= 1 }
        // The reboot starts at the final result when the noise follows it directly.
        return first == final + 1 ? parts[final].offset : parts[first].offset
    }

    /// The request as reports show it: its text, or what kind of data it was.
    package static func describe(_ unit: SessionUnit) -> String {
        let redacted = unit.redacted
        if let text = redacted.text, !text.isEmpty { return (unit.frame == nil ? "" : "EDM ") + text }
        switch ExchangeKey(unit) {
        case .payload(_, let name, let size)?: return "credential bytes (\(name), \(size))"
        case .dps(let register)?: return register ? "DPS register" : "DPS poll"
        case .resend?: return "resend connect events"
        default: return unit.type
        }
    }
}

/// When a host request is "the same" as a recorded one: same command in the same mode, with
/// what varies from host to host left out (the SSID and passphrase, URL variables, the peer
/// URL with its client id, a `$rid`); a credential upload by type, name and size; a DPS publish by what it
/// asks (register or poll), whoever asks.
public enum ExchangeKey: Hashable, Sendable {
    case command(edm: Bool, String)
    /// A credential's bytes, with the import command's type and name.
    case payload(type: Int, name: String, size: Int)
    case dps(register: Bool)
    case resend

    public init?(_ unit: SessionUnit) {
        switch unit.kind {
        case .at(.command):
            guard let text = unit.text else { return nil }
            self = .command(edm: false, Self.loose(text))
        case .raw(.payload):
            self = .payload(
                type: unit.credential?.type ?? -1, name: unit.credential?.name ?? "", size: unit.bytes.count)
        case .frame(let frame):
            switch frame.payloadID {
            case .atRequest:
                guard let text = unit.text else { return nil }
                self = .command(edm: true, Self.loose(text))
            case .dataCommand:
                let json = frame.data.flatMap { JSONValue(parsing: $0) }
                self = .dps(register: json?["registrationId"] != nil)
            case .resendConnectEvents:
                self = .resend
            default: return nil
            }
        default: return nil
        }
    }

    /// `AT+UWSC=0,2,lab` → `AT+UWSC=0,2`; `AT+UDCP=mqtt://…` → `AT+UDCP`; others as
    /// `RequestMatcher.normalized` gives them (secrets and `$rid` masked).
    static func loose(_ text: String) -> String {
        let line = ATCommandLine(text)
        guard line.kind == .command else { return text }
        let kept: Int? = switch line.upperCasedName {
        case "+UWSC": 2
        case "+UDUV": 1
        case "+UDCP": 0
        default: nil
        }
        guard let kept else { return RequestMatcher.normalized(text) }
        let parameters = line.parameters.prefix(kept).map(\.raw)
        return "AT" + line.upperCasedName + (parameters.isEmpty ? "" : "=" + parameters.joined(separator: ","))
    }

    /// Requests the model answers from its own state even when the trace has them: the
    /// credential store's answers depend on what this host uploaded.
    var modelAnswers: Bool {
        guard case .command(_, let text) = self else { return false }
        return text.hasPrefix("AT+USECMNG=4,") || text.hasPrefix("AT+USECMNG=3")
    }
}
