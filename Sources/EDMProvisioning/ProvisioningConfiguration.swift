import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis
import EDMRender
import Crypto

/// Everything the provisioning flow needs that does not depend on the serial port.
///
/// The same value drives a live run (azure-dps), a replay (edm-replay, where credential bytes
/// are unknown and only their MD5 and size come from the trace) and the simulator.
public struct ProvisioningConfiguration: Sendable {
    public var dpsHost = "global.azure-devices-provisioning.net"
    public var dpsPort = 8883
    public var idScope: String
    public var registrationID: String
    public var apiVersion = "2019-03-31"
    /// Root CA, client certificate and private key, in upload order (the root CA alone for a
    /// symmetric-key enrollment).
    public var credentials: [Credential]
    /// How the device proves who it is to DPS.
    public var attestation = Attestation.x509
    public var ssid: String
    /// `AT+UWSC` tag 5; the passphrase goes out only with an authentication that needs one.
    public var authentication = WiFiAuthentication.wpaPSK
    /// The Wi-Fi passphrase: a secret, never printed.
    public var passphrase: [UInt8]
    /// Custom registration payload, as JSON text (`{"modelId":"…"}`); nil sends none.
    public var payload: String?
    public var factoryReset = false
    public var keepAlive = 60
    /// Pause between two polls of the operation status (DPS allows 5 per 10 s per device).
    public var pollInterval: Duration = .seconds(3)
    public var retry = RetryPolicy()
    public var deadlines = StepDeadlines()
    /// The whole run, start to finish (cleanup gets its own short deadlines after it).
    public var overallDeadline: Duration = .seconds(300)
    /// Pause between the mode probes of the first step (plain AT, EDM AT, plain AT).
    public var probeInterval: Duration = .seconds(1)
    /// How long to wait for `+STARTUP` after a reboot's OK before asking with AT (the
    /// reference module prints it about 2.3 s after AT+CPWROFF's OK).
    public var rebootGrace: Duration = .seconds(8)
    /// From the OK to `ATO2` to the first EDM frame: the module loses frames that come
    /// sooner (it asks for at least 50 ms). A requirement of the module, so `scaled(by:)`
    /// leaves it alone.
    public var edmSettleTime: Duration = .milliseconds(50)
    /// Seeds the backoff jitter; the `$rid`s are a counter.
    public var seed: UInt64 = 0

    public init(idScope: String, registrationID: String, credentials: [Credential], ssid: String, passphrase: [UInt8]) {
        self.idScope = idScope
        self.registrationID = registrationID
        self.credentials = credentials
        self.ssid = ssid
        self.passphrase = passphrase
    }

    /// One file to store on the module, known by its name, size and MD5.
    public struct Credential: Hashable, Sendable {
        public var type: CredentialType
        /// The name the module stores it under (≤ 32 characters).
        public var name: String
        /// MD5 of the bytes, 32 upper-case hex digits, as the module reports it.
        public var md5: String
        public var size: Int
        /// The bytes to upload; nil under replay, where only MD5 and size are known
        /// (an upload then sends filler of the right size).
        public var bytes: [UInt8]?

        public init(type: CredentialType, name: String, bytes: [UInt8]) {
            self.type = type
            self.name = name
            self.bytes = bytes
            size = bytes.count
            md5 = hexString(Array(Insecure.MD5.hash(data: bytes)))
        }

        /// Under replay: the MD5 the module reported and, when the trace holds them, the
        /// bytes as recorded (redacted bytes are filler; the MD5 still tells the truth).
        public init(type: CredentialType, name: String, md5: String, size: Int, bytes: [UInt8]? = nil) {
            self.type = type
            self.name = name
            self.md5 = md5.uppercased()
            self.size = size
            self.bytes = bytes
        }
    }

    /// How the device signs in to DPS.
    public enum Attestation: Hashable, Sendable {
        /// The client certificate and key in the TLS handshake (`cert=`, `privKey=`).
        case x509
        /// A SAS token as the MQTT password. The token holds `&`, `=`, `%` and a space, which the
        /// module's URL would split on, so it goes into URL variable `variable` (`AT+UDUV`) and
        /// the URL names it as `<passwordKey>=%%<variable>`. Neither has been seen on hardware:
        /// both are settings so that a module that proves different needs no new code.
        case symmetricKey(token: String, variable: Int = 1, passwordKey: String = "passwd")
    }

    /// How long each step may take from its start.
    public struct StepDeadlines: Hashable, Sendable {
        public var perStep: [ProvisioningStep: Duration] = [
            .detectMode: .seconds(5), .leaveEDM: .seconds(15), .factoryReset: .seconds(20),
            .credentials: .seconds(90), .enterEDM: .seconds(5), .wifi: .seconds(30),
            .connectRegister: .seconds(30), .register: .seconds(60), .connectPoll: .seconds(30),
            .closePeers: .seconds(10), .powerOff: .seconds(15),
        ]
        /// Polling runs until the overall deadline.
        public subscript(step: ProvisioningStep) -> Duration? {
            get { perStep[step] }
            set { perStep[step] = newValue }
        }
        public init() {}
    }
}

extension ProvisioningConfiguration {
    /// Every duration multiplied by `factor` (deadlines, pacing, backoff): for a simulator
    /// that runs faster than real time.
    public func scaled(by factor: Double) -> ProvisioningConfiguration {
        var c = self
        c.pollInterval = pollInterval * factor
        c.overallDeadline = overallDeadline * factor
        c.probeInterval = probeInterval * factor
        c.rebootGrace = rebootGrace * factor
        c.retry.initialDelay = retry.initialDelay * factor
        c.retry.maximumDelay = retry.maximumDelay * factor
        c.retry.jitter = retry.jitter * factor
        for step in ProvisioningStep.allCases {
            if let d = deadlines[step] { c.deadlines[step] = d * factor }
        }
        return c
    }
}
