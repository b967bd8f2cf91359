/// What each unit means, as the JSON members `fields`, `dps` and `explanation`, and the
/// session's summary, which learns from the same work (`JSONLinesRenderer` writes the rest).
///
/// What a text or frame means (its parsed lines, catalog fields, DPS body and explanation) is
/// worked out once per distinct one and kept, because sessions repeat the same lines (`OK`,
/// the same commands every run) and frames (connect events, the same requests), and parsing
/// them was most of the cost of a line. It is a separate value so that edm-decode can work
/// meanings out on a thread of its own while another one writes lines.
public struct JSONMeanings: Sendable {
    public private(set) var summary = SessionSummary()
    private var known: [Key: Known] = [:]

    /// At most this many meanings are kept (then forgotten all at once), of texts or frames
    /// at most `maxKnownLength` bytes long: memory stays bounded whatever the capture holds.
    static let maxKnown = 1024
    static let maxKnownLength = 256

    /// What a unit's meaning depends on, when that is its bytes alone.
    private struct Key: Hashable {
        enum Source: UInt8 { case atText, frameText, frame }
        var source: Source
        /// The AT text (without its line breaks), or the whole frame of any other id.
        var bytes: ArraySlice<UInt8>

        /// Nil for a unit with a diagnostic (its message goes in `error`), a prompt (whose
        /// meaning is not in its text), or bytes too long to keep.
        init?(_ unit: SessionUnit) {
            guard unit.diagnostic == nil else { return nil }
            switch unit.kind {
            case .at(let type):
                guard type != .prompt else { return nil }
                source = .atText
                bytes = trimmingLineBreaks(unit.bytes)
            case .frame(let frame):
                if let text = frame.atText {
                    source = .frameText
                    bytes = trimmingLineBreaks(text)
                } else {
                    source = .frame
                    bytes = frame.bytes
                }
            case .raw:
                return nil
            }
            guard bytes.count <= JSONMeanings.maxKnownLength else { return nil }
        }

        init(source: Source, bytes: ArraySlice<UInt8>) {
            self.source = source
            self.bytes = bytes
        }

        // The bytes in one go: ArraySlice's own hash feeds the hasher a byte at a time, and
        // its == compares them one by one.
        func hash(into hasher: inout Hasher) {
            hasher.combine(source)
            bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        }

        static func == (a: Key, b: Key) -> Bool {
            guard a.source == b.source, a.bytes.count == b.bytes.count else { return false }
            return a.bytes.withUnsafeBufferPointer { x in
                b.bytes.withUnsafeBufferPointer { y in
                    for i in x.indices where x[i] != y[i] { return false }
                    return true
                }
            }
        }
    }

    private struct Known {
        var marks: [SessionSummary.Mark]
        var dps: DPSResponse?
        /// `"fields":{…},"dps":{…},"explanation":"…"`, as `members` writes them.
        var members: [UInt8]
    }

    public init() {}

    /// The unit's meaning as JSON members (`"fields":{…},"explanation":"…"`, possibly empty),
    /// in unit order: the summary counts the unit too.
    public mutating func members(for unit: SessionUnit) -> [UInt8] {
        if let key = Key(unit) {
            let known = known(key, unit)
            summary.add(unit, marks: known.marks, dps: known.dps)
            return known.members
        }
        let description = UnitDescription(unit)
        summary.add(unit, description)
        return Self.members(unit, description)
    }

    private mutating func known(_ key: Key, _ unit: SessionUnit) -> Known {
        if let known = known[key] { return known }
        let description = UnitDescription(unit)
        let entry = Known(marks: description.atLines.compactMap(SessionSummary.Mark.init), dps: description.dps,
                          members: Self.members(unit, description))
        if known.count >= Self.maxKnown { known.removeAll(keepingCapacity: true) }
        // A copy of the bytes: the unit's slice would keep its whole input buffer alive.
        known[Key(source: key.source, bytes: ArraySlice(Array(key.bytes)))] = entry
        return entry
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
