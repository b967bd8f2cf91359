/// Renders units as a transcript a person reads: one line per unit, then a summary.
///
///        14.076 -> edm AT request AT+UWSC=0,2,SSID — Wi-Fi station config 0: SSID "SSID"
///        14.089 <- edm AT confirmation OK (13 ms)
///
/// It streams: `line(for:)` per unit, `closing(anomalies:)` at the end.
public struct TranscriptRenderer: Sendable {
    public var color: Bool
    private var summary = SessionSummary()
    private var noted = 0

    public init(color: Bool = false) { self.color = color }

    public mutating func line(for unit: SessionUnit, anomalies: [SessionAnomaly] = []) -> String {
        let description = UnitDescription(unit)
        summary.add(unit, description)
        let arrow = unit.direction?.arrow ?? "??"
        var text = pad(seconds(unit.time), 10) + " " + paint(arrow, unit.direction == .host ? "36" : "33") + " " + unit.layer + " " + description.summary
        if let reply = unit.reply { text += " (\(milliseconds(reply.latency)))" }
        if let explanation = description.explanation {
            text += " — " + (unit.diagnostic != nil ? paint(explanation, "31") : explanation)
        }
        // Anomalies are found after the unit they concern; show each once, as it is found.
        for anomaly in anomalies.dropFirst(noted) {
            text += "\n" + pad("", 10) + " " + paint("!! \(anomaly.message) (unit #\(anomaly.unit))", "31")
        }
        noted = max(noted, anomalies.count)
        return text
    }

    public mutating func closing(anomalies: [SessionAnomaly]) -> String {
        var out: [String] = []
        for anomaly in anomalies.dropFirst(noted) {
            out.append(pad("", 10) + " " + paint("!! \(anomaly.message) (unit #\(anomaly.unit))", "31"))
        }
        out.append("")
        out.append("Outcome: \(summary.outcome.rawValue). \(summary.sentence)")
        out.append("Duration: \(seconds(summary.duration)) s, \(summary.unitCount) units" +
                   (summary.garbageCount > 0 ? ", \(summary.garbageCount) with bad bytes" : "") +
                   (summary.noiseCount > 0 ? ", \(summary.noiseCount) of noise" : "") +
                   (anomalies.isEmpty ? "" : ", \(anomalies.count) anomal\(anomalies.count == 1 ? "y" : "ies")"))
        for phase in summary.phases {
            let took = phase.end.map { seconds($0 - phase.start) + " s" } ?? "not finished"
            out.append("  \(phase.name): \(took) (from \(seconds(phase.start)) s)")
        }
        return out.joined(separator: "\n")
    }

    private func paint(_ text: String, _ code: String) -> String {
        color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}

func pad(_ text: String, _ width: Int) -> String {
    String(repeating: " ", count: max(0, width - text.count)) + text
}

/// `13 ms`, `1.2 ms`.
func milliseconds(_ d: Duration) -> String {
    let us = d.wholeMicroseconds
    return us % 1000 == 0 || us >= 100_000 ? "\(us / 1000) ms" : "\(us / 1000).\(us % 1000 / 100) ms"
}
