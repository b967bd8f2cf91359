#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a serial port (or a pty) could not be opened or used: a code to branch on, the path as
/// the user wrote it, and one plain sentence saying what happened and what to check.
public struct SerialPortError: Error, Equatable, CustomStringConvertible, Sendable {
    /// What went wrong, as a stable name.
    public enum Code: String, Sendable {
        /// Nothing at the path (ENOENT, or a device node with no device behind it).
        case missing
        /// The path exists but is not a terminal: a regular file, a directory, `/dev/null`...
        case notATerminal
        /// Another program has the port open and locked (flock) or exclusive (TIOCEXCL).
        case busy
        /// EACCES / EPERM: usually the user is not in the `dialout` group.
        case permissionDenied
        /// A baud rate this library does not map to a termios speed.
        case unsupportedBaudRate
        /// Any other failed system call; `errno` says which error.
        case system
    }

    public var code: Code
    public var path: String
    /// The system error behind it, or 0 when the failure is ours (e.g. an unsupported baud rate).
    public var errno: Int32
    public var message: String

    public init(_ code: Code, path: String, errno: Int32 = 0, message: String) {
        self.code = code
        self.path = path
        self.errno = errno
        self.message = message
    }

    public var description: String { message }

    /// The message without its full stop, to go inside a sentence (`Serial port error: ...`).
    public var clause: String { message.hasSuffix(".") ? String(message.dropLast()) : message }
}

extension SerialPortError {
    /// The system's words for an errno value.
    static func systemText(_ errno: Int32) -> String { String(cString: strerror(errno)) }

    /// A failed system call that has no friendlier reading.
    static func system(_ operation: String, path: String, errno: Int32) -> SerialPortError {
        SerialPortError(.system, path: path, errno: errno,
            message: "\(path): \(operation) failed: \(systemText(errno)).")
    }

    /// Maps the errno of a failed `open` (or of path resolution) to the case a user can act on.
    static func opening(_ path: String, errno: Int32) -> SerialPortError {
        switch errno {
        case ENOENT:
            return SerialPortError(
                .missing, path: path, errno: errno,
                message:
                    "\(path) does not exist: check the cable and the name "
                        + "(ls /dev/serial/by-id/ lists what is plugged in)."
            )
        case ENXIO, ENODEV:
            // The node is still there but the driver has no device behind it: typically a USB
            // adapter unplugged while its node lingers.
            return SerialPortError(
                .missing, path: path, errno: errno,
                message: "\(path) has no device behind it (\(systemText(errno))): check that the adapter is plugged in."
            )
        case EACCES, EPERM:
            return SerialPortError(
                .permissionDenied, path: path, errno: errno,
                message:
                    "Permission denied opening \(path): add yourself to the dialout "
                        + "group (sudo usermod -aG dialout $USER) and log in again."
            )
        case EBUSY:
            return busy(path, errno: errno, how: "in exclusive mode")
        case ENOTDIR, ELOOP:
            return SerialPortError(
                .missing, path: path, errno: errno,
                message: "\(path) does not lead to a device: \(systemText(errno)).")
        default:
            return system("open", path: path, errno: errno)
        }
    }

    /// EBUSY (the open was refused: TIOCEXCL) and EWOULDBLOCK (our flock lost) both mean another
    /// program got there first; `how` says which, for whoever has to find that program.
    static func busy(_ path: String, errno: Int32, how: String) -> SerialPortError {
        SerialPortError(
            .busy, path: path, errno: errno,
            message: "\(path) is busy: another program has \(path) open \(how); close it (fuser -v \(path) names it).")
    }

    /// `kind` names what the path really is, e.g. "a regular file".
    static func notATerminal(_ path: String, kind: String) -> SerialPortError {
        SerialPortError(.notATerminal, path: path, errno: ENOTTY, message: "\(path) is not a serial port (\(kind)).")
    }

    static func unsupportedBaudRate(_ rate: Int, path: String) -> SerialPortError {
        let rates = SerialPort.supportedBaudRates.map(String.init).joined(separator: ", ")
        return SerialPortError(
            .unsupportedBaudRate, path: path,
            message: "\(rate) baud is not supported for \(path): use one of \(rates).")
    }

    /// What a `stat` mode is, in words, for the not-a-terminal message.
    static func fileKind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFREG: "a regular file"
        case S_IFDIR: "a directory"
        case S_IFIFO: "a pipe"
        case S_IFSOCK: "a socket"
        case S_IFBLK: "a block device"
        case S_IFCHR: "a character device that is not a terminal"
        default: "not a device"
        }
    }
}
