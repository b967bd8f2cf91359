import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis
import EDMRender

/// The register and poll steps: publishing on a DPS peer and reading DPS's answers.
extension ProvisioningMachine {
    /// Publishes the registration (register step) or a poll (poll step) on its peer.
    package mutating func publish(_ now: Duration) {
        if case .registering = state {
            var body = "{\"registrationId\":\"\(configuration.registrationID)\""
            if let payload = configuration.payload { body += ",\"payload\":\(payload)" }
            body += "}"
            send(EDMEncoder.dataCommand(channel: peers.register?.channel ?? 0, data: Array(body.utf8)), now)
            waitingFor = "DPS's answer to the registration"
        } else {
            // DPS ignores the poll body; the SDKs send a space.
            send(EDMEncoder.dataCommand(channel: peers.poll?.channel ?? 0, data: [0x20]), now)
            dps.lastPoll = now
            dps.polls += 1
            waitingFor = "DPS's answer to poll \(dps.polls)"
        }
    }

    /// Data on a DPS peer: an answer to the request that is out, if one is.
    package mutating func dpsAnswer(_ payload: ArraySlice<UInt8>, _ now: Duration) {
        let attempt: ProvisioningState.DPSAttempt
        switch state {
        case .registering(let a), .polling(let a): attempt = a
        default: return actions.append(.note(.dpsMessageOutsideRequest))
        }
        guard let answer = DPSResponse(payload: payload) else {
            return actions.append(.note(.notADPSAnswer(start: String(decoding: payload.prefix(60), as: UTF8.self))))
        }
        switch answer.status {
        case .assigned:
            let device = answer.deviceID ?? configuration.registrationID
            outcome = .assigned(hub: answer.assignedHub ?? "", deviceID: device, substatus: answer.substatus,
                                body: answer.body.serialized)
            advance(.assigned, now)
        case .assigning, .unassigned:
            if let id = answer.operationID, !id.isEmpty { dps.operationID = id }
            advance(.assigning, now)
        case .error where answer.isRetryable:
            let retries = attempt.retries + 1
            guard retries <= configuration.retry.maximumAttempts else { return fail(.refused(answer), now) }
            let jitter = configuration.retry.jitter * Double(rng.next() % 1000) / 1000
            let backoff = configuration.retry.delay(attempt: retries) + jitter
            actions.append(.note(.retrying(answer, backoff: backoff)))
            let again = ProvisioningState.DPSAttempt(retries: retries, backoff: backoff)
            let next: ProvisioningState = if case .polling = state { .polling(again) } else { .registering(again) }
            advance(.retry, now, into: next)
        default:
            fail(.refused(answer), now)
        }
    }
}
