import EDMKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a hand-written capture goes: a file descriptor, with a write buffer.
///
/// Bytes collect in memory up to `bufferSize` and go out in large writes; `flush()` pushes
/// them out now (a live recording calls it after every packet so a crash loses nothing).
/// Short writes and EINTR are retried; any other failure is a `CaptureIOError`.
final class CaptureOutput {
    static let bufferSize = 64 * 1024

    let name: String
    private var fd: Int32
    private let ownsDescriptor: Bool
    private var buffer = OutputBuffer(capacity: 2 * bufferSize)

    /// Creates or truncates `path` (`-` is standard output); with `replacing: false`, only
    /// creates it: a file already there is an `.exists` error and is left as it was.
    init(path: String, replacing: Bool = true) throws(CaptureIOError) {
        if path == "-" {
            self.fd = STDOUT_FILENO
            self.ownsDescriptor = false
        } else {
            let fd = open(path, O_WRONLY | O_CREAT | (replacing ? O_TRUNC : O_EXCL) | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                if errno == EEXIST, !replacing { throw CaptureIOError(.exists, path: path, "already exists") }
                throw CaptureIOError(.open, path: path, "cannot create: \(Self.errnoText())")
            }
            self.fd = fd
            self.ownsDescriptor = true
        }
        name = path
    }

    /// Writes to a descriptor the caller owns (and closes).
    init(fileDescriptor: Int32) {
        fd = fileDescriptor
        ownsDescriptor = false
        name = fileDescriptor == STDOUT_FILENO ? "-" : "fd \(fileDescriptor)"
    }

    deinit { if ownsDescriptor, fd >= 0 { _ = systemClose(fd) } }

    func write<C: Collection<UInt8>>(_ bytes: C) throws(CaptureIOError) {
        guard fd >= 0 else { throw CaptureIOError(.closed, path: name, "write after close") }
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.bufferSize { try flush() }
    }

    /// Lets an encoder append to the buffer in place, with no array of its own in between.
    func append(_ encode: (inout OutputBuffer) -> Void) throws(CaptureIOError) {
        guard fd >= 0 else { throw CaptureIOError(.closed, path: name, "write after close") }
        encode(&buffer)
        if buffer.count >= Self.bufferSize { try flush() }
    }

    func flush() throws(CaptureIOError) {
        guard fd >= 0 else { throw CaptureIOError(.closed, path: name, "flush after close") }
        var done = 0
        while done < buffer.count {
            let n = buffer.withUnsafeBytes { systemWrite(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                throw CaptureIOError(.io, path: name, "write failed: \(Self.errnoText())")
            }
            done += n
        }
        buffer.removeAll()
    }

    func close() throws(CaptureIOError) {
        guard fd >= 0 else { return }
        try flush()
        if ownsDescriptor, systemClose(fd) != 0 {
            fd = -1
            throw CaptureIOError(.io, path: name, "close failed: \(Self.errnoText())")
        }
        fd = -1
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }
}

// The class's own `write` and `close` hide the C functions inside it.
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int { write(fd, buffer, count) }
private func systemClose(_ fd: Int32) -> Int32 { close(fd) }
