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
        Creates a pseudo-terminal that behaves as the recorded NINA-W15: the module model \
        runs with the trace's profile (its latencies, DPS answers, access point, boot noise \
        and failure). A request equivalent to one the trace answered gets the recorded \
        answer, with this host's echo, MD5s and registration id; any other gets the model's \
        own answer; a command neither knows gets ERROR (a divergence). So azure-dps, the old \
        azure_dps.py or your own host firmware (bridged with socat) can run against a field \
        trace with its own credentials, ids and SSID.

        Each request is reported on stderr as it is answered (played, modelled, refused); \
        at the end (Ctrl-C, --duration, or the host hanging up), a table of what was \
        played, modelled and never asked.

          edm-replay serve failed-run.pcapng --link /tmp/fake-module &
          azure-dps --port /tmp/fake-module ...

        \(faultSyntax)
        """
    )

    @Argument(help: "The trace to serve.")
    var trace: String

    @OptionGroup var traceOptions: TraceOptions

    @OptionGroup var link: PtyLinkOption

    @Option(
        parsing: .unconditional,
        help: "Play the trace this many times faster than recorded, \(Bounds.speed.limits) (default 1).",
        transform: Bounds.speed.parse)
    var speed: Double = 1

    @Option(
        parsing: .unconditional, help: "Stop after this many seconds, \(Bounds.duration.limits) (default: at Ctrl-C).",
        transform: Bounds.duration.parse)
    var duration: Double?

    @Option(help: "Inject seeded faults on the module side (see Faults above), e.g. drop=0.05,corrupt=0.02.")
    var mutate: String?

    @Option(parsing: .unconditional, help: "Seed for --mutate (default 1).", transform: Bounds.seed.parse)
    var seed: UInt64?

    func checkUsage() throws {
        try link.check()
        if mutate == nil, let seed {
            throw ValidationError("--seed \(seed) goes with --mutate: without faults there is nothing to seed.")
        }
        if let mutate {
            do { _ = try MutationSpec(parsing: mutate) } catch { throw ValidationError("--mutate: \(error)") }
        }
    }

    func run() throws {
        let (records, _) = traceOptions.load(trace)
        let model = SimulatedModule(trace: records)
        if let mutate, let spec = try? MutationSpec(parsing: mutate) {
            let seed = self.seed ?? 1
            say("serving with faults \(spec), seed \(seed)")
            let served = serve(MutatingModule(model, spec: spec, seed: seed))
            finish(served.inner)
            say(ToolText.counted(served.applied.count, "fault") + " injected")
        } else {
            finish(serve(model))
        }
    }

    /// Serves `model` on the link until a stop; returns it as it ended.
    private func serve<Model: ModuleModel>(_ model: Model) -> Model {
        // Watched from before the link exists, so that it goes on every way out.
        let signals = StopSignals()
        let pty: PtyPair
        do { pty = try PtyPair(link: link.path) } catch { fail(error.message, .usage) }
        let server = ModuleServer(model: model, pty: pty, speed: speed, report: { Self.report($0) })
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
        let ended: Model
        do { ended = try server.run() } catch {
            pty.close()
            fail(error.message, .serialError)
        }
        signals.cancel()
        pty.close()
        return ended
    }

    private func finish(_ model: SimulatedModule) {
        say("served \(trace): how the host's requests were answered")
        for line in model.answerTable { Self.report(line) }
    }

    /// A report line on stderr as it is (no tool name, no full stop: a table's row).
    private static func report(_ line: String) { FileDescriptorText.write("  " + line + "\n", to: 2) }
}
