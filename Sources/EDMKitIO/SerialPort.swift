#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A UART (or any tty, such as a pty's slave) opened for the module: raw 8N1, the chosen baud
/// rate, RTS/CTS unless disabled, exclusive, non-blocking, every read and write bounded by a
/// deadline (docs/protocol.md, "The serial link").
///
/// The original terminal settings are put back on `close()` (or deinit), so a port left in
/// raw mode does not surprise the next program (a terminal emulator, a shell on a console).
public final class SerialPort {
    public static let defaultBaudRate = 115_200
    /// The rates mapped to termios speeds; anything else is refused rather than approximated.
    public static let supportedBaudRates = [9_600, 19_200, 38_400, 57_600, 115_200, 230_400, 460_800, 921_600]

    /// The path as given, e.g. a `/dev/serial/by-id/...` symlink.
    public let path: String
    /// The device it resolves to, e.g. `/dev/ttyUSB0`.
    public let resolvedPath: String
    public private(set) var baudRate: Int
    public private(set) var hardwareFlowControl: Bool
    public var lineSettings: LineSettings { LineSettings(baudRate: baudRate, hardwareFlowControl: hardwareFlowControl) }

    private let io: FileDescriptorIO
    /// The settings found at open, restored at close.
    private let originalSettings: termios

    /// Opens and configures the port; see `SerialPortError.Code` for what can go wrong.
    public static func open(
        _ path: String, baudRate: Int = defaultBaudRate, hardwareFlowControl: Bool = true
    ) throws(SerialPortError) -> SerialPort {
        // The rate first: a typo in the configuration must not touch the device at all.
        guard let speed = speed(for: baudRate) else { throw .unsupportedBaudRate(baudRate, path: path) }

        guard let resolved = realpath(path, nil) else { throw .opening(path, errno: errno) }
        let resolvedPath = String(cString: resolved)
        free(resolved)
        let shown = resolvedPath == path ? path : "\(path) (\(resolvedPath))"

        // Refuse regular files and directories by name before opening them: the message is
        // clearer than whatever tcgetattr would say, and nothing gets opened for writing.
        var info = stat()
        guard stat(resolvedPath, &info) == 0 else { throw .opening(shown, errno: errno) }
        guard info.st_mode & S_IFMT == S_IFCHR else {
            throw .notATerminal(shown, kind: SerialPortError.fileKind(info.st_mode))
        }

        // O_NOCTTY: the port must never become our controlling terminal (a hang-up would then
        // send us SIGHUP). O_NONBLOCK: an open without carrier (no CLOCAL yet) must not hang.
        let fd = POSIX.open(resolvedPath, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw .opening(shown, errno: errno) }
        guard isatty(fd) == 1 else {
            POSIX.close(fd)
            throw .notATerminal(shown, kind: SerialPortError.fileKind(info.st_mode))
        }
        // The advisory lock is what other serial programs (minicom, picocom, pyserial's
        // exclusive mode) check, and unlike TIOCEXCL it also stops root.
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let error = errno
            POSIX.close(fd)
            if error == EWOULDBLOCK { throw .busy(shown, errno: error, how: "and locked") }
            throw .system("flock", path: shown, errno: error)
        }
        let io = try FileDescriptorIO(fd: fd, path: shown)

        // Exclusive only now that the lock is ours: setting it on a port someone else uses
        // would lock them in with us. Not every tty driver supports it, hence no check.
        _ = ioctl(fd, tiocexcl)

        var original = termios()
        guard tcgetattr(fd, &original) == 0 else { throw .system("tcgetattr", path: shown, errno: errno) }
        var settings = rawSettings(from: original, speed: speed, hardwareFlowControl: hardwareFlowControl)
        guard tcsetattr(fd, TCSANOW, &settings) == 0 else {
            let error = errno
            // EINVAL from tcsetattr is almost always the speed.
            if error == EINVAL { throw driverRefused(baudRate, path: shown) }
            throw .system("tcsetattr", path: shown, errno: error)
        }
        // tcsetattr succeeds if any one change took; read back what the driver really kept.
        var applied = termios()
        if tcgetattr(fd, &applied) == 0, cfgetospeed(&applied) != speed {
            var restore = original
            _ = tcsetattr(fd, TCSANOW, &restore)
            throw driverRefused(baudRate, path: shown)
        }
        return SerialPort(
            path: path, resolvedPath: resolvedPath, baudRate: baudRate,
            hardwareFlowControl: hardwareFlowControl, io: io, originalSettings: original)
    }

    private init(
        path: String, resolvedPath: String, baudRate: Int, hardwareFlowControl: Bool,
        io: FileDescriptorIO, originalSettings: termios
    ) {
        self.path = path
        self.resolvedPath = resolvedPath
        self.baudRate = baudRate
        self.hardwareFlowControl = hardwareFlowControl
        self.io = io
        self.originalSettings = originalSettings
    }

    deinit { close() }

    public var isOpen: Bool { io.isOpen }

    /// Restores the original settings and closes the port (which releases the lock). Idempotent.
    public func close() {
        guard io.isOpen else { return }
        // TCSANOW, not TCSADRAIN: with flow control stuck, draining would never finish. On an
        // unplugged device this fails, which is fine: there is nothing left to restore.
        var original = originalSettings
        _ = tcsetattr(io.fd, TCSANOW, &original)
        _ = ioctl(io.fd, tiocnxcl)
        io.close()
    }

    /// The bytes available now, or waits for some until `deadline` (nil: no limit).
    public func read(until deadline: ContinuousClock.Instant?,
        maxCount: Int = 4096) throws(SerialPortError) -> ReadResult {
        try io.read(until: deadline, maxCount: maxCount)
    }

    /// Writes all of `bytes`, waiting while the driver's buffer is full (or CTS holds us back).
    public func write(_ bytes: some Sequence<UInt8>,
        until deadline: ContinuousClock.Instant?) throws(SerialPortError) -> WriteResult {
        try io.write(Array(bytes), until: deadline)
    }

    /// Wakes a read or write blocked on this port; it returns `.interrupted`. Any thread.
    public func interrupt() { io.interrupter.interrupt() }

    /// The port's wake-up, to hand to a signal handler or another thread (it is Sendable and
    /// outlives the port safely).
    public var interrupter: Interrupter { io.interrupter }

    /// Changes the rate and flow control of the open port (a tap following its host), once
    /// what was written at the old rate has left; the port keeps its settings if the driver
    /// refuses the new ones.
    public func apply(_ line: LineSettings) throws(SerialPortError) {
        guard let rate = line.baudRate, line.isSupported else {
            throw .unsupportedBaudRate(line.baudRate ?? 0, path: path)
        }
        waitForOutput()
        var current = termios()
        guard tcgetattr(io.fd, &current) == 0 else { throw .system("tcgetattr", path: path, errno: errno) }
        var settings = line.applied(to: current)
        guard tcsetattr(io.fd, TCSANOW, &settings) == 0 else {
            let error = errno
            if error == EINVAL { throw Self.driverRefused(rate, path: path) }
            throw .system("tcsetattr", path: path, errno: error)
        }
        var kept = termios()
        if tcgetattr(io.fd, &kept) == 0, LineSettings(kept).baudRate != rate {
            _ = tcsetattr(io.fd, TCSANOW, &current)
            throw Self.driverRefused(rate, path: path)
        }
        baudRate = rate
        hardwareFlowControl = line.hardwareFlowControl
    }

    /// Waits (a second at most) until the driver has sent what was written: bytes still queued
    /// when the rate changes would go out at the new one. Not `tcdrain`, which never returns
    /// while flow control holds the line.
    private func waitForOutput() {
        #if os(Linux)
        for _ in 0..<200 {
            var queued: Int32 = 0
            guard ioctl(io.fd, UInt(TIOCOUTQ), &queued) == 0, queued > 0 else { return }
            usleep(5_000)
        }
        #endif
    }

    // MARK: - Settings

    /// Raw 8N1 at `speed`, no software flow control, reads that never block in the driver.
    static func rawSettings(from original: termios, speed: speed_t, hardwareFlowControl: Bool) -> termios {
        var settings = original
        cfmakeraw(&settings)
        settings.c_cflag &= ~(tcflag_t(CSIZE | PARENB | CSTOPB) | crtscts)
        // CLOCAL: the module has no carrier line to wait for. CREAD: or nothing is received.
        settings.c_cflag |= tcflag_t(CS8 | CLOCAL | CREAD)
        if hardwareFlowControl { settings.c_cflag |= crtscts }
        // cfmakeraw leaves IXOFF alone: XON/XOFF would swallow 0x11 and 0x13 in EDM frames.
        settings.c_iflag &= ~tcflag_t(IXON | IXOFF | IXANY)
        // VMIN = VTIME = 0: the driver returns at once; waiting is poll's job, with deadlines.
        withUnsafeMutableBytes(of: &settings.c_cc) { cc in
            cc[Int(VMIN)] = 0
            cc[Int(VTIME)] = 0
        }
        cfsetispeed(&settings, speed)
        cfsetospeed(&settings, speed)
        return settings
    }

    /// The termios speed for a rate in `supportedBaudRates`, nil otherwise.
    static func speed(for rate: Int) -> speed_t? {
        #if os(Linux)
        switch rate {
        case 9_600: speed_t(B9600)
        case 19_200: speed_t(B19200)
        case 38_400: speed_t(B38400)
        case 57_600: speed_t(B57600)
        case 115_200: speed_t(B115200)
        case 230_400: speed_t(B230400)
        case 460_800: speed_t(B460800)
        case 921_600: speed_t(B921600)
        default: nil
        }
        #else
        // BSD speeds are the rates themselves.
        supportedBaudRates.contains(rate) ? speed_t(rate) : nil
        #endif
    }

    private static func driverRefused(_ rate: Int, path: String) -> SerialPortError {
        SerialPortError(
            .unsupportedBaudRate, path: path, errno: EINVAL,
            message: "The driver of \(path) refused \(rate) baud: try \(defaultBaudRate), the module's default.")
    }
}

#if os(Linux)
private let tiocexcl = UInt(TIOCEXCL)
private let tiocnxcl = UInt(TIOCNXCL)
#else
// _IO('t', 13) and _IO('t', 14): function-like macros that Swift does not import.
private let tiocexcl = UInt(0x2000_740D)
private let tiocnxcl = UInt(0x2000_740E)
#endif
