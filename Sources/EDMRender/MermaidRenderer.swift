import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis

/// Renders a session as a Mermaid sequence diagram of host, module and DPS, for bug reports.
///
/// The module's MQTT traffic with DPS is drawn from what the host sees: a data command on
/// a DPS peer is a publish to DPS, a data event carrying a DPS answer is DPS replying.
/// Echo is left out; noise and garbage become notes. It streams like the other renderers.
public struct MermaidRenderer: Sendable {
    private var summary = SessionSummary()
    public static let maxText = 72

    public init() {}

    public var header: String {
        "sequenceDiagram\n    participant H as Host\n    participant M as Module\n    participant D as DPS"
    }

    /// The diagram lines for one unit (none for echo).
    public mutating func lines(for unit: SessionUnit) -> [String] {
        let description = UnitDescription(unit)
        summary.add(unit, description)
        let fromHost = unit.direction == .host
        let arrow = fromHost ? "H->>M" : "M-->>H"
        let latency = unit.reply.map { " (\(milliseconds($0.latency)))" } ?? ""
        switch unit.kind {
        case .at(.echo):
            return []
        case .raw(let type):
            let what = type == .payload ? description.explanation.map { "\($0), \(unit.bytes.count) bytes" } ?? "\(unit.bytes.count) bytes" : description.summary
            return type == .payload ? ["    \(arrow): \(escape(what))"] : ["    Note over \(fromHost ? "H" : "M"): \(escape(what))"]
        case .at:
            return ["    \(arrow): \(escape((unit.text ?? "") + latency))"]
        case .frame(let frame):
            switch frame.payloadID {
            case .dataCommand:
                let what = description.explanation ?? description.summary
                return ["    \(arrow): \(escape(description.summary))", "    M->>D: \(escape(what.hasPrefix("DPS: ") ? String(what.dropFirst(5)) : "publish"))"]
            case .dataEvent where description.dps != nil:
                let what = description.dps!.summary
                return ["    D-->>M: \(escape(String(what.dropFirst(5))))", "    \(arrow): \(escape(description.summary))"]
            default:
                return ["    \(arrow): \(escape(description.summary + latency))"]
            }
        }
    }

    public func closing(anomalies: [SessionAnomaly]) -> [String] {
        var out = anomalies.map { "    Note over H,M: \(escape("!! " + $0.message))" }
        out.append("    Note over H,D: \(escape("Outcome: \(summary.outcome.rawValue). \(summary.sentence)"))")
        return out
    }

    /// Mermaid reads `;` as a statement end and `#` as an entity start; long text is cut.
    private func escape(_ text: String) -> String {
        var t = ""
        for c in text {
            switch c {
            case "#": t += "#35;"
            case ";": t += "#59;"
            default: t.append(c)
            }
        }
        if t.count > Self.maxText { t = String(t.prefix(Self.maxText - 1)) + "…" }
        return t
    }
}
