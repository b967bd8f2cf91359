import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis

/// The HTML report's table as data: compact JSON blocks the page's script pages through, so
/// that a capture of a million units gives a page that opens in seconds (a DOM row per unit
/// would not).
///
/// A block is `{"m":[meaning…],"r":[row…]}`. A meaning is what a unit shows apart from its
/// place: `[id,dir,layer,type,summary,explanation,hex,[[field,value]…],flags]` (`dir` `h`,
/// `m` or `?`; flags 1: bad bytes, 2: redacted). A row is `[index,µs,meaning]`, with
/// `reply_to,latency µs` after it for a reply; `["n",severity,text]` is an importer's
/// note and `["a",code,unit,message]` an anomaly, where they came. Repeated units (the same
/// commands and answers in every session) share one meaning, defined in the block of the
/// first row that uses it: a row costs a dozen bytes, and writing stays linear.
package struct HTMLUnitRows: Sendable {
    /// Rows per block: the page parses blocks as they come.
    package static let rowsPerBlock = 512

    private var ids = UnitMeaningCache<Int>()
    private var nextID = 0
    private var meanings = JSONWriter(capacity: 1 << 14)
    private var rows = JSONWriter(capacity: 1 << 14)
    private var rowCount = 0

    package init() {
        meanings.openArray()
        rows.openArray()
    }

    package var isFull: Bool { rowCount >= Self.rowsPerBlock }
    package var isEmpty: Bool { rowCount == 0 }

    /// Adds the unit's row (and its meaning, when not defined yet).
    package mutating func add(_ unit: SessionUnit, _ description: UnitDescription, redacted: Bool) {
        let key = Self.key(unit, redacted: redacted)
        let id: Int
        if let key, let known = ids[key] {
            id = known
        } else {
            id = nextID
            nextID += 1
            define(id, unit, description, redacted: redacted)
            if let key { ids.keep(for: key) { id } }
        }
        row {
            $0.int(unit.index)
            $0.int(Int(unit.time.wholeMicroseconds))
            $0.int(id)
            if let reply = unit.reply {
                $0.int(reply.request)
                $0.int(Int(reply.latency.wholeMicroseconds))
            }
        }
    }

    package mutating func note(_ note: TraceImportDiagnostic) {
        row {
            $0.string("n")
            $0.string(note.severity.rawValue)
            $0.string(note.description)
        }
    }

    package mutating func anomaly(_ anomaly: SessionAnomaly) {
        row {
            $0.string("a")
            $0.string(anomaly.code.rawValue)
            $0.int(anomaly.unit)
            $0.string(anomaly.message)
        }
    }

    private mutating func row(_ items: (inout JSONWriter) -> Void) {
        rows.openArray()
        items(&rows)
        rows.closeArray()
        rowCount += 1
    }

    /// The block so far as a script element the page reads (`class="edm-data"`), and a new block.
    package mutating func flush(into out: inout OutputBuffer) {
        guard !isEmpty else { return }
        meanings.closeArray()
        rows.closeArray()
        out.append(contentsOf: #"<script type="application/json" class="edm-data">{"m":"#.utf8)
        meanings.buffer.withUnsafeBytes { HTMLText.appendScriptSafe($0, to: &out) }
        out.append(contentsOf: #","r":"#.utf8)
        rows.buffer.withUnsafeBytes { HTMLText.appendScriptSafe($0, to: &out) }
        out.append(contentsOf: "}</script>\n".utf8)
        meanings.reset()
        rows.reset()
        meanings.openArray()
        rows.openArray()
        rowCount = 0
    }

    /// What a meaning depends on besides the bytes: the type (a summary names it), the
    /// direction, the peer, redaction, and a payload's credential. Payloads and long frames
    /// are kept too (a credential repeats in every session of a long capture); units with a
    /// diagnostic are not (its message names its offset).
    private static func key(_ unit: SessionUnit, redacted: Bool) -> UnitMeaningKey? {
        guard unit.diagnostic == nil, unit.bytes.count <= 8192 else { return nil }
        let direction = unit.direction == .host ? 1 : unit.direction == .module ? 2 : 3
        var variant = unit.kind.typeIndex << 40 | direction << 36 | (redacted ? 1 << 35 : 0)
            | (unit.link?.peer ?? 0xFFFF) & 0xFFFF
        if let credential = unit.credential {
            // (A stable hash of the name: String's hashValue changes from run to run.)
            var h: UInt64 = 0xCBF2_9CE4_8422_2325
            for b in credential.name.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
            variant ^= Int(truncatingIfNeeded: h << 16) ^ credential.type << 20
        }
        if case .frame = unit.kind { return UnitMeaningKey(source: .frame, bytes: unit.bytes, variant: variant) }
        return UnitMeaningKey(source: .at, bytes: unit.bytes, variant: variant)
    }

    private mutating func define(_ id: Int, _ unit: SessionUnit, _ description: UnitDescription, redacted: Bool) {
        meanings.openArray()
        meanings.int(id)
        meanings.string(unit.direction == .host ? "h" : unit.direction == .module ? "m" : "?")
        meanings.string(unit.layer)
        meanings.string(unit.type)
        meanings.string(description.summary)
        meanings.string(description.explanation ?? "")
        meanings.byteString(unit.bytes)
        meanings.openArray()
        for (name, value) in Self.fields(unit, description) {
            meanings.openArray()
            meanings.string(name)
            meanings.string(value)
            meanings.closeArray()
        }
        meanings.closeArray()
        meanings.int((unit.diagnostic != nil ? 1 : 0) | (redacted ? 2 : 0))
        meanings.closeArray()
    }

    /// The fields the expanded row lists: as in the JSON Lines (`fields`, `dps`), flattened.
    package static func fields(_ unit: SessionUnit, _ description: UnitDescription) -> [(String, String)] {
        var out: [(String, String)] = []
        if let frame = unit.frame {
            let id = frame.payloadID.rawValue
            out.append(("id", hexString([UInt8(id >> 8), UInt8(id & 0xFF)])))
            if let channel = frame.channel ?? unit.link?.channel { out.append(("channel", String(channel))) }
        }
        if let peer = unit.link?.peer { out.append(("peer", String(peer))) }
        if let event = unit.frame?.connectEvent { out.append(("connect", event.summary)) }
        if let line = description.atLines.last(where: { $0.kind != .final }) ?? description.atLines.last {
            out.append(("name", line.name))
            out += ATCatalog.fields(of: line).map { ($0.name, $0.value) }
        }
        if let dps = description.dps {
            out.append(("dps.status", dps.statusText))
            if let v = dps.operationID { out.append(("dps.operationId", v)) }
            if let v = dps.assignedHub { out.append(("dps.assignedHub", v)) }
            if let v = dps.deviceID { out.append(("dps.deviceId", v)) }
            if let v = dps.substatus { out.append(("dps.substatus", v)) }
            if let v = dps.errorCode { out.append(("dps.errorCode", String(v))) }
            if let v = dps.message { out.append(("dps.message", v)) }
        }
        if let credential = unit.credential { out.append(("credential", credential.name)) }
        if let diagnostic = unit.diagnostic {
            out.append(("error", diagnostic.code.rawValue))
            out.append(("offset", String(unit.offset))) // (a unit with a diagnostic has a meaning of its own)
        }
        out.append(("length", String(unit.bytes.count)))
        return out
    }
}
