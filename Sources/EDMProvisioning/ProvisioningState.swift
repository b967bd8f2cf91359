import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis
import EDMRender

/// Where a provisioning run is: the step, and how far that step has got, with the data only
/// that step needs.
///
/// Each kind of input (a step's start, the timer, a final result, a prompt, a URC, a DPS
/// answer) is read by one switch over these cases. What outlives a step (the open peers,
/// the DPS conversation, whether the module is in EDM) is kept beside the state, not in it.
package enum ProvisioningState: Hashable, Sendable {
    case notStarted
    /// Probe 0 is plain AT, 1 an EDM AT request (a module left in EDM ignores text), 2 plain
    /// AT again (a module that was still booting).
    case detectingMode(probe: Int)
    case leavingEDM(Reboot)
    case factoryResetting(FactoryReset)
    /// The configuration's credential `index`, and how far its check or upload has got.
    case credentials(index: Int, stage: CredentialStage)
    case enteringEDM(EDMEntry)
    /// `answered` of the configuration commands were answered OK; `linkUp` once `+UUWLE` came.
    case wifi(answered: Int, linkUp: Bool)
    case connectingRegister(RegisterPeerSetup)
    case registering(DPSAttempt)
    case connectingPoll(PollPeerSetup)
    case polling(DPSAttempt)
    /// The peer whose `AT+UDCPC` is out (nil before the first); the others still open are the
    /// machine's open peers, which the module's `+UUDPD`s keep current.
    case closingPeers(handle: Int?)
    case poweringOff(Reboot)

    /// A reboot by `AT+CPWROFF`, which ends in `+STARTUP` (or in an answer to AT, when the
    /// `+STARTUP` was missed).
    package enum Reboot: Hashable, Sendable {
        case commandSent
        /// The OK came: the module is rebooting, and `+STARTUP` is due.
        case awaitingStartup
        /// No `+STARTUP` in time: an AT is out to ask the module directly.
        case probing
    }

    /// Where the factory reset stands.
    package enum FactoryReset: Hashable, Sendable {
        case resetSent
        /// `AT+UFACTORY` takes effect at the reboot that follows it.
        case rebooting(Reboot)
    }

    /// Where one credential's check and upload stand.
    package enum CredentialStage: Hashable, Sendable {
        /// `AT+USECMNG=4` asks for the stored MD5.
        case querying
        /// `AT+USECMNG=0` is out; its `>` prompt is due.
        case importing
        /// The bytes went out; the MD5 the module computed is due.
        case uploading
    }

    /// Where the switch to EDM stands.
    package enum EDMEntry: Hashable, Sendable {
        case switching
        /// ATO2 was answered; frames sent before the settle time would be lost.
        case settling
        /// An AT request checks that EDM works.
        case probing
    }

    /// The poll peer publishes on a topic with `$rid` and the operation id in it, which the
    /// URL cannot carry unescaped: it goes to `AT+UDUV` first and the URL names it `%%0`.
    /// A symmetric-key enrollment first stores its SAS token in a URL variable.
    package enum RegisterPeerSetup: Hashable, Sendable {
        case settingPassword
        case connecting
    }

    /// Where the polling peer's setup stands: its topic variable, then the connection.
    package enum PollPeerSetup: Hashable, Sendable {
        case settingTopic
        case connecting
    }

    /// One DPS request (the registration or a status poll) and its retries.
    package struct DPSAttempt: Hashable, Sendable {
        /// How often DPS said "try again" (429, 5xx) to this request.
        package var retries = 0
        /// The pause taken before this attempt is sent; nil for a first attempt.
        package var backoff: Duration?

        package init(retries: Int = 0, backoff: Duration? = nil) {
            self.retries = retries
            self.backoff = backoff
        }
    }

    /// How many probes the mode detection sends before it gives up.
    package static let modeProbes = 3

    /// The state a step starts in.
    package static func start(of step: ProvisioningStep) -> Self {
        switch step {
        case .detectMode: .detectingMode(probe: 0)
        case .leaveEDM: .leavingEDM(.commandSent)
        case .factoryReset: .factoryResetting(.resetSent)
        case .credentials: .credentials(index: 0, stage: .querying)
        case .enterEDM: .enteringEDM(.switching)
        case .wifi: .wifi(answered: 0, linkUp: false)
        case .connectRegister: .connectingRegister(.connecting)
        case .register: .registering(DPSAttempt())
        case .connectPoll: .connectingPoll(.settingTopic)
        case .poll: .polling(DPSAttempt())
        case .closePeers: .closingPeers(handle: nil)
        case .powerOff: .poweringOff(.commandSent)
        }
    }

    package var step: ProvisioningStep? {
        switch self {
        case .notStarted: nil
        case .detectingMode: .detectMode
        case .leavingEDM: .leaveEDM
        case .factoryResetting: .factoryReset
        case .credentials: .credentials
        case .enteringEDM: .enterEDM
        case .wifi: .wifi
        case .connectingRegister: .connectRegister
        case .registering: .register
        case .connectingPoll: .connectPoll
        case .polling: .poll
        case .closingPeers: .closePeers
        case .poweringOff: .powerOff
        }
    }

    /// Whether a `+STARTUP` now is the end of a reboot the run asked for (or, while the mode
    /// is being detected, the module's power-up greeting).
    package var expectsStartup: Bool {
        switch self {
        case .detectingMode: true
        case .leavingEDM(let reboot), .poweringOff(let reboot), .factoryResetting(.rebooting(let reboot)):
            reboot != .commandSent
        default: false
        }
    }
}
