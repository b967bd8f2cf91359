#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A pseudo-terminal pair standing in for a module's UART: a host program opens `slavePath`
/// (or `linkPath`) as its serial port, while the simulator, `edm-replay serve` or a test plays
/// the module on the master side, with the same deadline and hang-up semantics as SerialPort.
///
/// What Linux does, and the tests check:
/// - Closing the master hangs up the slave: its reads return `.hangUp` (bytes the master wrote
///   but the slave had not read yet are lost).
/// - Closing the slave's last descriptor hangs up the master: bytes the slave wrote are still
///   readable, then reads fail with EIO, reported as `.hangUp`. Reopening the slave clears it.
///
/// The pair keeps its own slave descriptor open until `releaseSlave()`, so the master does not
/// read as hung up before the host program has opened the port. Call `releaseSlave()` once the
/// host has it open to learn when the host closes it.
public final class PtyPair {
    /// The slave's device, e.g. `/dev/pts/3`.
    public let slavePath: String
    /// A symlink to `slavePath` made for `--link PATH`, removed on close.
    public let linkPath: String?

    private let master: FileDescriptorIO
    private var slave: Int32
    /// Packet mode (TIOCPKT) is on: every read of the master starts with a status byte.
    public private(set) var reportsHostSettings = false

    /// Opens a pair with both sides raw; with `link`, also points a symlink there (replacing a
    /// stale symlink from an earlier run, but never a file or directory).
    public init(link linkPath: String? = nil) throws(SerialPortError) {
        let (masterFD, slaveFD, slavePath) = try Self.openPair()
        // Raw: no echo, no CR/LF translation, no signals from ^C bytes; the module's traffic is
        // binary (EDM frames, credentials). Linux applies termios calls on the master to the
        // slave, BSDs keep two sets of settings: setting both sides covers both.
        for fd in [masterFD, slaveFD] {
            var settings = termios()
            if tcgetattr(fd, &settings) == 0 {
                cfmakeraw(&settings)
                _ = tcsetattr(fd, TCSANOW, &settings)
            }
        }
        do {
            master = try FileDescriptorIO(fd: masterFD, path: slavePath)
        } catch {
            POSIX.close(slaveFD)
            throw error
        }
        if let linkPath {
            do throws(SerialPortError) {
                try Self.makeLink(at: linkPath, to: slavePath)
            } catch {
                POSIX.close(slaveFD)
                throw error
            }
        }
        self.slave = slaveFD
        self.slavePath = slavePath
        self.linkPath = linkPath
    }

    deinit { close() }

    /// The master's descriptor, for callers that poll it themselves; -1 once closed.
    public var masterFileDescriptor: Int32 { master.fd }

    public var isOpen: Bool { master.isOpen }

    /// Whether the pair still holds its own slave descriptor (see the type's notes).
    public var holdsSlave: Bool { slave >= 0 }

    /// Lets go of the pair's own slave descriptor, so that the master reads `.hangUp` once the
    /// last other program using the slave closes it (at once if none has it open).
    public func releaseSlave() {
        guard slave >= 0 else { return }
        POSIX.close(slave)
        slave = -1
    }

    /// Closes the master (the slave side sees a hang-up) and removes the link if it still
    /// points at this pair. Idempotent.
    public func close() {
        guard master.isOpen else { return }
        removeLink()
        releaseSlave()
        master.close()
    }

    /// Removes the link if it still points at this pair (another run may have made it its
    /// own since), leaving the pair open: for a tool about to quit without closing it.
    public func removeLink() {
        if let linkPath, Self.linkTarget(linkPath) == slavePath { unlink(linkPath) }
    }

    /// What the slave side wrote, as soon as there is some, or a time-out at `deadline`.
    public func read(until deadline: ContinuousClock.Instant?,
        maxCount: Int = 4096) throws(SerialPortError) -> ReadResult {
        while true {
            switch try readPacket(until: deadline, maxCount: maxCount) {
            case .data(let result): return result
            case .status: continue
            }
        }
    }

    /// A read of the master: data, or (with `reportHostSettings`) a status change alone.
    public enum Packet: Equatable, Sendable {
        case data(ReadResult)
        /// Packet-mode news without data: the host changed its termios (`hostSettings` has
        /// them now), flushed a buffer, or switched XON/XOFF.
        case status
    }

    /// Like `read`, but a change the host made to its terminal settings is a result of its own,
    /// in its place among the bytes: what the host writes after it is read after it.
    public func readPacket(until deadline: ContinuousClock.Instant?,
        maxCount: Int = 4096) throws(SerialPortError) -> Packet {
        guard reportsHostSettings else { return .data(try master.read(until: deadline, maxCount: maxCount)) }
        while true {
            let result = try master.read(until: deadline, maxCount: maxCount + 1)
            guard case .bytes(let bytes) = result else { return .data(result) }
            // TIOCPKT_DATA (0) comes before data; any other first byte is the status alone.
            if bytes[0] != 0 { return .status }
            if bytes.count > 1 { return .data(.bytes(Array(bytes.dropFirst()))) }
        }
    }

    /// Asks the pty to report the host's termios changes, and gives the host `line` to start
    /// with, so that a host reading its settings sees what the module's port has. Linux only
    /// (false elsewhere): the kernel reports changes in packet mode once the slave has EXTPROC
    /// set, and keeps the slave's settings while the master is open, across the host's reopens.
    @discardableResult
    public func reportHostSettings(startingWith line: LineSettings) -> Bool {
        #if os(Linux)
        // Termios calls on a Linux pty master act on the slave's settings.
        var settings = termios()
        guard master.isOpen, tcgetattr(master.fd, &settings) == 0 else { return false }
        settings = line.applied(to: settings)
        settings.c_lflag |= tcflag_t(EXTPROC)
        var on: Int32 = 1
        guard tcsetattr(master.fd, TCSANOW, &settings) == 0, ioctl(master.fd, UInt(TIOCPKT), &on) == 0 else {
            return false
        }
        reportsHostSettings = true
        return true
        #else
        return false
        #endif
    }

    /// The rate and flow control the host program last set on its side.
    public var hostSettings: LineSettings? {
        var settings = termios()
        guard master.isOpen, tcgetattr(master.fd, &settings) == 0 else { return nil }
        return LineSettings(settings)
    }

    /// Sends bytes to the slave side.
    public func write(_ bytes: some Sequence<UInt8>,
        until deadline: ContinuousClock.Instant?) throws(SerialPortError) -> WriteResult {
        try master.write(Array(bytes), until: deadline)
    }

    /// Wakes a read or write blocked on the master; it returns `.interrupted`. Any thread.
    public func interrupt() { master.interrupter.interrupt() }

    public var interrupter: Interrupter { master.interrupter }

    // MARK: - Helpers

    /// Master and slave descriptors (close-on-exec) and the slave's path.
    private static func openPair() throws(SerialPortError) -> (Int32, Int32, String) {
        var masterFD: Int32 = -1
        var slaveFD: Int32 = -1
        #if canImport(Glibc)
        // openpty is in libc itself since glibc 2.34 (libutil is an empty stub), so no link flag.
        guard openpty(&masterFD, &slaveFD, nil, nil, nil) == 0 else {
            throw .system("openpty", path: "/dev/ptmx", errno: errno)
        }
        var name = [CChar](repeating: 0, count: 256)
        guard ttyname_r(slaveFD, &name, name.count) == 0 else {
            let error = errno
            POSIX.close(masterFD)
            POSIX.close(slaveFD)
            throw .system("ttyname_r", path: "/dev/ptmx", errno: error)
        }
        let slavePath = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        #else
        masterFD = posix_openpt(O_RDWR | O_NOCTTY)
        guard masterFD >= 0 else { throw .system("posix_openpt", path: "/dev/ptmx", errno: errno) }
        guard grantpt(masterFD) == 0, unlockpt(masterFD) == 0, let name = ptsname(masterFD) else {
            let error = errno
            POSIX.close(masterFD)
            throw .system("grantpt", path: "/dev/ptmx", errno: error)
        }
        let slavePath = String(cString: name)
        slaveFD = POSIX.open(slavePath, O_RDWR | O_NOCTTY)
        guard slaveFD >= 0 else {
            let error = errno
            POSIX.close(masterFD)
            throw .system("open", path: slavePath, errno: error)
        }
        #endif
        // openpty has no close-on-exec flag; a child (socat, a test's subprocess) holding the
        // slave would keep the master from ever seeing a hang-up.
        _ = fcntl(masterFD, F_SETFD, FD_CLOEXEC)
        _ = fcntl(slaveFD, F_SETFD, FD_CLOEXEC)
        return (masterFD, slaveFD, slavePath)
    }

    private static func makeLink(at linkPath: String, to target: String) throws(SerialPortError) {
        var info = stat()
        if lstat(linkPath, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFLNK else {
                throw SerialPortError(
                    .system, path: linkPath, errno: EEXIST,
                    message: "\(linkPath) already exists and is not a symlink: choose another --link path.")
            }
            unlink(linkPath)  // left by an earlier run that died before removing it
        }
        guard symlink(target, linkPath) == 0 else { throw .system("symlink", path: linkPath, errno: errno) }
    }

    /// Where a symlink points, or nil if `path` is not one.
    private static func linkTarget(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink(path, &buffer, buffer.count - 1)
        guard n >= 0 else { return nil }
        return String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
