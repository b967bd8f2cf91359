import EDMKit

/// Writes units of a session as packets Wireshark opens (docs/captures.md): LINKTYPE 252, each
/// packet the UPPER_PDU TLVs (dissector name, direction) and then the unit's bytes.
///
/// Both writers keep the lossless invariant: concatenating, per direction, the bytes of every
/// packet gives the direction's stream back. A unit longer than `maxPacketPayload` is cut into
/// several packets with the same time, direction and dissector (Wireshark and libpcap refuse
/// packets over the 65535-byte snap length). Writers buffer; with `flushEachPacket` every
/// packet reaches the file before `write` returns (live recording).
public protocol TraceCaptureWriter: AnyObject {
    /// `time` counts from `origin` (nil: from the Unix epoch, i.e. the file shows 1970).
    /// (Bytes as a slice: what the session path has, so writing one needs no conversion;
    /// other collections go through the generic overload below.)
    func write(time: Duration, origin: TraceOrigin?, direction: Direction?, dissector: String,
               bytes: ArraySlice<UInt8>, flags: TraceRecord.Flags, comment: String?) throws(CaptureIOError)
    func flush() throws(CaptureIOError)
    /// Flushes and closes; writing afterwards is an error. Closing twice does nothing.
    func close() throws(CaptureIOError)
    /// Goes on in a new section (pcapng: the section header and the interfaces again). A
    /// format without sections (classic pcap) goes on in the one stream.
    func startSection() throws(CaptureIOError)
}

extension TraceCaptureWriter {
    public func startSection() throws(CaptureIOError) {}

    public func write<Bytes: Collection<UInt8>>(time: Duration, origin: TraceOrigin?, direction: Direction?,
        dissector: String,
        bytes: Bytes, flags: TraceRecord.Flags = [], comment: String? = nil
    ) throws(CaptureIOError) {
        try write(
            time: time, origin: origin, direction: direction, dissector: dissector, bytes: ArraySlice(bytes),
            flags: flags, comment: comment)
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

    static func unixNanoseconds(time: Duration, origin: TraceOrigin?) -> Int64 {
        (origin?.unixNanoseconds ?? 0) + time.wholeNanoseconds
    }

    /// The unit's `indices` in pieces that each fit one packet after the TLVs; an empty unit
    /// gives one empty piece (a packet with only TLVs) so nothing the caller wrote disappears.
    static func pieces(_ indices: Range<Int>, headerSize: Int) -> LazyMapSequence<StrideTo<Int>, Range<Int>> {
        let room = maxPacketSize - headerSize
        let end = indices.upperBound
        return stride(from: indices.lowerBound, to: max(end, indices.lowerBound + 1),
            by: room).lazy.map { $0..<min(end, $0 + room) }
    }
}

/// The UPPER_PDU TLVs per dissector and direction, built once: every packet needs one. Our
/// three dissectors in the three directions are ready from the start (looked up without
/// changing anything, so a writer's lookup is no write access); another name is built each time.
struct UpperPDUHeaders {
    private static let dissectors = [UpperPDU.Dissector.edm, UpperPDU.Dissector.at, UpperPDU.Dissector.raw]
    private static let directions: [Direction?] = [.host, .module, nil]
    /// Dissector-major: `table[3 * dissector + direction]`.
    private let table = dissectors.flatMap { dissector in directions.map { UpperPDU.header(dissector: dissector,
        direction: $0) } }

    func header(dissector: String, direction: Direction?) -> [UInt8] {
        guard let d = Self.dissectors.firstIndex(of: dissector) else { return UpperPDU.header(dissector: dissector,
            direction: direction) }
        return table[3 * d + (direction == .host ? 0 : direction == .module ? 1 : 2)]
    }
}
