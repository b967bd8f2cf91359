import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis
import EDMRender

/// Credentials, Wi-Fi, MQTT peers and the DPS conversation.
extension ProvisioningMachine {
    // MARK: Credentials: query the stored MD5, upload only what differs, verify.

    mutating func nextCredential(_ now: Duration) {
        guard credentialIndex < configuration.credentials.count else { return advance(.done, now) }
        let c = configuration.credentials[credentialIndex]
        phase = 0
        command("AT+USECMNG=4,\(c.type),\(c.name)", now)
    }

    mutating func credentialReply(ok: Bool, _ now: Duration) {
        let c = configuration.credentials[credentialIndex]
        let reported = responses.last { $0.name == "+USECMNG" }?.parameter(3)?.uppercased()
        switch phase {
        case 0 where ok && reported == c.md5:
            actions.append(.note("\(ATCatalog.credentialTypeName(c.type)) \"\(c.name)\" already stored (MD5 \(c.md5)): not uploaded"))
            credentialIndex += 1
            nextCredential(now)
        case 0:
            phase = 1
            command("AT+USECMNG=0,\(c.type),\(c.name),\(c.size)", now, waitingFor: "the > prompt for \(c.name)")
        case 1:
            // A final result instead of the prompt: the module refused the import.
            fail(.moduleError(.credentials, "the import of \"\(c.name)\" was refused (\(ok ? "OK without a prompt" : "ERROR"))"), now)
        default:
            guard ok else { return fail(.moduleError(.credentials, "the module rejected the bytes of \"\(c.name)\""), now) }
            guard reported == c.md5 else {
                return fail(.moduleError(.credentials, "the module stored \"\(c.name)\" with MD5 \(reported ?? "unknown"), expected \(c.md5): the upload was corrupted"), now)
            }
            credentialIndex += 1
            nextCredential(now)
        }
    }

    mutating func prompt(_ now: Duration) {
        guard step == .credentials, phase == 1 else {
            return fail(.moduleError(step ?? .detectMode, "protocol violation: a > prompt nobody asked for"), now)
        }
        let c = configuration.credentials[credentialIndex]
        phase = 2
        responses = []
        // Under replay the bytes are unknown: filler of the right size stands in.
        send(c.bytes ?? [UInt8](repeating: Redactor.filler, count: c.size), now)
        waitingFor = "the MD5 of \(c.name) after its upload"
    }

    // MARK: Wi-Fi

    func wifiCommands() -> [[UInt8]] {
        let c = configuration
        var commands = [Array("AT+UWSC=0,2,\(quotedIfNeeded(c.ssid))".utf8), Array("AT+UWSC=0,5,\(c.authentication)".utf8)]
        if c.authentication != 1 && c.authentication != 5 { commands.append(Array("AT+UWSC=0,8,".utf8) + c.passphrase) }
        commands.append(Array("AT+UWSCA=0,3".utf8))
        return commands
    }

    mutating func nextWiFiCommand(_ now: Duration) {
        let commands = wifiCommands()
        if phase < commands.count {
            command(commands[phase], now)
        } else {
            waitingFor = linkUp ? "+UUNU (network up)" : "+UUWLE (Wi-Fi link up)"
        }
        phase += 1
    }

    private func quotedIfNeeded(_ value: String) -> String {
        value.contains(",") || value.contains("\"") || value.hasPrefix(" ") ? "\"\(value)\"" : value
    }

    // MARK: MQTT peers

    func registerTopic() -> String { "$dps/registrations/PUT/iotdps-register/?$rid=\(requestID + 1)" }

    mutating func nextRequestID() -> Int {
        requestID += 1
        return requestID
    }

    /// The `AT+UDCP` URL of PROTOCOL.md section 3; values are not escaped (the module does
    /// not unescape), which is why the poll topic goes through `AT+UDUV` as `%%0`.
    func mqttURL(publishTopic: String, subscribe: Bool) -> String {
        let c = configuration
        let name = { (type: Int) in c.credentials.first { $0.type == type }?.name ?? "" }
        var url = "mqtt://\(c.dpsHost):\(c.dpsPort)/?client=\(c.registrationID)&user=\(c.idScope)/registrations/\(c.registrationID)/api-version=\(c.apiVersion)&pt=\(publishTopic)"
        if subscribe { url += "&st=$dps/registrations/res/#" }
        url += "&encr=3&keepAlive=\(c.keepAlive)&ca=\(name(0))&cert=\(name(1))&privKey=\(name(2))"
        return url
    }

    mutating func peerReply(_ now: Duration) {
        if step == .connectPoll, phase == 0 {
            phase = 1
            return command("AT+UDCP=" + mqttURL(publishTopic: "%%0", subscribe: false), now)
        }
        guard let handle = responses.last(where: { $0.name == "+UDCP" })?.integer(0) else {
            return fail(.moduleError(step ?? .connectRegister, "AT+UDCP answered OK without a peer handle"), now)
        }
        if step == .connectRegister { registerPeer = Peer(handle: handle) } else { pollPeer = Peer(handle: handle) }
        // Close it at the end even if it never connects.
        let connected = openPeers.contains(handle)
        if !connected { openPeers.append(handle) }
        waitingFor = "+UUDPC (MQTT peer \(handle) connected)"
        if step == .connectRegister { _ = nextRequestID() }
        if connected { peerConnected(handle, channel: nil, now) }
    }

    mutating func peerConnected(_ handle: Int, channel: UInt8?, _ now: Duration) {
        if registerPeer?.handle == handle {
            if let channel { registerPeer?.channel = channel }
            if step == .connectRegister, registerPeer?.channel != nil { advance(.done, now) }
        } else if pollPeer?.handle == handle {
            if let channel { pollPeer?.channel = channel }
            if step == .connectPoll, pollPeer?.channel != nil { advance(.done, now) }
        }
    }

    // MARK: DPS

    /// Publishes the registration (register step) or a poll (poll step) on its peer.
    mutating func publish(_ now: Duration) {
        if step == .register {
            var body = "{\"registrationId\":\"\(configuration.registrationID)\""
            if let payload = configuration.payload { body += ",\"payload\":\(payload)" }
            body += "}"
            send(EDMEncoder.dataCommand(channel: registerPeer?.channel ?? 0, data: Array(body.utf8)), now)
            waitingFor = "DPS's answer to the registration"
        } else {
            // DPS ignores the poll body; the SDKs send a space.
            send(EDMEncoder.dataCommand(channel: pollPeer?.channel ?? 0, data: [0x20]), now)
            lastPoll = now
            pollCount += 1
            waitingFor = "DPS's answer to poll \(pollCount)"
        }
    }

    mutating func dpsAnswer(_ payload: ArraySlice<UInt8>, _ now: Duration) {
        guard step == .register || step == .poll else {
            return actions.append(.note("ignored a DPS message outside the register and poll steps"))
        }
        guard let answer = DPSResponse(payload: payload) else {
            return actions.append(.note("ignored a message that is not a DPS answer: \(String(decoding: payload.prefix(60), as: UTF8.self))"))
        }
        switch answer.status {
        case .assigned:
            outcome = .assigned(hub: answer.assignedHub ?? "", deviceID: answer.deviceID ?? configuration.registrationID,
                                substatus: answer.substatus, body: answer.body.serialized)
            advance(.assigned, now)
        case .assigning, .unassigned:
            retries = 0
            if let id = answer.operationID, !id.isEmpty { operationID = id }
            advance(.assigning, now)
        case .error where answer.isRetryable:
            retries += 1
            guard retries <= configuration.retry.maximumAttempts else { return fail(.refused(answer), now) }
            retryDelay = configuration.retry.delay(attempt: retries) + configuration.retry.jitter * Double(rng.next() % 1000) / 1000
            actions.append(.note("\(answer.summary); retrying in \(seconds(retryDelay!)) s"))
            advance(.retry, now)
        default:
            fail(.refused(answer), now)
        }
    }
}
