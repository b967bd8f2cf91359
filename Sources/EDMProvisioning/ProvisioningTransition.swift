import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis
import EDMRender

/// A row of `ProvisioningStep.transitions`: the step a result leads to.
public struct ProvisioningTransition: Hashable, Sendable {
    public var from: ProvisioningStep
    public var result: StepResult
    /// Nil: the run is finished.
    public var to: ProvisioningStep?
}
