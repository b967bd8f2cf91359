import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis

/// The `from`, `layer` and `type` members of a JSON line (`"from":"host","layer":"at",
/// "type":"command"`), written once for every direction and unit type.
///
/// Every line has them, and there are only a few dozen combinations: copying one prepared
/// fragment costs a tenth of writing three keys and quoting three strings, line after line.
package enum JSONLinePrefix {
    /// The fragment for the unit's direction and type.
    package static func members(of unit: borrowing SessionUnit) -> [UInt8] {
        table[directionSlot(unit.direction) * SessionUnit.Kind.distinctTypes.count + unit.kind.typeIndex]
    }

    /// The members as `JSONLinesRenderer` wrote them one by one (what the table holds).
    package static func written(direction: Direction?, kind: SessionUnit.Kind) -> [UInt8] {
        let unit = SessionUnit(index: 0, time: .zero, direction: direction, offset: 0, bytes: [], kind: kind)
        var out = JSONWriter(capacity: 64)
        out.key("from"); out.string(unit.direction?.rawValue ?? "unknown")
        out.key("layer"); out.string(unit.layer)
        out.key("type"); out.string(unit.type)
        return out.bytes
    }

    package static let directions: [Direction?] = [.host, .module, nil]

    private static let table: [[UInt8]] = directions.flatMap { d in
        SessionUnit.Kind.distinctTypes.map { written(direction: d, kind: $0) }
    }

    private static func directionSlot(_ direction: Direction?) -> Int {
        switch direction {
        case .host: 0
        case .module: 1
        case nil: 2
        }
    }
}
