import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis
import EDMRender

/// How a provisioning run ended, with the exit status the README documents for it.
public enum ProvisioningOutcome: Hashable, Sendable {
    case assigned(hub: String, deviceID: String, substatus: String?, body: String)
    /// DPS answered failed, disabled, or an error that retrying will not fix.
    case refused(DPSResponse)
    /// A step did not finish before its deadline (or the run before the overall one).
    case timedOut(ProvisioningStep, waitingFor: String)
    /// The module answered ERROR, rebooted by itself, or broke the protocol.
    case moduleError(ProvisioningStep, String)
    /// Wi-Fi (`+UUWLD`) or the MQTT peer (`+UUDPD`) could not connect.
    case networkError(ProvisioningStep, String)
    /// The serial port failed (set by the live driver, never by the machine).
    case serialError(String)
    case cancelled

    public var exitCode: Int32 {
        switch self {
        case .assigned: 0
        case .refused: 2
        case .timedOut: 3
        case .moduleError: 4
        case .networkError: 5
        case .serialError: 6
        case .cancelled: 130
        }
    }

    /// `assigned`, `refused`, … for JSON.
    public var name: String {
        switch self {
        case .assigned: "assigned"
        case .refused: "refused"
        case .timedOut: "timed_out"
        case .moduleError: "module_error"
        case .networkError: "network_error"
        case .serialError: "serial_error"
        case .cancelled: "cancelled"
        }
    }

    /// One plain sentence: what happened, and what to check.
    public var sentence: String {
        switch self {
        case .assigned(let hub, let device, let substatus, _):
            return "Assigned to \(hub) as device \(device)" + (substatus.map { " (\($0))" } ?? "") + "."
        case .refused(let dps):
            return "\(dps.summary). " + Self.advice(dps)
        case .timedOut(let step, let waiting):
            return "Timed out in step \"\(step.rawValue)\" waiting for \(waiting)."
        case .moduleError(let step, let what):
            return "The module failed in step \"\(step.rawValue)\": \(what)."
        case .networkError(_, let what):
            return what
        case .serialError(let what):
            return "Serial port error: \(what)."
        case .cancelled:
            return "Cancelled; the module was left in command mode where it still answered."
        }
    }
}

extension ProvisioningOutcome {
    /// What to check, by what DPS said (`DPSResponse.advice`: the HTML report gives the same words).
    package static func advice(_ dps: DPSResponse) -> String { dps.advice }
}
