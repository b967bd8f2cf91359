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

    /// The absolute time of time zero, once known.
    public var origin: TraceOrigin? { pcap?.origin ?? importer?.origin }

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
        defer { self.importer = importer }
        do {
            if let prefix = pending {
                pending = nil
                return try importer.consume(prefix[...])
            }
            if let chunk = try readChunk() { return try importer.consume(chunk[...]) }
            finished = true
            return try importer.finish()
        } catch let error as TraceImportError {
            throw Failure(message: "\(path): \(error.description)", exitCode: 65)
        } catch {
            throw Failure(message: "\(path): \(error)", exitCode: 65)
        }
    }

    /// What the importer noticed and carried on from (notes, repairs), since the last call.
    public func takeDiagnostics() -> [TraceImportDiagnostic] {
        if let pcap { return pcap.takeDiagnostics() }
        guard var importer else { return [] }
        defer { self.importer = importer }
        return importer.takeDiagnostics()
    }

    private func readChunk() throws -> [UInt8]? {
        do { return try reader?.read() } catch { throw Failure(message: error.description, exitCode: 65) }
    }
}
