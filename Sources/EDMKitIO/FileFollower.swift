import EDMKit
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a capture that is still being written, as `tail -f` does: what is there, then what
/// is appended, record by record, until `stop()`.
///
/// The format is detected once enough has arrived (or the file has been quiet for a second
/// with something in it). pcapng is read block by block (`PcapngStreamImporter`); the text
/// formats through their own importers, which already take their input in pieces. Classic
/// pcap is not followed: libpcap reads only whole files.
public final class FileFollower: @unchecked Sendable {
    public let path: String
    /// How often the file is looked at once it has no more to give.
    public var pollInterval: Duration = .milliseconds(100)
    private let options: TraceImportOptions
    private let given: TraceFormat?
    private var fd: Int32
    private let stopping = Atomic<Bool>(false)
    public private(set) var format: TraceFormat?

    public init(
        path: String, format: TraceFormat? = nil, options: TraceImportOptions = TraceImportOptions()
    ) throws(CaptureInput.Failure) {
        if format == .pcap {
            throw CaptureInput.Failure(
                .invalidContent,
                "--follow reads pcapng and the text formats, not classic pcap (libpcap reads only whole files)")
        }
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let missing = errno == ENOENT
            throw CaptureInput.Failure(missing ? .missingFile : .unreadableFile,
                                       "\(path): \(String(cString: strerror(errno)))")
        }
        self.path = path
        self.given = format
        self.options = options
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Ends `run` at its next look at the file. Any thread, also a signal watch.
    public func stop() { stopping.store(true, ordering: .releasing) }

    /// Calls `onRecords` with each lot of records as they can be read; returns at `stop()`
    /// (after the importer's last records) or throws on content it cannot read.
    public func run(_ onRecords: ([TraceRecord]) -> Void) throws(CaptureInput.Failure) {
        var importer: (any TraceImporter)?
        var held: [UInt8] = []
        var quietSince: ContinuousClock.Instant?
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            if n < 0 { throw CaptureInput.Failure(.unreadableFile, "\(path): \(String(cString: strerror(errno)))") }
            if n > 0 {
                quietSince = nil
                let chunk = buffer[..<n]
                if var active = importer {
                    onRecords(try feed(&active, chunk))
                    importer = active
                } else {
                    held += chunk
                }
            } else {
                if stopping.load(ordering: .acquiring) { break }
                quietSince = quietSince ?? .now
                usleep(UInt32(pollInterval.milliseconds * 1000))
            }
            if importer == nil, !held.isEmpty,
                held.count >= TraceFormat.detectionPrefixLength
                    || (quietSince.map { $0.duration(to: .now) >= .seconds(1) } ?? false) {
                var made = try makeImporter(prefix: held)
                onRecords(try feed(&made, held[...]))
                importer = made
                held = []
            }
        }
        if importer == nil, !held.isEmpty {
            var made = try makeImporter(prefix: held)
            onRecords(try feed(&made, held[...]))
            importer = made
        }
        if var active = importer {
            do { onRecords(try active.finish()) } catch {
                throw CaptureInput.Failure(.invalidContent, "\(path): \(error)")
            }
        }
    }

    private func feed(
        _ importer: inout any TraceImporter, _ chunk: ArraySlice<UInt8>
    ) throws(CaptureInput.Failure) -> [TraceRecord] {
        do { return try importer.consume(chunk) } catch {
            throw CaptureInput.Failure(.invalidContent, "\(path): \(error)")
        }
    }

    private func makeImporter(prefix: [UInt8]) throws(CaptureInput.Failure) -> any TraceImporter {
        let chosen = given ?? TraceFormat.detect(prefix: prefix[...])
        format = chosen
        switch chosen {
        case .pcapng: return PcapngStreamImporter()
        case .pcap:
            throw CaptureInput.Failure(
                .invalidContent, "\(path): --follow reads pcapng and the text formats, not classic pcap")
        case let format?:
            if let importer = format.makeImporter(options) { return importer }
            throw CaptureInput.Failure(.invalidContent, "\(path): \(format.rawValue) cannot be followed")
        case nil:
            throw CaptureInput.Failure(
                .invalidContent, "\(path): " + TraceFormat.unrecognized(prefix: prefix[...]).message)
        }
    }
}
