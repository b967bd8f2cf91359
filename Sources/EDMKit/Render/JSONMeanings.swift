/// What each unit means, as the JSON members `fields`, `dps` and `explanation`, and the
/// session's summary, which learns from the same work (`JSONLinesRenderer` writes the rest).
///
/// Meanings are worked out once per distinct text or frame (`MeaningMemo`). It is a separate
/// value so that edm-decode can work them out on a thread of its own while another one writes
/// lines.
public struct JSONMeanings: Sendable {
    public private(set) var summary = SessionSummary()
    private var known = MeaningMemo<Known>()

    private struct Known: Sendable {
        var marks: [SessionSummary.Mark]
        /// `"fields":{…},"dps":{…},"explanation":"…"`, as `members` writes them.
        var members: [UInt8]
    }

    public init() {}

    /// The unit's meaning as JSON members (`"fields":{…},"explanation":"…"`, possibly empty),
    /// in unit order: the summary counts the unit too.
    public mutating func members(for unit: SessionUnit) -> [UInt8] {
        let key = MeaningKey(unit)
        if let key, let known = known[key] {
            summary.add(unit, marks: known.marks)
            return known.members
        }
        let description = UnitDescription(unit)
        let meaning = Known(marks: SessionSummary.Mark.all(description), members: Self.members(unit, description))
        summary.add(unit, marks: meaning.marks)
        if let key { known.keep(meaning, for: key) }
        return meaning.members
    }

    /// `fields`, `dps` and `explanation`: what the unit means.
    private static func members(_ unit: SessionUnit, _ description: UnitDescription) -> [UInt8] {
        var out = JSONWriter(capacity: 256)
        fields(unit, description, into: &out)
        if let dps = description.dps { out.key("dps"); write(dps, into: &out) }
        // (A diagnostic's message goes in `error`, written with the line: not worked out here.)
        if unit.diagnostic == nil, let explanation = description.explanation { out.key("explanation"); out.string(explanation) }
        return out.bytes
    }

    private static func fields(_ unit: SessionUnit, _ description: UnitDescription, into out: inout JSONWriter) {
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

    static func write(_ dps: DPSResponse, into out: inout JSONWriter) {
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
}
