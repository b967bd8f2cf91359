import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis

/// One statement of the sequence diagram of host, module and DPS: what `MermaidRenderer`
/// writes as Mermaid text and `HTMLSequenceDiagram` draws as SVG, worked out once for both.
///
/// The module's MQTT traffic with DPS is drawn from what the host sees: a data command on a
/// DPS peer is a publish to DPS, a data event carrying a DPS answer is DPS replying. Echo is
/// left out; noise and garbage become notes.
package enum SequenceStep: Hashable, Sendable {
    /// The diagram's lanes.
    package enum Participant: String, Hashable, Sendable, CaseIterable {
        case host = "H", module = "M", dps = "D"

        package var name: String {
            switch self {
            case .host: "Host"
            case .module: "Module"
            case .dps: "DPS"
            }
        }
    }

    /// An arrow; `reply`: drawn dashed (the module or DPS answering).
    case message(from: Participant, to: Participant, text: String, reply: Bool)
    /// A note spanning `over` (one participant, or the first and last of a range).
    case note(over: [Participant], text: String)

    package var text: String {
        switch self {
        case .message(_, _, let text, _), .note(_, let text): text
        }
    }

    /// The steps for one unit (none for echo).
    package static func steps(for unit: SessionUnit, _ description: UnitDescription) -> [SequenceStep] {
        let fromHost = unit.direction == .host
        func arrow(_ text: String) -> SequenceStep {
            fromHost ? .message(from: .host, to: .module, text: text, reply: false)
                : .message(from: .module, to: .host, text: text, reply: true)
        }
        let latency = unit.reply.map { " (\(milliseconds($0.latency)))" } ?? ""
        switch unit.kind {
        case .at(.echo):
            return []
        case .raw(let type):
            guard type == .payload else {
                return [.note(over: [fromHost ? .host : .module], text: description.summary)]
            }
            let count = "\(unit.bytes.count) bytes"
            return [arrow(description.explanation.map { "\($0), \(count)" } ?? count)]
        case .at:
            return [arrow((unit.text ?? "") + latency)]
        case .frame(let frame):
            switch frame.payloadID {
            case .dataCommand:
                let what = description.explanation ?? description.summary
                let publish = what.hasPrefix("DPS: ") ? String(what.dropFirst(5)) : "publish"
                return [arrow(description.summary), .message(from: .module, to: .dps, text: publish, reply: false)]
            case .dataEvent where description.dps != nil:
                let what = String(description.dps!.summary.dropFirst(5))
                return [.message(from: .dps, to: .module, text: what, reply: true), arrow(description.summary)]
            default:
                return [arrow(description.summary + latency)]
            }
        }
    }

    /// The steps after the last unit: each anomaly, then the outcome.
    package static func closing(_ summary: SessionSummary, anomalies: [SessionAnomaly]) -> [SequenceStep] {
        anomalies.map { .note(over: [.host, .module], text: "!! " + $0.message) }
            + [.note(over: [.host, .dps], text: "Outcome: \(summary.outcome.label). \(summary.sentence)")]
    }
}
