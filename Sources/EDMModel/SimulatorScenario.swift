import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis
import EDMRender
import EDMProvisioning

/// What the simulated module and the DPS behind it do, by name (`azure-dps --simulate NAME`).
///
/// Every scenario starts from the same healthy module; each changes one thing, so a test or a
/// newcomer can see exactly how a host reacts to that one failure.
public enum SimulatorScenario: String, CaseIterable, Sendable {
    /// Registration accepted; polls answer `assigning` until the configured poll (default the
    /// second) answers `assigned`.
    case assigned
    /// The first poll already answers `assigned` (the reference session).
    case assignedFast = "assigned-fast"
    /// The poll answers `status:"failed"` with errorCode 400207 (custom allocation failed).
    case failed
    /// The poll answers `status:"disabled"` (the enrollment is disabled).
    case disabled
    /// Every request is answered with the error object 401002 "Invalid certificate.".
    case unauthorized
    /// The first registration is answered 429001 (throttled); a later one succeeds.
    case throttled
    /// Wi-Fi activation ends in `+UUWLD:0,4` (security problem: wrong passphrase).
    case wrongPassphrase = "wrong-passphrase"
    /// The SSID is never found: after activation the module stays silent (it keeps scanning).
    case noNetwork = "no-network"
    /// Every MQTT peer is refused (as for a certificate whose CN is not the client id): `+UUDPD`.
    case mqttRefused = "mqtt-refused"
    /// DPS accepts connections but never answers a publish.
    case dpsSilent = "dps-silent"
    /// Garbage bytes between EDM frames, a start event after `ATO2`, frames split in pieces.
    case noisyLine = "noisy-line"
    /// The module reboots on its own (boot noise, `+STARTUP`) shortly after the network is up.
    case reboot
    /// The module is still in EDM from an earlier run: plain `AT` goes unanswered.
    case leftoverEDM = "leftover-edm"
    /// Every latency three times the reference session's.
    case slow
    /// A symmetric-key enrollment group: the host signs its SAS token with the device key
    /// derived from the group key, and DPS assigns the device.
    case sas
    /// The host signs with the group key itself instead of the derived device key: 401000.
    case sasGroupKey = "sas-group-key"
    /// The host's clock is behind, so its token has expired when DPS reads it: 401000.
    case sasExpired = "sas-expired"
    /// The module takes URL variables of at most 96 bytes, too short for a SAS token.
    case sasTooLong = "sas-too-long"

    /// One line for `--help`.
    public var summary: String {
        switch self {
        case .assigned: "DPS assigns the device after a few polls (default 2)"
        case .assignedFast: "DPS assigns the device on the first poll, as in the reference session"
        case .failed: "DPS answers status failed, errorCode 400207 (custom allocation failed)"
        case .disabled: "DPS answers status disabled (the enrollment is disabled)"
        case .unauthorized: "DPS answers errorCode 401002, Invalid certificate"
        case .throttled: "DPS throttles the first registration (429001), then assigns"
        case .wrongPassphrase: "Wi-Fi fails with +UUWLD:0,4 (wrong passphrase)"
        case .noNetwork: "the Wi-Fi network is never found; the module stays silent"
        case .mqttRefused: "every MQTT peer is refused (+UUDPD), as for a CN mismatch"
        case .dpsSilent: "DPS never answers a publish"
        case .noisyLine: "garbage between EDM frames, a start event, frames split in pieces"
        case .reboot: "the module reboots on its own soon after the network is up"
        case .leftoverEDM: "the module starts in EDM, left there by an earlier run"
        case .slow: "every module and DPS latency three times the reference"
        case .sas: "symmetric-key group enrollment: the host signs with the derived device key"
        case .sasGroupKey: "the host signs its SAS token with the group key itself (401000)"
        case .sasExpired: "the host's clock is behind: its SAS token has expired (401000)"
        case .sasTooLong: "the module takes URL variables of at most 96 bytes, too short for the token"
        }
    }

    /// How the simulated host signs in when the scenario is about symmetric keys: with which
    /// key, and how far its clock is off (nil: the scenario is about X.509).
    public var hostSigning: (usesGroupKey: Bool, clockOffset: Duration)? {
        switch self {
        case .sas, .sasTooLong: (false, .zero)
        case .sasGroupKey: (true, .zero)
        case .sasExpired: (false, .seconds(-7200))
        default: nil
        }
    }

    /// The longest value the module takes in `AT+UDUV`.
    package var maxURLVariableLength: Int { self == .sasTooLong ? 96 : SimulatedModule.maxURLVariableLength }

    /// The module is in EDM at time zero.
    package var startsInEDM: Bool { self == .leftoverEDM }

    /// A start event frame follows the `OK` to `ATO2` (sources disagree whether real firmware
    /// sends one; a host must accept it, so one scenario does).
    package var sendsStartEvent: Bool { self == .noisyLine }

    /// Garbage between frames and frames cut in several chunks.
    package var corruptsLine: Bool { self == .noisyLine }

    /// Multiplier on every latency of `SimulatorTiming`.
    package var latencyFactor: Int { self == .slow ? 3 : 1 }
}
