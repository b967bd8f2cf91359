import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace

/// What a decoded session came to: the outcome, how long each phase took, what went wrong.
///
/// It is built unit by unit (so it streams), from the same descriptions the transcript shows.
public struct SessionSummary: Sendable {
    /// How the session ended, as far as the capture shows.
    public enum Outcome: String, Sendable {
        case assigned
        /// DPS answered failed, disabled, or a non-retryable error.
        case refused
        /// The Wi-Fi link went down (`+UUWLD`) before DPS answered.
        case wifiFailed = "wifi_failed"
        /// An MQTT peer was disconnected (`+UUDPD`) before it ever connected.
        case mqttRefused = "mqtt_refused"
        /// The capture ends before any of the above.
        case incomplete

        /// The outcome in the vocabulary azure-dps and edm-replay share (`ProvisioningOutcome`'s
        /// names), plus `incomplete`: a Wi-Fi or MQTT failure is a `network_error`. (The raw
        /// values are the names the summary used before: `wifi_failed`, `mqtt_refused`.)
        public var name: String {
            switch self {
            case .wifiFailed, .mqttRefused: "network_error"
            default: rawValue
            }
        }

        /// For a network error, which link failed: `wifi` or `mqtt`.
        public var network: String? {
            switch self {
            case .wifiFailed: "wifi"
            case .mqttRefused: "mqtt"
            default: nil
            }
        }

        /// `assigned`, `network_error (wifi)`: for text.
        public var label: String { network.map { "\(name) (\($0))" } ?? name }
    }

    /// A phase of the provisioning and how long it took.
    public struct Phase: Sendable {
        public var name: String
        public var start: Duration
        public var end: Duration?
    }

    public private(set) var unitCount = 0
    /// Units with bad bytes: EDM garbage, truncated frames or payloads.
    public private(set) var garbageCount = 0
    /// Units of boot noise or other non-AT text in command mode.
    public private(set) var noiseCount = 0
    public private(set) var first: Duration?
    public private(set) var last: Duration = .zero
    /// The last DPS answer seen.
    public private(set) var dps: DPSResponse?
    public private(set) var wifiDownReason: Int?
    public private(set) var refusedPeer: Int?
    public private(set) var phases: [Phase] = []
    private var connectedPeers: [Int] = []

    public init() {}

    public mutating func add(_ unit: SessionUnit, _ description: UnitDescription) {
        add(unit, Marks(description))
    }

    /// What one unit tells the summary beyond being counted (phases begun or ended, a DPS
    /// answer): usually nothing. Worked out once per distinct unit (the renderers keep it with
    /// what the unit means, possibly on another thread), applied at each unit that carries it.
    public struct Marks: Sendable {
        package let marks: [Mark]
        public static let none = Marks(marks: [])

        /// The marks of the unit's AT lines and DPS body.
        package init(_ description: borrowing UnitDescription) {
            marks = description.atLines.compactMap(Mark.init) + (description.dps.map { [.answer($0)] } ?? [])
        }

        private init(marks: [Mark]) { self.marks = marks }
    }

    /// One thing a unit tells the summary.
    package enum Mark: Sendable {
        case begin(String)
        case end(String)
        case wifiDown(reason: Int?)
        case peerConnected(Int?)
        case peerDisconnected(Int?)
        /// A DPS body (counted when the module hands it over, not when the host sends one).
        case answer(DPSResponse)

        /// Nil for the lines the summary does not follow.
        package init?(_ line: ATCommandLine) {
            switch (line.kind, line.upperCasedName) {
            case (.command, "+USECMNG"): self = .begin("credentials")
            case (.command, "+UWSCA") where line.integer(1) == 3: self = .begin("Wi-Fi")
            case (.command, "+UDCP"): self = .begin("MQTT connect")
            case (.information, "+UUNU"): self = .end("Wi-Fi")
            case (.information, "+UUWLD"): self = .wifiDown(reason: line.integer(1))
            case (.information, "+UUDPC"): self = .peerConnected(line.integer(0))
            case (.information, "+UUDPD"): self = .peerDisconnected(line.integer(0))
            case (.information, "+USECMNG"): self = .end("credentials")
            default: return nil
            }
        }
    }

    /// Counts the unit, with what its meaning tells.
    public mutating func add(_ unit: borrowing SessionUnit, _ marks: Marks) { add(Entry(unit, marks)) }

    /// What the summary takes from one unit: its marks and the few facts of the unit itself
    /// it needs. (edm-decode's JSON workers make these, so that the thread keeping the summary
    /// never reads the units: each read copied one, a retain and a release of its bytes.)
    public struct Entry: Sendable {
        package let marks: Marks
        package let time: Duration
        package let fromHost: Bool
        /// Boot noise; bad bytes (any other diagnostic).
        package let noise: Bool, garbage: Bool
        /// A data command: the host sends DPS a request.
        package let dataCommand: Bool

        public init(_ unit: borrowing SessionUnit, _ marks: Marks) {
            self.marks = marks
            time = unit.time
            fromHost = unit.direction == .host
            noise = unit.diagnostic?.code == .noise
            garbage = unit.diagnostic != nil && !noise
            if case .frame(let frame) = unit.kind {
                dataCommand = frame.payloadID == .dataCommand
            } else {
                dataCommand = false
            }
        }
    }

    public mutating func add(_ entry: Entry) {
        unitCount += 1
        if first == nil { first = entry.time }
        last = max(last, entry.time)
        if entry.noise { noiseCount += 1 } else if entry.garbage { garbageCount += 1 }
        for mark in entry.marks.marks { apply(mark, entry) }
        if entry.dataCommand { begin("DPS", entry.time) }
    }

    private mutating func apply(_ mark: Mark, _ entry: Entry) {
        let time = entry.time
        switch mark {
        case .begin(let phase): begin(phase, time)
        case .end(let phase): end(phase, time)
        case .wifiDown(let reason): wifiDownReason = reason
        case .peerConnected(let handle):
            end("MQTT connect", time)
            if let handle { connectedPeers.append(handle) }
        case .peerDisconnected(let handle):
            if let handle, !connectedPeers.contains(handle), refusedPeer == nil { refusedPeer = handle }
        case .answer(let answer):
            guard !entry.fromHost else { return }
            dps = answer
            if answer.isTerminal { end("DPS", time) }
        }
    }

    /// Opens a phase the first time it starts.
    private mutating func begin(_ name: String, _ time: Duration) {
        guard !phases.contains(where: { $0.name == name }) else { return }
        phases.append(Phase(name: name, start: time))
    }

    /// Closes a phase (again, if it ends more than once: the last end counts).
    private mutating func end(_ name: String, _ time: Duration) {
        guard let i = phases.firstIndex(where: { $0.name == name }) else { return }
        phases[i].end = time
    }

    public var outcome: Outcome {
        if let dps, dps.isTerminal { return dps.status == .assigned ? .assigned : .refused }
        if wifiDownReason != nil { return .wifiFailed }
        if refusedPeer != nil { return .mqttRefused }
        return .incomplete
    }

    public var duration: Duration { last - (first ?? .zero) }

    /// What to check, where the sentence does not say it: azure-dps's advice for a refusal (the
    /// Wi-Fi and MQTT sentences carry their own).
    public var advice: String? { outcome == .refused ? dps?.advice : nil }

    /// One plain sentence: what happened, and what to check.
    public var sentence: String {
        switch outcome {
        case .assigned:
            return "Assigned to \(dps?.assignedHub ?? "?") as device \(dps?.deviceID ?? "?")."
        case .refused:
            return (dps?.summary ?? "DPS refused") + "."
        case .wifiFailed:
            // The catalog's words already say "Wi-Fi link down: <reason>, <advice>".
            let reason = wifiDownReason.flatMap { ATCatalog.explain(ATCommandLine("+UUWLD:0,\($0)")) }
            return (reason.map { $0.prefix(1).uppercased() + $0.dropFirst() } ?? "The Wi-Fi link went down") + "."
        case .mqttRefused:
            return "The MQTT connection to DPS (peer \(refusedPeer ?? -1)) was refused: check "
                + "the certificate, key, CA and that the CN equals the registration id."
        case .incomplete:
            if let dps { return "The capture ends while DPS says \(dps.statusText)." }
            return "The capture ends before DPS answered."
        }
    }
}

