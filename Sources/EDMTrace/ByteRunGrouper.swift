import EDMBytes
import EDMFrames
import EDMAT
import EDMSession

/// Joins per-byte rows (Saleae, sigrok, interceptty) into records.
///
/// Consecutive bytes of one direction join the current record when their time is within
/// `joinWithin` of the previous byte's (default zero: only bytes with the same timestamp,
/// which is what the brief of every per-byte format asks for; a CLI can widen it to, say,
/// two character times to get one record per burst). A record takes its first byte's time
/// and is cut at `TraceRecordLimits.maxRecordSize` bytes.
package struct ByteRunGrouper {
    package var joinWithin: Duration
    package var flags: TraceRecord.Flags
    package var comment: String?
    private var run: TraceRecord?
    private var lastTime: Duration = .zero

    package init(joinWithin: Duration = .zero, flags: TraceRecord.Flags = [], comment: String? = nil) {
        self.joinWithin = joinWithin
        self.flags = flags
        self.comment = comment
    }

    package mutating func add<C: Collection<UInt8>>(time: Duration, direction: Direction?, bytes: C,
        into out: inout [TraceRecord]) {
        for byte in bytes {
            if var current = run, current.direction == direction, time - lastTime <= joinWithin,
               current.bytes.count < TraceRecordLimits.maxRecordSize {
                run = nil // keep the array uniquely referenced while appending
                current.bytes.append(byte)
                run = current
            } else {
                if let done = run { out.append(done) }
                run = TraceRecord(time: time, direction: direction, bytes: [byte], flags: flags, comment: comment)
            }
            lastTime = time
        }
    }

    package mutating func flush(into out: inout [TraceRecord]) {
        if let done = run { out.append(done) }
        run = nil
    }
}
