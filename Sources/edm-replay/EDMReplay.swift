import ArgumentParser
import EDMKit
import EDMKitIO
import ToolSupport

@main
struct EDMReplay: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edm-replay",
        abstract: "Replay recorded module sessions through the DPS state machine.",
        discussion: """
        Reproduces field failures without hardware: the same state machine azure-dps runs is \
        fed the module's side of a recording, in recorded time, deterministically.

          edm-replay check TRACE...       does the machine still behave as recorded?
          edm-replay serve TRACE --link P a pty that behaves as the recorded module
          edm-replay fuzz TRACE --runs N  seeded faults on the module side: any crash or hang?

        Traces: anything edm-decode reads (azure-dps recordings, the azure_dps.py log, socat, …).
        """,
        subcommands: [Check.self, Serve.self, Fuzz.self]
    )
}

/// Options that read a trace, shared by the subcommands.
struct TraceOptions: ParsableArguments {
    @OptionGroup var capture: CaptureInputOptions

    func load(_ path: String) -> (records: [TraceRecord], format: TraceFormat) {
        do {
            let input = try CaptureInput(path: path, options: capture.options())
            var records: [TraceRecord] = []
            while let more = try input.next() { records += more }
            return (records, input.format)
        } catch {
            fail(error.message, ExitStatus(error))
        }
    }
}

extension ReplayCheck.Mode: ExpressibleByArgument {}
