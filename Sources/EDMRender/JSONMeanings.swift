import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis

/// What each unit's bytes say, as the JSON members `text`, `hex`, `data`, `fields`, `dps` and
/// `explanation`, and what the session summary learns from them (`JSONLinesRenderer` writes
/// the rest of the line).
///
/// These members depend on the unit's bytes alone, and most units repeat earlier ones: they
/// are written once per distinct unit (`UnitMeaningCache`) and copied after that. Nothing here
/// depends on the units before, so edm-decode has two of these work on alternate batches
/// while other threads decode and write.
public struct JSONMeanings: Sendable {
    private var known = UnitMeaningCache<Known>()

    private struct Known: Sendable {
        package var marks: SessionSummary.Marks
        /// `"text":"…","hex":"…",…,"explanation":"…"`, as `members` writes them.
        package var members: [UInt8]
    }

    public init() {}

    /// Writes the unit's members (`"text":…,"hex":…,"fields":{…},…`; see `coversBytes`) into
    /// the object `out` is writing; returns what the session summary learns from the unit
    /// (`SessionSummary.add(_:_:)`, in unit order).
    public mutating func members(for unit: borrowing SessionUnit, into out: inout JSONWriter) -> SessionSummary.Marks {
        // Raw bytes tell the summary nothing, and mean nothing but the credential a payload is.
        if case .raw = unit.kind, unit.diagnostic != nil || unit.credential == nil { return .none }
        let key = UnitMeaningKey(unit)
        if let key, let meaning = known[key] {
            out.members(meaning.members)
            return meaning.marks
        }
        // Not known: written straight into the line, and copied into the memo only if it keeps
        // them (most units not known never come again).
        let description = UnitDescription(copy unit)
        let marks = SessionSummary.Marks(description)
        let start = out.buffer.count
        Self.members(description.unit, description, into: &out)
        if let key {
            known.keep(for: key) {
                let written = out.buffer.withUnsafeBytes { Array($0[start...]) }
                // Without the comma before them.
                let members = written.first == UInt8(ascii: ",") ? Array(written.dropFirst()) : written
                return Known(marks: marks, members: members)
            }
        }
        return marks
    }

    /// Whether `members(for:into:)` writes the unit's `text`, `hex` and `data` too. It does for
    /// the units it remembers, whose bytes repeat: quoted once, copied after that. The others'
    /// (long or raw units: credentials, garbage) are written with the line, straight from the
    /// bytes (`JSONLinesRenderer.line`): not copied into a memo they would not stay in.
    public static func coversBytes(of unit: borrowing SessionUnit) -> Bool { UnitMeaningKey.keeps(unit) }

    /// `text`, `hex` and `data`: the unit's bytes.
    package static func bytes(of unit: borrowing SessionUnit, into out: inout JSONWriter) {
        if let text = unit.textBytes { out.key("text"); out.string(utf8: text) }
        out.key("hex"); out.hex(unit.bytes)
        if let data = unit.frame?.data, isPrintable(data) { out.key("data"); out.string(utf8: data) }
    }

    private static func members(_ unit: SessionUnit, _ description: UnitDescription, into out: inout JSONWriter) {
        if coversBytes(of: unit) { bytes(of: unit, into: &out) }
        fields(unit, description, into: &out)
        if let dps = description.dps { out.key("dps"); write(dps, into: &out) }
        // (A diagnostic's message goes in `error`, written with the line: not worked out here.)
        if unit.diagnostic == nil, let explanation = description.explanation {
            out.key("explanation")
            out.string(explanation)
        }
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
                func address(_ a: [UInt8]) -> String {
                    v4 ? a.map(String.init).joined(separator: ".") : EDMConnectEvent.ipv6Text(a)
                }
                out.key("connect_type")
                out.string(v4 ? "ipv4" : "ipv6")
                out.key("protocol")
                out.string(EDMConnectEvent.protocolName(p))
                out.key("remote")
                out.string(address(r))
                out.key("remote_port")
                out.int(Int(rp))
                out.key("local")
                out.string(address(l))
                out.key("local_port")
                out.int(Int(lp))
            }
            out.closeObject()
            return
        }
        guard let line = description.atLines.last(where: { $0.kind != .final }) ?? description.atLines.last else {
            return
        }
        out.key("fields")
        out.openObject()
        out.key("name"); out.string(line.name)
        for field in ATCatalog.fields(of: line) { out.key(text: field.name); out.string(field.value) }
        out.closeObject()
    }

    package static func write(_ dps: DPSResponse, into out: inout JSONWriter) {
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
