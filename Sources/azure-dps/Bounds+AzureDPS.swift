import EDMKitIO
import ToolSupport

extension Bounds {
    /// The whole run, in seconds: a second at least (a run never gets past the first probe
    /// in less), a day at most.
    static let timeout = Bounded<Double>(1...86_400, "seconds")
    /// A SAS token's lifetime, in seconds: a minute at least (the run itself takes about half of
    /// one), a year at most (a token is a password: the shorter the better).
    static let sasTTL = Bounded<Int>(60...31_536_000, "seconds")
    /// The module's Wi-Fi authentication modes (`AT+UWSC` parameter 5) that need no more than
    /// a passphrase.
    static let authentication = Bounded<Int>(
        choices: [(1, "open"), (2, "WPA/WPA2-PSK"), (6, "WPA2/WPA3"), (7, "WPA3")], "a mode")
}

extension Bounds {
    /// `batch --simulate N`: each simulated module is a pty and two threads.
    static let simulatedModules = Bounded<Int>(1...64, "modules")
}
