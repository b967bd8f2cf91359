import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis

/// Renders units as JSON Lines, the public contract documented in docs/json-contract.md:
/// one object per unit, then `{"summary":{…}}`. Keys keep a fixed order; fields are added,
/// never renamed or removed.
///
/// It writes bytes, not values: `render(_:into:)` appends one line to a `JSONWriter`. The
/// halves can run apart: a unit's line (`line`) depends only on the unit and returns what the
/// session summary learns from it, which `closing` writes; edm-decode writes lines on two
/// threads and keeps the summary on a third.
public struct JSONLinesRenderer: Sendable {
    private var meanings = JSONMeanings()
    private var summary = SessionSummary()

    public init() {}

    /// Appends the unit's line (without the newline) to `out`.
    public mutating func render(_ unit: SessionUnit, into out: inout JSONWriter) {
        summary.add(Self.line(unit, meanings: &meanings, into: &out))
    }

    /// Appends the unit's line (without the newline) to `out`, with what its bytes say from
    /// `meanings`; returns what the session summary learns from it.
    public static func line(_ unit: borrowing SessionUnit, meanings: inout JSONMeanings,
                            into out: inout JSONWriter) -> SessionSummary.Entry {
        out.openObject()
        out.key("index"); out.int(unit.index)
        out.key("time"); out.seconds(unit.time)
        out.members(JSONLinePrefix.members(of: unit))
        out.key("offset"); out.int(unit.offset)
        out.key("length"); out.int(unit.bytes.count)
        let frame = unit.frame
        if let frame {
            out.key("id"); out.hexString(frame.payloadID.rawValue)
        }
        if let channel = frame?.channel ?? unit.link?.channel { out.key("channel"); out.int(Int(channel)) }
        if let peer = unit.link?.peer { out.key("peer"); out.int(peer) }
        if !JSONMeanings.coversBytes(of: unit) { JSONMeanings.bytes(of: unit, into: &out) }
        let marks = meanings.members(for: unit, into: &out)
        if let reply = unit.reply {
            out.key("reply_to"); out.int(reply.request)
            out.key("latency"); out.seconds(reply.latency)
        }
        if let diagnostic = unit.diagnostic {
            out.key("error")
            out.openObject()
            out.key("code"); out.string(diagnostic.code.rawValue)
            out.key("message"); out.string(diagnostic.message)
            out.closeObject()
        }
        out.closeObject()
        return SessionSummary.Entry(unit, marks)
    }

    /// Appends the summary line; `notes` are what the importer noticed (line numbers of the input).
    public func renderClosing(anomalies: [SessionAnomaly], notes: [TraceImportDiagnostic] = [],
        into out: inout JSONWriter) {
        Self.closing(summary, anomalies: anomalies, notes: notes, into: &out)
    }

    /// The summary line of a session whose meanings were worked out elsewhere.
    /// `moreNotes` counts, by code, the notes past the ones listed (a capture may draw a note
    /// on every line; the summary keeps the first ones).
    public static func closing(
        _ summary: SessionSummary, anomalies: [SessionAnomaly], notes: [TraceImportDiagnostic] = [],
        moreNotes: [(code: TraceImportDiagnostic.Code, count: Int)] = [], into out: inout JSONWriter
    ) {
        out.openObject()
        out.key("summary")
        out.openObject()
        out.key("outcome"); out.string(summary.outcome.name)
        if let network = summary.outcome.network { out.key("network"); out.string(network) }
        out.key("reason"); out.string(summary.sentence)
        out.key("units"); out.int(summary.unitCount)
        out.key("bad_units"); out.int(summary.garbageCount)
        out.key("noise_units"); out.int(summary.noiseCount)
        out.key("duration"); out.seconds(summary.duration)
        if let dps = summary.dps { out.key("dps"); JSONMeanings.write(dps, into: &out) }
        objects("phases", summary.phases, into: &out) { phase, out in
            out.key("name"); out.string(phase.name)
            out.key("start"); out.seconds(phase.start)
            if let end = phase.end { out.key("duration"); out.seconds(end - phase.start) }
        }
        objects("anomalies", anomalies, into: &out) { anomaly, out in
            out.key("code"); out.string(anomaly.code.rawValue)
            out.key("unit"); out.int(anomaly.unit)
            out.key("message"); out.string(anomaly.message)
        }
        if !notes.isEmpty {
            objects("import", notes, into: &out) { note, out in
                out.key("code"); out.string(note.code.rawValue)
                out.key("severity"); out.string(note.severity.rawValue)
                if let line = note.line { out.key("line"); out.int(line) }
                out.key("message"); out.string(note.message)
            }
        }
        if !moreNotes.isEmpty {
            out.key("import_more")
            out.openObject()
            for (code, count) in moreNotes { out.key(text: code.rawValue); out.int(count) }
            out.closeObject()
        }
        out.closeObject()
        out.closeObject()
    }

    /// `"name":[{…},…]`: one object per element, its members written by `members`.
    private static func objects<Items: Sequence>(
        _ name: StaticString, _ items: Items, into out: inout JSONWriter,
        _ members: (Items.Element, inout JSONWriter) -> Void
    ) {
        out.key(name)
        out.openArray()
        for item in items {
            out.openObject()
            members(item, &out)
            out.closeObject()
        }
        out.closeArray()
    }
}

