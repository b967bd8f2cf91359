import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis
import EDMRender

/// What each step sends and how it reads the module's answers.
extension ProvisioningMachine {
    mutating func startStep(_ now: Duration) {
        switch step {
        case .detectMode:
            command("AT", now, waitingFor: "any answer to AT (check power, baud rate and flow control)")
            timer = now + configuration.probeInterval
        case .leaveEDM:
            inEDM = true
            command("AT+CPWROFF", now)
        case .factoryReset:
            guard configuration.factoryReset else { return advance(.done, now) }
            command("AT+UFACTORY", now)
        case .credentials:
            credentialIndex = 0
            nextCredential(now)
        case .enterEDM:
            command("ATO2", now)
        case .wifi:
            linkUp = false
            nextWiFiCommand(now)
        case .connectRegister:
            command("AT+UDCP=" + mqttURL(publishTopic: registerTopic(), subscribe: true), now)
        case .register, .poll:
            if let delay = retryDelay {
                retryDelay = nil
                timer = now + delay
                waitingFor = "the end of the pause before retrying"
            } else if step == .poll, let last = lastPoll, now < last + configuration.pollInterval {
                timer = last + configuration.pollInterval
                waitingFor = "the next poll time"
            } else {
                publish(now)
            }
        case .connectPoll:
            command("AT+UDUV=0,$dps/registrations/GET/iotdps-get-operationstatus/?$rid=\(nextRequestID())&operationId=\(operationID ?? "")", now)
        case .closePeers:
            guard inEDM, let handle = openPeers.first else { return advance(.done, now) }
            phase = handle  // the peer being closed
            command("AT+UDCPC=\(handle)", now)
        case .powerOff:
            guard inEDM else { return advance(.done, now) }
            command("AT+CPWROFF", now)
        case nil:
            break
        }
    }

    mutating func timerFired(_ now: Duration) {
        switch step {
        case .detectMode:
            phase += 1
            guard phase < 3 else { return fail(.timedOut(.detectMode, waitingFor: waitingFor), now) }
            // Second try as an EDM AT request (a module left in EDM ignores plain text),
            // third as plain text again (a module that was still booting).
            let what = waitingFor
            if phase == 1 { inEDM = true }
            command("AT", now, waitingFor: what)
            inEDM = false
            timer = now + configuration.probeInterval
        case .enterEDM:
            command("AT", now, waitingFor: "the EDM probe's AT confirmation")
        case .leaveEDM, .powerOff, .factoryReset:
            // No +STARTUP after the reboot (missed, or flushed by whoever recorded the trace):
            // ask the module directly, in command mode where it now is.
            phase += 1
            inEDM = false
            command("AT", now, waitingFor: "+STARTUP or an answer to AT after the reboot")
        case .register, .poll:
            publish(now)
        default:
            break
        }
    }

    // MARK: - Reading the module

    mutating func handle(_ unit: SessionUnit, _ now: Duration) {
        switch unit.kind {
        case .raw, .at(.echo):
            return  // boot noise, line garbage and echo carry nothing to act on
        case .at(.response):
            if let text = unit.text { responses.append(ATCommandLine(text)) }
        case .at(.urc):
            if let text = unit.text { urc(ATCommandLine(text), link: unit.link, now) }
        case .at(.prompt):
            prompt(now)
        case .at(.final):
            reply(ok: unit.text == "OK", unit, now)
        case .at(.command):
            return
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
            guard let channel = frame.channel, [registerPeer?.channel, pollPeer?.channel].contains(channel) else {
                actions.append(.note("ignored data on channel \(frame.channel.map(String.init) ?? "?"), which no peer of ours uses"))
                return
            }
            dpsAnswer(frame.data ?? [], now)
        default:
            return  // connect and disconnect events: the +UUDPC / +UUDPD that follow say it all
        }
    }

    /// A final result (text) or an AT confirmation ending in one.
    private mutating func reply(ok: Bool, _ unit: SessionUnit, _ now: Duration) {
        guard unit.reply != nil else {
            return fail(.moduleError(step ?? .detectMode, "protocol violation: a reply came with no request pending"), now)
        }
        switch step {
        case .detectMode:
            if unit.frame != nil { return advance(.foundEDM, now) }
            inEDM = false
            advance(.done, now)
        case .leaveEDM, .powerOff:
            guard ok else { return refusedCommand(now) }
            if phase == 2 { return advance(.done, now) }   // the probe after a missed +STARTUP
            phase = 1
            awaitReboot(now)
        case .factoryReset:
            guard ok else { return refusedCommand(now) }
            switch phase {
            case 0:
                phase = 1
                command("AT+CPWROFF", now)
            case 1:
                phase = 2
                awaitReboot(now)
            default:
                advance(.done, now)
            }
        case .credentials:
            credentialReply(ok: ok, now)
        case .enterEDM:
            guard ok else { return refusedCommand(now) }
            if phase == 0 {
                // ATO2 answered: the module is in EDM; wait before the first frame (≥ 50 ms).
                inEDM = true
                phase = 1
                timer = now + .milliseconds(50)
                waitingFor = "the EDM probe's AT confirmation"
            } else {
                advance(.done, now)
            }
        case .wifi:
            guard ok else { return refusedCommand(now) }
            nextWiFiCommand(now)
        case .connectRegister, .connectPoll:
            guard ok else { return refusedCommand(now) }
            peerReply(now)
        case .closePeers:
            // By handle: its +UUDPD may have come first and removed it already.
            openPeers.removeAll { $0 == phase }
            startStep(now)
        case .register, .poll, nil:
            break
        }
    }

    /// After a reboot's OK: wait for +STARTUP, and probe if it does not come in time.
    private mutating func awaitReboot(_ now: Duration) {
        waitingFor = "+STARTUP after the reboot"
        timer = now + configuration.rebootGrace
    }

    private mutating func refusedCommand(_ now: Duration) {
        let what = waitingFor.replacingPrefix("the reply to ", with: "")
        fail(.moduleError(step ?? .detectMode, "\(what) was answered ERROR"), now)
    }

    private mutating func urc(_ line: ATCommandLine, link: SessionUnit.Link?, _ now: Duration) {
        guard let step else { return }
        switch line.name {
        case "+STARTUP":
            let expected = step == .detectMode || (step == .leaveEDM || step == .powerOff) && phase >= 1 || step == .factoryReset && phase >= 2
            // In command mode a +STARTUP may be the power-up greeting read late (the reference
            // log shows it in the reply to AT+UFACTORY); only in EDM is it surely a reboot.
            if !expected, !inEDM {
                return actions.append(.note("the module printed +STARTUP in command mode (a late power-up greeting or a reboot)"))
            }
            inEDM = false
            openPeers = []
            guard expected else {
                if step.isCleanup { return advance(.failed, now) }
                return fail(.moduleError(step, "the module restarted by itself (+STARTUP)"), now)
            }
            if step != .detectMode { advance(.done, now) }
        case "+UUWLE":
            linkUp = true
            if step == .wifi { waitingFor = "+UUNU (network up)" }
        case "+UUNU":
            if step == .wifi, linkUp, phase > wifiCommands().count { advance(.done, now) }
        case "+UUWLD":
            guard !step.isCleanup, step != .detectMode, step != .credentials else { return }
            let why = ATCatalog.explain(line) ?? "Wi-Fi link down"
            fail(.networkError(step, "\(why) (+UUWLD reason \(line.integer(1).map(String.init) ?? "?"))."), now)
        case "+UUDPC":
            guard let handle = line.integer(0) else { return }
            if !openPeers.contains(handle) { openPeers.append(handle) }
            peerConnected(handle, channel: link?.channel, now)
        case "+UUDPD":
            guard let handle = line.integer(0) else { return }
            openPeers.removeAll { $0 == handle }
            guard !step.isCleanup, [registerPeer?.handle, pollPeer?.handle].contains(handle) else { return }
            fail(.networkError(step, "The MQTT connection to \(configuration.dpsHost) was refused or dropped (peer \(handle)): check that the certificate's CN equals the registration id, the key matches it, and the CA is the DPS root."), now)
        default:
            return
        }
    }
}

extension String {
    func replacingPrefix(_ prefix: String, with other: String) -> String {
        hasPrefix(prefix) ? other + dropFirst(prefix.count) : self
    }
}
