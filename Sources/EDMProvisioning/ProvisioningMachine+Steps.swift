import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis
import EDMRender

/// What each step sends when it starts, when its timer fires and when a final result comes:
/// one switch over the state for each.
extension ProvisioningMachine {
    package mutating func enterStep(_ now: Duration) {
        switch state {
        case .notStarted:
            break
        case .detectingMode:
            command("AT", now, waitingFor: "any answer to AT (check power, baud rate and flow control)")
            timer = now + configuration.probeInterval
        case .leavingEDM:
            inEDM = true
            command("AT+CPWROFF", now)
        case .factoryResetting:
            guard configuration.factoryReset else { return advance(.skipped, now) }
            command("AT+UFACTORY", now)
        case .credentials(let index, _):
            nextCredential(index, now)
        case .enteringEDM:
            command("ATO2", now)
        case .wifi(let answered, let linkUp):
            nextWiFiCommand(answered: answered, linkUp: linkUp, now)
        case .connectingRegister:
            if case .symmetricKey(let token, let variable, _) = configuration.attestation {
                state = .connectingRegister(.settingPassword)
                command("AT+UDUV=\(variable),\(token)", now)
            } else {
                command("AT+UDCP=" + mqttURL(publishTopic: registerTopic(), subscribe: true), now)
            }
        case .registering(let attempt), .polling(let attempt):
            if let backoff = attempt.backoff {
                timer = now + backoff
                waitingFor = "the end of the pause before retrying"
            } else if case .polling = state, let last = dps.lastPoll, now < last + configuration.pollInterval {
                timer = last + configuration.pollInterval
                waitingFor = "the next poll time"
            } else {
                publish(now)
            }
        case .connectingPoll:
            let rid = nextRequestID()
            let query = "?$rid=\(rid)&operationId=\(dps.operationID ?? "")"
            command("AT+UDUV=0,$dps/registrations/GET/iotdps-get-operationstatus/" + query, now)
        case .closingPeers:
            closeNextPeer(now)
        case .poweringOff:
            guard inEDM else { return advance(.skipped, now) }
            command("AT+CPWROFF", now)
        }
    }

    package mutating func timerFired(_ now: Duration) {
        switch state {
        case .detectingMode(let probe):
            let next = probe + 1
            guard next < ProvisioningState.modeProbes else {
                return fail(.timedOut(.detectMode, waitingFor: waitingFor), now)
            }
            state = .detectingMode(probe: next)
            let what = waitingFor
            if next == 1 { inEDM = true }
            command("AT", now, waitingFor: what)
            inEDM = false
            timer = now + configuration.probeInterval
        case .enteringEDM:
            state = .enteringEDM(.probing)
            command("AT", now, waitingFor: "the EDM probe's AT confirmation")
        case .leavingEDM:
            state = .leavingEDM(.probing)
            probeAfterReboot(now)
        case .poweringOff:
            state = .poweringOff(.probing)
            probeAfterReboot(now)
        case .factoryResetting:
            state = .factoryResetting(.rebooting(.probing))
            probeAfterReboot(now)
        case .registering, .polling:
            publish(now)
        case .notStarted, .credentials, .wifi, .connectingRegister, .connectingPoll, .closingPeers:
            break
        }
    }

    /// No +STARTUP after the reboot (missed, or flushed by whoever recorded the trace): ask
    /// the module directly, in command mode where it now is.
    private mutating func probeAfterReboot(_ now: Duration) {
        inEDM = false
        command("AT", now, waitingFor: "+STARTUP or an answer to AT after the reboot")
    }

    /// A final result (text) or an AT confirmation ending in one.
    package mutating func reply(ok: Bool, _ unit: SessionUnit, _ now: Duration) {
        guard unit.reply != nil else {
            return fail(.moduleError(failingStep, "protocol violation: a reply came with no request pending"), now)
        }
        switch state {
        case .notStarted, .registering, .polling:
            break
        case .detectingMode:
            if unit.frame != nil { return advance(.foundEDM, now) }
            inEDM = false
            advance(.done, now)
        case .leavingEDM(let reboot):
            guard ok else { return refusedCommand(now) }
            rebootReplied(reboot, now) { .leavingEDM($0) }
        case .poweringOff(let reboot):
            guard ok else { return refusedCommand(now) }
            rebootReplied(reboot, now) { .poweringOff($0) }
        case .factoryResetting(let stage):
            guard ok else { return refusedCommand(now) }
            guard case .rebooting(let reboot) = stage else {
                state = .factoryResetting(.rebooting(.commandSent))
                return command("AT+CPWROFF", now)
            }
            rebootReplied(reboot, now) { .factoryResetting(.rebooting($0)) }
        case .credentials(let index, let stage):
            credentialReply(ok: ok, index, stage, now)
        case .enteringEDM(let entry):
            guard ok else { return refusedCommand(now) }
            guard entry == .switching else { return advance(.done, now) }
            // ATO2 answered: the module is in EDM, but frames sent too soon would be lost.
            inEDM = true
            state = .enteringEDM(.settling)
            timer = now + configuration.edmSettleTime
            waitingFor = "the EDM probe's AT confirmation"
        case .wifi(let answered, let linkUp):
            guard ok else { return refusedCommand(now) }
            nextWiFiCommand(answered: answered + 1, linkUp: linkUp, now)
        case .connectingRegister, .connectingPoll:
            guard ok else { return refusedCommand(now) }
            peerReply(now)
        case .closingPeers(let handle):
            // By handle: its +UUDPD may have come first and removed it already.
            peers.open.removeAll { $0 == handle }
            closeNextPeer(now)
        }
    }

    /// The OK of `AT+CPWROFF` starts the wait for `+STARTUP`; the OK of the probe after a
    /// missed one ends the step.
    private mutating func rebootReplied(_ reboot: ProvisioningState.Reboot, _ now: Duration,
                                        _ wrap: (ProvisioningState.Reboot) -> ProvisioningState) {
        guard reboot == .commandSent else { return advance(.done, now) }
        state = wrap(.awaitingStartup)
        waitingFor = "+STARTUP after the reboot"
        timer = now + configuration.rebootGrace
    }

    private mutating func refusedCommand(_ now: Duration) {
        let what = waitingFor.replacingPrefix("the reply to ", with: "")
        fail(.moduleError(failingStep, "\(what) was answered ERROR"), now)
    }

    /// The `>` of a credential import: the bytes go out raw.
    package mutating func prompt(_ now: Duration) {
        guard case .credentials(let index, .importing) = state else {
            return fail(.moduleError(failingStep, "protocol violation: a > prompt nobody asked for"), now)
        }
        let c = configuration.credentials[index]
        state = .credentials(index: index, stage: .uploading)
        responses = []
        // Under replay the bytes are unknown: filler of the right size stands in.
        send(c.bytes ?? [UInt8](repeating: Redactor.filler, count: c.size), now)
        waitingFor = "the MD5 of \(c.name) after its upload"
    }

    private mutating func closeNextPeer(_ now: Duration) {
        guard inEDM, let handle = peers.open.first else { return advance(.done, now) }
        state = .closingPeers(handle: handle)
        command("AT+UDCPC=\(handle)", now)
    }
}

extension String {
    package func replacingPrefix(_ prefix: String, with other: String) -> String {
        hasPrefix(prefix) ? other + dropFirst(prefix.count) : self
    }
}
