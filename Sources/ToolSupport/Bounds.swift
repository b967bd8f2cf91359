import EDMKitIO

/// What each numeric option takes, in one place, for the option, its help and a config file.
/// The tools add their own (`extension Bounds`).
public enum Bounds {
    /// Seconds between two polls of a DPS operation: DPS allows five polls per ten seconds,
    /// and a longer pause only delays the answer.
    public static let pollInterval = Bounded<Double>(2...600, "seconds")
    /// How many times faster than the reference (or recorded) timing a module runs: beyond
    /// these, timings scaled by it stop meaning anything.
    public static let speed = Bounded<Double>(0.01...1000, "a factor")
    /// Any seed the generators take.
    public static let seed = Bounded<UInt64>(0...UInt64.max, "a whole number")
    /// The rates a serial port is set to exactly (no approximated speeds): azure-dps, the tap.
    public static let baud = Bounded<Int>(choices: SerialPort.supportedBaudRates.map { ($0, "") }, "a baud rate")
    /// How long a live capture runs when it is told (a tap, a followed file): up to a week.
    public static let captureDuration = Bounded<Double>(0.5...604_800, "seconds")
}
