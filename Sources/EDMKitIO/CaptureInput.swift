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
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public enum Reason: Sendable {
            /// The file does not exist.
            case missingFile
            /// The file exists but cannot be read (permissions, a directory, an I/O error).
            case unreadableFile
            /// The content is no capture we know, or breaks its format (truncated, malformed).
            case invalidContent
            /// libpcap reads pcap and pcapng from a file only.
            case packetCaptureOnStandardInput
            /// A side was named for one stream (`oneStream`), but the file is a capture that
            /// records both sides.
            case sideOfTwoSidedCapture
        }

        public var reason: Reason
        public var message: String
        public var description: String { message }

        public init(_ reason: Reason, _ message: String) {
            self.reason = reason
            self.message = message
        }

        init(_ error: IOError) { self.init(error.isMissing ? .missingFile : .unreadableFile, error.description) }
    }

    /// How to read a capture: everything but its path.
    public struct Options: Hashable, Sendable {
        /// nil: detected from the content.
        public var format: TraceFormat?
        /// The caller stated which side wrote the file (`--from`), so only a raw stream or its
        /// hex dump can be meant: a hex dump is detected, anything not recognised is read as
        /// raw bytes, and a capture of both sides is refused.
        public var oneStream: Bool
        public var importOptions: TraceImportOptions
        public var pcapOptions: PcapReader.Options

        public init(
            format: TraceFormat? = nil, oneStream: Bool = false,
            importOptions: TraceImportOptions = TraceImportOptions(),
            pcapOptions: PcapReader.Options = PcapReader.Options()
        ) {
            self.format = format
            self.oneStream = oneStream
            self.importOptions = importOptions
            self.pcapOptions = pcapOptions
        }
    }

    public init(path: String, options: Options = Options()) throws(Failure) {
        self.path = path
        let reader: FileReader
        do { reader = try FileReader(path: path) } catch { throw Failure(error) }
        let prefix: [UInt8]
        do { prefix = try reader.readPrefix(TraceFormat.detectionPrefixLength) } catch {
            throw Failure(.unreadableFile, error.description)
        }
        let detected = options.format == nil ? TraceFormat.detect(prefix: prefix[...]) : nil
        if options.oneStream, let detected, detected != .hexDump, detected != .rawBinary {
            throw Failure(
                .sideOfTwoSidedCapture,
                "\(path): its format, \(detected.rawValue) (\(detected.displayName)), records both "
                    + "sides; --from names the side of a raw or hex dump of one "
                        + "(--input-format raw reads it as raw bytes anyway)"
            )
        }
        guard
            let chosen = options.format
                ?? (options.oneStream ? (detected == .hexDump ? .hexDump : .rawBinary) : detected)
        else {
            throw Failure(.invalidContent, "\(path): " + TraceFormat.unrecognized(prefix: prefix[...]).message)
        }
        self.format = chosen
        if chosen.isPacketCapture {
            guard path != "-" else {
                throw Failure(
                    .packetCaptureOnStandardInput, "pcap and pcapng captures are read from a file, not standard input")
            }
            do { pcap = try PcapReader(path: path, options: options.pcapOptions) } catch {
                throw Failure(.invalidContent, error.description)
            }
        } else {
            importer = chosen.makeImporter(options.importOptions)
            pending = prefix
            self.reader = reader
        }
    }

    /// How many of the file's bytes have been decoded so far (progress).
    public var position: Int {
        pcap?.position ?? (reader?.offset ?? 0) - unread.count - (pending?.count ?? 0)
    }

    /// The absolute time of time zero, once known.
    /// Who wrote the file, as a pcapng section header says (`azure-dps`, `edm-decode`); nil
    /// for other formats, or when the header names no application.
    public static func writer(ofPcapng path: String) -> String? {
        guard let reader = try? FileReader(path: path), let prefix = try? reader.readPrefix(4096) else { return nil }
        return PcapngSectionHeader.userApplication(prefix)
    }

    public var origin: TraceOrigin? { pcap?.origin ?? importer?.origin }

    /// The next records as one batch, nil at the end of the capture: what streaming decoders
    /// read (flags and comments stay with `next()`'s records). pcap and pcapng give many
    /// packets at a time with their bytes in one storage. Text gives lines until about
    /// `bytes` of records, or until the importer notes something: the batch then ends with
    /// the line noted, so the note can follow the units of that line.
    public func nextBatch(bytes: Int = 1 << 16) throws(Failure) -> RecordBatch? {
        if let pcap {
            do { return try pcap.nextBatch(bytes: bytes) } catch { return try ended(error) }
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
                return try ended(error)
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
            throw Failure(.invalidContent, "\(path): \(error.description)")
        } catch let error as Failure {
            throw error // (reading failed; the message names the file already)
        } catch {
            throw Failure(.unreadableFile, "\(path): \(error)")
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
        defer { noticed = [] }
        guard let pcap else { return noticed }
        return pcap.takeDiagnostics() + noticed
    }

    /// A capture cut short (a recording whose writer died, a copy still being written) ends
    /// where it breaks: what came before is the session as far as it went, so it is decoded
    /// and summarised, with the cut as a warning at its place. Any other failure stops.
    private func ended<T>(_ error: CaptureIOError) throws(Failure) -> T? {
        guard error.code == .truncated else { throw Failure(.invalidContent, error.description) }
        let place = error.packet.map { "inside packet \($0)" } ?? "early"
        noticed.append(
            TraceImportDiagnostic(
                .truncated, .warning,
                "the capture ends \(place) (\(error.message)): it is cut short, and what came before is decoded"))
        return nil
    }

    private func readChunk() throws -> [UInt8]? {
        do { return try reader?.read() } catch { throw Failure(.unreadableFile, error.description) }
    }
}
