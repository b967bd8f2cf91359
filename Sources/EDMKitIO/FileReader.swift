#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import EDMKit

/// Reads a file (or standard input, for `-`) in chunks, so memory stays flat whatever its size.
public final class FileReader {
    public static let chunkSize = 1 << 16

    public let path: String
    private let fd: Int32
    /// Bytes handed out so far: the offset of the next chunk.
    public private(set) var offset = 0

    public init(path: String) throws(IOError) {
        self.path = path
        if path == "-" {
            fd = 0
            return
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw IOError(path: path, errno: errno) }
        var info = stat()
        if fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFDIR {
            close(fd)
            throw IOError(path: path, errno: EISDIR)
        }
        self.fd = fd
    }

    deinit { if fd > 0 { close(fd) } }

    /// The next chunk, or nil at end of file.
    public func read(max: Int = FileReader.chunkSize) throws(IOError) -> [UInt8]? {
        var chunk = [UInt8](repeating: 0, count: max)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, max) }
            if n < 0, errno == EINTR { continue }
            guard n >= 0 else { throw IOError(path: path, errno: errno) }
            guard n > 0 else { return nil }
            chunk.removeLast(max - n)
            offset += n
            return chunk
        }
    }

    /// The first `count` bytes without consuming them is not possible on a pipe, so format
    /// detection reads a prefix and the caller feeds it back in front of the rest.
    public func readPrefix(_ count: Int) throws(IOError) -> [UInt8] {
        var prefix: [UInt8] = []
        while prefix.count < count, let chunk = try read(max: count - prefix.count) { prefix += chunk }
        return prefix
    }
}

/// A failed system call on a file, with the path and the system's words.
public struct IOError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var errno: Int32

    public init(path: String, errno: Int32) {
        self.path = path
        self.errno = errno
    }

    public var isMissing: Bool { errno == ENOENT }
    public var description: String { "\(path): \(String(cString: strerror(errno)))" }
}
