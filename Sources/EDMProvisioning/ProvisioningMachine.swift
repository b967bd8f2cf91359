import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis
import EDMRender

/// The DPS provisioning flow as a value: bytes and time in, actions out, no I/O.
///
/// Inputs are `start(now:)`, `receive(_:now:)` with what the module wrote, `timeout(now:)`
/// when the last `.wake(at:)` time has come, and `cancel(now:)` (Ctrl-C). Each returns the
/// actions to carry out in order. The machine reads the module's bytes through a
/// `SessionDecoder`, into which it also feeds what it sends, so both sides of the
/// conversation are followed exactly as `edm-decode` would show them. Steps move only along
/// `ProvisioningStep.transitions`; every failure sets the outcome and goes through cleanup
/// (close peers, reboot to command mode) before `.finished`.
public struct ProvisioningMachine: Sendable {
    public let configuration: ProvisioningConfiguration
    /// Nil before `start(now:)`; the last step (power off) once finished.
    public var step: ProvisioningStep? { state.step }
    /// Set when the run fails or succeeds; final once `.finished` was returned.
    public internal(set) var outcome: ProvisioningOutcome?
    public internal(set) var isFinished = false

    /// The step and how far it has got.
    package var state = ProvisioningState.notStarted
    package var decoder = SessionDecoder()
    package var rng: SplitMix64
    package var actions: [ProvisioningAction] = []
    package var runStart: Duration = .zero
    package var stepStart: Duration = .zero
    /// A pause inside the step: probe retry, EDM settle time, poll pacing, backoff.
    package var timer: Duration?
    /// What the step waits for, for the timeout sentence.
    package var waitingFor = "the module"
    package var inEDM = false
    /// Information lines received since the last command.
    package var responses: [ATCommandLine] = []
    package var peers = Peers()
    package var dps = DPSConversation()

    /// The module's peers as the run knows them. They outlive the step that opened them:
    /// DPS answers arrive on them, losing one fails the run, and cleanup closes every one.
    package struct Peers: Hashable, Sendable {
        /// Handles of the peers to close at the end, in the order they appeared.
        package var open: [Int] = []
        package var register: Peer?
        package var poll: Peer?

        package func isDPS(handle: Int) -> Bool { [register?.handle, poll?.handle].contains(handle) }
        package func isDPS(channel: UInt8) -> Bool { [register?.channel, poll?.channel].contains(channel) }
    }

    /// An MQTT peer the machine opened (its handle), and its channel once connected.
    package struct Peer: Hashable, Sendable {
        package var handle: Int
        /// The EDM channel, known once the module reported the peer connected.
        package var channel: UInt8?
    }

    /// What the DPS requests of the register and poll steps share.
    package struct DPSConversation: Hashable, Sendable {
        /// The last `$rid` used; every request takes the next.
        package var requestID = 0
        package var operationID: String?
        package var polls = 0
        package var lastPoll: Duration?
    }

    public init(configuration: ProvisioningConfiguration) {
        self.configuration = configuration
        rng = SplitMix64(seed: configuration.seed)
    }

    /// When the machine wants `timeout(now:)` at the latest; nil once finished.
    public var nextDeadline: Duration? {
        guard let deadline = stepDeadline else { return nil }
        return timer.map { min($0, deadline) } ?? deadline
    }

    /// The step's own deadline, capped by the overall one (cleanup steps are not capped:
    /// they must get their chance after a run that timed out).
    private var stepDeadline: Duration? {
        guard let step, !isFinished else { return nil }
        let overall = runStart + configuration.overallDeadline
        let own = configuration.deadlines[step].map { stepStart + $0 } ?? overall
        return step.isCleanup ? own : min(own, overall)
    }

    public mutating func start(now: Duration) -> [ProvisioningAction] {
        precondition(step == nil && !isFinished, "start once")
        runStart = now
        begin(.detectMode, now)
        return flush()
    }

    public mutating func receive(_ bytes: ArraySlice<UInt8>, now: Duration) -> [ProvisioningAction] {
        guard !isFinished else { return [] }
        decoder.receive(time: now, direction: .module, bytes: bytes)
        while let unit = decoder.next(), !isFinished {
            if unit.direction == .module { handle(unit, now) }
        }
        return flush()
    }

    public mutating func timeout(now: Duration) -> [ProvisioningAction] {
        guard let step, !isFinished else { return [] }
        if let timer, now >= timer, let deadline = stepDeadline, now < deadline {
            self.timer = nil
            timerFired(now)
        } else if let deadline = stepDeadline, now >= deadline {
            if step.isCleanup {
                actions.append(.note(.cleanupUnanswered(step)))
                advance(.failed, now)
            } else {
                fail(.timedOut(step, waitingFor: waitingFor), now)
            }
        }
        return flush()
    }

    /// Ctrl-C: close the peers and reboot the module to command mode, then finish cancelled.
    public mutating func cancel(now: Duration) -> [ProvisioningAction] {
        guard let step, !isFinished, !step.isCleanup else { return [] }
        fail(.cancelled, now)
        return flush()
    }

    // MARK: - Moving between steps

    /// Starts `next` in `entered`, or in the state the step starts in.
    package mutating func begin(_ next: ProvisioningStep, _ now: Duration, in entered: ProvisioningState? = nil) {
        state = entered ?? .start(of: next)
        precondition(state.step == next, "step \(next) entered in state \(state)")
        stepStart = now
        timer = nil
        actions.append(.stepStarted(next))
        enterStep(now)
    }

    /// Ends the step with `result` and begins the one the table names (in `entered`, if given).
    package mutating func advance(_ result: StepResult, _ now: Duration, into entered: ProvisioningState? = nil) {
        guard let current = step else { return }
        guard let next = ProvisioningStep.next(after: current, on: result == .skipped ? .done : result) else {
            preconditionFailure("no transition from \(current) on \(result): the table and the machine disagree")
        }
        // (A step with nothing to do is not shown as started: it only says it was skipped.)
        if result == .skipped, case .stepStarted(current)? = actions.last { actions.removeLast() }
        actions.append(.stepFinished(current, result))
        if let next {
            begin(next, now, in: entered)
        } else {
            isFinished = true
            timer = nil
            actions.append(.finished(outcome ?? .moduleError(current, "the run ended without an outcome")))
        }
    }

    /// Records why the run failed (the first reason wins) and heads for cleanup.
    package mutating func fail(_ reason: ProvisioningOutcome, _ now: Duration) {
        guard let step, !step.isCleanup else { return }
        if outcome == nil { outcome = reason }
        advance(.failed, now)
    }

    /// The step that a failure is reported in.
    package var failingStep: ProvisioningStep { step ?? .detectMode }

    // MARK: - Sending

    /// Sends an AT command line, as text in command mode or as an EDM AT request.
    package mutating func command(_ text: [UInt8], _ now: Duration, waitingFor what: String? = nil) {
        responses = []
        let line = text + [0x0D]
        send(inEDM ? EDMEncoder.atRequest(String(decoding: line, as: UTF8.self)) : line, now)
        waitingFor = what ?? "the reply to AT" + String(decoding: ATText.commandName(text[...]), as: UTF8.self)
    }

    package mutating func command(_ text: String, _ now: Duration, waitingFor what: String? = nil) {
        command(Array(text.utf8), now, waitingFor: what)
    }

    package mutating func send(_ bytes: [UInt8], _ now: Duration) {
        actions.append(.send(bytes))
        decoder.receive(time: now, direction: .host, bytes: bytes[...])
        // Our own units are not acted on, but the decoder must see them now to keep order.
        while let unit = decoder.next() {
            if unit.direction == .module { handle(unit, now) }
        }
    }

    private mutating func flush() -> [ProvisioningAction] {
        if let deadline = nextDeadline { actions.append(.wake(at: deadline)) }
        defer { actions = [] }
        return actions
    }
}
