import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis
import EDMRender
import EDMProvisioning

/// A deterministic model of a NINA-W15 on a UART, with Azure DPS behind its MQTT peers.
///
/// Sans-I/O: a value that takes the host's bytes with the time they arrived, and gives back
/// the bytes the module writes with the time it writes them. It never reads a clock or draws
/// system randomness, so the same seed and the same host bytes at the same times give the
/// same output, byte for byte. Time is a `Duration` since the session's start and must not
/// go backwards between calls.
///
///     var module = SimulatedModule(scenario: .assigned)
///     module.receive(Array("AT\r".utf8)[...], now: .milliseconds(5))
///     module.takeOutput(until: .milliseconds(20))   // [(6 ms, "AT\r"), (17 ms, "\r\nOK\r\n")]
///
/// What it models (docs/protocol.md): command mode with echo, the credential
/// store with real MD5s, `ATO2` into EDM, AT requests and confirmations, Wi-Fi, MQTT peers
/// with URL variables, data to and from DPS, reboots with boot noise. Its facts come from a
/// `ModuleProfile`: a scenario's, which changes one thing at a time (see `SimulatorScenario`),
/// or a trace's, whose recorded answers it plays where the host asks the same
/// (`SimulatedModule+Playback`) and whose failure it keeps up where it answers itself.
public struct SimulatedModule: Sendable {
    public let profile: ModuleProfile
    /// How the module and DPS behave where nothing recorded answers.
    public var scenario: SimulatorScenario { profile.behaviour }
    /// The latencies in force (the `slow` scenario's are already multiplied).
    public let timing: SimulatorTiming
    /// What the model did and why, one line per decision, for debugging (deterministic).
    public private(set) var log: [String] = []

    package var random: SplitMix64
    package var output: OutputSchedule
    package var dps: SimulatedDPS
    /// The latest time seen; earlier times are taken as this one.
    package var clock: Duration = .zero

    // MARK: Host input
    package var decoder = SessionDecoder()
    /// Bytes given to `decoder` that no unit has covered yet, from stream offset `hostBase`:
    /// kept so the decoder can be restarted on them (see `resynchronizeHost`).
    package var hostBacklog: [UInt8] = []
    package var hostBase = 0
    /// Set by a handler when the decoder expects credential bytes that the module refused.
    package var resyncRequested = false

    // MARK: Module state
    /// The module reads frames (EDM) rather than text lines.
    package var inputEDM = false
    /// Frames that arrive before this time (50 ms after the `OK` to `ATO2`) are lost.
    package var edmReadyAt: Duration = .zero
    package var echo = true
    /// The AT parser works one command at a time: a command that arrives before the previous
    /// one's final result (or prompt) is taken up only then.
    package var busyUntil: Duration = .zero
    /// Input is ignored until `+STARTUP` (the module is booting).
    package var bootingUntil: Duration?
    package var pendingReboot: (at: Duration, reason: String)?
    package var factoryResetPending = false
    package var spontaneousRebootDone = false
    /// Sorted by type, then name.
    package var credentials: [StoredCredential]
    package var pendingImport: PendingImport?
    package var wifi = WiFiState()
    package var urlVariables: [Int: String] = [:]
    /// Open peers, in handle order.
    package var peers: [Peer] = []
    package var nextHandle = 2
    /// The access point this module joins: drawn once from the seed.
    package let bssid: String
    package let wifiChannel: Int

    // MARK: Answers
    /// The recorded exchanges still to play (the profile's recording).
    package var recording: RecordedExchanges
    /// How each host request was answered, in order.
    public package(set) var answers: [AnswerNote] = []
    /// Lines for the live report not yet taken: each answer, and each reboot the model made.
    package var reportLines: [String] = []
    /// Set when the model answered `ERROR` to a command it does not know.
    package var refusedUnknown = false
    /// The registration id this host sent DPS, put in recorded DPS answers.
    package var hostRegistrationID: String?

    public init(scenario: SimulatorScenario, seed: UInt64 = 0, timing: SimulatorTiming = .reference,
                store: [StoredCredential] = [], dps: SimulatedDPS.Configuration = .init()) {
        self.init(profile: scenario.profile(timing: timing, dps: dps), seed: seed, store: store)
    }

    public init(profile: ModuleProfile, seed: UInt64 = 0, store: [StoredCredential] = []) {
        self.profile = profile
        timing = profile.timing
        recording = profile.recording
        var random = SplitMix64(seed: seed)
        // Separate streams, so that (say) line noise never shifts the ids DPS hands out.
        dps = SimulatedDPS(scenario: profile.behaviour, configuration: profile.dps, random: random.fork())
        output = OutputSchedule(lineNoise: profile.behaviour.corruptsLine ? random.fork() : nil)
        let drawnBSSID = hexString((0..<6).map { _ in random.byte() })
        let drawnChannel = random.within(1...11)
        bssid = profile.bssid ?? drawnBSSID
        wifiChannel = profile.wifiChannel ?? drawnChannel
        self.random = random
        credentials = store.sorted(by: StoredCredential.precedes)
        if profile.startsInEDM {
            inputEDM = true
            output.switchMode(edm: true, at: .zero)
            note(.zero, "starts in EDM, left there by an earlier run")
        }
        for unit in recording.opening { output.add(.text(Array(unit.bytes)), at: unit.time) }
    }

    /// The model of the module a trace recorded: its profile, its exchanges played where the
    /// host asks the same.
    public init(trace records: [TraceRecord], seed: UInt64 = 0) {
        var decoder = SessionDecoder()
        var units: [SessionUnit] = []
        for record in RecordedExchanges.closingElidedUploads(records) {
            decoder.receive(record)
            while let unit = decoder.next() { units.append(unit) }
        }
        decoder.finish()
        while let unit = decoder.next() { units.append(unit) }
        self.init(profile: ModuleProfile(trace: units), seed: seed)
    }

    // MARK: - The sans-I/O interface

    /// Bytes the host wrote, arriving at `now`. Schedules the module's answers.
    public mutating func receive(_ bytes: ArraySlice<UInt8>, now: Duration) {
        let now = advance(to: now)
        if let until = bootingUntil, now < until {
            note(now, "booting: \(bytes.count) byte(s) from the host lost")
            return
        }
        bootingUntil = nil
        hostBacklog.append(contentsOf: bytes)
        decoder.receive(time: now, direction: .host, bytes: bytes)
        var consumed = hostBase
        while let unit = decoder.next() {
            consumed = unit.offset + unit.bytes.count
            handle(unit, now: now)
            if resyncRequested {
                resynchronizeHost(after: consumed, now: now)
                consumed = 0
            }
        }
        hostBacklog.removeFirst(consumed - hostBase)
        hostBase = consumed
    }

    /// Time of the next output, nil if nothing is scheduled.
    public var nextOutputTime: Duration? {
        let reboot = pendingReboot?.at
        if let time = output.nextTime(notAfter: reboot) { return time }
        // A pending reboot cancels what comes after it; its boot noise comes next.
        return reboot.map { $0 + timing.bootNoise }
    }

    /// Removes and returns every output chunk due at or before `now`, in order, each with its time.
    public mutating func takeOutput(until now: Duration) -> [(time: Duration, bytes: [UInt8])] {
        output.take(until: advance(to: now))
    }

    /// The module is powered on at `now`: boot noise, then `+STARTUP`, then command mode with
    /// echo on. Without this call the module is already up and idle at time zero.
    public mutating func powerOn(now: Duration) {
        let now = advance(to: now)
        restart(at: now, reason: "power on")
    }

    // MARK: - Host input

    /// Starts a fresh decoder on the bytes after stream offset `end`: used when the module
    /// refused a credential import whose raw bytes the decoder would otherwise wait for.
    private mutating func resynchronizeHost(after end: Int, now: Duration) {
        resyncRequested = false
        let rest = Array(hostBacklog[(end - hostBase)...])
        decoder = SessionDecoder()
        hostBacklog = rest
        hostBase = 0
        if !rest.isEmpty { decoder.receive(time: now, direction: .host, bytes: rest[...]) }
    }

    private mutating func handle(_ unit: SessionUnit, now: Duration) { answer(unit, now: now) }

    /// The model's own answer to a host unit.
    package mutating func respond(_ unit: SessionUnit, now: Duration) {
        if let frame = unit.frame {
            guard inputEDM else { return note(now, "EDM frame in command mode ignored") }
            guard now >= edmReadyAt else {
                return note(now, "frame less than \(timing.edmSettle) after ATO2's OK: lost")
            }
            handle(frame, now: now)
            return
        }
        switch unit.type {
        case "command":
            guard !inputEDM else { return note(now, "plain text in EDM ignored: \(unit.text ?? "")") }
            let start = max(now, busyUntil)
            if echo { output.add(.text(Array(unit.bytes)), at: after(start, timing.echo)) }
            execute(ATCommandLine(bytes: unit.bytes), Request(time: start, viaEDM: false))
        case "payload":
            guard let pending = pendingImport, !pending.viaEDM, !inputEDM else {
                return note(now, "\(unit.bytes.count) raw byte(s) with no import pending ignored")
            }
            finishImport(pending, bytes: Array(unit.bytes), Request(time: now, viaEDM: false))
        default:
            // Text that is not a command: in command mode a terminated line is answered ERROR.
            guard !inputEDM, unit.bytes.contains(0x0D) else {
                return note(now, "\(unit.bytes.count) stray byte(s) ignored")
            }
            refusedUnknown = true
            let start = max(now, busyUntil)
            if echo { output.add(.text(Array(unit.bytes)), at: after(start, timing.echo)) }
            reply(Request(time: start, viaEDM: false), ok: false, after: timing.commandReply)
        }
    }

    private mutating func handle(_ frame: EDMFrame, now: Duration) {
        switch frame.payloadID {
        case .atRequest:
            let text = frame.atText ?? []
            if let pending = pendingImport, pending.viaEDM {
                collectImport(text, Request(time: now, viaEDM: true))
            } else {
                execute(ATCommandLine(bytes: text), Request(time: max(now, busyUntil), viaEDM: true))
            }
        case .dataCommand:
            dataCommand(channel: frame.channel ?? 0, data: frame.data ?? [], now: now)
        case .resendConnectEvents:
            resendConnectEvents(now: now)
        default:
            note(now, "\(frame.payloadID.name) frame from the host ignored")
        }
    }

    // MARK: - Log

    package mutating func note(_ time: Duration, _ text: String) {
        log.append("\(stamp(time)) \(text)")
    }

    /// `12.057s`.
    package func stamp(_ time: Duration) -> String {
        let ms = time.wholeMilliseconds
        let frac = String(ms % 1000)
        return "\(ms / 1000)." + String(repeating: "0", count: 3 - frac.count) + frac + "s"
    }
}
extension SimulatedModule: ModuleModel {}
