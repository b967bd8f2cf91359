import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis
import EDMRender

/// What a harness run produced.
public struct ProvisioningRun: Sendable {
    public var outcome: ProvisioningOutcome
    public var records: [TraceRecord]
    /// Every action the machine returned, in order (sends included).
    public var actions: [ProvisioningAction]
    /// Simulated time at the end.
    public var duration: Duration

    public init(outcome: ProvisioningOutcome, records: [TraceRecord], actions: [ProvisioningAction],
        duration: Duration) {
        self.outcome = outcome
        self.records = records
        self.actions = actions
        self.duration = duration
    }
}
