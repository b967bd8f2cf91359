import ArgumentParser
import EDMKit
import EDMKitIO
import ToolSupport

struct Check: ParsableCommand, UsageChecks {
    static let configuration = CommandConfiguration(
        abstract: "Replay traces and compare the machine's behaviour with the recording.",
        discussion: """
        strict (default for what azure-dps recorded: a pcapng whose header names azure-dps, \
        or a pcap): the module's recorded bytes go in at their recorded times and chunking; \
        the machine's output must equal the host's recorded bytes (redacted bytes match \
        anything). semantic (default for anything else: the azure_dps.py log, a pcapng that \
        edm-decode converted): the NINA-W15 model runs with the trace's profile, as \
        edm-replay serve does; each request gets the recorded answer to the equivalent \
        request, or the model's; a command neither answers is a divergence.

        The configuration (registration id, id scope, SSID, credential names, sizes and MD5s) \
        is inferred from the trace; options override it. What a short trace does not show is \
        named on stderr, with the option that supplies it.

        Exit status: 0 outcome as expected and no divergence, 1 divergence or unexpected \
        outcome, 64 usage error, 65 unreadable trace, 66 missing trace.

        \(faultSyntax)
        """
    )

    @Argument(help: "Trace files.")
    var traces: [String]

    @OptionGroup var traceOptions: TraceOptions

    @Option(help: "How to replay (default: from the trace: strict for azure-dps's recordings, semantic otherwise).")
    var mode: ReplayCheck.Mode?

    @Option(help: "The outcome to expect: \(outcomes.joined(separator: ", ")) (default: the recorded one).")
    var expect: String?

    @Option(help: "Output: text or json (one object per trace).")
    var format: ReportFormat = .text

    @Option(help: "Override the registration id inferred from the trace.")
    var registrationId: String?

    @Option(help: "Override the id scope inferred from the trace.")
    var idScope: String?

    @Option(help: "Override the Wi-Fi SSID inferred from the trace.")
    var ssid: String?

    @Option(
        parsing: .unconditional,
        help: "Seconds between polls, \(Bounds.pollInterval.limits) (default 3, as azure-dps).",
        transform: Bounds.pollInterval.parse)
    var pollInterval: Double?

    @Flag(name: .shortAndLong, help: "Print the replayed session's transcript too.")
    var verbose = false

    @Option(help: "Inject seeded faults on the module side (see Faults above), e.g. drop=0.05,corrupt=0.02.")
    var mutate: String?

    @Option(parsing: .unconditional, help: "Seed for --mutate (default 1).", transform: Bounds.seed.parse)
    var seed: UInt64?

    @Option(help: "Also write JUnit XML to this file: one test case per trace, the first divergence as the failure.")
    var junit: String?

    enum ReportFormat: String, ExpressibleByArgument { case text, json }

    static let outcomes = [
        "assigned", "refused", "timed_out", "module_error", "network_error", "serial_error", "cancelled"
    ]

    func checkUsage() throws {
        if let expect, !Self.outcomes.contains(expect) {
            throw ValidationError("--expect takes one of: \(Self.outcomes.joined(separator: ", "))")
        }
        if traces.isEmpty { throw ValidationError("Name at least one trace.") }
        if mutate == nil, let seed {
            throw ValidationError("--seed \(seed) goes with --mutate: without faults a replay has nothing to seed.")
        }
        // (a run with faults prints its own report, which has no JSON or transcript form)
        if let mutate {
            do { _ = try MutationSpec(parsing: mutate) } catch { throw ValidationError("\(error)") }
        }
        if mutate != nil, junit != nil {
            throw ValidationError("--mutate prints its own report: --junit does not apply to it.")
        }
        if mutate != nil, verbose || format == .json {
            throw ValidationError(
                "--mutate prints its own report: \(verbose ? "-v" : "--format json") does not apply to it.")
        }
    }

    func run() throws {
        var (passed, failed) = (0, 0)
        var worst: ExitStatus?
        var junitReport = ReplayJUnitRenderer()
        for path in traces {
            let loaded: (records: [TraceRecord], format: TraceFormat)
            do { loaded = try traceOptions.loadOrThrow(path) } catch {
                // The other traces are still checked; the worst status is the exit status.
                say(error.message)
                if format == .text { print("\(path): not checked\nFAIL") }
                junitReport.addUnreadable(path, error.message)
                failed += 1
                worst = worst ?? ExitStatus(error)
                continue
            }
            if check(path, loaded.records, loaded.format, &junitReport) { passed += 1 } else { failed += 1 }
        }
        if format == .text { print("\(passed) passed, \(failed) failed") }
        if let junit {
            do {
                let sink = try OutputSink(path: junit)
                try sink.write(Array(junitReport.xml.utf8))
                try sink.flush()
            } catch { fail("--junit \(junit): \(error)", .cantCreat) }
        }
        if let worst { throw worst.exitCode }
        if failed > 0 { throw ExitStatus.failed.exitCode }
    }

    /// One trace's check and report; true when it passed.
    private func check(
        _ path: String, _ records: [TraceRecord], _ traceFormat: TraceFormat, _ junitReport: inout ReplayJUnitRenderer
    ) -> Bool {
        var configuration = ReplayConfiguration.infer(from: records)
        if let registrationId { configuration.registrationID = registrationId }
        if let idScope { configuration.idScope = idScope }
        if let ssid { configuration.ssid = ssid }
        if let pollInterval { configuration.pollInterval = .milliseconds(Int64(pollInterval * 1000)) }
        for gap in ReplayCheck.missing(configuration) {
            say(
                "\(path): the trace does not show \(gap.what)"
                    + (gap.option.map { "; give it with \($0)" }
                        ?? "; no option supplies it, so the replay goes without"))
        }
        let inferred = ReplayCheck.mode(
            format: traceFormat, writer: traceFormat == .pcapng ? CaptureInput.writer(ofPcapng: path) : nil)
        if mode == nil { say("\(path): \(inferred.mode.rawValue) replay (\(inferred.reason))") }
        let chosen = mode ?? inferred.mode
        if let mutate, let spec = try? MutationSpec(parsing: mutate) {
            let seed = self.seed ?? 1
            let run = ReplayFuzz.run(
                records: records, mode: chosen, spec: spec, seed: seed, configuration: configuration)
            let recorded = ReplayCheck.recordedOutcome(records)
            let ok = run.problem == nil && (expect.map { $0 == run.outcome } ?? true)
            print("\(path): \(chosen.rawValue) replay with faults \(spec), seed \(seed)")
            for fault in run.faults {
                print(
                    "  fault at \(ToolText.seconds(fault.time)): \(fault.fault.rawValue) \(fault.detail)"
                        + (fault.units.isEmpty ? "" : "; hit: \(fault.units)"))
            }
            print(
                "  outcome: \(run.outcome) (exit \(run.exitCode), "
                    + "\(run.verdict)\(run.problem.map { ": \($0)" } ?? "")): "
                    + ToolText.sentence(run.sentence))
            print("  recorded: \(recorded)" + (expect.map { "; expected: \($0)" } ?? ""))
            print(ok ? "PASS" : "FAIL")
            return ok
        }
        let report = ReplayCheck.run(records, mode: chosen, configuration: configuration)
        let renderer = ReplayReportRenderer(report: report, expectation: expect)
        if verbose {
            var transcript = TranscriptRenderer()
            var decoder = SessionDecoder()
            for record in report.run.records {
                decoder.receive(record)
                while let unit = decoder.next() { print(transcript.line(for: unit.redacted)) }
            }
            print(transcript.closing(anomalies: decoder.anomalies))
        }
        print(format == .json ? renderer.json(trace: path) : renderer.text(trace: path))
        junitReport.add(renderer, trace: path)
        return renderer.passed
    }
}
