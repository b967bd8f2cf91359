/// The `from`, `layer` and `type` members of a JSON line (`"from":"host","layer":"at",
/// "type":"command"`), written once for every direction and unit type.
///
/// Every line has them, and there are only a few dozen combinations: copying one prepared
/// fragment costs a tenth of writing three keys and quoting three strings, line after line.
enum LineHead {
    /// The fragment for the unit's direction and type.
    static func members(of unit: SessionUnit) -> [UInt8] {
        table[directionSlot(unit.direction) * kinds.count + kindSlot(unit.kind)]
    }

    /// The members as `JSONLinesRenderer` wrote them one by one (what the table holds).
    static func written(direction: Direction?, kind: SessionUnit.Kind) -> [UInt8] {
        let unit = SessionUnit(index: 0, time: .zero, direction: direction, offset: 0, bytes: [], kind: kind)
        var out = JSONWriter(capacity: 64)
        out.key("from"); out.string(unit.direction?.rawValue ?? "unknown")
        out.key("layer"); out.string(unit.layer)
        out.key("type"); out.string(unit.type)
        return out.bytes
    }

    static let directions: [Direction?] = [.host, .module, nil]

    /// One kind per distinct `type`: frames are named by their id, and every id outside
    /// `EDMPayloadID.known` is `unknown` (a frame of id 0 stands for them).
    static let kinds: [SessionUnit.Kind] =
        SessionUnit.ATUnitType.allCases.map { .at($0) } + SessionUnit.RawUnitType.allCases.map { .raw($0) }
        + (EDMPayloadID.known + [EDMPayloadID(rawValue: 0)]).map { .frame(emptyFrame($0)) }

    private static let atCount = SessionUnit.ATUnitType.allCases.count
    private static let rawCount = SessionUnit.RawUnitType.allCases.count

    /// A frame of the id with an empty body.
    private static func emptyFrame(_ id: EDMPayloadID) -> EDMFrame {
        EDMFrame(unchecked: [0xAA, 0x00, 0x02, UInt8(id.rawValue >> 8), UInt8(id.rawValue & 0xFF), 0x55][...])
    }

    private static let table: [[UInt8]] = directions.flatMap { d in kinds.map { written(direction: d, kind: $0) } }

    private static func directionSlot(_ direction: Direction?) -> Int {
        switch direction {
        case .host: 0
        case .module: 1
        case nil: 2
        }
    }

    /// The position in `kinds` of the unit's kind.
    static func kindSlot(_ kind: SessionUnit.Kind) -> Int {
        switch kind {
        case .at(let type): return atSlot(type)
        case .raw(let type): return atCount + rawSlot(type)
        case .frame(let frame):
            return atCount + rawCount + (EDMPayloadID.known.firstIndex(of: frame.payloadID) ?? EDMPayloadID.known.count)
        }
    }

    private static func atSlot(_ type: SessionUnit.ATUnitType) -> Int {
        switch type {
        case .command: 0
        case .echo: 1
        case .response: 2
        case .final: 3
        case .urc: 4
        case .prompt: 5
        }
    }

    private static func rawSlot(_ type: SessionUnit.RawUnitType) -> Int {
        switch type {
        case .garbage: 0
        case .payload: 1
        case .noise: 2
        }
    }
}
