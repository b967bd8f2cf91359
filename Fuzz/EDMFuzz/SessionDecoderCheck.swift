import EDMFrames
import EDMSession
/// Invariants of `SessionDecoder` on arbitrary bytes from both sides: the input is cut into
/// records (host or module, chosen by the bytes themselves), then
/// - the units of each direction cover its bytes exactly, in order, at their offsets;
/// - cutting every record once more (at a point the fuzzer steers) gives the same units.
func checkSessionDecoder(_ input: [UInt8]) {
    guard input.count > 2 else { return }
    var records: [TraceRecord] = []
    var i = 1
    while i < input.count {
        // A control byte decides the direction and length of the next record.
        let control = input[i - 1]
        let n = min(input.count - i, Int(control & 0x3F) + 1)
        records.append(
            TraceRecord(
                time: .milliseconds(i), direction: control & 0x80 == 0 ? .host : .module,
                bytes: Array(input[i..<(i + n)])))
        i += n + 1
    }
    let whole = sessionUnits(records)
    for direction in [Direction.host, .module] {
        var joined: [UInt8] = []
        for unit in whole.filter({ $0.direction == direction }) {
            precondition(unit.offset == joined.count, "session unit offset is not where its bytes start")
            joined += unit.bytes
        }
        precondition(
            joined == records.filter { $0.direction == direction }.flatMap(\.bytes), "session units lose or add bytes")
    }
    let cut = Int(input[0])
    var split: [TraceRecord] = []
    for r in records {
        let at = r.bytes.isEmpty ? 0 : cut % r.bytes.count
        if at > 0 { split.append(TraceRecord(time: r.time, direction: r.direction, bytes: Array(r.bytes[..<at]))) }
        split.append(TraceRecord(time: r.time, direction: r.direction, bytes: Array(r.bytes[at...])))
    }
    precondition(sessionUnits(split) == whole, "splitting records changed the session units")
}

private struct SessionUnitSnapshot: Equatable {
    var direction: Direction?, offset: Int, bytes: [UInt8], type: String, time: Duration
}

private func sessionUnits(_ records: [TraceRecord]) -> [SessionUnitSnapshot] {
    var decoder = SessionDecoder()
    var out: [SessionUnitSnapshot] = []
    func drain() {
        while let u = decoder.next() {
            out.append(
                SessionUnitSnapshot(
                    direction: u.direction, offset: u.offset, bytes: Array(u.bytes), type: u.type, time: u.time))
        }
    }
    for r in records {
        decoder.receive(r)
        drain()
    }
    decoder.finish()
    drain()
    return out
}
