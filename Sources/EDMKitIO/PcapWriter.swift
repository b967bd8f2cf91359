import EDMKit
import CPcap

#if canImport(Glibc)
import Glibc
#endif

/// Writes classic pcap through libpcap (`pcap_open_dead` + `pcap_dump_open`/`pcap_dump_fopen`).
///
/// The file uses the nanosecond magic, so times survive a round trip exactly. Classic pcap
/// has no per-packet flags or comments: the direction travels in UPPER_PDU tag 35 only, and
/// a record's flags and comment are not kept (write pcapng for those).
public final class PcapWriter: TraceCaptureWriter {
    public let flushEachPacket: Bool
    public let name: String
    private let pcap: OpaquePointer
    private var dumper: OpaquePointer?
    private let headers = UpperPDUHeaders()
    private var packet: [UInt8] = []

    /// Creates or truncates `path` (libpcap reads `-` as standard output).
    public init(path: String, flushEachPacket: Bool = false) throws(CaptureIOError) {
        name = path
        self.flushEachPacket = flushEachPacket
        pcap = try Self.openDead(name: path)
        // (Every stored property is set from here on, so a throw runs deinit, which closes `pcap`.)
        guard let d = pcap_dump_open(pcap, path) else {
            let why = String(cString: pcap_geterr(pcap))
            throw CaptureIOError(.open, path: path, "cannot create: \(why)")
        }
        dumper = d
    }

    /// Writes to a descriptor the caller owns: libpcap gets its own duplicate of it, closed
    /// by `close()`, so the caller's descriptor stays open.
    public init(fileDescriptor: Int32, flushEachPacket: Bool = false) throws(CaptureIOError) {
        name = fileDescriptor == 1 ? "-" : "fd \(fileDescriptor)"
        self.flushEachPacket = flushEachPacket
        pcap = try Self.openDead(name: name)
        let copy = dup(fileDescriptor)
        guard copy >= 0, let file = fdopen(copy, "wb") else {
            if copy >= 0 { _ = Glibc.close(copy) }
            throw CaptureIOError(.open, path: name,
                "cannot write to the descriptor: \(String(cString: strerror(errno)))")
        }
        guard let d = pcap_dump_fopen(pcap, file) else {
            let why = String(cString: pcap_geterr(pcap))
            fclose(file)
            throw CaptureIOError(.open, path: name, "cannot start the capture: \(why)")
        }
        dumper = d
    }

    deinit {
        if let dumper { pcap_dump_close(dumper) }
        pcap_close(pcap)
    }

    public func write(time: Duration, origin: TraceOrigin?, direction: Direction?, dissector: String,
                      bytes all: ArraySlice<UInt8>, flags: TraceRecord.Flags, comment: String?) throws(CaptureIOError) {
        guard let dumper else { throw CaptureIOError(.closed, path: name, "write after close") }
        let header = headers.header(dissector: dissector, direction: direction)
        let when = CaptureTiming.unixNanoseconds(time: time, origin: origin)
        let (seconds, nanoseconds) = when.quotientAndRemainder(dividingBy: 1_000_000_000)
        let user = UnsafeMutableRawPointer(dumper).assumingMemoryBound(to: UInt8.self)
        for piece in CaptureTiming.pieces(all.indices, headerSize: header.count) {
            packet.removeAll(keepingCapacity: true) // one buffer reused for every packet
            packet += header
            packet += all[piece]
            var record = pcap_pkthdr()
            // With nanosecond precision libpcap reads tv_usec as nanoseconds.
            record.ts.tv_sec = Int(seconds)
            record.ts.tv_usec = Int(nanoseconds)
            record.caplen = UInt32(packet.count)
            record.len = UInt32(packet.count)
            packet.withUnsafeBufferPointer { pcap_dump(user, &record, $0.baseAddress) }
        }
        if flushEachPacket { try flush() }
    }

    public func flush() throws(CaptureIOError) {
        guard let dumper else { return }
        if pcap_dump_flush(dumper) != 0 { throw CaptureIOError(.io, path: name,
            "flush failed: \(String(cString: strerror(errno)))") }
    }

    public func close() throws(CaptureIOError) {
        guard let d = dumper else { return }
        dumper = nil
        let flushed = pcap_dump_flush(d)
        pcap_dump_close(d)
        if flushed != 0 { throw CaptureIOError(.io, path: name, "flush failed: \(String(cString: strerror(errno)))") }
    }

    private static func openDead(name: String) throws(CaptureIOError) -> OpaquePointer {
        guard let p = pcap_open_dead_with_tstamp_precision(Int32(UpperPDU.linkType), Int32(CaptureTiming.maxPacketSize),
                                                           UInt32(PCAP_TSTAMP_PRECISION_NANO)) else {
            throw CaptureIOError(.open, path: name, "libpcap could not start a capture")
        }
        return p
    }
}
