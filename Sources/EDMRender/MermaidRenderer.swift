import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis

/// Renders a session as a Mermaid sequence diagram of host, module and DPS, for bug reports:
/// the `SequenceStep`s of each unit (shared with the HTML report's SVG diagram), as Mermaid
/// statements. It streams like the other renderers. Each step is one statement a line; long
/// text is wrapped inside it (`<br/>`), not cut.
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
        return SequenceStep.steps(for: unit, description).map(line)
    }

    public func closing(anomalies: [SessionAnomaly]) -> [String] {
        SequenceStep.closing(summary, anomalies: anomalies).map(line)
    }

    private func line(_ step: SequenceStep) -> String {
        switch step {
        case .message(let from, let to, let text, let reply):
            "    \(from.rawValue)\(reply ? "-->>" : "->>")\(to.rawValue): \(escape(text))"
        case .note(let over, let text):
            "    Note over \(over.map(\.rawValue).joined(separator: ",")): \(escape(text))"
        }
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
