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

    /// The unit's bytes in pieces that fit one packet after the TLVs; empty units give one
    /// empty piece (a packet with only TLVs) so nothing the caller wrote disappears.
    static func pieces<Bytes: Collection<UInt8>>(_ bytes: Bytes, headerSize: Int) -> [ArraySlice<UInt8>] {
        let all = Array(bytes)
        let room = maxPacketSize - headerSize
        guard all.count > room else { return [all[...]] }
        return stride(from: 0, to: all.count, by: room).map { all[$0..<min(all.count, $0 + room)] }
    }
}
