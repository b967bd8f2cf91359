import Testing
@testable import EDMKit

/// The configuration's enums, and the notes the machine emits.
@Suite struct ProvisioningConfigurationTests {
    @Test func wifiAuthenticationTakesAnyNumberAndGivesItBack() {
        for value in -1...9 { #expect(WiFiAuthentication(value).value == value) }
        #expect([1, 2, 3, 4, 5, 6, 7].map(WiFiAuthentication.init)
                == [.open, .wpaPSK, .leap, .peap, .eapTLS, .wpa2wpa3PSK, .wpa3PSK])
        #expect(WiFiAuthentication(0) == .other(0) && WiFiAuthentication(8) == .other(8))
    }

    @Test func onlyOpenAndEAPTLSGoWithoutAPassphrase() {
        let without = (-1...9).filter { !WiFiAuthentication($0).needsPassphrase }
        #expect(without == [1, 5])
        #expect(!WiFiAuthentication.other(1).needsPassphrase, "by number, however it was made")
    }

    static func run(_ authentication: WiFiAuthentication) -> (ProvisioningRun, [String]) {
        var c = ProvisioningScenarioTests.configuration
        c.authentication = authentication
        let run = ProvisioningHarness(configuration: c, module: SimulatedModule(scenario: .assignedFast)).run()
        return (run, ProvisioningScenarioTests.sent(run).compactMap(\.text).filter { $0.hasPrefix("AT+UWSC=0,") })
    }

    @Test func anOpenNetworkGetsNoPassphrase() {
        let (run, wifi) = Self.run(.open)
        #expect(run.outcome.exitCode == 0, "\(run.outcome)")
        #expect(wifi == ["AT+UWSC=0,2,lab", "AT+UWSC=0,5,1"])
    }

    @Test func anUnlistedNumberGoesToTheModuleAsGiven() {
        let (run, wifi) = Self.run(WiFiAuthentication(9))
        #expect(wifi == ["AT+UWSC=0,2,lab", "AT+UWSC=0,5,9"])
        guard case .moduleError(.wifi, let what) = run.outcome else {
            Issue.record("got \(run.outcome)")
            return
        }
        #expect(what == "AT+UWSC was answered ERROR")
    }

    @Test func credentialTypesAreTheModulesNumbersAndNames() {
        #expect(CredentialType.allCases.map(\.rawValue) == [0, 1, 2])
        #expect(CredentialType.allCases.map(\.description) == ["root CA", "client certificate", "client private key"])
        #expect(CredentialType(rawValue: 3) == nil)
    }

    @Test func notesHaveAStableCodeAndASentence() throws {
        let busy = try #require(DPSResponse(payload: Array(#"{"errorCode":429001,"message":"slow down"}"#.utf8)))
        let notes: [(ProvisioningNote, String, String)] = [
            (.credentialAlreadyStored(.clientCertificate, name: "cert.pem", md5: "9A1F"), "credential_already_stored",
             #"client certificate "cert.pem" already stored (MD5 9A1F): not uploaded"#),
            (.startupInCommandMode, "startup_in_command_mode",
             "the module printed +STARTUP in command mode (a late power-up greeting or a reboot)"),
            (.dataOnUnknownChannel(7), "data_on_unknown_channel",
             "ignored data on channel 7, which no peer of ours uses"),
            (.dataOnUnknownChannel(nil), "data_on_unknown_channel",
             "ignored data on channel ?, which no peer of ours uses"),
            (.dpsMessageOutsideRequest, "dps_message_outside_request",
             "ignored a DPS message outside the register and poll steps"),
            (.notADPSAnswer(start: "hello"), "not_a_dps_answer", "ignored a message that is not a DPS answer: hello"),
            (.retrying(busy, backoff: .milliseconds(3250)), "dps_retrying", "\(busy.summary); retrying in 3.250 s"),
            (.cleanupUnanswered(.closePeers), "cleanup_unanswered", "no answer during close peers; giving up on it"),
        ]
        for (note, code, message) in notes {
            #expect(note.code.rawValue == code && note.message == message && "\(note)" == message)
        }
        #expect(Set(notes.map(\.0.code)) == Set(ProvisioningNote.Code.allCases))
    }
}
