#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Wakes a read or write blocked in `poll` from another thread (a Ctrl-C handler, a watchdog):
/// a self-pipe whose read end every wait polls alongside the port.
///
/// An interrupt is sticky: if nothing is waiting, the next read or write reports `.interrupted`
/// at once, so a Ctrl-C that lands between two reads is not lost. Reporting it consumes it.
/// It is a class of its own, shared by reference, so a handler holding it stays safe after the
/// port closes (the pipe lives until the last holder lets go; the port's fd is never touched).
public final class Interrupter: Sendable {
    /// Polled by waits; non-blocking so draining never stalls.
    let readEnd: Int32
    /// Written by `interrupt()`; non-blocking so a full pipe (already interrupted) never stalls.
    let writeEnd: Int32

    init(path: String) throws(SerialPortError) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw .system("pipe", path: path, errno: errno) }
        for fd in fds {
            // FD_CLOEXEC: a port's wake-up pipe must not leak into programs we spawn.
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        readEnd = fds[0]
        writeEnd = fds[1]
    }

    deinit {
        POSIX.close(readEnd)
        POSIX.close(writeEnd)
    }

    /// Makes the current (or next) wait return `.interrupted`. Safe from any thread; uses only
    /// `write(2)`, which is async-signal-safe.
    public func interrupt() {
        var byte: UInt8 = 1
        while POSIX.write(writeEnd, &byte, 1) < 0, errno == EINTR {}
        // EAGAIN means the pipe is full: an interrupt is already pending, nothing to add.
    }

    /// Consumes every pending interrupt, so one Ctrl-C stops one wait.
    func drain() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while true {
            let n = buffer.withUnsafeMutableBytes { POSIX.read(readEnd, $0.baseAddress, $0.count) }
            if n > 0 || (n < 0 && errno == EINTR) { continue }
            return
        }
    }
}

/// The C library's calls under names that methods called `read`, `write`, `open` and `close`
/// do not shadow.
enum POSIX {
    static func read(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int { cRead(fd, buffer, count) }
    static func write(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int { cWrite(fd, buffer, count) }
    @discardableResult static func close(_ fd: Int32) -> Int32 { cClose(fd) }
    static func open(_ path: String, _ flags: Int32) -> Int32 { cOpen(path, flags) }
}

// At file scope the plain names are the C library's, Glibc's or Darwin's alike.
private func cRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int { read(fd, buffer, count) }
private func cWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int { write(fd, buffer, count) }
private func cClose(_ fd: Int32) -> Int32 { close(fd) }
private func cOpen(_ path: String, _ flags: Int32) -> Int32 { open(path, flags) }
