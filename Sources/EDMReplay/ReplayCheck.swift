import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis
import EDMRender
import EDMProvisioning
import EDMModel

/// Feeds a recorded trace back through the provisioning machine and says whether it
/// behaves as recorded (`edm-replay check`).
///
/// Strict: the module's recorded bytes go in at their recorded times and chunking, and the
/// machine's output must equal the host's recorded bytes (for traces our client recorded).
/// Semantic: the NINA-W15 model runs with the trace's profile (`SimulatedModule(trace:)`, as
/// `edm-replay serve` does): each request gets the recorded answer to the equivalent request,
/// or the model's own; a command neither can answer is the divergence. Time comes from
/// the trace; nothing here reads a clock, so the report is the same on every run.
public struct ReplayCheck: Sendable {
    public enum Mode: String, Sendable, CaseIterable {
        case strict, semantic
    }

    public struct Divergence: Sendable {
        /// Offset in the host's byte stream where the machine's output first differs.
        public var offset: Int
        public var time: Duration
        /// The recorded host unit there, and what the machine sent instead (nil: nothing).
        public var expected: SessionUnit?
        public var actual: SessionUnit?
        /// The recorded units just before the divergence, for context.
        public var context: [SessionUnit]
        public var message: String
    }

    public struct Report: Sendable {
        public var mode: Mode
        public var run: ProvisioningRun
        /// The outcome the recording itself shows (from decoding it).
        public var recorded: SessionSummary.Outcome
        public var divergence: Divergence?
        /// Requests answered neutrally because the recording lacked them (semantic mode).
        public var synthesized: [String]
        public var configuration: ProvisioningConfiguration

        /// Whether the replayed outcome is what the recording shows.
        public var outcomeMatchesRecording: Bool { Self.compatible(run.outcome, recorded) }

        package static func compatible(_ outcome: ProvisioningOutcome, _ recorded: SessionSummary.Outcome) -> Bool {
            switch (outcome, recorded) {
            case (.assigned, .assigned), (.refused, .refused): true
            case (.networkError(.wifi, _), .wifiFailed): true
            case (.networkError, .mqttRefused): true
            case (.timedOut, .incomplete), (.moduleError, .incomplete), (.cancelled, .incomplete): true
            default: false
            }
        }
    }

    public static func run(
        _ records: [TraceRecord], mode: Mode, configuration: ProvisioningConfiguration? = nil
    ) -> Report {
        let recordedUnits = decode(records)
        let config = configuration ?? ReplayConfiguration.infer(from: recordedUnits)
        var summary = SessionSummary()
        for unit in recordedUnits { summary.add(unit, UnitDescription(unit)) }

        switch mode {
        case .strict:
            let run = ProvisioningHarness(configuration: config, module: RecordedModule(records: records)).run()
            return Report(mode: mode, run: run, recorded: summary.outcome,
                          divergence: firstDifference(recorded: recordedUnits, replayed: decode(run.records)),
                          synthesized: [], configuration: config)
        case .semantic:
            let (run, model) = ProvisioningHarness(configuration: config, module: SimulatedModule(trace: records))
                .runKeepingModule()
            let divergence = model.answers.first { $0.source == .refused }.map { d in
                Divergence(
                    offset: 0, time: d.time, expected: nil,
                    actual: decode(run.records).first {
                        $0.direction == .host && $0.time == d.time && RecordedExchanges.describe($0) == d.request
                    },
                    context: [], message: "\(d.request): neither the recording nor the model answers it (\(d.detail))")
            }
            return Report(
                mode: mode, run: run, recorded: summary.outcome, divergence: divergence,
                synthesized: model.answers.filter { $0.source == .model }.map(\.request), configuration: config)
        }
    }

    /// The mode a trace asks for, and why: strict for what our client recorded (a pcapng whose
    /// section header names `azure-dps`, or a pcap), semantic for anything else (a foreign log,
    /// or a pcapng another program wrote, such as `edm-decode` converting a log).
    public static func mode(format: TraceFormat, writer: String?) -> (mode: Mode, reason: String) {
        switch format {
        case .pcapng where writer == "azure-dps":
            return (.strict, "recorded by azure-dps")
        case .pcapng:
            return (
                .semantic,
                writer.map { "written by \($0), not recorded by azure-dps" } ?? "a pcapng that names no recorder"
            )
        case .pcap:
            return (.strict, "a pcap (azure-dps --record)")
        default:
            return (.semantic, "\(format.displayName), not recorded by azure-dps")
        }
    }

    /// What the replay needs that `configuration` lacks, each with the option of
    /// `edm-replay check` that supplies it (nil: no option does).
    public static func missing(_ configuration: ProvisioningConfiguration) -> [(what: String, option: String?)] {
        var out: [(String, String?)] = []
        if configuration.registrationID.isEmpty { out.append(("the registration id", "--registration-id")) }
        if configuration.idScope.isEmpty { out.append(("the id scope", "--id-scope")) }
        if configuration.ssid.isEmpty { out.append(("the Wi-Fi SSID", "--ssid")) }
        if configuration.credentials.isEmpty, case .x509 = configuration.attestation {
            out.append(("the credentials (no upload in the trace)", nil))
        }
        return out
    }

    /// What the recording itself shows, in the shared outcome vocabulary (`network_error (wifi)`).
    public static func recordedOutcome(_ records: [TraceRecord]) -> String {
        var summary = SessionSummary()
        for unit in decode(records) { summary.add(unit, UnitDescription(unit)) }
        return summary.outcome.label
    }

    package static func decode(_ records: [TraceRecord]) -> [SessionUnit] {
        var decoder = SessionDecoder()
        var units: [SessionUnit] = []
        for record in records {
            decoder.receive(record)
            while let unit = decoder.next() { units.append(unit) }
        }
        decoder.finish()
        while let unit = decoder.next() { units.append(unit) }
        return units
    }

    /// The first host byte where the replay differs from the recording; a redacted byte
    /// (`*` filler in the recording) matches anything.
    package static func firstDifference(recorded: [SessionUnit], replayed: [SessionUnit]) -> Divergence? {
        let expected = recorded.filter { $0.direction == .host }, actual = replayed.filter { $0.direction == .host }
        let e = expected.flatMap(\.bytes), a = actual.flatMap(\.bytes)
        var i = 0
        while i < min(e.count, a.count), e[i] == a[i] || e[i] == Redactor.filler { i += 1 }
        guard i < max(e.count, a.count) else { return nil }
        let expectedUnit = expected.first { $0.offset <= i && i < $0.offset + $0.bytes.count }
        let actualUnit = actual.first { $0.offset <= i && i < $0.offset + $0.bytes.count }
        let context = recorded.prefix { $0.index < (expectedUnit?.index ?? recorded.count) }.suffix(4)
        let message = i >= a.count
            ? "the replay stopped sending at host byte \(i); the recording goes on"
            : i >= e.count
                ? "the replay sent more than the recording, from host byte \(i)"
                : "the replay sent different bytes from host byte \(i)"
        return Divergence(
            offset: i, time: expectedUnit?.time ?? actualUnit?.time ?? .zero, expected: expectedUnit,
            actual: actualUnit,
            context: Array(context), message: message)
    }
}
