import EDMBytes
import EDMFrames
import EDMAT
import EDMSession

/// Reads a raw byte stream: one file per direction (`--host FILE --module FILE`, one
/// importer each) or one file whose direction is stated or unknown (nil).
///
/// Raw files have no timing, so times are synthetic (`SyntheticTime`: 1 µs per byte) and
/// flagged. Records are cut every `TraceRecordLimits.maxRecordSize` bytes of the stream,
/// not at chunk boundaries, so the output does not depend on how the file was read.
public struct RawBinaryImporter: TraceImporter {
    public let direction: Direction?
    public var format: TraceFormat { .rawBinary }
    public var origin: TraceOrigin? { nil }

    private var pending: [UInt8] = []
    private var offset = 0 // stream offset of pending's first byte
    private var sawInput = false

    public init(direction: Direction?) { self.direction = direction }

    public mutating func consume(_ chunk: ArraySlice<UInt8>) throws(TraceImportError) -> [TraceRecord] {
        if !chunk.isEmpty { sawInput = true }
        var out: [TraceRecord] = []
        var rest = chunk
        while !rest.isEmpty {
            let take = min(rest.count, TraceRecordLimits.maxRecordSize - pending.count)
            pending += rest.prefix(take)
            rest = rest.dropFirst(take)
            if pending.count == TraceRecordLimits.maxRecordSize { out.append(cut()) }
        }
        return out
    }

    public mutating func finish() throws(TraceImportError) -> [TraceRecord] {
        guard sawInput else { throw TraceImportError(.empty, format: format, "the file is empty") }
        return pending.isEmpty ? [] : [cut()]
    }

    private mutating func cut() -> TraceRecord {
        let record = TraceRecord(time: SyntheticTime.time(atByte: offset), direction: direction, bytes: pending,
            flags: .syntheticTime)
        offset += pending.count
        pending = []
        return record
    }
}
