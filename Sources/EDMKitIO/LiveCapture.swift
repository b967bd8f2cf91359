import EDMKit

/// What a live capture does with the chunks a `LiveTap` reads: decodes them into units, writes
/// each unit to the pcapng as it completes (flushed per packet, secrets replaced unless
/// `keepSecrets`), and prints the unit at once as a transcript line or a JSON line (always
/// redacted).
///
/// Printed times count from the first unit (with `rebase`), as `edm-decode` of the capture
/// counts from its first packet, so the live transcript and the decoded capture read the same.
public final class LiveCapture {
    public enum Format: String, CaseIterable, Sendable { case transcript, json }

    public let recorder: SessionRecorder
    private let sink: OutputSink?
    private let format: Format
    private let start: ContinuousClock.Instant
    private var transcript: TranscriptRenderer
    private var json = JSONLinesRenderer()
    private var zero: Duration?
    private let rebase: Bool
    /// The host closed the pty and has not opened it again.
    private var hostAway = false
    /// The first error writing the live output (the capture goes on: the file matters most).
    public private(set) var outputError: IOError?

    /// `writer`: the pcapng (nil: none). `sink`: where the live units go (nil: nowhere).
    /// `start`: the monotonic time of the capture's start, `origin` its wall-clock time.
    public init(writer: (any TraceCaptureWriter)?, sink: OutputSink?, format: Format, colour: Bool,
                keepSecrets: Bool, start: ContinuousClock.Instant, origin: TraceOrigin, rebase: Bool = true) {
        self.rebase = rebase
        recorder = SessionRecorder(writer: writer, origin: origin, keepSecrets: keepSecrets)
        self.sink = sink
        self.format = format
        self.start = start
        transcript = TranscriptRenderer(color: colour)
        recorder.onUnit = { [unowned self] unit, anomalies in show(unit, anomalies) }
    }

    public func record(_ direction: Direction, _ bytes: [UInt8], at time: ContinuousClock.Instant) {
        recorder.record(direction, bytes, at: time - start)
    }

    /// What the tap saw happen: a reopen of the pty after a close starts a new section of the
    /// capture, so that each of the host's sessions is a section of its own; a change of the
    /// host's line settings is a note in the capture, in its place.
    public func record(_ event: LiveTap.Event, at time: ContinuousClock.Instant) {
        switch event {
        case .hostClosed: hostAway = true
        case .hostOpened where hostAway:
            hostAway = false
            recorder.startSection()
        case .hostSettings(let host, let port):
            recorder.note(Self.note(host: host, port: port), at: time - start)
        case .hostOpened, .dropped: break
        }
    }

    /// "the host set 9600 baud, no flow control; the module's port too".
    public static func note(host: LineSettings, port: LineSettings) -> String {
        "the host set \(host)" + (host == port ? "; the module's port too" : "; the module's port stays at \(port)")
    }

    /// Records read from a file (`edm-decode --follow`), with the file's own times.
    public func record(_ records: [TraceRecord]) {
        recorder.record(records)
    }

    /// Decodes what is left, closes the capture and prints the session's summary.
    public func finish() {
        recorder.finish()
        guard let sink else { return }
        let anomalies = recorder.anomalies
        switch format {
        case .transcript:
            put(transcript.closing(anomalies: anomalies))
        case .json:
            var line = JSONWriter()
            json.renderClosing(anomalies: anomalies, into: &line)
            put(line.buffer.withUnsafeBytes { String(decoding: $0, as: UTF8.self) })
        }
    }

    private func show(_ unit: SessionUnit, _ anomalies: [SessionAnomaly]) {
        guard sink != nil else { return }
        var shown = unit
        let zero = self.zero ?? (rebase ? unit.time : .zero)
        self.zero = zero
        shown.time = unit.time - zero
        switch format {
        case .transcript:
            put(transcript.line(for: shown, anomalies: anomalies))
        case .json:
            var line = JSONWriter()
            json.render(shown, into: &line)
            put(line.buffer.withUnsafeBytes { String(decoding: $0, as: UTF8.self) })
        }
    }

    private func put(_ text: String) {
        guard let sink, outputError == nil else { return }
        do {
            try sink.write(line: text)
            try sink.flush()
        } catch {
            outputError = error
        }
    }
}
