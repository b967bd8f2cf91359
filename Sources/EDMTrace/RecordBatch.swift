import EDMBytes
import EDMFrames
import EDMAT
import EDMSession

/// Many records whose bytes share one storage, as a streaming reader hands them over.
///
/// A reader that fills one batch for many packets allocates once per batch instead of once
/// per packet, and the units a `SessionDecoder` cuts from a record are slices of the same
/// storage, so bytes go from the reader to the writer without another copy.
///
/// It carries what session decoding reads: time, direction and bytes. Flags and comments
/// stay with `TraceRecord`.
public struct RecordBatch: Sendable {
    /// One record of the batch: its bytes are a range of the batch's shared buffer.
    public struct Record: Sendable {
        public var time: Duration
        public var direction: Direction?
        public var bytes: ArraySlice<UInt8>
    }

    private struct Entry: Sendable {
        package var time: Duration
        package var direction: Direction?
        package var range: Range<Int>
    }

    private var storage: [UInt8] = []
    private var entries: [Entry] = []

    /// `capacity`: the bytes it will likely hold (one allocation up to there; and room for
    /// records of 64 bytes on average, as a start).
    public init(capacity: Int = 0) {
        storage.reserveCapacity(capacity)
        entries.reserveCapacity(capacity / 64)
    }

    public init(_ records: [TraceRecord]) {
        self.init(capacity: records.reduce(0) { $0 + $1.bytes.count })
        append(records)
    }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }
    /// Bytes held so far, all records together.
    public var byteCount: Int { storage.count }

    public subscript(_ i: Int) -> Record {
        let entry = entries[i]
        return Record(time: entry.time, direction: entry.direction, bytes: storage[entry.range])
    }

    public mutating func append(_ records: [TraceRecord]) {
        for record in records {
            record.bytes.withUnsafeBufferPointer { append(time: record.time, direction: record.direction, bytes: $0) }
        }
    }

    /// Copies `bytes` in (a pointer, so that a reader hands over its own buffer's bytes with
    /// one copy, whatever module it lives in).
    public mutating func append(time: Duration, direction: Direction?, bytes: UnsafeBufferPointer<UInt8>) {
        let start = storage.count
        storage.append(contentsOf: bytes)
        entries.append(Entry(time: time, direction: direction, range: start..<storage.count))
    }
}
