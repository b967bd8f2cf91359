import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis
import EDMRender
import EDMProvisioning

extension ModuleProfile {
    /// The profile a recorded session shows: its exchanges, the latencies measured in them,
    /// the access point, boot noise, DPS's operation id and hub, and the failure it ended in
    /// (which the model keeps up where the recording has no answer). What the trace does not
    /// show keeps the reference session's value.
    public init(trace units: [SessionUnit]) {
        self.init()
        recording = RecordedExchanges(units: units)
        var measure = TimingMeasure(timing: .reference)
        var peersSeen = 0
        var pollsAssigning = 0
        for exchange in recording.exchanges {
            let parts = exchange.parts
            let final = parts.first { RecordedExchanges.isFinal($0.unit) }?.offset
            switch exchange.key {
            case .command(let edm, let text):
                if text == "AT" || text.hasPrefix("AT+UWSC=") || text == "ATO2" {
                    measure.set(edm ? \.edmReply : \.commandReply, final)
                }
                if text.hasPrefix("AT+USECMNG=0,") { measure.set(\.credentialPrompt, final) }
                if text == "AT+UWSCA=0,3" { wifi(parts, final, &measure) }
                if text == "AT+UDCP" {
                    peer(parts, final, cached: peersSeen > 0, &measure)
                    peersSeen += 1
                }
                if text == "AT+CPWROFF", let final { boot(parts, after: final, &measure) }
                identity(answering: text, parts)
            case .payload:
                measure.set(\.credentialImport, final)
            case .dps(let register):
                guard let answer = parts.first(where: { $0.unit.frame?.payloadID == .dataEvent }) else {
                    if behaviour == .assigned { behaviour = .dpsSilent }
                    continue
                }
                measure.set(register ? \.dpsRegister : \.dpsPoll, answer.offset)
                dpsAnswer(answer.unit, register: register, pollsAssigning: &pollsAssigning)
            case .resend:
                break
            }
        }
        for unit in units where unit.direction == .host {
            guard let frame = unit.frame, frame.payloadID == .dataCommand,
                let json = frame.data.flatMap({ JSONValue(parsing: $0) }), let id = json["registrationId"]?.string
            else { continue }
            registrationID = id
            break
        }
        startsInEDM = Self.startsInEDM(units)
        dps.pollsUntilDone = pollsAssigning + 1
        timing = measure.timing
    }

    /// `+UUWLE` (or `+UUWLD`) after activation, then `+UUNU` twice.
    private mutating func wifi(_ parts: [RecordedExchanges.Part], _ final: Duration?, _ measure: inout TimingMeasure) {
        measure.set(\.activateReply, final)
        let urcs = parts.compactMap { part in part.unit.text.map { (part.offset, $0) } }.filter { $0.1.contains("+UU") }
        if let (time, text) = urcs.first(where: { $0.1.contains("+UUWLE:") }), let final {
            measure.set(\.wifiLinkUp, time - final)
            let fields = text.split(separator: ":").last?.split(separator: ",") ?? []
            if fields.count >= 3 {
                bssid = String(fields[1])
                wifiChannel = Int(fields[2].filter(\.isNumber))
            }
            let up = urcs.filter { $0.1.contains("+UUNU:") }.map(\.0)
            if let first = up.first { measure.set(\.networkUp, first - time) }
            if up.count > 1 { measure.set(\.networkUpAgain, up[1] - up[0]) }
            if up.isEmpty, behaviour == .assigned { behaviour = .noNetwork }
        } else if let (time, text) = urcs.first(where: { $0.1.contains("+UUWLD:") }), let final {
            measure.set(\.wifiLinkUp, time - final)
            if behaviour == .assigned, text.contains(",4") { behaviour = .wrongPassphrase }
        } else if urcs.isEmpty, behaviour == .assigned {
            behaviour = .noNetwork
        }
    }

    /// `+UDCP:<h>`, the connect event (TLS), `+UUDPC`; or `+UUDPD` for a refused peer.
    private mutating func peer(
        _ parts: [RecordedExchanges.Part], _ final: Duration?, cached: Bool, _ measure: inout TimingMeasure
    ) {
        guard let final else { return }
        measure.set(cached ? \.peerReplyCached : \.peerReply, final)
        if let connect = parts.first(where: { $0.unit.frame?.payloadID == .connectEvent })?.offset {
            measure.set(cached ? \.peerConnectCached : \.peerConnect, connect - final)
            if let urc = parts.first(where: { $0.unit.text?.contains("+UUDPC:") == true })?.offset {
                measure.set(\.peerConnectedURC, urc - connect)
            }
        } else if let down = parts.first(where: { $0.unit.text?.contains("+UUDPD:") == true })?.offset {
            measure.set(\.peerRefused, down - final)
            if behaviour == .assigned { behaviour = .mqttRefused }
        }
    }

    /// What the module said it is, so that a host asking in another way (`AT+GMM` where the
    /// trace has `ATI0`, or in EDM where the trace asked in command mode) hears the same.
    private mutating func identity(answering command: String, _ parts: [RecordedExchanges.Part]) {
        let field: WritableKeyPath<Identity, String>
        switch command.uppercased() {
        case "ATI9": field = \.firmware
        case "ATI0", "AT+GMM", "AT+CGMM": field = \.model
        case "AT+GMI", "AT+CGMI": field = \.manufacturer
        case "AT+GMR", "AT+CGMR": field = \.version
        default: return
        }
        for part in parts {
            let unit = part.unit
            // A plain information line (no `+NAME:`) is noise to the session decoder; an EDM
            // confirmation carries the information line and the final result together.
            let answers = switch unit.kind {
            case .at(.response), .raw(.noise): true
            case .frame(let frame): frame.payloadID == .atConfirmation
            default: false
            }
            let lines = String(decoding: unit.textBytes ?? unit.bytes, as: UTF8.self).split(whereSeparator: \.isNewline)
            if answers, let line = lines.first(where: { !ATText.isFinal(Array($0.utf8)[...]) }) {
                identity[keyPath: field] = String(line)
                return
            }
            if RecordedExchanges.isFinal(unit) { return }
        }
    }

    /// The boot after `AT+CPWROFF`'s `OK`: its noise and `+STARTUP`.
    private mutating func boot(
        _ parts: [RecordedExchanges.Part], after final: Duration, _ measure: inout TimingMeasure
    ) {
        let after = parts.filter { $0.offset >= final && !RecordedExchanges.isFinal($0.unit) }
        guard let startup = after.first(where: { RecordedExchanges.isStartup($0.unit) }) else { return }
        measure.set(\.startup, startup.offset - final)
        let noise = after.filter { $0.unit.type == "noise" && $0.offset <= startup.offset }
        if let first = noise.first {
            measure.set(\.bootNoise, first.offset - final)
            if bootNoise == nil { bootNoise = noise.flatMap { Array($0.unit.bytes) } }
        }
    }

    private mutating func dpsAnswer(_ unit: SessionUnit, register: Bool, pollsAssigning: inout Int) {
        guard let data = unit.frame?.data, let json = JSONValue(parsing: data) else { return }
        if let id = json["operationId"]?.string, !id.isEmpty, dps.operationID == nil { dps.operationID = id }
        let state = json["registrationState"]
        if let hub = state?["assignedHub"]?.string { dps.assignedHub = hub }
        if let group = state?["x509"]?["enrollmentGroupId"]?.string { dps.enrollmentGroupID = group }
        let status = json["status"]?.string
        if !register, status == "assigning" { pollsAssigning += 1 }
        guard behaviour == .assigned else { return }
        switch (status, json["errorCode"]?.integer) {
        case ("failed"?, _): behaviour = .failed
        case ("disabled"?, _): behaviour = .disabled
        case (nil, 401002?): behaviour = .unauthorized
        default: break
        }
    }

    /// In EDM from the start: the module's first answer is a frame, before any `ATO2`.
    private static func startsInEDM(_ units: [SessionUnit]) -> Bool {
        for unit in units {
            if unit.direction == .host, unit.kind == .at(.command), unit.text?.uppercased() == "ATO2" { return false }
            if unit.direction != .host, unit.frame != nil { return true }
            if unit.direction != .host, case .at = unit.kind { return false }
        }
        return false
    }
}

/// The latencies a trace shows: the first measurement of each wins.
private struct TimingMeasure {
    var timing: SimulatorTiming
    var measured: Set<WritableKeyPath<SimulatorTiming, Duration>> = []

    mutating func set(_ path: WritableKeyPath<SimulatorTiming, Duration>, _ value: Duration?) {
        guard let value, value >= .zero, measured.insert(path).inserted else { return }
        timing[keyPath: path] = value
    }
}
