import ArgumentParser
import EDMKit
import EDMKitIO
import ToolSupport

@main
struct EDMReplay: ToolCommand {
    static let configuration = CommandConfiguration(
        commandName: "edm-replay",
        abstract: "Replay recorded module sessions through the DPS state machine.",
        discussion: """
        Reproduces field failures without hardware: the same state machine azure-dps runs is \
        fed the module's side of a recording, in recorded time, deterministically.

          edm-replay check TRACE...        does the machine still behave as recorded?
          edm-replay serve TRACE --link P  a pty that behaves as the recorded module
          edm-replay fuzz TRACE --runs N   seeded faults on the module side: does
                                           any run crash or hang?

        Traces: anything edm-decode reads (azure-dps recordings, the azure_dps.py \
        log, socat, …).
        """,
        version: ToolText.version,
        subcommands: [Check.self, Diff.self, Serve.self, Fuzz.self]
    )
}

/// Options that read a trace, shared by the subcommands.
struct TraceOptions: ParsableArguments {
    @OptionGroup var capture: CaptureInputOptions

    func load(_ path: String) -> (records: [TraceRecord], format: TraceFormat) {
        do { return try loadOrThrow(path) } catch {
            fail(error.message, ExitStatus(error))
        }
    }

    /// `load` for a command that carries on with its other traces.
    func loadOrThrow(_ path: String) throws(CaptureInput.Failure) -> (records: [TraceRecord], format: TraceFormat) {
        let input = try CaptureInput(path: path, options: capture.options())
        var records: [TraceRecord] = []
        while let more = try input.next() { records += more }
        return (records, input.format)
    }
}

extension ReplayCheck.Mode: ExpressibleByArgument {}

/// What `--mutate` takes (`MutationSpec(parsing:)`), for the help of the commands that take it.
let faultSyntax = """
    Faults (--mutate SPEC): a comma-separated list of FAULT=P[:PARAMETER], each
    with probability P (0 to 1) per chunk the module sends, and presets:
      drop=P, duplicate=P, corrupt=P, reboot=P
      delay=P[:200ms]     a delay this long (also s, us; default 1 to 1000 ms)
      split=P[:N]         into at most N reads (default 4)
      garbage=P[:N]       at most N bytes of noise before the chunk (default 16)
      dps-error=P[:CODE]  this DPS errorCode (default 500001, 429001 or 401002)
      default             drop=0.02,duplicate=0.01,corrupt=0.01,delay=0.05,
                          split=0.1,garbage=0.02,reboot=0.005,dps-error=0.1
      all, none           every fault at 0.05; no faults

    The parameter may also come first: delay:200ms=0.1 is delay=0.1:200ms.
    Later items override earlier ones: all,reboot=0 is every fault but reboots.
    """
