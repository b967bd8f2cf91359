#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a host program chooses for its serial line and a tap can pass on to the module's
/// port: the baud rate and RTS/CTS flow control (the rest is always raw 8N1 on the module's
/// side, whatever a host sets on its pty).
public struct LineSettings: Equatable, Sendable, CustomStringConvertible {
    /// Baud; 0 for a hang-up request (B0), nil for a speed outside
    /// `SerialPort.supportedBaudRates`, which the module's port cannot take.
    public var baudRate: Int?
    public var hardwareFlowControl: Bool

    public init(baudRate: Int?, hardwareFlowControl: Bool) {
        self.baudRate = baudRate
        self.hardwareFlowControl = hardwareFlowControl
    }

    /// A rate and flow control that a `SerialPort` can be set to.
    public var isSupported: Bool {
        baudRate.map(SerialPort.supportedBaudRates.contains) ?? false
    }

    /// "9600 baud, RTS/CTS", "an unsupported baud rate, no flow control".
    public var description: String {
        let rate = switch baudRate {
        case nil: "an unsupported baud rate"
        case 0: "0 baud (hang up)"
        case let rate?: "\(rate) baud"
        }
        return "\(rate), \(hardwareFlowControl ? "RTS/CTS" : "no flow control")"
    }

    /// What a terminal's settings say.
    init(_ settings: termios) {
        var settings = settings
        let speed = cfgetospeed(&settings)
        baudRate = speed == speed_t(B0) ? 0 : SerialPort.supportedBaudRates.first { SerialPort.speed(for: $0) == speed }
        hardwareFlowControl = settings.c_cflag & crtscts != 0
    }

    /// `settings` with this rate and flow control; unchanged where the rate is not supported.
    func applied(to settings: termios) -> termios {
        var settings = settings
        if let baudRate, let speed = SerialPort.speed(for: baudRate) {
            cfsetispeed(&settings, speed)
            cfsetospeed(&settings, speed)
        }
        if hardwareFlowControl { settings.c_cflag |= crtscts } else { settings.c_cflag &= ~crtscts }
        return settings
    }
}

#if os(Linux)
let crtscts = tcflag_t(CRTSCTS)
#else
let crtscts = tcflag_t(CCTS_OFLOW | CRTS_IFLOW)
#endif
