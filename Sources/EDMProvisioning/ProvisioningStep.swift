import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis
import EDMRender

/// The steps of a provisioning run, and the table of transitions between them.
///
/// The table is the single source of truth for the flow: the machine moves only along its
/// rows (it checks), and the README's state diagram is generated from it.
public enum ProvisioningStep: String, Hashable, Sendable, CaseIterable {
    case detectMode = "detect mode"
    case leaveEDM = "leave EDM"
    case factoryReset = "factory reset"
    case credentials
    case enterEDM = "enter EDM"
    case wifi = "Wi-Fi"
    case connectRegister = "MQTT connect"
    case register = "DPS register"
    case connectPoll = "MQTT poll peer"
    case poll = "DPS poll"
    case closePeers = "close peers"
    case powerOff = "power off"

    /// What the step waits for, for progress displays.
    public var activity: String {
        switch self {
        case .detectMode: "probing the module (AT, then an EDM AT request)"
        case .leaveEDM: "rebooting the module out of EDM"
        case .factoryReset: "restoring factory settings and rebooting"
        case .credentials: "checking and uploading the credentials (only those whose MD5 differs)"
        case .enterEDM: "switching to Extended Data Mode"
        case .wifi: "configuring Wi-Fi and waiting for link and network"
        case .connectRegister: "connecting the MQTT peer to DPS"
        case .register: "publishing the registration and waiting for DPS"
        case .connectPoll: "connecting the MQTT peer for polling"
        case .poll: "polling the operation status"
        case .closePeers: "closing the MQTT peers"
        case .powerOff: "rebooting the module back to command mode"
        }
    }
}

extension ProvisioningStep {
    /// Every allowed transition. Cleanup (close peers, power off) follows every end, good
    /// or bad, so the module is left in command mode whenever it still answers.
    public static let transitions: [ProvisioningTransition] = {
        var t: [ProvisioningTransition] = []
        func add(_ from: ProvisioningStep, _ result: StepResult, _ to: ProvisioningStep?) {
            t.append(ProvisioningTransition(from: from, result: result, to: to))
        }
        add(.detectMode, .done, .factoryReset)
        add(.detectMode, .foundEDM, .leaveEDM)
        add(.leaveEDM, .done, .factoryReset)
        add(.factoryReset, .done, .credentials)
        add(.credentials, .done, .enterEDM)
        add(.enterEDM, .done, .wifi)
        add(.wifi, .done, .connectRegister)
        add(.connectRegister, .done, .register)
        add(.register, .retry, .register)
        add(.register, .assigning, .connectPoll)
        add(.register, .assigned, .closePeers)
        add(.connectPoll, .done, .poll)
        add(.poll, .retry, .poll)
        add(.poll, .assigning, .poll)
        add(.poll, .assigned, .closePeers)
        for step in allCases where !step.isCleanup { add(step, .failed, .closePeers) }
        add(.closePeers, .done, .powerOff)
        add(.closePeers, .failed, .powerOff)
        add(.powerOff, .done, nil)
        add(.powerOff, .failed, nil)
        return t
    }()

    /// The step `result` leads to from `step`: nil if the table has no such row, `.some(nil)`
    /// if the run is finished.
    public static func next(after step: ProvisioningStep, on result: StepResult) -> ProvisioningStep?? {
        transitions.first { $0.from == step && $0.result == result }.map(\.to)
    }

    /// A Mermaid state diagram of `transitions` (the README shows it).
    public static var mermaid: String {
        func id(_ s: ProvisioningStep?) -> String {
            guard let s else { return "[*]" }
            let words = s.rawValue.split(whereSeparator: { !$0.isLetter })
            return words.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        }
        var lines = ["stateDiagram-v2", "    [*] --> \(id(.detectMode))"]
        for step in allCases { lines.append("    \(id(step)) : \(step.rawValue)") }
        for row in transitions { lines.append("    \(id(row.from)) --> \(id(row.to)) : \(row.result.rawValue)") }
        return lines.joined(separator: "\n")
    }

    /// Close peers and power off: every run ends through them, and a failure in them changes
    /// no outcome.
    package var isCleanup: Bool { self == .closePeers || self == .powerOff }
}
