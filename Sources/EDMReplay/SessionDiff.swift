import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis
import EDMRender
import EDMProvisioning

/// Two sessions compared by meaning: their events (`SessionProfile`) aligned by provisioning
/// step and by what each request does, not by byte offset; the first difference in meaning
/// (a different reply, an extra or missing URC, a retry, another DPS status or error code);
/// how latencies differ, step by step and request by request; the configuration each used on
/// the wire; and both outcomes. Timing never counts as a difference in meaning.
public struct SessionDiff: Sendable {
    public typealias Event = SessionProfile.Event

    /// Aligned events: both sides, or one (the other session has nothing there).
    public struct Pair: Sendable {
        public var a: Event?, b: Event?
        /// Positions in each side's events (of the item, or where it would be).
        public var aIndex: Int, bIndex: Int
    }

    /// The first place the two sessions differ in meaning.
    public struct Difference: Sendable {
        /// `different_reply`, `different_urc`, `different_edm_event`, `different_dps_answer`,
        /// `different_event` (one side did something else there), `extra_…` and `missing_…`
        /// (B has it, A has not; A has it, B has not), `retry`, `different_outcome`.
        public var kind: String
        public var step: String
        public var message: String
        public var a: Event?, b: Event?
        /// The events around it on each side, it included.
        public var aContext: [Event], bContext: [Event]
    }

    /// One request's or step's time in both sessions.
    public struct Latency: Sendable {
        public var name: String
        public var step: String
        public var a: Duration, b: Duration
        public var delta: Duration { b - a }
        /// How large the difference is, either way.
        public var size: Duration { b > a ? b - a : a - b }
    }

    /// A configuration value seen on the wire that differs; nil where a side never sent it.
    public struct Setting: Sendable, Hashable {
        public var name: String
        public var a: String?, b: String?
    }

    /// How far ahead alignment looks for the two sides to agree again.
    public static let lookahead = 64

    public let pairs: [Pair]
    public let first: Difference?
    /// Steps present on both sides, largest difference first.
    public let steps: [Latency]
    /// Requests aligned on both sides with a reply, largest difference first.
    public let requests: [Latency]
    public let settings: [Setting]
    public let a: SessionProfile, b: SessionProfile

    /// The sessions agree in meaning: no event differs, the outcomes are the same, and so is the
    /// configuration on the wire.
    public var agrees: Bool { first == nil && settings.isEmpty }

    public init(_ a: SessionProfile, _ b: SessionProfile) {
        self.a = a
        self.b = b
        pairs = Self.align(a.events, b.events)
        var first: Difference? = nil
        for pair in pairs {
            if let difference = Self.difference(pair, a.events, b.events) { first = difference; break }
        }
        if first == nil, a.summary.outcome != b.summary.outcome || a.summary.sentence != b.summary.sentence {
            first = Difference(kind: "different_outcome", step: b.events.last?.step ?? "", message:
                "the outcomes differ: \(a.summary.outcome.label) (A), \(b.summary.outcome.label) (B)",
                a: nil, b: nil, aContext: Array(a.events.suffix(3)), bContext: Array(b.events.suffix(3)))
        }
        self.first = first
        steps = Self.stepLatencies(a.events, b.events)
        requests = pairs.compactMap { pair in
            guard let x = pair.a, let y = pair.b, x.key == y.key, let la = x.latency, let lb = y.latency else {
                return nil
            }
            return Latency(name: x.text == y.text ? x.text : x.key, step: x.step, a: la, b: lb)
        }.sorted { $0.size > $1.size }
        settings = Self.settings(a.configuration, b.configuration)
    }

    /// Greedy alignment: equal keys pair; two module events that differ pair as a substitution;
    /// otherwise the nearest point where the keys agree again (within `lookahead` events on
    /// each side) decides which events are extra on one side. Linear in the events.
    static func align(_ a: [Event], _ b: [Event]) -> [Pair] {
        var pairs: [Pair] = [], i = 0, j = 0
        while i < a.count || j < b.count {
            if i == a.count { pairs.append(Pair(a: nil, b: b[j], aIndex: i, bIndex: j)); j += 1; continue }
            if j == b.count { pairs.append(Pair(a: a[i], b: nil, aIndex: i, bIndex: j)); i += 1; continue }
            if a[i].key == b[j].key || a[i].kind != .request && b[j].kind != .request {
                pairs.append(Pair(a: a[i], b: b[j], aIndex: i, bIndex: j))
                i += 1; j += 1
                continue
            }
            guard let (di, dj) = resync(a, i, b, j) else {
                pairs.append(Pair(a: a[i], b: b[j], aIndex: i, bIndex: j))
                i += 1; j += 1
                continue
            }
            for k in i..<(i + di) { pairs.append(Pair(a: a[k], b: nil, aIndex: k, bIndex: j)) }
            for k in j..<(j + dj) { pairs.append(Pair(a: nil, b: b[k], aIndex: i + di, bIndex: k)) }
            i += di; j += dj
        }
        return pairs
    }

    /// The nearest (fewest events skipped in all) offsets where the keys agree again.
    private static func resync(_ a: [Event], _ i: Int, _ b: [Event], _ j: Int) -> (Int, Int)? {
        for skipped in 1..<(2 * lookahead) {
            for di in 0...skipped {
                let dj = skipped - di
                guard di < lookahead, dj < lookahead, i + di < a.count, j + dj < b.count else { continue }
                if a[i + di].key == b[j + dj].key { return (di, dj) }
            }
        }
        return nil
    }

    private static func difference(_ pair: Pair, _ a: [Event], _ b: [Event]) -> Difference? {
        func context(_ events: [Event], _ at: Int) -> [Event] {
            Array(events[max(0, at - 3)..<min(events.count, at + 4)])
        }
        let aContext = context(a, pair.aIndex), bContext = context(b, pair.bIndex)
        func make(_ kind: String, _ message: String) -> Difference {
            Difference(kind: kind, step: (pair.b ?? pair.a)?.step ?? "", message: message, a: pair.a, b: pair.b,
                       aContext: aContext, bContext: bContext)
        }
        switch (pair.a, pair.b) {
        case let (x?, y?) where x.key == y.key:
            guard x.outcome != y.outcome else { return nil }
            let what = switch x.kind {
            case .request: "reply"
            case .urc: "urc"
            case .event: "edm_event"
            case .dpsAnswer: "dps_answer"
            }
            return make("different_\(what)", "\(x.key) in step \(y.step) got \(x.outcome) in A, \(y.outcome) in B")
        case let (x?, y?):
            let name = x.kind == .dpsAnswer ? "dps_answer" : x.kind == .event ? "edm_event" : x.kind.rawValue
            let kind = x.kind == y.kind ? "different_\(name)" : "different_event"
            return make(kind, "in step \(y.step), A has \(x.text) where B has \(y.text)")
        case let (x?, nil):
            return make("missing_\(x.kind.rawValue)", "B lacks \(x.text) (A, step \(x.step))")
        case let (nil, y?):
            let previous = b[..<pair.bIndex].last { $0.kind == .request }
            if y.kind == .request, previous?.key == y.key {
                let after = previous?.reply ?? previous?.outcome ?? "no reply"
                return make("retry", "B sends \(y.key) again in step \(y.step) (after \(after))")
            }
            return make("extra_\(y.kind.rawValue)", "B has \(y.text) that A lacks (step \(y.step))")
        case (nil, nil):
            return nil
        }
    }

    /// Each step's span: from its first event to its last event's reply.
    private static func stepLatencies(_ a: [Event], _ b: [Event]) -> [Latency] {
        func spans(_ events: [Event]) -> [(step: String, start: Duration, end: Duration)] {
            var out: [(step: String, start: Duration, end: Duration)] = []
            for e in events {
                let end = e.time + (e.latency ?? .zero)
                if let i = out.firstIndex(where: { $0.step == e.step }) {
                    out[i].end = max(out[i].end, end)
                } else {
                    out.append((e.step, e.time, end))
                }
            }
            return out
        }
        let sb = spans(b)
        return spans(a).compactMap { x in
            sb.first { $0.step == x.step }.map { y in
                Latency(name: x.step, step: x.step, a: x.end - x.start, b: y.end - y.start)
            }
        }.sorted { $0.size > $1.size }
    }

    /// The configuration values that differ. Secrets are never shown: the passphrase as its
    /// length, and whether its bytes differ.
    static func settings(_ a: ProvisioningConfiguration, _ b: ProvisioningConfiguration) -> [Setting] {
        func values(_ c: ProvisioningConfiguration) -> [(String, String?)] {
            var out: [(String, String?)] = [
                ("DPS host", c.dpsHost + ":\(c.dpsPort)"),
                ("id scope", c.idScope.isEmpty ? nil : c.idScope),
                ("registration id", c.registrationID.isEmpty ? nil : c.registrationID),
                ("api-version", c.apiVersion),
                ("SSID", c.ssid.isEmpty ? nil : c.ssid),
                ("Wi-Fi authentication", String(c.authentication.value)),
                ("Wi-Fi passphrase", c.passphrase.isEmpty ? nil : "\(c.passphrase.count) characters (redacted)"),
            ]
            if case .symmetricKey(_, let variable, let key) = c.attestation {
                out.append(("attestation", "symmetric key (SAS token in URL variable \(variable), \(key))"))
            } else {
                out.append(("attestation", "X.509"))
            }
            for type in [CredentialType.rootCA, .clientCertificate, .clientPrivateKey] {
                let credential = c.credentials.first { $0.type == type }
                out.append(("\(type) name", credential?.name))
                out.append(("\(type) MD5", credential.flatMap { $0.md5.isEmpty ? nil : $0.md5 }))
                out.append(("\(type) size", credential.map { "\($0.size) bytes" }))
            }
            return out
        }
        var out = zip(values(a), values(b)).compactMap { x, y in x.1 == y.1 ? nil : Setting(name: x.0, a: x.1, b: y.1) }
        if a.passphrase.count == b.passphrase.count, a.passphrase != b.passphrase {
            out.append(Setting(name: "Wi-Fi passphrase", a: "differs (redacted)", b: "differs (redacted)"))
        }
        return out
    }
}
