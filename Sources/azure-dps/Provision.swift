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

    @Flag(help: """
        With --simulate: run in simulated time, without a pty (instant; for what-if runs and the timing benchmark; \
        recorded only with --record FILE).
        """)
    var offline = false

    @Option(parsing: .unconditional, help: .hidden, transform: Bounds.speed.parse)
    var simulateSpeed: Double?

    @Option(parsing: .unconditional, help: .hidden, transform: Bounds.seed.parse)
    var simulateSeed: UInt64?

    func checkUsage() throws {
        try options.checkConflicts()
        guard simulate else {
            let simulatorOnly = [(scenario != nil, "A scenario name"), (offline, "--offline"),
                                 (simulateSpeed != nil, "--simulate-speed"), (simulateSeed != nil, "--simulate-seed")]
            for (given, option) in simulatorOnly where given {
                throw ValidationError("\(option) goes with --simulate.")
            }
            return
        }
        if let port = options.port {
            throw ValidationError("--port \(port) and --simulate exclude each other: the simulated module has a pty of "
                                  + "its own.")
        }
        if let scenario, SimulatorScenario(rawValue: scenario) == nil {
            throw ValidationError("Unknown scenario \"\(scenario)\"; `azure-dps scenarios` lists them.")
        }
    }

    func run() throws {
        guard simulate else {
            let settings = options.resolve()
            let progress = ProgressView(terminal: isatty(2) == 1, verbose: settings.verbose)
            let result = ProvisionRun(settings: settings, progress: progress, cancellation: RunCancellation()).run()
            result.report(json: settings.json, progress: progress, simulated: false)
            throw ExitStatus(result.outcome).exitCode
        }
        let speed = simulateSpeed ?? 1, seed = simulateSeed ?? 1
        let scenario = SimulatorScenario(rawValue: scenario ?? "assigned")! // (checkUsage)
        let simulator = SimulatorSetup(scenario: scenario, seed: seed, speed: speed)
        var settings = options.resolve(overrides: simulator.overrides, defaults: simulator.defaults)
        if speed != 1 { settings.configuration = settings.configuration.scaled(by: 1 / speed) }
        let progress = ProgressView(terminal: isatty(2) == 1, verbose: settings.verbose)
        if offline {
            simulator.stop()
            // Only a recording asked for by name records a what-if run.
            if settings.recordsByDefault { settings.recordPath = nil }
            let result = ProvisionRun(settings: settings, progress: progress).runOffline(simulator.offlineModule())
            result.report(json: settings.json, progress: progress, simulated: true)
            throw ExitStatus(result.outcome).exitCode
        }
        progress.say("Simulated NINA-W15 (\(scenario.rawValue): \(scenario.summary)) on \(simulator.pty.slavePath)")
        let cancellation = RunCancellation()  // (before the simulator's thread: see its notes)
        simulator.start()
        let result = ProvisionRun(settings: settings, progress: progress, cancellation: cancellation,
            recordedTimeScale: speed).run()
        simulator.stop()
        result.report(json: settings.json, progress: progress, simulated: true)
        throw ExitStatus(result.outcome).exitCode
    }
}
