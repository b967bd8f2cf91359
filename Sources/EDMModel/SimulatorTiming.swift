import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis
import EDMRender
import EDMProvisioning

/// How long the simulated module and DPS take for each operation.
///
/// The defaults (`.reference`) are the latencies of the reference session
/// (`azure-dps-example-session.log`, a real NINA-W15 against the real DPS); the comment on each
/// field says where its value comes from. Times are counted from the moment the host's last
/// byte of the request arrives, unless the field says otherwise.
public struct SimulatorTiming: Hashable, Sendable {
    /// Echo of a command-mode line (the module echoes as characters arrive).
    public var echo: Duration
    /// Final result of a simple command-mode command (`ATO2` 10 ms, `AT+CPWROFF` 15 ms).
    public var commandReply: Duration
    /// AT confirmation of an EDM AT request (`AT+UWSC` 13–15 ms, `AT+CPWROFF` 14 ms).
    public var edmReply: Duration
    /// `>` prompt after `AT+USECMNG=0,…` (1030–1090 ms).
    public var credentialPrompt: Duration
    /// `+USECMNG:0,…` and `OK` after the last raw byte of a credential (2015–2023 ms).
    public var credentialImport: Duration
    /// `OK` to `AT+UWSCA=0,3` (31 ms).
    public var activateReply: Duration
    /// `+UUWLE` (or `+UUWLD`) after the `OK` to `AT+UWSCA=0,3` (2864 ms).
    public var wifiLinkUp: Duration
    /// First `+UUNU:0` after `+UUWLE` (48 ms).
    public var networkUp: Duration
    /// Second `+UUNU:0` after the first (2027 ms).
    public var networkUpAgain: Duration
    /// After the `OK` to `ATO2`, frames that arrive sooner are lost
    /// (docs/protocol.md, "Entering and leaving EDM": wait 50 ms).
    public var edmSettle: Duration
    /// `+UDCP:<h>` to the first `AT+UDCP` to a host since the network came up (340 ms: DNS).
    public var peerReply: Duration
    /// `+UDCP:<h>` to a later `AT+UDCP` to the same host (37 ms).
    public var peerReplyCached: Duration
    /// Connect event after the `+UDCP` reply, first connection to a host (2272 ms: TLS).
    public var peerConnect: Duration
    /// Connect event after the `+UDCP` reply, later connections (1 ms).
    public var peerConnectCached: Duration
    /// `+UUDPC` after the connect event (1010–1014 ms).
    public var peerConnectedURC: Duration
    /// `+UUDPD` of a refused peer after its `+UDCP` reply (as long as a first connection).
    public var peerRefused: Duration
    /// Disconnect event and `+UUDPD` after the `OK` to `AT+UDCPC` (not in the reference: a guess).
    public var peerClose: Duration
    /// DPS answer to a registration publish (442 ms).
    public var dpsRegister: Duration
    /// DPS answer to a poll publish (221 ms).
    public var dpsPoll: Duration
    /// Boot noise after the reboot starts (the `OK` to `AT+CPWROFF`): ROM output at once.
    public var bootNoise: Duration
    /// `+STARTUP` after the reboot starts (2284 ms: the reference host sent its next command
    /// 2388 ms after the `OK`, having waited for `+STARTUP`).
    public var startup: Duration
    /// In the `reboot` scenario: the spontaneous reboot after the first `+UUNU` (a choice).
    public var spontaneousReboot: Duration
    /// Up to this much is added to every latency, drawn from the seed (none by default, so
    /// the defaults reproduce the reference times exactly).
    public var jitter: Duration

    public init(echo: Duration = .milliseconds(1), commandReply: Duration = .milliseconds(12),
                edmReply: Duration = .milliseconds(14), credentialPrompt: Duration = .milliseconds(1030),
                credentialImport: Duration = .milliseconds(2023), activateReply: Duration = .milliseconds(31),
                wifiLinkUp: Duration = .milliseconds(2864), networkUp: Duration = .milliseconds(48),
                networkUpAgain: Duration = .milliseconds(2027), edmSettle: Duration = .milliseconds(50),
                peerReply: Duration = .milliseconds(340), peerReplyCached: Duration = .milliseconds(37),
                peerConnect: Duration = .milliseconds(2272), peerConnectCached: Duration = .milliseconds(1),
                peerConnectedURC: Duration = .milliseconds(1014), peerRefused: Duration = .milliseconds(2272),
                peerClose: Duration = .milliseconds(30), dpsRegister: Duration = .milliseconds(442),
                dpsPoll: Duration = .milliseconds(221), bootNoise: Duration = .milliseconds(60),
                startup: Duration = .milliseconds(2284), spontaneousReboot: Duration = .milliseconds(1500),
                jitter: Duration = .zero) {
        self.echo = echo
        self.commandReply = commandReply
        self.edmReply = edmReply
        self.credentialPrompt = credentialPrompt
        self.credentialImport = credentialImport
        self.activateReply = activateReply
        self.wifiLinkUp = wifiLinkUp
        self.networkUp = networkUp
        self.networkUpAgain = networkUpAgain
        self.edmSettle = edmSettle
        self.peerReply = peerReply
        self.peerReplyCached = peerReplyCached
        self.peerConnect = peerConnect
        self.peerConnectCached = peerConnectCached
        self.peerConnectedURC = peerConnectedURC
        self.peerRefused = peerRefused
        self.peerClose = peerClose
        self.dpsRegister = dpsRegister
        self.dpsPoll = dpsPoll
        self.bootNoise = bootNoise
        self.startup = startup
        self.spontaneousReboot = spontaneousReboot
        self.jitter = jitter
    }

    /// The reference session's latencies.
    public static let reference = SimulatorTiming()

    /// Every latency (not `edmSettle`, a requirement on the host) multiplied by `factor`.
    public func scaled(by factor: Int) -> SimulatorTiming {
        var t = self
        for path in Self.latencies { t[keyPath: path] = self[keyPath: path] * factor }
        return t
    }

    private static var latencies: [WritableKeyPath<SimulatorTiming, Duration>] {
        [
            \.echo, \.commandReply, \.edmReply, \.credentialPrompt, \.credentialImport, \.activateReply,
            \.wifiLinkUp, \.networkUp, \.networkUpAgain, \.peerReply, \.peerReplyCached, \.peerConnect,
            \.peerConnectCached, \.peerConnectedURC, \.peerRefused, \.peerClose, \.dpsRegister, \.dpsPoll,
            \.bootNoise, \.startup, \.spontaneousReboot, \.jitter,
        ]
    }
}
