import EDMKitIO
import ToolSupport

extension Bounds {
    /// The whole run, in seconds: a second at least (a run never gets past the first probe
    /// in less), a day at most.
    static let timeout = Bounded<Double>(1...86_400, "seconds")
    /// The rates the serial port is set to exactly (no approximated speeds).
    static let baud = Bounded<Int>(choices: SerialPort.supportedBaudRates.map { ($0, "") }, "a baud rate")
    /// The module's Wi-Fi authentication modes (`AT+UWSC` parameter 5) that need no more than
    /// a passphrase.
    static let authentication = Bounded<Int>(
        choices: [(1, "open"), (2, "WPA/WPA2-PSK"), (6, "WPA2/WPA3"), (7, "WPA3")], "a mode")
}

extension Bounds {
    /// `batch --simulate N`: each simulated module is a pty and two threads.
    static let simulatedModules = Bounded<Int>(1...64, "modules")
}
