import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis
import EDMRender

/// How the machine reads the module's units (each URC checked against the state in one
/// place), and what the credential, Wi-Fi and MQTT steps send.
extension ProvisioningMachine {
    package mutating func handle(_ unit: SessionUnit, _ now: Duration) {
        switch unit.kind {
        case .raw, .at(.echo), .at(.command):
            return  // boot noise, line garbage and echo carry nothing to act on
        case .at(.response):
            if let text = unit.text { responses.append(ATCommandLine(text)) }
        case .at(.urc):
            if let text = unit.text { urc(ATCommandLine(text), link: unit.link, now) }
        case .at(.prompt):
            prompt(now)
        case .at(.final):
            reply(ok: unit.text == "OK", unit, now)
        case .frame(let frame):
            edm(frame, unit, now)
        }
    }

    private mutating func edm(_ frame: EDMFrame, _ unit: SessionUnit, _ now: Duration) {
        switch frame.payloadID {
        case .atConfirmation:
            let lines = ATText.lines(frame.body).map { ATCommandLine(bytes: $0) }
            responses += lines.filter { $0.kind != .final }
            if let last = lines.last, last.kind == .final {
                reply(ok: last.isOK, unit, now)
            }
        case .atEvent:
            for line in ATText.lines(frame.body) { urc(ATCommandLine(bytes: line), link: unit.link, now) }
        case .dataEvent:
            guard let channel = frame.channel, peers.isDPS(channel: channel) else {
                return actions.append(.note(.dataOnUnknownChannel(frame.channel)))
            }
            dpsAnswer(frame.data ?? [], now)
        default:
            return  // connect and disconnect events: the +UUDPC / +UUDPD that follow say it all
        }
    }

    private mutating func urc(_ line: ATCommandLine, link: SessionUnit.Link?, _ now: Duration) {
        guard let step else { return }
        switch line.name {
        case "+STARTUP":
            let expected = state.expectsStartup
            // In command mode a +STARTUP may be the power-up greeting read late; only in EDM
            // is it surely a reboot.
            if !expected, !inEDM { return actions.append(.note(.startupInCommandMode)) }
            inEDM = false
            peers.open = []
            guard expected else {
                if step.isCleanup { return advance(.failed, now) }
                return fail(.moduleError(step, "the module restarted by itself (+STARTUP)"), now)
            }
            if step != .detectMode { advance(.done, now) }
        case "+UUWLE":
            guard case .wifi(let answered, _) = state else { return }
            state = .wifi(answered: answered, linkUp: true)
            waitingFor = "+UUNU (network up)"
        case "+UUNU":
            guard case .wifi(let answered, true) = state, answered >= wifiCommands().count else { return }
            advance(.done, now)
        case "+UUWLD":
            switch state {
            case .notStarted, .detectingMode, .credentials, .closingPeers, .poweringOff: return
            default: break
            }
            let why = ATCatalog.explain(line) ?? "Wi-Fi link down"
            fail(.networkError(step, "\(why) (+UUWLD reason \(line.integer(1).map(String.init) ?? "?"))."), now)
        case "+UUDPC":
            guard let handle = line.integer(0) else { return }
            if !peers.open.contains(handle) { peers.open.append(handle) }
            peerConnected(handle, channel: link?.channel, now)
        case "+UUDPD":
            guard let handle = line.integer(0) else { return }
            peers.open.removeAll { $0 == handle }
            guard !step.isCleanup, peers.isDPS(handle: handle) else { return }
            let advice = "check that the certificate's CN equals the registration id, the key matches it, "
                + "and the CA is the DPS root."
            fail(.networkError(step, "The MQTT connection to \(configuration.dpsHost) was refused or dropped "
                               + "(peer \(handle)): " + advice), now)
        default:
            return
        }
    }

    // MARK: Credentials: query the stored MD5, upload only what differs, verify.

    package mutating func nextCredential(_ index: Int, _ now: Duration) {
        guard index < configuration.credentials.count else { return advance(.done, now) }
        let c = configuration.credentials[index]
        state = .credentials(index: index, stage: .querying)
        command("AT+USECMNG=4,\(c.type.rawValue),\(c.name)", now)
    }

    package mutating func credentialReply(ok: Bool, _ index: Int, _ stage: ProvisioningState.CredentialStage,
        _ now: Duration) {
        let c = configuration.credentials[index]
        let reported = responses.last { $0.name == "+USECMNG" }?.parameter(3)?.uppercased()
        func failed(_ what: String) { fail(.moduleError(.credentials, what), now) }
        switch stage {
        case .querying where ok && reported == c.md5:
            actions.append(.note(.credentialAlreadyStored(c.type, name: c.name, md5: c.md5)))
            nextCredential(index + 1, now)
        case .querying:
            state = .credentials(index: index, stage: .importing)
            command("AT+USECMNG=0,\(c.type.rawValue),\(c.name),\(c.size)", now,
                    waitingFor: "the > prompt for \(c.name)")
        case .importing:
            // A final result instead of the prompt: the module refused the import.
            failed("the import of \"\(c.name)\" was refused (\(ok ? "OK without a prompt" : "ERROR"))")
        case .uploading:
            guard ok else { return failed("the module rejected the bytes of \"\(c.name)\"") }
            guard reported == c.md5 else {
                return failed("the module stored \"\(c.name)\" with MD5 \(reported ?? "unknown"), expected \(c.md5): "
                              + "the upload was corrupted")
            }
            nextCredential(index + 1, now)
        }
    }

    // MARK: Wi-Fi

    package func wifiCommands() -> [[UInt8]] {
        let c = configuration
        var commands = [Array("AT+UWSC=0,2,\(quotedIfNeeded(c.ssid))".utf8),
                        Array("AT+UWSC=0,5,\(c.authentication.value)".utf8)]
        if c.authentication.needsPassphrase { commands.append(Array("AT+UWSC=0,8,".utf8) + c.passphrase) }
        commands.append(Array("AT+UWSCA=0,3".utf8))
        return commands
    }

    /// Sends the next configuration command; once all are answered, waits for link and network.
    package mutating func nextWiFiCommand(answered: Int, linkUp: Bool, _ now: Duration) {
        state = .wifi(answered: answered, linkUp: linkUp)
        let commands = wifiCommands()
        if answered < commands.count {
            command(commands[answered], now)
        } else {
            waitingFor = linkUp ? "+UUNU (network up)" : "+UUWLE (Wi-Fi link up)"
        }
    }

    private func quotedIfNeeded(_ value: String) -> String {
        value.contains(",") || value.contains("\"") || value.hasPrefix(" ") ? "\"\(value)\"" : value
    }

    // MARK: MQTT peers

    package func registerTopic() -> String { "$dps/registrations/PUT/iotdps-register/?$rid=\(dps.requestID + 1)" }

    package mutating func nextRequestID() -> Int {
        dps.requestID += 1
        return dps.requestID
    }

    /// The `AT+UDCP` URL of docs/protocol.md ("AT commands of the provisioning flow"); values are not
    /// escaped (the module does not unescape), which is why the poll topic goes through `AT+UDUV` as `%%0`.
    package func mqttURL(publishTopic: String, subscribe: Bool) -> String {
        let c = configuration
        let name = { (type: CredentialType) in c.credentials.first { $0.type == type }?.name ?? "" }
        var url = "mqtt://\(c.dpsHost):\(c.dpsPort)/?client=\(c.registrationID)"
        url += "&user=\(c.idScope)/registrations/\(c.registrationID)/api-version=\(c.apiVersion)&pt=\(publishTopic)"
        if subscribe { url += "&st=$dps/registrations/res/#" }
        url += "&encr=3&keepAlive=\(c.keepAlive)"
        switch c.attestation {
        case .x509:
            url += "&ca=\(name(.rootCA))&cert=\(name(.clientCertificate))&privKey=\(name(.clientPrivateKey))"
        case .symmetricKey(_, let variable, let passwordKey):
            url += "&ca=\(name(.rootCA))&\(passwordKey)=%%\(variable)"
        }
        return url
    }

    /// The OK of `AT+UDUV` (the SAS token or the poll topic is set: connect) or of `AT+UDCP`
    /// (the peer's handle).
    package mutating func peerReply(_ now: Duration) {
        if case .connectingRegister(.settingPassword) = state {
            state = .connectingRegister(.connecting)
            return command("AT+UDCP=" + mqttURL(publishTopic: registerTopic(), subscribe: true), now)
        }
        if case .connectingPoll(.settingTopic) = state {
            state = .connectingPoll(.connecting)
            return command("AT+UDCP=" + mqttURL(publishTopic: "%%0", subscribe: false), now)
        }
        guard let handle = responses.last(where: { $0.name == "+UDCP" })?.integer(0) else {
            return fail(.moduleError(failingStep, "AT+UDCP answered OK without a peer handle"), now)
        }
        let registering = state == .connectingRegister(.connecting)
        if registering { peers.register = Peer(handle: handle) } else { peers.poll = Peer(handle: handle) }
        // Close it at the end even if it never connects.
        let connected = peers.open.contains(handle)
        if !connected { peers.open.append(handle) }
        waitingFor = "+UUDPC (MQTT peer \(handle) connected)"
        if registering { _ = nextRequestID() }
        if connected { peerConnected(handle, channel: nil, now) }
    }

    package mutating func peerConnected(_ handle: Int, channel: UInt8?, _ now: Duration) {
        if peers.register?.handle == handle {
            if let channel { peers.register?.channel = channel }
            if state == .connectingRegister(.connecting), peers.register?.channel != nil { advance(.done, now) }
        } else if peers.poll?.handle == handle {
            if let channel { peers.poll?.channel = channel }
            if case .connectingPoll = state, peers.poll?.channel != nil { advance(.done, now) }
        }
    }
}
