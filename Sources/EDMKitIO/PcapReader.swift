import EDMKit
import CPcap

#if canImport(Glibc)
import Glibc
#endif

/// Reads pcap and pcapng through libpcap, one packet at a time, into `TraceRecord`s.
///
/// Two kinds of file:
/// - our own (LINKTYPE_WIRESHARK_UPPER_PDU, 252): each packet's TLVs give the dissector and
///   the direction (tag 35; none: unknown), the rest is the unit's bytes, read back exactly.
///   (libpcap does not expose pcapng comments, so flags and comments do not come back.)
/// - usbmon captures of a USB-UART bridge (220 and 189): see `UsbmonExtractor`.
///
/// Times are read at nanosecond precision. By default the first packet is time zero and
/// `origin` its absolute time; `timeZero: .unixEpoch` keeps absolute times instead (what a
/// writer given `origin: nil` wrote comes back unchanged).
public final class PcapReader {
    /// The USB-UART bridge of a usbmon capture, which says where its serial bytes are.
    public enum USBBridge: String, Hashable, Sendable, CaseIterable {
        case ftdi, cp210x, ch340, cdcACM = "cdc-acm", raw
    }

    /// How to read a usbmon capture: which bridge and which device.
    public struct USBOptions: Hashable, Sendable {
        /// Overrides the bridge found from the device descriptor.
        public var bridge: USBBridge?
        /// Which device to read (bus number, device address); nil: see `UsbmonExtractor`.
        public var device: (bus: UInt16, address: UInt8)? { get { deviceBus.map { ($0,
            deviceAddress) } } set { deviceBus = newValue?.bus; deviceAddress = newValue?.address ?? 0 } }
        /// FTDI max packet size when the capture has no endpoint descriptor (64 or 512).
        public var ftdiMaxPacketSize: Int?
        private var deviceBus: UInt16?
        private var deviceAddress: UInt8 = 0

        public init(bridge: USBBridge? = nil, device: (bus: UInt16, address: UInt8)? = nil,
            ftdiMaxPacketSize: Int? = nil) {
            self.bridge = bridge
            self.ftdiMaxPacketSize = ftdiMaxPacketSize
            self.device = device
        }
    }

    /// Where time zero is: the first packet's time, or the Unix epoch.
    public enum TimeZero: Hashable, Sendable { case firstPacket, unixEpoch }

    /// How to read the file.
    public struct Options: Hashable, Sendable {
        public var usb: USBOptions
        public var timeZero: TimeZero
        public init(usb: USBOptions = USBOptions(), timeZero: TimeZero = .firstPacket) {
            self.usb = usb
            self.timeZero = timeZero
        }
    }

    /// One packet's worth: usually one record; none for packets without serial bytes.
    public struct Packet: Sendable {
        /// 1-based.
        public var number: Int
        public var records: [TraceRecord]
        /// The UPPER_PDU dissector name (our own files only).
        public var dissector: String?
    }

    public static let supportedLinkTypes: [Int32] = [Int32(UpperPDU.linkType), 220, 189]

    public let name: String
    public let linkType: Int32
    public var origin: TraceOrigin? { cursor.origin }
    public let options: Options
    private let pcap: OpaquePointer
    /// The stdio buffer libpcap's file reads through, freed after the file is closed.
    private let readBuffer: UnsafeMutablePointer<CChar>?
    /// What reading a packet changes. A batch's loop works on a local copy: every access to
    /// a class's stored property is checked for exclusivity at run time (a thread-local set),
    /// and that was twice per packet.
    private struct Cursor {
        var packetNumber = 0
        var origin: TraceOrigin?
    }
    private var cursor = Cursor()
    private var usb: UsbmonExtractor

    /// Opens `path` (`-`: standard input).
    public convenience init(path: String, options: Options = Options()) throws(CaptureIOError) {
        var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        // libpcap reads through stdio, 4 KB at a time by default: one system call per 4 KB
        // was a fifth of decoding a large capture. A bigger buffer makes that negligible (glibc
        // ignores the size unless it is given the buffer), but not too big: the kernel's copy
        // into it, and libpcap's out of it, go at cache speed only while it fits in the core's
        // cache (libpcap's bare read loop on 20 MB: 15 ms of CPU with 128 KB, 27 ms with 1 MB;
        // Benchmarks/pcap-read-floor.c). If the file cannot be opened, libpcap opens it
        // itself, for its own error message.
        let file = path == "-" ? nil : fopen(path, "rb")
        let buffer = file.map { file in
            let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: Self.readBufferSize)
            setvbuf(file, buffer, _IOFBF, Self.readBufferSize)
            return buffer
        }
        let opened = file.map { pcap_fopen_offline_with_tstamp_precision($0, UInt32(PCAP_TSTAMP_PRECISION_NANO),
            &errbuf) }
            ?? pcap_open_offline_with_tstamp_precision(path, UInt32(PCAP_TSTAMP_PRECISION_NANO), &errbuf)
        guard let p = opened else {
            if let file { fclose(file) }
            buffer?.deallocate()
            throw Self.openError(path, errbuf)
        }
        try self.init(pcap: p, name: path, options: options, readBuffer: buffer)
    }

    static let readBufferSize = 128 << 10

    /// Reads a descriptor the caller owns (libpcap reads a duplicate, closed with the reader).
    public convenience init(fileDescriptor: Int32, options: Options = Options()) throws(CaptureIOError) {
        let name = fileDescriptor == 0 ? "-" : "fd \(fileDescriptor)"
        let copy = dup(fileDescriptor)
        guard copy >= 0, let file = fdopen(copy, "rb") else {
            if copy >= 0 { _ = close(copy) }
            throw CaptureIOError(.open, path: name, "cannot read the descriptor: \(String(cString: strerror(errno)))")
        }
        var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        guard let p = pcap_fopen_offline_with_tstamp_precision(file, UInt32(PCAP_TSTAMP_PRECISION_NANO), &errbuf) else {
            fclose(file)
            throw Self.openError(name, errbuf)
        }
        try self.init(pcap: p, name: name, options: options)
    }

    private init(pcap: OpaquePointer, name: String, options: Options,
        readBuffer: UnsafeMutablePointer<CChar>? = nil) throws(CaptureIOError) {
        self.pcap = pcap
        self.readBuffer = readBuffer
        self.name = name
        self.options = options
        linkType = pcap_datalink(pcap)
        usb = UsbmonExtractor(options: options.usb)
        guard Self.supportedLinkTypes.contains(linkType) else {  // (deinit closes `pcap`)
            throw CaptureIOError(
                .unsupportedLinkType, path: name,
                "link type \(linkType) is neither ours (252, Wireshark upper PDU) nor a Linux usbmon capture (220, 189)"
            )
        }
    }

    deinit {
        pcap_close(pcap)
        readBuffer?.deallocate()
    }

    /// The next packet, or nil at the end of the file.
    public func next() throws(CaptureIOError) -> Packet? {
        guard let raw = try nextRaw(&cursor) else { return nil }
        let records = try serial(of: raw) { direction, bytes, comment in
            TraceRecord(time: raw.time, direction: direction, bytes: Array(bytes),
                flags: comment == nil ? [] : .mismatch, comment: comment)
        }
        return Packet(number: raw.number, records: records.map { [$0] } ?? [],
                      dissector: raw.dissector.map { String(decoding: UnsafeBufferPointer(rebasing: raw.data[$0]),
                          as: UTF8.self) })
    }

    /// Packets until about `bytes` of serial bytes are read, in one storage (what streaming
    /// readers use: one allocation per batch, not per packet); nil at the end of the file.
    /// Flags and comments on cut packets are not carried (see `RecordBatch`).
    /// A packet that cannot be read ends the batch; the error comes on the next call, so the
    /// packets before it are decoded first. A verdict or a note ends the batch too (possibly
    /// empty then): `takeDiagnostics` gives it with the packets before it.
    public func nextBatch(bytes: Int = 1 << 16) throws(CaptureIOError) -> RecordBatch? {
        if let error = deferredError { throw error }
        var batch = RecordBatch(capacity: bytes + 4096)
        var cursor = self.cursor
        defer { self.cursor = cursor }
        let noted = notes.count
        do {
            // A note ends the batch, so that it follows the units before it and no others.
            while batch.byteCount < bytes, notes.count == noted, let raw = try nextRaw(&cursor) {
                try serial(of: raw) { direction, data, _ in batch.append(time: raw.time, direction: direction,
                    bytes: data) }
            }
        } catch {
            guard !batch.isEmpty else { throw error }
            deferredError = error
        }
        return batch.isEmpty && notes.count == noted ? nil : batch
    }

    private var deferredError: CaptureIOError?

    /// A packet as libpcap hands it: `data` is libpcap's, valid until the next call.
    private struct RawPacket {
        /// 1 for the file's first packet.
        var number: Int
        var time: Duration
        var data: UnsafeBufferPointer<UInt8>
        var captured: Int
        var length: Int
        /// UPPER_PDU files: the header, parsed.
        var header: UpperPDU.Header?
        var dissector: Range<Int>? { header?.dissectorName }
    }

    private func nextRaw(_ cursor: inout Cursor) throws(CaptureIOError) -> RawPacket? {
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        switch pcap_next_ex(pcap, &header, &data) {
        case 1: break
        case PCAP_ERROR_BREAK: return nil // -2: end of file
        default:
            let why = String(cString: pcap_geterr(pcap))
            let code: CaptureIOError.Code = why.contains("truncated") ? .truncated : .io
            throw CaptureIOError(code, path: name, packet: cursor.packetNumber + 1, why)
        }
        cursor.packetNumber += 1
        let number = cursor.packetNumber
        guard let header, let data else { return RawPacket(number: number, time: .zero,
            data: UnsafeBufferPointer(start: nil, count: 0), captured: 0, length: 0) }
        let h = header.pointee
        // Nanoseconds: the file was opened at nano precision.
        let absolute = Int64(h.ts.tv_sec) * 1_000_000_000 + Int64(h.ts.tv_usec)
        if cursor.origin == nil {
            cursor.origin = TraceOrigin(unixNanoseconds: options.timeZero == .firstPacket ? absolute : 0)
        }
        var raw = RawPacket(
            number: number, time: .nanoseconds(absolute - cursor.origin!.unixNanoseconds),
            data: UnsafeBufferPointer(start: data, count: Int(h.caplen)), captured: Int(h.caplen), length: Int(h.len))
        if linkType == Int32(UpperPDU.linkType) {
            do {
                raw.header = try UpperPDU.parseHeader(raw.data)
            } catch {
                throw CaptureIOError(.malformedPacket, path: name, packet: number,
                    "upper-PDU TLVs are malformed (\(error))")
            }
        }
        return raw
    }

    /// Calls `body` with the packet's serial bytes, their direction and, for a packet cut
    /// when captured, why; nil for a packet without serial bytes.
    @discardableResult
    private func serial<R>(of raw: RawPacket, _ body: (Direction?, UnsafeBufferPointer<UInt8>,
        String?) -> R) throws(CaptureIOError) -> R? {
        guard raw.data.baseAddress != nil else { return nil }
        if let header = raw.header, let name = header.dissectorName,
            let textOnly = UpperPDU.Dissector.textOnly.first(where: {
                UnsafeBufferPointer(rebasing: raw.data[name]).elementsEqual($0.utf8)
            }) {
            let text = String(decoding: UnsafeBufferPointer(rebasing: raw.data[header.size...]), as: UTF8.self)
            notes.append(textOnly == UpperPDU.Dissector.verdict
                ? TraceImportDiagnostic(.verdict, .note, "the recording's verdict: \(text)")
                : TraceImportDiagnostic(.note, .note, "noted when captured: \(text)"))
            return nil
        }
        if let header = raw.header {
            let comment =
                raw.captured < raw.length ? "packet cut to \(raw.captured) of \(raw.length) bytes when captured" : nil
            return body(header.direction, UnsafeBufferPointer(rebasing: raw.data[header.size...]), comment)
        }
        do {
            guard let (direction, serial, truncated) = try usb.extract(Array(raw.data)[...],
                headerSize: linkType == 220 ? 64 : 48, number: raw.number) else {
                return nil
            }
            let comment = truncated ? "URB data cut by the capture's snap length: bytes are missing" : nil
            return serial.withUnsafeBufferPointer { body(direction, $0, comment) }
        } catch {
            throw CaptureIOError(.malformedPacket, path: name, packet: raw.number, "shorter than a usbmon header")
        }
    }

    /// How far into the file reading has got, in bytes (for progress).
    public var position: Int { Int(ftell(pcap_file(pcap))) }

    /// Every record to the end (for tests and small files; streaming callers use `next()` or `nextBatch()`).
    public func readAll() throws(CaptureIOError) -> [TraceRecord] {
        var out: [TraceRecord] = []
        while let packet = try next() { out += packet.records }
        return out
    }

    /// Notes and warnings (skipped devices, dropped URBs) since the last call.
    public func takeDiagnostics() -> [TraceImportDiagnostic] {
        defer { notes = [] }
        return usb.takeDiagnostics() + notes
    }

    /// `ucx_verdict` and `ucx_note` packets read since the last `takeDiagnostics`.
    private var notes: [TraceImportDiagnostic] = []

    private static func openError(_ path: String, _ errbuf: [CChar]) -> CaptureIOError {
        let why = String(decoding: errbuf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let code: CaptureIOError.Code
        if why.contains("No such file") || why.contains("Permission denied")
            || why.contains("Is a directory") { code = .open }
        else if why.contains("truncated") { code = .truncated }
        else { code = .notCapture }
        return CaptureIOError(code, path: path, "not a readable pcap or pcapng file: \(why)")
    }
}
