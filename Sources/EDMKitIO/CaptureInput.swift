import EDMKit

/// Any capture file as a stream of trace records: the format detected from its first bytes
/// (or named), text formats through their importer, pcap and pcapng through libpcap.
/// Shared by edm-decode and edm-replay; memory stays flat whatever the file's size.
public final class CaptureInput {
    public let path: String
    public let format: TraceFormat
    private var reader: FileReader?
    private var importer: (any TraceImporter)?
    private var pcap: PcapReader?
    private var pending: [UInt8]?
    /// What has been read and not yet given to the importer.
    private var unread: ArraySlice<UInt8> = []
    /// The importer's diagnostics, taken after each piece it was given.
    private var noticed: [TraceImportDiagnostic] = []
    private var finished = false

    /// Why a capture cannot be read: the message names the file, the format and the place.
    public struct Failure: Error, CustomStringConvertible {
        public var message: String
        /// 66 for a missing file, 65 for one that cannot be read as a capture.
        public var exitCode: Int32
        public var description: String { message }
    }

    /// `format` nil: detected from the content. `oneStream`: the caller stated which side
    /// wrote the file (`--from`), so only a raw stream or its hex dump can be meant: a hex
    /// dump is detected, anything else is read as raw bytes.
    public init(path: String, format: TraceFormat? = nil, oneStream: Bool = false, options: TraceImportOptions = TraceImportOptions(),
                pcapOptions: PcapReader.Options = PcapReader.Options()) throws(Failure) {
        self.path = path
        let reader: FileReader
        do {
            reader = try FileReader(path: path)
        } catch {
            throw Failure(message: error.description, exitCode: error.isMissing ? 66 : 65)
        }
        let prefix: [UInt8]
        do { prefix = try reader.readPrefix(TraceFormat.detectionPrefixLength) } catch { throw Failure(message: error.description, exitCode: 65) }
        let detected = format == nil ? TraceFormat.detect(prefix: prefix[...]) : nil
        guard let chosen = format ?? (oneStream ? (detected == .hexDump ? .hexDump : .rawBinary) : detected) else {
            throw Failure(message: "\(path): " + TraceFormat.unrecognized(prefix: prefix[...]).message, exitCode: 65)
        }
        self.format = chosen
        if chosen.isPacketCapture {
            guard path != "-" else { throw Failure(message: "pcap and pcapng captures are read from a file, not standard input", exitCode: 64) }
            do { pcap = try PcapReader(path: path, options: pcapOptions) } catch { throw Failure(message: error.description, exitCode: 65) }
        } else {
            importer = chosen.makeImporter(options)
            pending = prefix
            self.reader = reader
        }
    }

    /// How many of the file's bytes have been decoded so far (progress).
    public var position: Int {
        pcap?.position ?? (reader?.offset ?? 0) - unread.count - (pending?.count ?? 0)
    }

    /// The absolute time of time zero, once known.
    public var origin: TraceOrigin? { pcap?.origin ?? importer?.origin }

    /// The next records as one batch, nil at the end of the capture: what streaming decoders
    /// read (flags and comments stay with `next()`'s records). pcap and pcapng give many
    /// packets at a time with their bytes in one storage. Text gives lines until about
    /// `bytes` of records, or until the importer notes something: the batch then ends with
    /// the line noted, so the note can follow the units of that line.
    public func nextBatch(bytes: Int = 1 << 16) throws(Failure) -> RecordBatch? {
        if let pcap {
            do { return try pcap.nextBatch(bytes: bytes) } catch { throw Failure(message: error.description, exitCode: 65) }
        }
        guard let records = try next() else { return nil }
        var batch = RecordBatch(records)
        while noticed.isEmpty, batch.byteCount < bytes, let more = try next() { batch.append(more) }
        return batch
    }

    /// The next records (possibly none), or nil at the end of the capture.
    public func next() throws(Failure) -> [TraceRecord]? {
        if let pcap {
            do {
                guard let packet = try pcap.next() else { return nil }
                return packet.records
            } catch {
                throw Failure(message: error.description, exitCode: 65)
            }
        }
        guard !finished, var importer else { return nil }
        // Moved out while it works: a copy left behind would make every buffer it grows a copy.
        self.importer = nil
        defer { self.importer = importer }
        do {
            if unread.isEmpty, let chunk = try pending ?? readChunk() {
                pending = nil
                unread = chunk[...]
            }
            defer { noticed += importer.takeDiagnostics() }
            guard !unread.isEmpty else {
                finished = true
                return try importer.finish()
            }
            return try importer.consume(nextPiece())
        } catch let error as TraceImportError {
            throw Failure(message: "\(path): \(error.description)", exitCode: 65)
        } catch {
            throw Failure(message: "\(path): \(error)", exitCode: 65)
        }
    }

    /// Text formats go to the importer a line at a time, so what it notices about a line is
    /// taken (`takeDiagnostics`) with that line's records, and the transcript prints it where
    /// it happened. Raw bytes have no lines: they go a chunk at a time.
    private func nextPiece() -> ArraySlice<UInt8> {
        let end = format == .rawBinary ? nil : unread.firstIndex(of: 0x0A).map { $0 + 1 }
        defer { unread = unread[(end ?? unread.endIndex)...] }
        return unread[..<(end ?? unread.endIndex)]
    }

    /// What the importer noticed and carried on from (notes, repairs), since the last call.
    public func takeDiagnostics() -> [TraceImportDiagnostic] {
        if let pcap { return pcap.takeDiagnostics() }
        defer { noticed = [] }
        return noticed
    }

    private func readChunk() throws -> [UInt8]? {
        do { return try reader?.read() } catch { throw Failure(message: error.description, exitCode: 65) }
    }
}
