import ToolSupport

extension Bounds {
    /// Seeds per trace in one fuzz run.
    static let runs = Bounded<Int>(1...1_000_000, "a count")
    /// How long `serve` runs, in seconds: up to a week.
    static let duration = Bounded<Double>(0.1...604_800, "seconds")
}
