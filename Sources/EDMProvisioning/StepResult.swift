import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis
import EDMRender

/// Why a provisioning step ended: the input of `ProvisioningStep.transitions`.
public enum StepResult: String, Hashable, Sendable {
    case done
    /// Nothing to do (no factory reset asked for; no EDM to leave at power off): the next
    /// step follows as after `done`.
    case skipped
    /// The module answered only in EDM (an earlier run left it there).
    case foundEDM = "found EDM"
    /// DPS says assigning: poll.
    case assigning
    /// DPS said try again (429, 5xx): the same request after a pause.
    case retry
    /// DPS assigned the device.
    case assigned
    /// Refused, timed out, module or network error, cancelled: the outcome is set; clean up.
    case failed
}
