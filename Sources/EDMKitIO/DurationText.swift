extension Duration {
    /// Whole milliseconds, rounded towards zero.
    public var milliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }

    /// `19.196`: seconds with three decimals, as the tools print a time (`19.196 s`).
    public var secondsText: String {
        let ms = milliseconds.magnitude, fraction = String(ms % 1000)
        let padded = String(repeating: "0", count: 3 - fraction.count) + fraction
        return (milliseconds < 0 ? "-" : "") + "\(ms / 1000)." + padded
    }
}
