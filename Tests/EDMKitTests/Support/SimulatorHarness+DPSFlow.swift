import EDMKit

/// A compact EDM provisioning flow for scenario tests, with credentials already stored:
/// ATO2 at 10 ms, Wi-Fi at 100–200 ms (network up at 3143 ms with the reference timing),
/// then peers and publishes at times the test chooses.
extension SimulatorHarness {
    static let credentials = [
        StoredCredential(kind: .rootCA, name: "ca.pem", bytes: Array("ca".utf8)),
        StoredCredential(kind: .clientCertificate, name: "cert.pem", bytes: Array("cert".utf8)),
        StoredCredential(kind: .clientPrivateKey, name: "key.pem", bytes: Array("key".utf8)),
    ]

    static let registerURL = ReferenceSession.registerURL
    static let pollURL = ReferenceSession.pollURL
    static let registration = #"{"payload":"","registrationId":"ninadps"}"#

    init(flow scenario: SimulatorScenario, seed: UInt64 = 0, dps: SimulatedDPS.Configuration = .init()) {
        self.init(scenario, seed: seed, store: Self.credentials, dps: dps)
    }

    mutating func joinWiFi() {
        send("ATO2\r", atMS: 10)
        request("AT+UWSC=0,2,SimNet", atMS: 100)
        request("AT+UWSC=0,5,2", atMS: 120)
        request("AT+UWSC=0,8,secret-passphrase", atMS: 140)
        request("AT+UWSCA=0,3", atMS: 200)
    }

    /// Wi-Fi, the register peer (channel 0, connected at 5812 ms) and the registration
    /// publish at 7000 ms (answer due at 7442 ms).
    mutating func register() {
        joinWiFi()
        request("AT+UDCP=" + Self.registerURL, atMS: 3200)
        publish(channel: 0, Self.registration, atMS: 7000)
        run(untilMS: 7500)
    }

    /// The poll peer (channel 1, connected at 7558 ms) for the operation DPS handed out.
    mutating func openPollPeer(atMS ms: Int = 7500) {
        let id = lastOperationID ?? "none"
        request("AT+UDUV=0,$dps/registrations/GET/iotdps-get-operationstatus/?$rid=1&operationId=\(id)", atMS: ms)
        request("AT+UDCP=" + Self.pollURL, atMS: ms + 20)
    }

    mutating func poll(atMS ms: Int) { publish(channel: 1, " ", atMS: ms) }
}
