import EDMKit

/// Writes units of a session as packets Wireshark opens (CAPTURES.md): LINKTYPE 252, each
/// packet the UPPER_PDU TLVs (dissector name, direction) and then the unit's bytes.
///
/// Both writers keep the lossless invariant: concatenating, per direction, the bytes of every
/// packet gives the direction's stream back. A unit longer than `maxPacketPayload` is cut into
/// several packets with the same time, direction and dissector (Wireshark and libpcap refuse
/// packets over the 65535-byte snap length). Writers buffer; with `flushEachPacket` every
/// packet reaches the file before `write` returns (live recording).
public protocol TraceCaptureWriter: AnyObject {
    /// `time` counts from `origin` (nil: from the Unix epoch, i.e. the file shows 1970).
    func write<Bytes: Collection<UInt8>>(time: Duration, origin: TraceOrigin?, direction: Direction?, dissector: String,
                                         bytes: Bytes, flags: TraceRecord.Flags, comment: String?) throws(CaptureIOError)
    func flush() throws(CaptureIOError)
    /// Flushes and closes; writing afterwards is an error. Closing twice does nothing.
    func close() throws(CaptureIOError)
}

extension TraceCaptureWriter {
    public func write<Bytes: Collection<UInt8>>(time: Duration, origin: TraceOrigin?, direction: Direction?, dissector: String,
                                                bytes: Bytes, comment: String? = nil) throws(CaptureIOError) {
        try write(time: time, origin: origin, direction: direction, dissector: dissector, bytes: bytes, flags: [], comment: comment)
    }

    /// A record as one (or, if long, several) packets, its flags and comment kept.
    public func write(_ record: TraceRecord, origin: TraceOrigin?, dissector: String) throws(CaptureIOError) {
        try write(time: record.time, origin: origin, direction: record.direction, dissector: dissector,
                  bytes: record.bytes, flags: record.flags, comment: record.comment)
    }
}

/// Shared arithmetic for the writers.
enum CaptureTiming {
    /// Largest packet (TLVs + bytes) either writer emits: the classic 65535 snap length.
    static let maxPacketSize = 65535

    static func nanoseconds(_ d: Duration) -> Int64 {
        let (seconds, attoseconds) = d.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    static func unixNanoseconds(time: Duration, origin: TraceOrigin?) -> Int64 {
        (origin?.unixNanoseconds ?? 0) + nanoseconds(time)
    }

    /// The unit's `indices` in pieces that each fit one packet after the TLVs; an empty unit
    /// gives one empty piece (a packet with only TLVs) so nothing the caller wrote disappears.
    static func pieces(_ indices: Range<Int>, headerSize: Int) -> LazyMapSequence<StrideTo<Int>, Range<Int>> {
        let room = maxPacketSize - headerSize
        let end = indices.upperBound
        return stride(from: indices.lowerBound, to: max(end, indices.lowerBound + 1), by: room).lazy.map { $0..<min(end, $0 + room) }
    }

    /// The bytes as an array slice: what the session path passes, taken as is (the writers'
    /// encoding is then specialized for slices); any other collection is copied into one.
    static func slice<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> ArraySlice<UInt8> {
        bytes as? ArraySlice<UInt8> ?? ArraySlice(bytes)
    }
}

/// The UPPER_PDU TLVs per dissector and direction, built once: a session uses three
/// dissectors and two directions, and every packet needs one of them.
struct UpperPDUHeaders {
    private var known: [(dissector: String, direction: Direction?, bytes: [UInt8])] = []

    mutating func header(dissector: String, direction: Direction?) -> [UInt8] {
        if let hit = known.first(where: { $0.dissector == dissector && $0.direction == direction }) { return hit.bytes }
        let bytes = UpperPDU.header(dissector: dissector, direction: direction)
        known.append((dissector, direction, bytes))
        return bytes
    }
}
