import EDMBytes
import EDMAnalysis

/// The HTML report's sequence diagram of host, module and DPS, drawn as SVG from the same
/// `SequenceStep`s as `MermaidRenderer`'s (no Mermaid needed to read it: the report is one
/// file that opens anywhere).
///
/// Text is wrapped as in the Mermaid diagram (`MermaidRenderer.wrap`: lines of at most 72
/// characters, never cut), in a monospace font so that a line's width is known. A diagram of
/// a long capture would be taller than anyone reads: the first `maxSteps` steps are drawn and
/// the rest counted (the table below has every unit).
package struct HTMLSequenceDiagram: Sendable {
    package static let maxSteps = 600
    package static let wrapWidth = MermaidRenderer.maxText

    private static let lane: [SequenceStep.Participant: Double] = [.host: 70, .module: 620, .dps: 1170]
    private static let width = 1240.0, lineHeight = 15.0, charWidth = 7.3

    package private(set) var steps: [SequenceStep] = []
    /// Steps past `maxSteps`, not drawn.
    package private(set) var left = 0

    package init() {}

    package mutating func add(_ new: [SequenceStep]) {
        let room = max(0, Self.maxSteps - steps.count)
        steps += new.prefix(room)
        left += new.count - min(room, new.count)
    }

    /// The diagram: the steps kept, a note of those left out, then `closing`. `id` makes the
    /// arrow marker's id unique in the page.
    package func svg(closing: [SequenceStep], id: String) -> String {
        var all = steps
        if left > 0 {
            let text = "… \(left) more steps not drawn: the table below lists every unit."
            all.append(.note(over: [.host, .dps], text: text))
        }
        all += closing
        var body = "", y = 58.0
        for step in all {
            switch step {
            case .message(let from, let to, let text, let reply):
                let lines = MermaidRenderer.wrap(text, width: Self.wrapWidth)
                let x1 = Self.lane[from]!, x2 = Self.lane[to]!
                let mid = (x1 + x2) / 2
                for (i, line) in lines.enumerated() {
                    body += "<text class=\"msg\" x=\"\(n(mid))\" y=\"\(n(y + Double(i + 1) * Self.lineHeight - 3))\""
                        + " text-anchor=\"middle\">\(HTMLText.escape(line))</text>"
                }
                let ay = y + Double(lines.count) * Self.lineHeight + 4
                let end = x2 + (x2 > x1 ? -3 : 3)
                body += "<line class=\"arrow\(reply ? " reply" : "")\" x1=\"\(n(x1))\" y1=\"\(n(ay))\" x2=\"\(n(end))\""
                    + " y2=\"\(n(ay))\" marker-end=\"url(#arrow-\(id))\"/>"
                y = ay + 12
            case .note(let over, let text):
                let lines = MermaidRenderer.wrap(text, width: Self.wrapWidth)
                let textWidth = Double(lines.map(\.count).max() ?? 0) * Self.charWidth + 16
                let lanes = over.compactMap { Self.lane[$0] }
                let center = ((lanes.min() ?? 80) + (lanes.max() ?? 80)) / 2
                let span = (lanes.max() ?? 80) - (lanes.min() ?? 80) + 120
                let w = min(Self.width - 20, max(span, textWidth))
                let x = min(max(10, center - w / 2), Self.width - 10 - w)
                let h = Double(lines.count) * Self.lineHeight + 8
                let warn = text.hasPrefix("!! ")
                body += "<rect class=\"note\(warn ? " warn" : "")\" x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(w))\""
                    + " height=\"\(n(h))\"/>"
                for (i, line) in lines.enumerated() {
                    body += "<text class=\"msg\" x=\"\(n(x + 8))\" y=\"\(n(y + Double(i + 1) * Self.lineHeight))\">"
                        + "\(HTMLText.escape(line))</text>"
                }
                y += h + 10
            }
        }
        let height = y + 10
        var head = "<svg class=\"sequence\" viewBox=\"0 0 \(n(Self.width)) \(n(height))\""
            + " width=\"\(n(Self.width))\" height=\"\(n(height))\" role=\"img\" aria-label=\"sequence diagram\">"
            + "<defs><marker id=\"arrow-\(id)\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"8\""
            + " markerHeight=\"8\" orient=\"auto-start-reverse\"><path d=\"M0,0L10,5L0,10z\" class=\"head\"/>"
            + "</marker></defs>"
        for participant in SequenceStep.Participant.allCases {
            let x = Self.lane[participant]!
            head += "<line class=\"life\" x1=\"\(n(x))\" y1=\"40\" x2=\"\(n(x))\" y2=\"\(n(height - 4))\"/>"
                + "<rect class=\"actor\" x=\"\(n(x - 50))\" y=\"8\" width=\"100\" height=\"32\"/>"
                + "<text class=\"actor\" x=\"\(n(x))\" y=\"29\" text-anchor=\"middle\">\(participant.name)</text>"
        }
        return head + body + "</svg>"
    }

    private func n(_ value: Double) -> String { SVGNumber.text(value) }
}
