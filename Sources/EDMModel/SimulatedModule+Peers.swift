import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis
import EDMRender
import EDMProvisioning

/// MQTT peers (`AT+UDCP`, `AT+UDUV`, `AT+UDCPC`) and the data that flows through them to DPS.
///
/// Peer handles are numbered 2, 4, 6, … in the order `AT+UDCP` is accepted since the last
/// restart, never reused, matching the reference (2 then 4; the firmware's own rule is not
/// documented). EDM channels are the lowest not held by an open peer: 0, 1, … A refused peer
/// gets a handle but no channel.
extension SimulatedModule {
    /// An MQTT peer the host asked for, and where its connection stands.
    package struct Peer: Sendable {
        package var handle: Int
        package var url: PeerURL
        package var channel: UInt8?
        /// When the connect event goes out; nil for a refused peer (it never connects).
        package var connectedAt: Duration?
    }

    /// The longest value `AT+UDUV` takes (assumed: not documented by u-blox).
    package static let maxURLVariableLength = 256

    /// Every host resolves here: the address DPS had in the reference session.
    package static let remoteAddress: [UInt8] = [20, 43, 44, 164]

    package mutating func urlVariable(_ line: ATCommandLine, _ request: Request) {
        guard let index = line.integer(0), (0...9).contains(index), let value = line.rest(from: 1)?.text else {
            return refuse(request, "bad URL variable \(line.rendered)")
        }
        // The module's limit on a variable is not documented; this one is an assumption, so that a
        // host meets a refusal when its token or topic is implausibly long.
        guard value.utf8.count <= scenario.maxURLVariableLength else {
            return refuse(request,
                "URL variable \(index) is \(value.utf8.count) bytes; the module takes \(scenario.maxURLVariableLength)")
        }
        urlVariables[index] = value
        acknowledge(request)
    }

    package mutating func connectPeer(_ line: ATCommandLine, _ request: Request) {
        guard let text = line.rest(from: 0)?.text else { return refuse(request, "AT+UDCP without a URL") }
        guard let url = PeerURL(text,
            variables: urlVariables), let port = url.port, !url.host.isEmpty, !url.usesUnsetVariable else {
            return refuse(request, "URL not understood or uses an unset variable: \(text)")
        }
        guard url.scheme.lowercased() == "mqtt" else { return refuse(request, "only mqtt:// peers are modelled") }
        let handle = nextHandle
        nextHandle += 2
        let known = wifi.knownHosts.contains(url.host)
        let replyTime = reply(request, ["+UDCP:\(handle)"], after: known ? timing.peerReplyCached : timing.peerReply)
        if let reason = refusal(of: url, at: request.time) {
            peers.append(Peer(handle: handle, url: url))
            output.add(.urc("+UUDPD:\(handle)"), at: after(replyTime, timing.peerRefused), peer: handle)
            note(request.time, "peer \(handle) refused: \(reason)")
            return
        }
        if !known { wifi.knownHosts.append(url.host) }
        var channel: UInt8 = 0
        while peers.contains(where: { $0.channel == channel }) { channel += 1 }
        let connectTime = after(replyTime, known ? timing.peerConnectCached : timing.peerConnect)
        peers.append(Peer(handle: handle, url: url, channel: channel, connectedAt: connectTime))
        let link = EDMConnectEvent.Link.ipv4(protocol: 2, remote: Self.remoteAddress, remotePort: UInt16(port),
                                             local: [0, 0, 0, 0], localPort: 0)
        output.add(.frame(EDMEncoder.connectEvent(EDMConnectEvent(channel: channel, link: link))), at: connectTime,
            peer: handle)
        let remote = Self.remoteAddress.map(String.init).joined(separator: ".")
        output.add(
            .urc("+UUDPC:\(handle),2,6,0.0.0.0,0,\(remote),\(port)"),
            at: after(connectTime, timing.peerConnectedURC), peer: handle)
        note(
            request.time,
            "peer \(handle) on channel \(channel): client \(url.clientID ?? ""), publishes "
                + "to \(url.publishTopic ?? "nothing"), connects at \(stamp(connectTime))"
        )
    }

    /// Why DPS (or the module) would refuse this connection, or nil. DPS wants TLS 1.2 with a
    /// client certificate (X.509) or a password (SAS), and a user name naming the client id.
    private func refusal(of url: PeerURL, at time: Duration) -> String? {
        if scenario == .mqttRefused { return "the scenario refuses every MQTT connection" }
        guard let upTime = wifi.networkUpAt, upTime <= time else { return "the network is not up" }
        guard let client = url.clientID, !client.isEmpty else { return "no client id" }
        guard let user = url.query("user"), user.contains("/registrations/\(client)/") else {
            return "user name does not name client \(client)"
        }
        guard url.query("encr") == "3" else { return "DPS needs TLS 1.2 (encr=3)" }
        let names: [(String, StoredCredential.Kind)] = [("ca", .rootCA), ("cert", .clientCertificate), ("privKey",
            .clientPrivateKey)]
        for (key, kind) in names {
            guard let name = url.query(key) else { continue }
            guard credentials.contains(where: { $0.kind == kind && $0.name == name }) else {
                return "no \(key) credential named \(name)"
            }
        }
        if url.query("passwd") == nil, url.query("cert") == nil || url.query("privKey") == nil {
            return "neither a client certificate and key nor a password"
        }
        return nil
    }

    package mutating func closePeer(_ line: ATCommandLine, _ request: Request) {
        guard let handle = line.integer(0), peers.contains(where: { $0.handle == handle }) else {
            return refuse(request, "no open peer \(line.parameter(0) ?? "")")
        }
        let ok = acknowledge(request)
        dropPeer(handle, at: after(ok, timing.peerClose), now: request.time)
    }

    /// Closes a peer: what it still had to send is withdrawn; a disconnect event if its
    /// connect event went out, then `+UUDPD`.
    package mutating func dropPeer(_ handle: Int, at time: Duration, now: Duration) {
        guard let index = peers.firstIndex(where: { $0.handle == handle }) else { return }
        let peer = peers.remove(at: index)
        output.withdraw(peer: handle, after: now)
        if let channel = peer.channel, let connected = peer.connectedAt, connected <= now {
            output.add(.frame(EDMEncoder.disconnectEvent(channel: channel)), at: time)
        }
        output.add(.urc("+UUDPD:\(handle)"), at: time)
        note(now, "peer \(handle) closed")
    }

    /// A data command publishes its bytes on the peer's publish topic. DPS answers on the
    /// channel of the peer subscribed to `$dps/registrations/res/#`, whichever peer published
    /// (in the reference both answers come on channel 0).
    package mutating func dataCommand(channel: UInt8, data: ArraySlice<UInt8>, now: Duration) {
        guard let peer = peers.first(where: { $0.channel == channel
            && ($0.connectedAt ?? now + .seconds(1)) <= now }) else {
            return note(now, "data on channel \(channel) with no connected peer: lost")
        }
        guard let topic = peer.url.publishTopic else { return note(now,
            "peer \(peer.handle) has no publish topic: data lost") }
        guard let answer = dps.publish(topic: topic, payload: data, clientID: peer.url.clientID ?? "",
            signIn: peer.url.signIn, now: now) else {
            return note(now, "published \(data.count) byte(s) to \(topic): no answer")
        }
        let time = after(now, answer.request == .register ? timing.dpsRegister : timing.dpsPoll)
        guard let subscriber = peers.first(where: { Self.subscribesToDPS($0)
            && ($0.connectedAt ?? time + .seconds(1)) <= time }),
              let answerChannel = subscriber.channel else {
            return note(now, "published to \(topic); no peer subscribed to \(SimulatedDPS.responseTopic)#: answer lost")
        }
        output.add(.frame(EDMEncoder.dataEvent(channel: answerChannel, data: Array(answer.body.utf8))), at: time,
            peer: subscriber.handle)
        note(now, "published to \(topic); DPS answers on channel \(answerChannel) at \(stamp(time))")
    }

    private static func subscribesToDPS(_ peer: Peer) -> Bool {
        guard let topic = peer.url.subscribeTopic else { return false }
        return topic == SimulatedDPS.responseTopic + "#" || topic.hasPrefix(SimulatedDPS.responseTopic)
    }

    /// `0x0056`: the module sends the connect events of its open links again.
    package mutating func resendConnectEvents(now: Duration) {
        let time = after(now, timing.edmReply)
        for peer in peers.sorted(by: { ($0.channel ?? .max) < ($1.channel ?? .max) }) {
            guard let channel = peer.channel, let connected = peer.connectedAt, connected <= now else { continue }
            let link = EDMConnectEvent.Link.ipv4(protocol: 2, remote: Self.remoteAddress,
                remotePort: UInt16(peer.url.port ?? 0),
                                                 local: [0, 0, 0, 0], localPort: 0)
            output.add(.frame(EDMEncoder.connectEvent(EDMConnectEvent(channel: channel, link: link))), at: time,
                peer: peer.handle)
        }
    }
}

extension PeerURL {
    /// A SAS token in `passwd=` (after its URL variable is substituted), else the certificate.
    package var signIn: SimulatedDPS.SignIn {
        guard let password = query("passwd"), password.hasPrefix(SASToken.prefix) else { return .certificate }
        // `user={idScope}/registrations/{registrationId}/api-version=…`
        let idScope = (query("user") ?? "").split(separator: "/").first.map(String.init) ?? ""
        return .sasToken(password, idScope: idScope)
    }

    package var clientID: String? { query("client") }
    package var publishTopic: String? { query("pt") }
    package var subscribeTopic: String? { query("st") }
}
