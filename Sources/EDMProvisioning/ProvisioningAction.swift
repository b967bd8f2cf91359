import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis
import EDMRender

/// What the machine asks its driver to do.
public enum ProvisioningAction: Hashable, Sendable {
    /// Write these bytes to the module.
    case send([UInt8])
    /// Call `timeout(now:)` at this time unless input comes first.
    case wake(at: Duration)
    case stepStarted(ProvisioningStep)
    case stepFinished(ProvisioningStep, StepResult)
    /// Something worth telling the user that does not change the flow (ignored input).
    case note(ProvisioningNote)
    case finished(ProvisioningOutcome)
}
