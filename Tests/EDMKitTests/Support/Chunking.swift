import EDMKit

/// A small seeded generator (SplitMix64), so chunkings are random but repeatable.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Cuts records into smaller records of the same time and direction.
enum Chunking {
    static func split(_ records: [TraceRecord], sizes: (Int) -> Int) -> [TraceRecord] {
        var out: [TraceRecord] = []
        for record in records {
            var i = 0
            while i < record.bytes.count {
                let n = max(1, min(sizes(record.bytes.count - i), record.bytes.count - i))
                out.append(TraceRecord(time: record.time, direction: record.direction, bytes: Array(record.bytes[i..<(i + n)])))
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

    var description: String { "#\(index) \(direction?.rawValue ?? "?")@\(offset) \(layer)/\(type) \(text ?? hexString(bytes))" }
}
