#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Buffered writes to a file or standard output, flushed in large blocks (or on request,
/// for recordings that must survive a crash).
public final class OutputSink {
    private let fd: Int32
    private let owned: Bool
    private var buffer: [UInt8] = []
    public let path: String
    public static let blockSize = 1 << 16

    /// `-` is standard output.
    public init(path: String) throws(IOError) {
        self.path = path
        if path == "-" {
            fd = 1
            owned = false
        } else {
            fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw IOError(path: path, errno: errno) }
            owned = true
        }
        buffer.reserveCapacity(Self.blockSize)
    }

    deinit {
        try? flush()
        if owned { close(fd) }
    }

    /// Whether the sink is a terminal (for colour and progress).
    public var isTerminal: Bool { isatty(fd) == 1 }

    public func write<C: Collection>(_ bytes: C) throws(IOError) where C.Element == UInt8 {
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.blockSize { try flush() }
    }

    public func write(line: String) throws(IOError) {
        buffer.append(contentsOf: line.utf8)
        try endLine()
    }

    private func endLine() throws(IOError) {
        buffer.append(0x0A)
        if buffer.count >= Self.blockSize { try flush() }
    }

    /// A large block, written out now, without being copied into the buffer first (what was
    /// buffered goes before it).
    public func write(block: UnsafeRawBufferPointer) throws(IOError) {
        try flush()
        let failed = writeAll(block)
        if failed != 0 { throw IOError(path: path, errno: failed) }
    }

    public func flush() throws(IOError) {
        let failed = buffer.withUnsafeBytes { writeAll($0) }
        if failed != 0 { throw IOError(path: path, errno: failed) }
        buffer.removeAll(keepingCapacity: true)
    }

    /// 0, or the errno of the write that failed.
    private func writeAll(_ bytes: UnsafeRawBufferPointer) -> Int32 {
        var start = 0
        while start < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + start, bytes.count - start)
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return errno }
            start += n
        }
        return 0
    }
}

/// Unbuffered text to a file descriptor (standard error), for messages that must show at once.
public enum FileDescriptorText {
    public static func write(_ text: String, to fd: Int32) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return }
            bytes = bytes.dropFirst(n)
        }
    }
}
