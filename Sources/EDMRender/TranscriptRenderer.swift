import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis

/// Renders units as a transcript a person reads: one line per unit, then a summary.
///
///        14.076 -> edm AT request AT+UWSC=0,2,SSID — Wi-Fi station config 0: SSID "SSID"
///        14.089 <- edm AT confirmation OK (13 ms)
///
/// It streams: `line(for:)` per unit, `closing(anomalies:)` at the end. What a unit says is
/// worked out once per distinct text or frame (`UnitMeaningCache`), and lines are put together as
/// bytes (edm-decode writes them straight into its output buffer: `write(_:anomalies:into:)`).
public struct TranscriptRenderer: Sendable {
    public var color: Bool
    private var summary = SessionSummary()
    private var noted = 0
    private var known = UnitMeaningCache<Known>()

    /// What a line shows of a unit, apart from its time, direction and latency.
    private struct Known: Sendable {
        /// `edm AT request AT+UWSC=0,2,SSID`.
        package var head: [UInt8]
        package var explanation: String?
        package var marks: SessionSummary.Marks

        package init(_ unit: SessionUnit, _ description: UnitDescription) {
            head = Array((unit.layer + " " + description.summary).utf8)
            explanation = description.explanation
            marks = SessionSummary.Marks(description)
        }
    }

    public init(color: Bool = false) { self.color = color }

    public mutating func line(for unit: SessionUnit, anomalies: [SessionAnomaly] = []) -> String {
        var out = OutputBuffer(capacity: 256)
        write(unit, anomalies: anomalies, into: &out)
        return out.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
    }

    /// Appends the unit's line (without the newline; with the lines of anomalies found since
    /// the last unit) to `out`.
    public mutating func write(_ unit: SessionUnit, anomalies: [SessionAnomaly] = [], into out: inout OutputBuffer) {
        // A summary names the AT unit's type, and a data frame's peer.
        let key = UnitMeaningKey(unit, variant: unit.kind.typeIndex << 32 | (unit.link?.peer ?? -1) & 0xFFFF_FFFF)
        let known = self.known.value(for: key) { Known(unit, UnitDescription(unit)) }
        summary.add(unit, known.marks)
        appendSeconds(unit.time, width: 10, to: &out)
        out.append(0x20)
        paint(unit.direction?.arrow ?? "??", unit.direction == .host ? "36" : "33", into: &out)
        out.append(0x20)
        out.append(contentsOf: known.head)
        if let reply = unit.reply { out.append(contentsOf: " (\(milliseconds(reply.latency)))".utf8) }
        if let explanation = known.explanation {
            out.append(contentsOf: " — ".utf8)
            if unit.diagnostic != nil { paint(explanation, "31",
                into: &out) } else { out.append(contentsOf: explanation.utf8) }
        }
        // Anomalies are found after the unit they concern; show each once, as it is found.
        for anomaly in anomalies.dropFirst(noted) {
            out.append(contentsOf: ("\n" + pad("", 10) + " " + paint("!! \(anomaly.message) (unit #\(anomaly.unit))",
                "31")).utf8)
        }
        noted = max(noted, anomalies.count)
    }

    public mutating func closing(anomalies: [SessionAnomaly]) -> String {
        var out: [String] = []
        for anomaly in anomalies.dropFirst(noted) {
            out.append(pad("", 10) + " " + paint("!! \(anomaly.message) (unit #\(anomaly.unit))", "31"))
        }
        out.append("")
        out.append("Outcome: \(summary.outcome.label). \(summary.sentence)")
        out.append(
            "Duration: \(seconds(summary.duration)) s, \(summary.unitCount) unit\(summary.unitCount == 1 ? "" : "s")"
                + (summary.garbageCount > 0 ? ", \(summary.garbageCount) with bad bytes" : "")
                + (summary.noiseCount > 0 ? ", \(summary.noiseCount) of noise" : "")
                + (anomalies.isEmpty ? "" : ", \(anomalies.count) anomal\(anomalies.count == 1 ? "y" : "ies")"))
        for phase in summary.phases {
            let took = phase.end.map { seconds($0 - phase.start) + " s" } ?? "not finished"
            out.append("  \(phase.name): \(took) (from \(seconds(phase.start)) s)")
        }
        return out.joined(separator: "\n")
    }

    private func paint(_ text: String, _ code: StaticString) -> String {
        var out = OutputBuffer(capacity: text.utf8.count + 12)
        paint(text, code, into: &out)
        return out.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
    }

    private func paint(_ text: String, _ code: StaticString, into out: inout OutputBuffer) {
        guard color else { return out.append(contentsOf: text.utf8) }
        out.append(contentsOf: "\u{1B}[".utf8)
        out.append(UnsafeRawBufferPointer(start: code.utf8Start, count: code.utf8CodeUnitCount))
        out.append(UInt8(ascii: "m"))
        out.append(contentsOf: text.utf8)
        out.append(contentsOf: "\u{1B}[0m".utf8)
    }
}

