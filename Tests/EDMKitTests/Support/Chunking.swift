import EDMKit

/// Cuts records into smaller records of the same time and direction.
enum Chunking {
    static func split(_ records: [TraceRecord], sizes: (Int) -> Int) -> [TraceRecord] {
        var out: [TraceRecord] = []
        for record in records {
            var i = 0
            while i < record.bytes.count {
                let n = max(1, min(sizes(record.bytes.count - i), record.bytes.count - i))
                out.append(
                    TraceRecord(time: record.time, direction: record.direction, bytes: Array(record.bytes[i..<(i + n)]))
                )
                i += n
            }
        }
        return out
    }

    /// Decodes records and returns every unit with its bytes copied out, for comparison.
    static func decode(_ records: [TraceRecord]) -> (units: [UnitSnapshot], anomalies: [SessionAnomaly]) {
        var decoder = SessionDecoder()
        var units: [UnitSnapshot] = []
        for record in records {
            decoder.receive(record)
            while let unit = decoder.next() { units.append(UnitSnapshot(unit)) }
        }
        decoder.finish()
        while let unit = decoder.next() { units.append(UnitSnapshot(unit)) }
        return (units, decoder.anomalies)
    }
}

/// A unit's observable content, independent of which buffer its bytes live in.
struct UnitSnapshot: Hashable, CustomStringConvertible {
    var index: Int, time: Duration, direction: Direction?, offset: Int
    var bytes: [UInt8], type: String, layer: String
    var diagnostic: EDMDiagnostic?, reply: SessionUnit.Reply?, link: SessionUnit.Link?, text: String?

    init(_ u: SessionUnit) {
        index = u.index; time = u.time; direction = u.direction; offset = u.offset
        bytes = Array(u.bytes); type = u.type; layer = u.layer
        diagnostic = u.diagnostic; reply = u.reply; link = u.link; text = u.text
    }

    var description: String {
        "#\(index) \(direction?.rawValue ?? "?")@\(offset) \(layer)/\(type) \(text ?? hexString(bytes))"
    }
}
