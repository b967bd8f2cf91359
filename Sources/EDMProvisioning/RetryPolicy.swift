import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis
import EDMRender

/// Pauses after DPS says "try again" (429 throttled, 5xx): doubling, with jitter, capped.
public struct RetryPolicy: Hashable, Sendable {
    public var initialDelay: Duration = .seconds(3)
    public var factor = 2
    public var maximumDelay: Duration = .seconds(60)
    /// Jitter added to each pause, drawn from the configuration's seed.
    public var jitter: Duration = .milliseconds(500)
    /// After this many retries of one request, the error is final.
    public var maximumAttempts = 6

    public init() {}

    /// The pause before retry number `attempt` (1-based), before jitter.
    public func delay(attempt: Int) -> Duration {
        var delay = initialDelay
        for _ in 1..<max(1, attempt) where delay < maximumDelay { delay *= factor }
        return min(delay, maximumDelay)
    }
}
