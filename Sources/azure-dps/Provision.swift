import ArgumentParser
import Dispatch
import EDMKit
import EDMKitIO
import ToolSupport
import Foundation

struct Provision: ParsableCommand, UsageChecks {
    static let configuration = CommandConfiguration(
        abstract: "Provision one module (the default command).",
        discussion: """
        Example:
          azure-dps --port /dev/ttyUSB0 --id-scope 0ne0067E45C \\
                    --ca DigiCertGlobalRootG2.pem --cert device.pem --key device.key \\
                    --ssid lab --passphrase-file wifi.txt
        """
    )

    @OptionGroup var options: ProvisionOptions

    @Flag(help: "Run against the built-in simulated module through a pty (no hardware needed).")
    var simulate = false

    @Argument(help: "With --simulate: the scenario (default assigned; `azure-dps scenarios` lists them).")
    var scenario: String?

    @Flag(help: "With --simulate: run in simulated time, without a pty (instant; for what-if runs and the timing benchmark).")
    var offline = false

    @Option(parsing: .unconditional, help: .hidden, transform: Bounds.speed.parse)
    var simulateSpeed: Double = 1

    @Option(parsing: .unconditional, help: .hidden, transform: Bounds.seed.parse)
    var simulateSeed: UInt64 = 1

    func checkUsage() throws {
        if scenario != nil, !simulate { throw ValidationError("A scenario name goes with --simulate.") }
        if offline, !simulate { throw ValidationError("--offline goes with --simulate.") }
        if let scenario, SimulatorScenario(rawValue: scenario) == nil {
            throw ValidationError("Unknown scenario \"\(scenario)\"; `azure-dps scenarios` lists them.")
        }
    }

    func run() throws {
        var simulator: SimulatorSetup?
        var overrides = ProvisionOptions.Overrides()
        if simulate {
            let setup = SimulatorSetup(scenario: SimulatorScenario(rawValue: scenario ?? "assigned")!, seed: simulateSeed, speed: simulateSpeed)
            overrides = setup.overrides
            simulator = setup
        }
        var settings = options.resolve(overrides: overrides)
        if simulateSpeed != 1 { settings.configuration = settings.configuration.scaled(by: 1 / simulateSpeed) }
        let progress = ProgressView(terminal: isatty(2) == 1, verbose: settings.verbose)
        if offline, let simulator {
            simulator.stop()
            var harness = ProvisioningHarness(configuration: settings.configuration, module: SimulatedModule(scenario: simulator.scenario, seed: simulateSeed))
            harness.chunking = .whole
            let run = harness.run()
            for action in run.actions { progress.action(action, at: .zero) }
            let result = ProvisionRun.Result(outcome: run.outcome, recording: nil, duration: run.duration, registrationID: settings.configuration.registrationID)
            result.report(json: settings.json, progress: progress, simulated: true)
            throw ExitStatus(run.outcome).exitCode
        }
        if let simulator {
            progress.say("Simulated NINA-W15 (\(simulator.scenario.rawValue): \(simulator.scenario.summary)) on \(simulator.pty.slavePath)")
            simulator.start()
        }
        let result = ProvisionRun(settings: settings, progress: progress).run()
        simulator?.stop()
        result.report(json: settings.json, progress: progress, simulated: simulator != nil)
        throw ExitStatus(result.outcome).exitCode
    }
}

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
        let port: SerialPort
        do {
            port = try SerialPort.open(settings.port, baudRate: settings.baud, hardwareFlowControl: settings.flowControl)
        } catch {
            return Result(outcome: .serialError(error.clause), recording: nil, duration: .zero, registrationID: settings.configuration.registrationID)
        }
        defer { port.close() }

        var recorder: SessionRecorder?
        if let path = settings.recordPath {
            do {
                let writer = try PcapngWriter(path: path, interfaceName: port.resolvedPath, application: "azure-dps", flushEachPacket: true)
                let now = Date().timeIntervalSince1970
                recorder = SessionRecorder(writer: writer, origin: TraceOrigin(unixNanoseconds: Int64(now * 1e9)), keepSecrets: settings.recordSecrets)
            } catch {
                fail("cannot create the recording \(path): \(error)", .usage)
            }
        }
        recorder?.onUnit = { unit, anomalies in progress.unit(unit, anomalies: anomalies) }

        let provisioner = LiveProvisioner(channel: port, configuration: settings.configuration)
        provisioner.observe = { direction, bytes, time in recorder?.record(direction, bytes, at: time) }
        provisioner.onAction = { action, time in progress.action(action, at: time) }
        let interrupts = SignalWatch { count in
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
}

/// Ctrl-C as an event: SIGINT is ignored by the process and delivered on a queue instead,
/// so the handler may do real work (interrupt a blocked read, flush a file).
final class SignalWatch {
    private let source: DispatchSourceSignal
    private var count = 0

    init(_ handler: @escaping (Int) -> Void) {
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [unowned self] in
            count += 1
            handler(count)
        }
        source.resume()
    }

    func cancel() { source.cancel() }
}
