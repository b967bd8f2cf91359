import EDMKit
import EDMKitIO
import Foundation
import ToolSupport

/// One provisioning run on a port: open, record, drive, report.
struct ProvisionRun: Sendable {
    let settings: ResolvedSettings
    let progress: ProgressView
    /// Signals for this run and any others of the process; nil: the run watches for itself.
    var cancellation: RunCancellation?
    /// Seconds of the module's time per second of the run: a simulator run faster than the
    /// reference timing (`--simulate-speed`) is recorded in its own time, as a run at speed 1,
    /// because the machine's timers ran scaled too and replay times them against the record.
    var recordedTimeScale: Double = 1

    struct Result: Sendable {
        var outcome: ProvisioningOutcome
        var recording: String?
        var recordingError: String?
        var duration: Duration
        var registrationID: String

        /// The `--json` result object (docs/json-contract.md); a batch's names the port first.
        func json(port: String? = nil) -> JSONValue {
            var o: [(String, JSONValue)] = port.map { [("port", .string($0))] } ?? []
            o += [("outcome", .string(outcome.name)), ("exitCode", .number(String(ExitStatus(outcome).rawValue))),
                  ("registrationId", .string(registrationID)), ("reason", .string(ToolText.sentence(outcome.sentence)))]
            if case .assigned(let hub, let device, let substatus, _) = outcome {
                o += [("assignedHub", .string(hub)), ("deviceId", .string(device))]
                if let substatus { o.append(("substatus", .string(substatus))) }
            }
            o.append(("recording", recording.map(JSONValue.string) ?? .null))
            o.append(("durationMs", .number(String(duration.milliseconds))))
            return .object(o)
        }

        func report(json: Bool, progress: ProgressView, simulated: Bool) {
            if json { print(self.json().serialized) }
            let mark = ExitStatus(outcome) == .ok ? "✓" : "✗"
            progress.say("\(mark) \(ToolText.sentence(outcome.sentence))")
            if let recording {
                progress.say(
                    "  Recording: \(recording)   (decode it: edm-decode "
                        + "\(recording); replay it: edm-replay check \(recording))"
                )
            }
            if let recordingError { progress.say("  The recording is incomplete: \(recordingError)") }
        }
    }

    func run() -> Result {
        sayWarnings()
        let port: SerialPort
        do {
            port = try SerialPort.open(settings.port, baudRate: settings.baud,
                hardwareFlowControl: settings.flowControl)
        } catch {
            return Result(outcome: .serialError(error.clause), recording: nil, duration: .zero,
                registrationID: settings.configuration.registrationID)
        }
        defer { port.close() }

        let (recorder, recording) = makeRecorder(interfaceName: port.resolvedPath)

        let provisioner = LiveProvisioner(channel: port, configuration: settings.configuration)
        let scale = recordedTimeScale
        provisioner.observe = { direction, bytes, time in recorder?.record(direction, bytes,
            at: scale == 1 ? time : time * scale) }
        provisioner.onAction = { action, time in progress.action(action, at: time) }
        let cancellation = self.cancellation ?? RunCancellation()
        let registration = cancellation.register(interrupt: provisioner.interrupt,
                                                 finishRecording: { recorder?.finish() }, progress: progress)
        let clock = ContinuousClock()
        let start = clock.now
        let outcome = provisioner.run()
        cancellation.unregister(registration)
        if self.cancellation == nil { cancellation.cancel() }
        recorder?.finish(verdict: Self.verdict(outcome))
        return Result(outcome: outcome, recording: recording, recordingError: recorder?.error.map { "\($0)" },
                      duration: clock.now - start, registrationID: settings.configuration.registrationID)
    }

    /// The run in simulated time, without a pty: the harness drives the machine against
    /// `module`; the transcript and the recording are made from its records afterwards.
    func runOffline(_ module: SimulatedModule) -> Result {
        sayWarnings()
        var harness = ProvisioningHarness(configuration: settings.configuration, module: module)
        harness.chunking = .whole
        let run = harness.run()
        for action in run.actions { progress.action(action, at: .zero) }
        let (recorder, recording) = makeRecorder(interfaceName: nil)
        recorder?.record(run.records)
        recorder?.finish(verdict: Self.verdict(run.outcome))
        return Result(outcome: run.outcome, recording: recording, recordingError: recorder?.error.map { "\($0)" },
                      duration: run.duration, registrationID: settings.configuration.registrationID)
    }

    /// The outcome as the recording's last packet says it: `timed_out: … (exit 3)`.
    static func verdict(_ outcome: ProvisioningOutcome) -> String {
        "azure-dps \(ToolText.version): \(outcome.name): "
            + "\(ToolText.sentence(outcome.sentence)) (exit \(ExitStatus(outcome).rawValue))"
    }

    /// What pre-flight found that does not stop the run (a certificate about to expire, a host
    /// clock a token cannot be signed by).
    func sayWarnings() {
        for warning in settings.preflight.warnings { progress.say("Warning: \(ToolText.sentence(warning))") }
    }

    /// What sees the session's bytes: the recording (`--record`, unless `--no-record`) and the
    /// live transcript (`-v`), one of them, both, or nil; and the recording's path.
    func makeRecorder(interfaceName: String?) -> (SessionRecorder?, String?) {
        guard settings.recordPath != nil || settings.verbose else { return (nil, nil) }
        var writer: PcapngWriter?, recording: String?
        if let path = settings.recordPath {
            (writer, recording) = openRecording(path, interfaceName: interfaceName)
        }
        let now = Date().timeIntervalSince1970
        let recorder = SessionRecorder(writer: writer, origin: TraceOrigin(unixNanoseconds: Int64(now * 1e9)),
            keepSecrets: settings.recordSecrets)
        recorder.onUnit = { [progress] unit, anomalies in progress.unit(unit, anomalies: anomalies) }
        return (recorder, recording)
    }

    /// Creates the recording without ever replacing a file (unless `--overwrite`): a default
    /// name that another run took gets the first free number; a name that was given and has
    /// appeared since the options were checked is refused.
    private func openRecording(_ path: String, interfaceName: String?) -> (PcapngWriter, String) {
        var candidate = path
        for n in 2...10_000 {
            do {
                let writer = try PcapngWriter(path: candidate, interfaceName: interfaceName, application: "azure-dps",
                                              flushEachPacket: true, replacing: settings.overwrite)
                return (writer, candidate)
            } catch where error.code == .exists && settings.recordsByDefault {
                candidate = RecordingName.numbered(path, n)
            } catch where error.code == .exists {
                fail("--record \(path): the file exists; give --overwrite to replace it, or another name", .usage)
            } catch {
                fail("cannot create the recording \(candidate): \(error)", .cantCreat)
            }
        }
        fail("cannot create the recording \(path): it and 9999 numbered names exist", .cantCreat)
    }
}
