import EDMKit
import EDMKitIO
import Foundation
import ToolSupport

/// One provisioning run on a port: open, record, drive, report.
struct ProvisionRun: Sendable {
    let settings: ResolvedSettings
    let progress: ProgressView

    struct Result: Sendable {
        var outcome: ProvisioningOutcome
        var recording: String?
        var recordingError: String?
        var duration: Duration
        var registrationID: String

        func report(json: Bool, progress: ProgressView, simulated: Bool) {
            if json {
                var o: [(String, JSONValue)] = [("outcome", .string(outcome.name)), ("exitCode", .number(String(ExitStatus(outcome).rawValue))),
                                                ("registrationId", .string(registrationID)), ("reason", .string(ToolText.sentence(outcome.sentence)))]
                if case .assigned(let hub, let device, let substatus, _) = outcome {
                    o += [("assignedHub", .string(hub)), ("deviceId", .string(device))]
                    if let substatus { o.append(("substatus", .string(substatus))) }
                }
                o.append(("recording", recording.map(JSONValue.string) ?? .null))
                o.append(("durationMs", .number(String(duration.milliseconds))))
                print(JSONValue.object(o).serialized)
            }
            let mark = ExitStatus(outcome) == .ok ? "✓" : "✗"
            progress.say("\(mark) \(ToolText.sentence(outcome.sentence))")
            if let recording {
                progress.say("  Recording: \(recording)   (decode it: edm-decode \(recording); replay it: edm-replay check \(recording))")
            }
            if let recordingError { progress.say("  The recording is incomplete: \(recordingError)") }
        }
    }

    func run() -> Result {
        sayWarnings()
        let port: SerialPort
        do {
            port = try SerialPort.open(settings.port, baudRate: settings.baud, hardwareFlowControl: settings.flowControl)
        } catch {
            return Result(outcome: .serialError(error.clause), recording: nil, duration: .zero, registrationID: settings.configuration.registrationID)
        }
        defer { port.close() }

        let recorder = makeRecorder(interfaceName: port.resolvedPath)

        let provisioner = LiveProvisioner(channel: port, configuration: settings.configuration)
        provisioner.observe = { direction, bytes, time in recorder?.record(direction, bytes, at: time) }
        provisioner.onAction = { action, time in progress.action(action, at: time) }
        let interrupts = SignalWatch(SIGINT) { count in
            if count >= 2 {
                recorder?.finish()
                progress.say("Interrupted twice: quitting without cleaning up the module.")
                Foundation.exit(ExitStatus.interrupted.rawValue)
            }
            progress.say("Interrupted: closing the MQTT peers and rebooting the module to command mode (Ctrl-C again to quit at once).")
            provisioner.interrupt()
        }
        let clock = ContinuousClock()
        let start = clock.now
        let outcome = provisioner.run()
        interrupts.cancel()
        recorder?.finish()
        return Result(outcome: outcome, recording: settings.recordPath, recordingError: recorder?.error.map { "\($0)" },
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
        let recorder = makeRecorder(interfaceName: nil)
        recorder?.record(run.records)
        recorder?.finish()
        return Result(outcome: run.outcome, recording: settings.recordPath, recordingError: recorder?.error.map { "\($0)" },
                      duration: run.duration, registrationID: settings.configuration.registrationID)
    }

    /// What pre-flight found that does not stop the run (a certificate about to expire, a host
    /// clock a token cannot be signed by).
    func sayWarnings() {
        for warning in settings.preflight.warnings { progress.say("Warning: \(ToolText.sentence(warning))") }
    }

    /// What sees the session's bytes: the recording (`--record`, unless `--no-record`) and the
    /// live transcript (`-v`), one of them, both, or nil.
    func makeRecorder(interfaceName: String?) -> SessionRecorder? {
        guard settings.recordPath != nil || settings.verbose else { return nil }
        var writer: PcapngWriter?
        if let path = settings.recordPath {
            do {
                writer = try PcapngWriter(path: path, interfaceName: interfaceName, application: "azure-dps", flushEachPacket: true)
            } catch {
                fail("cannot create the recording \(path): \(error)", .usage)
            }
        }
        let now = Date().timeIntervalSince1970
        let recorder = SessionRecorder(writer: writer, origin: TraceOrigin(unixNanoseconds: Int64(now * 1e9)), keepSecrets: settings.recordSecrets)
        recorder.onUnit = { [progress] unit, anomalies in progress.unit(unit, anomalies: anomalies) }
        return recorder
    }
}
