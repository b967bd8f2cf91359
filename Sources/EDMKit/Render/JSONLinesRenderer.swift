/// Renders units as JSON Lines, the public contract of DESIGN.md (documented in the README):
/// one object per unit, then `{"summary":{…}}`. Keys keep a fixed order; fields are added,
/// never renamed or removed.
///
/// It writes bytes, not values: `render(_:into:)` appends one line to a `JSONWriter`. What an
/// AT text means (its parsed lines, catalog fields and explanation) is worked out once per
/// distinct text and kept, because sessions repeat the same lines (`OK`, the same commands
/// every run) and parsing them was most of the cost of a line.
public struct JSONLinesRenderer: Sendable {
    private var summary = SessionSummary()
    private var known: [TextKey: KnownText] = [:]

    /// At most this many texts are kept (then forgotten all at once), each at most
    /// `maxKnownLength` bytes long: memory stays bounded whatever the capture holds.
    static let maxKnown = 1024
    static let maxKnownLength = 256

    private struct TextKey: Hashable {
        var frame: Bool
        var text: ArraySlice<UInt8>

        // The bytes in one go: ArraySlice's own hash feeds the hasher a byte at a time.
        func hash(into hasher: inout Hasher) {
            hasher.combine(frame)
            text.withUnsafeBytes { hasher.combine(bytes: $0) }
        }
    }

    private struct KnownText {
        var atLines: [ATCommandLine]
        /// `"fields":{…},"explanation":"…"`, as `members` writes them.
        var members: [UInt8]
    }

    public init() {}

    /// Appends the unit's line (without the newline) to `out`.
    public mutating func render(_ unit: SessionUnit, into out: inout JSONWriter) {
        out.openObject()
        out.key("index"); out.int(unit.index)
        out.key("time"); out.seconds(unit.time)
        out.key("from"); out.string(unit.direction?.rawValue ?? "unknown")
        out.key("layer"); out.string(unit.layer)
        out.key("type"); out.string(unit.type)
        out.key("offset"); out.int(unit.offset)
        out.key("length"); out.int(unit.bytes.count)
        let frame = unit.frame
        if let frame {
            out.key("id"); out.hexString(frame.payloadID.rawValue)
        }
        if let channel = frame?.channel ?? unit.link?.channel { out.key("channel"); out.int(Int(channel)) }
        if let peer = unit.link?.peer { out.key("peer"); out.int(peer) }
        let text = unit.textBytes
        if let text { out.key("text"); out.string(utf8: text) }
        out.key("hex"); out.hex(unit.bytes)
        if let data = frame?.data, isPrintable(data) { out.key("data"); out.string(utf8: data) }

        if let text, unit.diagnostic == nil, unit.kind != .at(.prompt), text.count <= Self.maxKnownLength {
            let known = knownText(TextKey(frame: frame != nil, text: text), unit)
            summary.add(unit, atLines: known.atLines, dps: nil)
            out.members(known.members)
        } else {
            let description = UnitDescription(unit)
            summary.add(unit, description)
            members(unit, description, into: &out)
        }

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
    }

    private mutating func knownText(_ key: TextKey, _ unit: SessionUnit) -> KnownText {
        if let known = known[key] { return known }
        let description = UnitDescription(unit)
        var fragment = JSONWriter(capacity: 256)
        members(unit, description, into: &fragment)
        let entry = KnownText(atLines: description.atLines, members: fragment.bytes)
        if known.count >= Self.maxKnown { known.removeAll(keepingCapacity: true) }
        // A copy of the text: the unit's slice would keep its whole input buffer alive.
        known[TextKey(frame: key.frame, text: ArraySlice(Array(key.text)))] = entry
        return entry
    }

    /// `fields`, `dps` and `explanation`: what the unit means.
    private func members(_ unit: SessionUnit, _ description: UnitDescription, into out: inout JSONWriter) {
        fields(unit, description, into: &out)
        if let dps = description.dps { out.key("dps"); write(dps, into: &out) }
        if let explanation = description.explanation, unit.diagnostic == nil { out.key("explanation"); out.string(explanation) }
    }

    private func fields(_ unit: SessionUnit, _ description: UnitDescription, into out: inout JSONWriter) {
        if let event = unit.frame?.connectEvent {
            out.key("fields")
            out.openObject()
            switch event.link {
            case .bluetooth(let profile, let address, let frameSize):
                out.key("connect_type"); out.string("bluetooth")
                out.key("profile"); out.int(Int(profile))
                out.key("address"); out.hex(address[...])
                out.key("frame_size"); out.int(Int(frameSize))
            case .ipv4(let p, let r, let rp, let l, let lp), .ipv6(let p, let r, let rp, let l, let lp):
                let v4 = r.count == 4
                func address(_ a: [UInt8]) -> String { v4 ? a.map(String.init).joined(separator: ".") : EDMConnectEvent.ipv6Text(a) }
                out.key("connect_type"); out.string(v4 ? "ipv4" : "ipv6")
                out.key("protocol"); out.string(EDMConnectEvent.protocolName(p))
                out.key("remote"); out.string(address(r))
                out.key("remote_port"); out.int(Int(rp))
                out.key("local"); out.string(address(l))
                out.key("local_port"); out.int(Int(lp))
            }
            out.closeObject()
            return
        }
        guard let line = description.atLines.last(where: { $0.kind != .final }) ?? description.atLines.last else { return }
        out.key("fields")
        out.openObject()
        out.key("name"); out.string(line.name)
        for field in ATCatalog.fields(of: line) { out.key(text: field.name); out.string(field.value) }
        out.closeObject()
    }

    private func write(_ dps: DPSResponse, into out: inout JSONWriter) {
        out.openObject()
        out.key("status"); out.string(dps.statusText)
        if let v = dps.operationID { out.key("operationId"); out.string(v) }
        if let v = dps.assignedHub { out.key("assignedHub"); out.string(v) }
        if let v = dps.deviceID { out.key("deviceId"); out.string(v) }
        if let v = dps.substatus { out.key("substatus"); out.string(v) }
        if let v = dps.errorCode { out.key("errorCode"); out.int(v) }
        if let v = dps.message { out.key("message"); out.string(v) }
        out.closeObject()
    }

    /// Appends the summary line; `notes` are what the importer noticed (line numbers of the input).
    public func renderClosing(anomalies: [SessionAnomaly], notes: [TraceImportDiagnostic] = [], into out: inout JSONWriter) {
        out.openObject()
        out.key("summary")
        out.openObject()
        out.key("outcome"); out.string(summary.outcome.rawValue)
        out.key("reason"); out.string(summary.sentence)
        out.key("units"); out.int(summary.unitCount)
        out.key("bad_units"); out.int(summary.garbageCount)
        out.key("noise_units"); out.int(summary.noiseCount)
        out.key("duration"); out.seconds(summary.duration)
        if let dps = summary.dps { out.key("dps"); write(dps, into: &out) }
        out.key("phases")
        out.openArray()
        for phase in summary.phases {
            out.openObject()
            out.key("name"); out.string(phase.name)
            out.key("start"); out.seconds(phase.start)
            if let end = phase.end { out.key("duration"); out.seconds(end - phase.start) }
            out.closeObject()
        }
        out.closeArray()
        out.key("anomalies")
        out.openArray()
        for anomaly in anomalies {
            out.openObject()
            out.key("code"); out.string(anomaly.code.rawValue)
            out.key("unit"); out.int(anomaly.unit)
            out.key("message"); out.string(anomaly.message)
            out.closeObject()
        }
        out.closeArray()
        if !notes.isEmpty {
            out.key("import")
            out.openArray()
            for note in notes {
                out.openObject()
                out.key("code"); out.string(note.code.rawValue)
                out.key("severity"); out.string(note.severity.rawValue)
                if let line = note.line { out.key("line"); out.int(line) }
                out.key("message"); out.string(note.message)
                out.closeObject()
            }
            out.closeArray()
        }
        out.closeObject()
        out.closeObject()
    }
}

/// Seconds with microseconds, as JSON number text: `14.076000`.
func secondsText(_ d: Duration) -> String {
    var writer = JSONWriter(capacity: 24)
    writer.seconds(d)
    return String(decoding: writer.bytes, as: UTF8.self)
}
