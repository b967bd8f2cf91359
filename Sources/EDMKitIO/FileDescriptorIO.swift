#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a read with a deadline saw.
public enum ReadResult: Equatable, Sendable {
    /// At least one byte (never an empty array).
    case bytes([UInt8])
    /// The deadline passed with nothing to read.
    case timedOut
    /// The other end is gone: a USB adapter unplugged, a pty's other side closed. Final.
    case hangUp
    /// `interrupt()` was called (now or before this read started).
    case interrupted
}

/// What a write with a deadline achieved; `written` counts the bytes that did go out.
public enum WriteResult: Equatable, Sendable {
    case written
    /// Typically hardware flow control holding us back: CTS low, or not wired at all.
    case timedOut(written: Int)
    case hangUp(written: Int)
    case interrupted(written: Int)
}

/// Non-blocking reads and writes on one file descriptor, each bounded by a deadline and
/// wakeable by an `Interrupter`. SerialPort and PtyPair both use it, so a real UART, a pty's
/// slave and a pty's master report time-outs and hang-ups the same way.
///
/// It owns the descriptor: `close()` (or deinit) closes it. Owners that must act first
/// (restoring termios) do so before calling `close()`.
final class FileDescriptorIO {
    private(set) var fd: Int32
    /// For error messages only.
    let path: String
    let interrupter: Interrupter
    static let defaultReadSize = 4096

    /// Takes ownership of `fd` and makes it non-blocking: every wait goes through `poll`.
    init(fd: Int32, path: String) throws(SerialPortError) {
        guard fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == 0 else {
            let error = errno
            POSIX.close(fd)
            throw .system("fcntl(O_NONBLOCK)", path: path, errno: error)
        }
        do {
            interrupter = try Interrupter(path: path)
        } catch {
            POSIX.close(fd)
            throw error
        }
        self.fd = fd
        self.path = path
    }

    deinit { close() }

    var isOpen: Bool { fd >= 0 }

    func close() {
        guard fd >= 0 else { return }
        POSIX.close(fd)
        fd = -1
    }

    /// Up to `maxCount` bytes as soon as any are there; otherwise waits until `deadline`
    /// (nil: forever). Bytes already buffered win over an expired deadline; an interrupt wins
    /// over everything, because Ctrl-C must stop at once (unread bytes stay in the kernel).
    func read(until deadline: ContinuousClock.Instant?,
        maxCount: Int = defaultReadSize) throws(SerialPortError) -> ReadResult {
        precondition(maxCount > 0, "maxCount must be positive")
        while true {
            let events = try wait(for: Int16(POLLIN), until: deadline)
            if events.interrupted { interrupter.drain(); return .interrupted }
            if events.revents == 0 {
                if let deadline, ContinuousClock.now >= deadline { return .timedOut }
                continue
            }
            // Something happened on the port: reading tells data, end of file and errors apart.
            // Data still buffered when the other side hung up is read first (a pty master keeps
            // it; see PtyPair), and the hang-up is reported by the next read.
            var buffer = [UInt8](repeating: 0, count: maxCount)
            let n = buffer.withUnsafeMutableBytes { POSIX.read(fd, $0.baseAddress, maxCount) }
            if n > 0 {
                buffer.removeLast(maxCount - n)
                return .bytes(buffer)
            }
            // Read 0 on a tty: the slave of a closed pty master, or a carrier drop.
            if n == 0 { return .hangUp }
            switch errno {
            case EINTR:
                continue
            case EAGAIN, EWOULDBLOCK:
                // POLLHUP/POLLERR with nothing to read is the end; plain POLLIN was spurious.
                if events.hungUp { return .hangUp }
                continue
            case EIO, ENXIO, ENODEV:
                // EIO: a pty master whose slave closed, or a USB serial device unplugged.
                return .hangUp
            case let error:
                throw .system("read", path: path, errno: error)
            }
        }
    }

    /// Writes every byte unless the deadline passes, the other side hangs up, or someone
    /// interrupts; the result says how far it got.
    func write(_ bytes: [UInt8], until deadline: ContinuousClock.Instant?) throws(SerialPortError) -> WriteResult {
        guard !bytes.isEmpty else { return .written }
        // Look before writing: a pty master whose slave is closed accepts writes and drops
        // them, so only poll's POLLHUP tells. One extra system call per write is nothing at
        // UART speeds, and a pending interrupt stops the write before it starts.
        let before = try wait(for: Int16(POLLOUT), until: .now)
        if before.interrupted { interrupter.drain(); return .interrupted(written: 0) }
        if before.hungUp { return .hangUp(written: 0) }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { POSIX.write(fd, $0.baseAddress! + written, $0.count - written) }
            if n > 0 {
                written += n
                continue
            }
            if n < 0 {
                switch errno {
                case EINTR: continue
                case EAGAIN, EWOULDBLOCK: break  // output buffer full (or flow control): wait below
                case EIO, EPIPE, ENXIO, ENODEV: return .hangUp(written: written)
                case let error: throw .system("write", path: path, errno: error)
                }
            }
            let events = try wait(for: Int16(POLLOUT), until: deadline)
            if events.interrupted { interrupter.drain(); return .interrupted(written: written) }
            if events.hungUp { return .hangUp(written: written) }
            if events.revents == 0, let deadline, ContinuousClock.now >= deadline {
                return .timedOut(written: written)
            }
        }
        return .written
    }

    private struct Events {
        var revents: Int16
        var interrupted: Bool
        var hungUp: Bool { revents & Int16(POLLHUP | POLLERR) != 0 }
    }

    /// One `poll` of the port and the interrupt pipe, retried on EINTR. Returns with no events
    /// when the time is up (or nearly: the caller checks the clock).
    private func wait(for events: Int16, until deadline: ContinuousClock.Instant?) throws(SerialPortError) -> Events {
        guard fd >= 0 else { throw .system("poll", path: path, errno: EBADF) }
        var fds = [
            pollfd(fd: fd, events: events, revents: 0),
            pollfd(fd: interrupter.readEnd, events: Int16(POLLIN), revents: 0),
        ]
        while true {
            // The remaining time is recomputed on every pass, so EINTR never stretches the wait.
            let result = poll(&fds, nfds_t(fds.count), Self.pollTimeout(until: deadline))
            if result < 0 {
                if errno == EINTR { continue }
                throw .system("poll", path: path, errno: errno)
            }
            if fds[0].revents & Int16(POLLNVAL) != 0 { throw .system("poll", path: path, errno: EBADF) }
            return Events(revents: fds[0].revents, interrupted: fds[1].revents != 0)
        }
    }

    /// Milliseconds until `deadline` for `poll`: -1 for none, 0 once passed, rounded up so a
    /// wait never ends just before its deadline and spins once more for nothing.
    static func pollTimeout(until deadline: ContinuousClock.Instant?) -> Int32 {
        guard let deadline else { return -1 }
        let remaining = ContinuousClock.now.duration(to: deadline)
        guard remaining > .zero else { return 0 }
        let (seconds, attoseconds) = remaining.components
        let attosecondsPerMillisecond: Int64 = 1_000_000_000_000_000
        let milliseconds = seconds * 1000 + (attoseconds + attosecondsPerMillisecond - 1) / attosecondsPerMillisecond
        return Int32(clamping: milliseconds)
    }
}
