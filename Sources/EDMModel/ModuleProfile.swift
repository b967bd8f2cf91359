import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis
import EDMRender
import EDMProvisioning

/// The facts the NINA-W15 model runs on: how it and DPS behave, how long each operation
/// takes, the access point it joins, its boot noise, and the exchanges of a recorded session
/// it plays back where a host asks the same.
///
/// A simulator scenario is a profile (`SimulatorScenario.profile`); so is a trace
/// (`ModuleProfile(trace:)`), whose facts are measured from the recording.
public struct ModuleProfile: Sendable {
    /// How the module and DPS behave where nothing recorded answers (a scenario's failure).
    public var behaviour: SimulatorScenario
    /// The latencies in force (a scenario's already multiplied).
    public var timing: SimulatorTiming
    public var dps: SimulatedDPS.Configuration
    /// The access point's BSSID (12 hex digits) and channel; nil: drawn from the seed.
    public var bssid: String?
    public var wifiChannel: Int?
    /// What the module prints while it boots; nil: drawn from the seed.
    public var bootNoise: [UInt8]?
    /// The module is in EDM at time zero (left there by an earlier run).
    public var startsInEDM: Bool
    /// The registration id the recording's DPS answers name, replaced by the host's own.
    public var registrationID: String?
    /// What `ATI9`, `AT+GMM`, `AT+GMR` and `AT+GMI` answer.
    public var identity: Identity
    /// The recorded session played where the host's request matches (empty for a scenario).
    public var recording: RecordedExchanges

    public struct Identity: Hashable, Sendable {
        public var manufacturer = "u-blox"
        public var model = "NINA-W15"
        /// `ATI9`'s first field.
        public var firmware = "\"3.1.0-017\",\"NINA-W15X-00B-00\""
        /// `AT+GMR`'s answer: `ATI9`'s first field.
        public var version: String {
            get { firmware.split(separator: ",").first.map(String.init) ?? "" }
            set {
                firmware = ([newValue] + firmware.split(separator: ",").dropFirst().map(String.init))
                    .joined(separator: ",")
            }
        }
        public init() {}
    }

    public init(behaviour: SimulatorScenario = .assigned, timing: SimulatorTiming = .reference,
                dps: SimulatedDPS.Configuration = .init(), startsInEDM: Bool = false) {
        self.behaviour = behaviour
        self.timing = timing
        self.dps = dps
        self.startsInEDM = startsInEDM
        identity = Identity()
        recording = RecordedExchanges()
    }
}

extension SimulatorScenario {
    /// The scenario as a profile: the reference session's facts with this scenario's one change.
    public func profile(
        timing: SimulatorTiming = .reference, dps: SimulatedDPS.Configuration = .init()
    ) -> ModuleProfile {
        ModuleProfile(behaviour: self, timing: timing.scaled(by: latencyFactor), dps: dps, startsInEDM: startsInEDM)
    }
}
