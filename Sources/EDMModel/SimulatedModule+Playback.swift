import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis
import EDMRender
import EDMProvisioning

/// How each host request was answered: from the profile's recording, by the model, or refused.
public struct AnswerNote: Hashable, Sendable {
    public enum Source: String, Hashable, Sendable {
        /// The recorded answer to an equivalent request, at its recorded offsets.
        case recording = "played"
        /// The model answered (no equivalent recorded, or the answer depends on this host's data).
        case model = "modelled"
        /// Neither could: a command the model does not know, answered `ERROR` (a divergence).
        case refused
    }

    public var time: Duration
    /// The request as the host sent it, secrets redacted.
    public var request: String
    public var source: Source
    /// Why, for a modelled or refused answer: what the model did.
    public var detail: String

    /// `  12.057s played    AT+USECMNG=0,0,ca.pem,1261`, for serve's live report.
    public var line: String {
        let stamp = seconds(time) + "s"
        let word = source.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)
        return "\(stamp) \(word) \(request)" + (detail.isEmpty ? "" : " (\(detail))")
    }
}

extension SimulatedModule {
    /// A host request: the recording answers it when it holds an equivalent one not yet
    /// played, else the model does.
    package mutating func answer(_ unit: SessionUnit, now: Duration) {
        guard let key = ExchangeKey(unit) else { return respond(unit, now: now) }
        if case .dps(true) = key, let json = unit.frame?.data.flatMap({ JSONValue(parsing: $0) }),
           let id = json["registrationId"]?.string {
            hostRegistrationID = id
        }
        let recorded = recording.firstUnused(key)
        if let recorded, !key.modelAnswers { return play(recorded, unit, now: now) }
        if let recorded { recording.markUsed(recorded) }
        let logged = log.count
        refusedUnknown = false
        respond(unit, now: now)
        let detail = log[logged...].map { $0.split(separator: " ", maxSplits: 1).last.map(String.init) ?? $0 }.joined(
            separator: "; ")
        report(
            AnswerNote(
                time: now, request: RecordedExchanges.describe(unit), source: refusedUnknown ? .refused : .model,
                detail: detail))
    }

    /// Plays recorded exchange `index` as the answer to `unit`. The model still takes the
    /// request (silently), so its state (mode, echo, credentials, peers) stays the module's.
    private mutating func play(_ index: Int, _ unit: SessionUnit, now: Duration) {
        recording.markUsed(index)
        let exchange = recording.exchanges[index]
        let echoing = echo && !inputEDM && unit.kind == .at(.command)
        let reboot = pendingReboot
        output.muted = true
        respond(unit, now: now)
        output.muted = false
        let modelReboots = pendingReboot.map { $0.at } != reboot.map { $0.at }
        pendingReboot = reboot
        var parts = exchange.parts
        // The echo is this host's bytes, and only when its echo is on (`ATE0` may differ).
        let echoIndex = unit.kind == .at(.command) ? parts.firstIndex { $0.unit.kind == .at(.echo) } : nil
        let echoOffset = echoIndex.map { parts[$0].offset } ?? timing.echo
        if let echoIndex { parts.remove(at: echoIndex) }
        if echoing { output.add(.text(Array(unit.bytes)), at: now + echoOffset) }
        if let boot = exchange.rebootOffset {
            parts.removeAll { $0.offset > boot }
            scheduleReboot(at: now + boot, reason: "where the recording rebooted, with its noise and timing")
        } else if modelReboots {
            let final = parts.last { RecordedExchanges.isFinal($0.unit) }?.offset ?? timing.commandReply
            scheduleReboot(
                at: now + final,
                reason: "\(unit.text ?? "reboot") at the recorded OK; the recording does not show the boot")
        }
        for part in parts { output.add(.text(substituted(part.unit, exchange, host: unit)), at: now + part.offset) }
        report(AnswerNote(time: now, request: RecordedExchanges.describe(unit), source: .recording, detail: ""))
    }

    /// A recorded unit with this host's facts where the recording's differ: the MD5 of the
    /// credential this host uploaded, this host's registration id in DPS's bodies.
    private func substituted(
        _ unit: SessionUnit, _ exchange: RecordedExchanges.Exchange, host: SessionUnit
    ) -> [UInt8] {
        var bytes = Array(unit.bytes)
        if let recorded = exchange.payload, !Self.sameBytes(recorded, Array(host.bytes)),
            let text = unit.text, text.contains("+USECMNG:0,"),
            let line = text.split(whereSeparator: \.isNewline).map({ ATCommandLine(String($0)) }).first(where: {
                $0.upperCasedName == "+USECMNG"
            }),
            let name = line.parameter(2), let old = line.parameter(3),
            let stored = credentials.first(where: { $0.name == name && $0.kind.rawValue == line.integer(1) }) {
            bytes = Self.replacing(Array(old.utf8), with: Array(stored.md5.utf8), in: bytes)
        }
        if let frame = unit.frame, frame.payloadID == .dataEvent, let data = frame.data,
           let old = profile.registrationID, let new = hostRegistrationID, old != new {
            let quotedOld = Array(SimulatedDPS.quoted(old).utf8), quotedNew = Array(SimulatedDPS.quoted(new).utf8)
            let body = Self.replacing(quotedOld, with: quotedNew, in: Array(data))
            if body != Array(data) { bytes = EDMEncoder.dataEvent(channel: frame.channel ?? 0, data: body) }
        }
        return bytes
    }

    /// Equal, counting a redacted byte as equal to anything: in the recording (its secrets),
    /// and in what the host sent (a replaying machine sends filler for bytes it does not know).
    private static func sameBytes(_ recorded: [UInt8], _ sent: [UInt8]) -> Bool {
        recorded.count == sent.count
            && zip(recorded, sent).allSatisfy { $0 == $1 || $0 == Redactor.filler || $1 == Redactor.filler }
    }

    private static func replacing(_ old: [UInt8], with new: [UInt8], in bytes: [UInt8]) -> [UInt8] {
        guard !old.isEmpty, bytes.count >= old.count else { return bytes }
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            if i + old.count <= bytes.count, bytes[i..<(i + old.count)].elementsEqual(old) {
                out += new
                i += old.count
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return out
    }

    private mutating func report(_ note: AnswerNote) {
        answers.append(note)
        reportLines.append(note.line)
    }

    /// Each answer, and each reboot the model made, since the last call (serve's live report).
    public mutating func takeReport() -> [String] {
        defer { reportLines = [] }
        return reportLines
    }

    /// What was played, modelled and refused, and the recorded requests never asked.
    public var answerTable: [String] {
        let count = { (s: AnswerNote.Source) in answers.filter { $0.source == s }.count }
        var lines = [
            "played from the recording  \(count(.recording))",
            "modelled                   \(count(.model))",
            "refused (divergences)      \(count(.refused))",
            "recorded, never asked      \(recording.neverAsked.count)",
        ]
        for request in recording.neverAsked { lines.append("  never asked: \(request)") }
        return lines
    }
}
