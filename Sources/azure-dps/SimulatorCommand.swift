import ArgumentParser
import EDMKit
import EDMKitIO
import ToolSupport
import Foundation

/// Serves the simulated module on a pty for other programs (your host firmware through
/// socat, the old azure_dps.py, several azure-dps runs in a batch).
struct SimulatorCommand: ParsableCommand, UsageChecks {
    static let configuration = CommandConfiguration(
        commandName: "simulator",
        abstract: "Serve the simulated NINA-W15 on a pty until Ctrl-C.",
        usage: "azure-dps simulator [<options>] [<scenario>] --link <link>",
        discussion: """
        The simulator accepts any credentials; its DPS assigns any registration id.

          azure-dps simulator --link /tmp/nina &
          azure-dps --port /tmp/nina ...
        """
    )

    @Argument(help: "The scenario (`azure-dps scenarios` lists them).")
    var scenario: String = "assigned"

    @OptionGroup var link: PtyLinkOption

    @Option(parsing: .unconditional, help: "Seed for the simulator's ids and noise (default 1).",
        transform: Bounds.seed.parse)
    var seed: UInt64 = 1

    @Option(parsing: .unconditional,
        help: "Run the module this many times faster than the reference timing, \(Bounds.speed.limits) (default 1).",
            transform: Bounds.speed.parse)
    var speed: Double = 1

    func checkUsage() throws {
        try link.check()
        if SimulatorScenario(rawValue: scenario) == nil {
            throw ValidationError("Unknown scenario \"\(scenario)\"; `azure-dps scenarios` lists them.")
        }
    }

    func run() throws {
        // The link goes on every way out: the end of the host's session, a serve error, and
        // Ctrl-C, SIGTERM or SIGHUP (a second signal, if the server does not stop, still
        // removes it before quitting).
        let signals = StopSignals()
        defer { signals.cancel() }
        let pty: PtyPair
        do { pty = try PtyPair(link: link.path) } catch { fail(error.message, .serialError) }
        defer { pty.close() }
        let model = SimulatedModule(scenario: SimulatorScenario(rawValue: scenario)!, seed: seed)
        let server = ModuleServer(model: model, pty: pty, speed: speed)
        signals.serve(stop: server.stop) {
            pty.removeLink()
            Foundation.exit(ExitStatus.interrupted.rawValue)
        }
        say("simulated NINA-W15 (\(scenario)) on \(link.path) -> \(pty.slavePath)")
        do { _ = try server.run() } catch {
            say("the simulator stopped: \(error.message)")
            throw ExitStatus.serialError.exitCode
        }
    }
}
