import ArgumentParser
import EDMKit
import EDMKitIO
import ToolSupport

struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare two sessions by meaning: the first difference, latencies, configuration, outcomes.",
        usage: "edm-replay diff [<options>] <a> <b>",
        discussion: """
        The sessions (anything edm-decode reads) are aligned by provisioning step and by what \
        each request does, not by byte offset. Reported: the first difference in meaning (a \
        different reply, an extra or missing URC, a retry, another DPS status or error code) \
        with the events around it on both sides; latency differences by step and by request, \
        largest first; configuration seen on the wire that differs (SSID, credential names and \
        MD5s, id scope, registration id, api-version, DPS host; secrets redacted); both outcomes.

        Exit status: 0 the sessions agree in meaning (timing may differ), 1 they differ, 64 \
        usage error, 65 unreadable trace, 66 missing trace.
        """
    )

    @Argument(help: "The session to compare against (A), e.g. a good run.")
    var a: String

    @Argument(help: "The session compared (B), e.g. the failing run.")
    var b: String

    @OptionGroup var traceOptions: TraceOptions

    @Option(help: "Output: text or json (one object, docs/json-contract.md).")
    var format: Check.ReportFormat = .text

    func run() throws {
        var profiles: [SessionProfile] = []
        for path in [a, b] {
            do {
                profiles.append(try SessionProfileReader.profile(path: path, options: traceOptions.capture.options()))
            } catch {
                fail(error.message, ExitStatus(error))
            }
        }
        let renderer = SessionDiffRenderer(SessionDiff(profiles[0], profiles[1]), a: a, b: b)
        print(format == .json ? renderer.json : renderer.text)
        if !renderer.diff.agrees { throw ExitStatus.failed.exitCode }
    }
}
