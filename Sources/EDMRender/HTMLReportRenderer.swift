import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis

/// Renders sessions as one self-contained HTML page: the verdict, a timeline of phases and
/// requests, a sequence diagram, every unit in a table that filters and pages, and where the
/// capture came from. CSS, script and SVG are inline and nothing is fetched, so the file
/// opens from a mail attachment or a CI artifact on a machine without a network.
///
/// It streams like the other renderers: a unit's row goes out in the next data block
/// (`HTMLUnitRows`), and what only the end knows (the verdict, the drawings, the provenance)
/// goes out when the session closes. The page places those first (CSS `order`), so the
/// verdict is at the top although it is written last. Memory stays bounded: the drawings keep
/// a bounded number of marks and steps, the rows a bounded memo of meanings.
public struct HTMLReportRenderer: Sendable {
    /// Where a session's bytes came from, as the provenance section shows it.
    public struct Source: Hashable, Sendable {
        /// The file as given (for a raw pair, both).
        public var path: String
        /// The input format's name (`TraceFormat.displayName`).
        public var format: String
        /// The input's size, when it is a regular file.
        public var bytes: Int?

        public init(path: String, format: String, bytes: Int?) {
            self.path = path
            self.format = format
            self.bytes = bytes
        }
    }

    /// Secrets were starred before rendering (the default), or shown (`--no-redact`).
    public var redact: Bool
    /// Who wrote the page (in its footer and provenance).
    public var application: String
    private var summary = SessionSummary()
    private var rows = HTMLUnitRows()
    private var timeline = HTMLTimeline()
    private var sequence = HTMLSequenceDiagram()
    private var source: Source?
    private var origin: TraceOrigin?
    /// Importer notes by code, in the order codes were first met: `(code, severity, count)`.
    private var noteCounts: [(code: String, severity: String, count: Int)] = []
    private var redactedUnits = 0
    private var sessions = 0
    private var sessionOpen = false
    /// An extra section a session's page shows after its verdict (the comparison with another
    /// session, `edm-decode --against`), already HTML.
    public var comparison: String?

    public init(redact: Bool = true, application: String = "edm-decode") {
        self.redact = redact
        self.application = application
    }

    /// The page up to the first session: head, style, title.
    public func documentStart(title: String, into out: inout OutputBuffer) {
        out.append(contentsOf: HTMLReportPage.head(title: HTMLText.escape(title)).utf8)
    }

    /// The next session's input (before its units).
    public mutating func source(_ source: Source) { self.source = source }

    public mutating func origin(_ origin: TraceOrigin) { if self.origin == nil { self.origin = origin } }

    public mutating func add(_ unit: SessionUnit, redacted: Bool, into out: inout OutputBuffer) {
        open(into: &out)
        let description = UnitDescription(unit)
        summary.add(unit, description)
        if redacted { redactedUnits += 1 }
        rows.add(unit, description, redacted: redacted)
        timeline.add(unit, description)
        sequence.add(SequenceStep.steps(for: unit, description))
        if rows.isFull { rows.flush(into: &out) }
    }

    /// What the importer noticed, after the units of the line it concerns.
    public mutating func notes(_ diagnostics: [TraceImportDiagnostic], into out: inout OutputBuffer) {
        open(into: &out)
        for note in diagnostics where note.code != .blankLine {
            rows.note(note)
            if let i = noteCounts.firstIndex(where: { $0.code == note.code.rawValue }) {
                noteCounts[i].count += 1
            } else {
                noteCounts.append((note.code.rawValue, note.severity.rawValue, 1))
            }
        }
        if rows.isFull { rows.flush(into: &out) }
    }

    /// Anomalies found since the last ones, where they were found.
    public mutating func anomalies(_ found: [SessionAnomaly], into out: inout OutputBuffer) {
        open(into: &out)
        for anomaly in found { rows.anomaly(anomaly) }
    }

    /// The session's last rows, then its verdict, drawings and provenance; `anomalies` are
    /// all of the session's.
    public mutating func closeSession(anomalies: [SessionAnomaly], into out: inout OutputBuffer) {
        open(into: &out)
        rows.flush(into: &out)
        out.append(contentsOf: "</div>\n".utf8) // (the data blocks)
        out.append(contentsOf: verdict(anomalies: anomalies).utf8)
        if let comparison { out.append(contentsOf: comparison.utf8) }
        out.append(contentsOf: "<div class=\"panel timing\"><h3>Timeline</h3><div class=\"scroll\">".utf8)
        out.append(contentsOf: timeline.svg(summary).utf8)
        out.append(contentsOf: "</div><h4>Slowest replies</h4>".utf8)
        out.append(contentsOf: timeline.slowestTable(summary).utf8)
        out.append(contentsOf: "</div>\n<div class=\"panel diagram\"><h3>Sequence</h3><div class=\"scroll\">".utf8)
        let closing = SequenceStep.closing(summary, anomalies: anomalies)
        out.append(contentsOf: sequence.svg(closing: closing, id: "s\(sessions)").utf8)
        out.append(contentsOf: "</div></div>\n".utf8)
        out.append(contentsOf: provenance().utf8)
        out.append(contentsOf: "</section>\n".utf8)
        summary = SessionSummary()
        rows = HTMLUnitRows()
        timeline = HTMLTimeline()
        sequence = HTMLSequenceDiagram()
        source = nil
        origin = nil
        noteCounts = []
        redactedUnits = 0
        comparison = nil
        sessionOpen = false
    }

    /// The script that builds the tables, and the end of the page.
    public func documentEnd(into out: inout OutputBuffer) {
        out.append(contentsOf: HTMLReportPage.tail(application: HTMLText.escape(application)).utf8)
    }

    /// The summary of the session being written (the verdict's source).
    public var sessionSummary: SessionSummary { summary }

    private mutating func open(into out: inout OutputBuffer) {
        guard !sessionOpen else { return }
        sessionOpen = true
        sessions += 1
        let name = source.map { HTMLText.escape($0.path) } ?? "session \(sessions)"
        out.append(contentsOf: """
            <section class="session" id="session-\(sessions)"><h2 class="file">\(name)</h2>
            <div class="panel units"><h3>Units</h3><noscript>The table of units needs JavaScript; the verdict, \
            timeline, diagram and provenance do not.</noscript></div>
            <div class="data">\n
            """.utf8)
    }

    private func verdict(anomalies: [SessionAnomaly]) -> String {
        let outcome = summary.outcome
        let tone = switch outcome {
        case .assigned: "good"
        case .incomplete: "unknown"
        default: "bad"
        }
        var s = "<div class=\"panel verdict \(tone)\"><h3>Outcome: <span class=\"outcome\">\(outcome.label)</span></h3>"
        s += "<p class=\"reason\">\(HTMLText.escape(summary.sentence))</p>"
        if let advice = summary.advice { s += "<p class=\"advice\">\(HTMLText.escape(advice))</p>" }
        s += "<dl>"
        if outcome == .assigned, let dps = summary.dps {
            s += "<dt>IoT hub</dt><dd class=\"hub\">\(HTMLText.escape(dps.assignedHub ?? "?"))</dd>"
            s += "<dt>Device</dt><dd class=\"device\">\(HTMLText.escape(dps.deviceID ?? "?"))</dd>"
            if let substatus = dps.substatus { s += "<dt>Substatus</dt><dd>\(HTMLText.escape(substatus))</dd>" }
        } else if let dps = summary.dps {
            s += "<dt>Last DPS answer</dt><dd>\(HTMLText.escape(dps.summary))</dd>"
        }
        s += "<dt>Duration</dt><dd>\(seconds(summary.duration)) s</dd>"
        s += "<dt>Units</dt><dd class=\"unit-count\">\(summary.unitCount)</dd>"
        if summary.garbageCount > 0 { s += "<dt>With bad bytes</dt><dd>\(summary.garbageCount)</dd>" }
        if summary.noiseCount > 0 { s += "<dt>Noise</dt><dd>\(summary.noiseCount)</dd>" }
        s += "<dt>Anomalies</dt><dd>\(anomalies.isEmpty ? "none" : String(anomalies.count))</dd>"
        for anomaly in anomalies.prefix(10) {
            s += "<dd class=\"anomaly\">!! \(HTMLText.escape(anomaly.message)) (unit #\(anomaly.unit))</dd>"
        }
        if anomalies.count > 10 { s += "<dd class=\"anomaly\">… and \(anomalies.count - 10) more, in the table</dd>" }
        return s + "</dl></div>\n"
    }

    private func provenance() -> String {
        var s = "<div class=\"panel provenance\"><h3>Provenance</h3><dl>"
        if let source {
            s += "<dt>File</dt><dd class=\"text\">\(HTMLText.escape(source.path))</dd>"
            s += "<dt>Format</dt><dd>\(HTMLText.escape(source.format))</dd>"
            if let bytes = source.bytes { s += "<dt>Size</dt><dd>\(bytes) bytes</dd>" }
        }
        if let origin { s += "<dt>Captured from</dt><dd>\(HTMLText.utc(unixNanoseconds: origin.unixNanoseconds))</dd>" }
        s += "<dt>Importer notes</dt>"
        if noteCounts.isEmpty { s += "<dd>none</dd>" }
        for note in noteCounts {
            s += "<dd>\(note.count) × \(HTMLText.escape(note.code)) (\(note.severity)), in the table where they"
                + " occur</dd>"
        }
        s += "<dt>Redaction</dt><dd class=\"redaction\">"
        s += redact
            ? "on: Wi-Fi passphrases and private-key bytes replaced by * of the same length (\(redactedUnits) "
                + "unit\(redactedUnits == 1 ? "" : "s") starred)"
            : "off (--no-redact): this page shows secrets as captured"
        s += "</dd><dt>Written by</dt><dd>\(HTMLText.escape(application))</dd>"
        return s + "</dl></div>\n"
    }
}
