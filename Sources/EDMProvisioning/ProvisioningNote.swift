import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis
import EDMRender

/// Something the machine tells its user that does not change the flow: ignored input, a
/// skipped upload, a retry.
///
/// Notes are values with a stable code, like the decoder's `EDMDiagnostic`s: tests and
/// tools match the case or the code, people read the message.
public enum ProvisioningNote: Hashable, Sendable, CustomStringConvertible {
    /// The module already holds this credential with this MD5, so it is not uploaded again.
    case credentialAlreadyStored(CredentialType, name: String, md5: String)
    /// `+STARTUP` in command mode outside a reboot: the power-up greeting read late (the
    /// reference log shows it in the reply to `AT+UFACTORY`), or a reboot; the run goes on.
    case startupInCommandMode
    /// A data event on a channel that no peer of the run uses (nil: the frame names none).
    case dataOnUnknownChannel(UInt8?)
    /// A DPS peer's data while no registration or poll is out.
    case dpsMessageOutsideRequest
    /// A DPS peer's data that is not a DPS answer; `start` is its beginning, as text.
    case notADPSAnswer(start: String)
    /// DPS said "try again" (429, 5xx): the same request goes out again after `backoff`.
    case retrying(DPSResponse, backoff: Duration)
    /// A cleanup step got no answer before its deadline; the run goes on to the next one.
    case cleanupUnanswered(ProvisioningStep)

    /// The note's kind, as a stable name.
    public enum Code: String, Hashable, Sendable, CaseIterable {
        case credentialAlreadyStored = "credential_already_stored"
        case startupInCommandMode = "startup_in_command_mode"
        case dataOnUnknownChannel = "data_on_unknown_channel"
        case dpsMessageOutsideRequest = "dps_message_outside_request"
        case notADPSAnswer = "not_a_dps_answer"
        case retrying = "dps_retrying"
        case cleanupUnanswered = "cleanup_unanswered"
    }

    public var code: Code {
        switch self {
        case .credentialAlreadyStored: .credentialAlreadyStored
        case .startupInCommandMode: .startupInCommandMode
        case .dataOnUnknownChannel: .dataOnUnknownChannel
        case .dpsMessageOutsideRequest: .dpsMessageOutsideRequest
        case .notADPSAnswer: .notADPSAnswer
        case .retrying: .retrying
        case .cleanupUnanswered: .cleanupUnanswered
        }
    }

    /// One plain sentence for people.
    public var message: String {
        switch self {
        case .credentialAlreadyStored(let type, let name, let md5):
            "\(type) \"\(name)\" already stored (MD5 \(md5)): not uploaded"
        case .startupInCommandMode:
            "the module printed +STARTUP in command mode (a late power-up greeting or a reboot)"
        case .dataOnUnknownChannel(let channel):
            "ignored data on channel \(channel.map(String.init) ?? "?"), which no peer of ours uses"
        case .dpsMessageOutsideRequest:
            "ignored a DPS message outside the register and poll steps"
        case .notADPSAnswer(let start):
            "ignored a message that is not a DPS answer: \(start)"
        case .retrying(let answer, let backoff):
            "\(answer.summary); retrying in \(seconds(backoff)) s"
        case .cleanupUnanswered(let step):
            "no answer during \(step.rawValue); giving up on it"
        }
    }

    public var description: String { message }
}
