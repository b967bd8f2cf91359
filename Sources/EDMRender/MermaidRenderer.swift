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
/// Each unit is one statement a line; long text is wrapped inside it (`<br/>`), not cut.
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
        out.append("    Note over H,D: \(escape("Outcome: \(summary.outcome.label). \(summary.sentence)"))")
        return out
    }

    /// Mermaid reads `;` as a statement end, `#` as an entity start and `<` as the start of
    /// markup: those are written as entities. Long text is wrapped with `<br/>` (Mermaid's
    /// line break in messages and notes) into lines of at most `maxText` characters, never cut.
    private func escape(_ text: String) -> String {
        Self.wrap(text, width: Self.maxText).map { line in
            var t = ""
            for c in line {
                switch c {
                case "#": t += "#35;"
                case ";": t += "#59;"
                case "<": t += "#60;"
                default: t.append(c)
                }
            }
            return t
        }.joined(separator: "<br/>")
    }

    /// `text` in lines of at most `width` characters, broken after a space or a URL's
    /// punctuation when one lies in the last third of the line, else at the width. The lines
    /// joined are `text` again.
    package static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var rest = Substring(text)
        while rest.count > width {
            let head = rest.prefix(width)
            let floor = head.index(head.startIndex, offsetBy: width * 2 / 3)
            let cut = head[floor...].lastIndex { " &/?,=".contains($0) }.map { head.index(after: $0) } ?? head.endIndex
            lines.append(String(rest[..<cut]))
            rest = rest[cut...]
        }
        lines.append(String(rest))
        return lines
    }
}
