import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis
import EDMRender
import EDMProvisioning

/// What a session did, in the terms two sessions are compared in (`SessionDiff`): its events
/// (requests with their replies, URCs, EDM connect events, DPS answers), each in its
/// provisioning step; its configuration as seen on the wire; its summary.
///
/// Built unit by unit from units already redacted. Bytes, offsets, peer handles and ids that
/// change from run to run (operation ids, BSSIDs) are not part of an event's meaning; timing is
/// kept apart, for the latency comparison.
public struct SessionProfile: Sendable {
    /// One thing the session did.
    public struct Event: Hashable, Sendable {
        /// What sort of event it is.
        public enum Kind: String, Hashable, Sendable {
            case request, urc, event = "edm_event", dpsAnswer = "dps_answer"
        }

        public var kind: Kind
        /// The provisioning step it belongs to (`ProvisioningStep`'s names).
        public var step: String
        /// What the two sides are aligned by: the command and the parameters that say what it
        /// does (`AT+UWSC=0,2`, not the SSID), the URC's name, `DPS register`, `DPS answer`.
        public var key: String
        /// What must agree once aligned: a request's final result, a URC's reason, a DPS answer's
        /// status and error code.
        public var outcome: String
        /// The unit as the transcript shows it, and its reply's text.
        public var text: String
        public var reply: String?
        public var unit: Int
        public var time: Duration
        public var latency: Duration?
    }

    /// Events past this many are not kept (a capture of many sessions is compared on its first).
    public static let maxEvents = 20_000

    public private(set) var events: [Event] = []
    public private(set) var summary = SessionSummary()
    public private(set) var anomalies: [SessionAnomaly] = []
    /// Events not kept, past `maxEvents`.
    public private(set) var dropped = 0
    private var configurationUnits: [SessionUnit] = []
    private var kept: Set<[UInt8]> = []
    private var pending: [(unit: Int, event: Int)] = []
    private var publish: Int?
    private var sawDPSAnswer = false
    private var sawCredentials = false
    private var step = "detect mode"

    public init() {}

    /// The configuration the session used, as far as the wire shows it (`ReplayConfiguration.infer`).
    public var configuration: ProvisioningConfiguration { ReplayConfiguration.infer(from: configurationUnits) }

    public mutating func add(_ unit: SessionUnit) {
        let description = UnitDescription(unit)
        summary.add(unit, description)
        keepForConfiguration(unit)
        let fromHost = unit.direction == .host
        if let reply = unit.reply, let i = pending.firstIndex(where: { $0.unit == reply.request }) {
            let event = pending.remove(at: i).event
            let final = description.atLines.last.map(\.rendered) ?? unit.text ?? description.summary
            events[event].outcome = final
            let text = unit.text.map { $0.split(whereSeparator: \.isNewline).joined(separator: " ") }
            events[event].reply = text ?? final
            events[event].latency = reply.latency
        }
        switch unit.kind {
        case .at(.command) where fromHost:
            request(unit, description)
        case .at(.urc) where !fromHost:
            urc(unit, description)
        case .frame(let frame):
            switch frame.payloadID {
            case .atRequest where fromHost: request(unit, description)
            case .atEvent where !fromHost: urc(unit, description)
            case .connectEvent, .disconnectEvent:
                let name = frame.payloadID == .connectEvent ? "EDM connect event" : "EDM disconnect event"
                append(Event(kind: .event, step: step, key: name, outcome: name, text: description.summary,
                             unit: unit.index, time: unit.time))
            case .dataCommand where fromHost:
                let register = description.explanation?.hasPrefix("DPS: register") == true
                step = register ? "DPS register" : "DPS poll"
                let what = description.explanation ?? description.summary
                append(Event(kind: .request, step: step, key: step, outcome: "sent",
                             text: register ? what : "DPS poll \(what)", unit: unit.index, time: unit.time))
                publish = events.count - 1
            case .dataEvent where !fromHost:
                guard let dps = description.dps else { break }
                sawDPSAnswer = true
                let outcome = dps.statusText + (dps.errorCode.map { " \($0)" } ?? "")
                if let publish, publish < events.count {
                    events[publish].latency = unit.time - events[publish].time
                    events[publish].reply = dps.summary
                }
                publish = nil
                append(Event(kind: .dpsAnswer, step: step, key: "DPS answer", outcome: outcome, text: dps.summary,
                             unit: unit.index, time: unit.time))
            default:
                break
            }
        default:
            break
        }
    }

    public mutating func finish(anomalies: [SessionAnomaly]) { self.anomalies = anomalies }

    private mutating func request(_ unit: SessionUnit, _ description: UnitDescription) {
        guard let line = description.atLines.first else { return }
        step = Self.step(of: line, current: step, credentialsDone: sawCredentials, dpsAnswered: sawDPSAnswer)
        if line.upperCasedName == "+USECMNG" { sawCredentials = true }
        append(Event(kind: .request, step: step, key: Self.key(of: line), outcome: "no reply", text: line.rendered,
                     unit: unit.index, time: unit.time))
        pending.append((unit.index, events.count - 1))
        if pending.count > 8 { pending.removeFirst() }
    }

    private mutating func urc(_ unit: SessionUnit, _ description: UnitDescription) {
        for line in description.atLines {
            let name = line.upperCasedName
            // The reason is what a Wi-Fi link loss means; the rest (BSSID, channel, peer handles,
            // addresses) changes from run to run.
            let outcome = name == "+UUWLD" ? "\(name) reason \(line.parameter(1) ?? "?")" : name
            let text = line.rendered + (ATCatalog.explain(line).map { " (\($0))" } ?? "")
            append(Event(kind: .urc, step: step, key: name, outcome: outcome, text: text, unit: unit.index,
                         time: unit.time))
        }
    }

    private mutating func append(_ event: Event) {
        // Closing the peers and rebooting, the module reports each peer going down or not,
        // depending on whether its reboot overtakes the report: timing, not meaning.
        if step == "close peers" || step == "power off", event.kind == .event || event.key == "+UUDPD" { return }
        guard events.count < Self.maxEvents else { dropped += 1; return }
        events.append(event)
    }

    /// The units the configuration is read from, each distinct one once.
    private mutating func keepForConfiguration(_ unit: SessionUnit) {
        let wanted: Bool = switch unit.kind {
        case .raw(.payload): true
        case .at(.command), .at(.response): true
        case .frame(let frame): frame.payloadID == .atRequest || frame.payloadID == .dataCommand
            || frame.payloadID == .atConfirmation
        default: false
        }
        guard wanted, kept.count < 4096, kept.insert(Array(unit.bytes)).inserted else { return }
        configurationUnits.append(unit)
    }

    /// `AT+UWSC=0,2`: the command and what selects its action, without the values configured.
    static func key(of line: ATCommandLine) -> String {
        let name = line.upperCasedName
        let selecting = switch name {
        case "+USECMNG", "+UWSC", "+UWSCA": 2
        case "+UDUV": 1
        default: 0
        }
        let parameters = line.parameters.prefix(selecting).map(\.text)
        return "AT" + name + (parameters.isEmpty ? "" : "=" + parameters.joined(separator: ","))
    }

    /// The step a request belongs to, by what it does (the machine's steps, `ProvisioningStep`).
    static func step(of line: ATCommandLine, current: String, credentialsDone: Bool, dpsAnswered: Bool) -> String {
        switch line.upperCasedName {
        case "+UFACTORY": "factory reset"
        case "+CPWROFF": credentialsDone ? "power off" : "factory reset"
        case "+USECMNG": "credentials"
        case "O2": "enter EDM"
        case "+UWSC", "+UWSCA": "Wi-Fi"
        case "+UDCP": dpsAnswered ? "MQTT poll peer" : "MQTT connect"
        case "+UDUV": dpsAnswered ? "DPS poll" : "MQTT connect"
        case "+UDCPC": "close peers"
        default: current
        }
    }
}
