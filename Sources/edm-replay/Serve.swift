import ArgumentParser
import EDMKit
import EDMKitIO
import ToolSupport
import Foundation

struct Serve: ParsableCommand, UsageChecks {
    static let configuration = CommandConfiguration(
        abstract: "Serve a trace as a fake module on a pty.",
        usage: "edm-replay serve [<options>] <trace> --link <link>",
        discussion: """
        Creates a pseudo-terminal that answers like the recorded module (semantic matching: \
        each request gets the recorded answer to the equivalent request), so azure-dps, the \
        old azure_dps.py or your own host firmware (bridged with socat) can run against a \
        field trace. Runs until Ctrl-C (or --duration); then says what the host sent that the \
        trace could not answer.

          edm-replay serve failed-run.pcapng --link /tmp/fake-module &
          azure-dps --port /tmp/fake-module ...
        """
    )

    @Argument(help: "The trace to serve.")
    var trace: String

    @OptionGroup var traceOptions: TraceOptions

    @OptionGroup var link: PtyLinkOption

    @Option(parsing: .unconditional, help: "Play the trace this many times faster than recorded, \(Bounds.speed.limits) (default 1).",
            transform: Bounds.speed.parse)
    var speed: Double = 1

    @Option(parsing: .unconditional, help: "Stop after this many seconds, \(Bounds.duration.limits) (default: at Ctrl-C).",
            transform: Bounds.duration.parse)
    var duration: Double?

    func checkUsage() throws { try link.check() }

    func run() throws {
        let (records, _) = traceOptions.load(trace)
        // Watched from before the link exists, so that it goes on every way out.
        let signals = StopSignals()
        let pty: PtyPair
        do { pty = try PtyPair(link: link.path) } catch { fail(error.message, .usage) }
        let server = ModuleServer(model: TraceResponder(records: records), pty: pty, speed: speed)
        say("serving \(trace) on \(link.path) -> \(pty.slavePath) (Ctrl-C to stop)")
        // Ctrl-C, SIGTERM and SIGHUP stop serving; a second signal, if the server does not
        // stop, removes the link before quitting.
        signals.serve(stop: server.stop) {
            pty.removeLink()
            Foundation.exit(ExitStatus.interrupted.rawValue)
        }
        if let duration {
            DispatchQueue.global().asyncAfter(deadline: .now() + duration) { server.stop() }
        }
        let model: TraceResponder
        do { model = try server.run() } catch {
            pty.close()
            fail(error.message, .serialError)
        }
        signals.cancel()
        pty.close()
        say("played \(ToolText.counted(model.played, "recorded exchange")); \(model.unplayed) never asked for")
        for d in model.divergences { say("at \(ToolText.seconds(d.time)) the host sent \(d.request): \(d.message)") }
        for s in model.synthesized { say("answered \(s) neutrally (not in the trace)") }
    }
}
