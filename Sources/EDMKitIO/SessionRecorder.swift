import EDMKit

/// Records a live session as it happens: bytes in, one packet per decoded unit out, and each
/// unit to `onUnit` for a live transcript.
///
/// Each unit is written (and flushed, with a flushing writer) as soon as its last byte is
/// seen, so a crash or an unplugged adapter loses at most an unfinished unit; `finish()`
/// writes that one too. Secrets are replaced by same-length filler unless `keepSecrets`,
/// and such packets are flagged and commented. `keepSecrets` is about the file only: what
/// `onUnit` sees is always redacted, since a transcript goes to a terminal or a log.
public final class SessionRecorder {
    /// nil: no recording, only the units for `onUnit`.
    public let writer: (any TraceCaptureWriter)?
    public let origin: TraceOrigin
    public let keepSecrets: Bool
    /// Each unit (redacted), with the anomalies found so far.
    public var onUnit: (SessionUnit, [SessionAnomaly]) -> Void = { _, _ in }
    /// The units written to the file (`onUnit` sees them all). Any other filter than
    /// `.everything` gives up the file's lossless invariant, on purpose.
    public var filter = UnitFilter.everything
    public private(set) var error: CaptureIOError?
    private var decoder = SessionDecoder()
    /// What the decoder found wrong so far (after `finish()`: in the whole session).
    public var anomalies: [SessionAnomaly] { decoder.anomalies }

    public init(writer: (any TraceCaptureWriter)?, origin: TraceOrigin, keepSecrets: Bool = false) {
        self.writer = writer
        self.origin = origin
        self.keepSecrets = keepSecrets
    }

    public func record(_ direction: Direction, _ bytes: [UInt8], at time: Duration) {
        lastTime = time
        decoder.receive(time: time, direction: direction, bytes: bytes[...])
        drain()
    }

    /// Records a whole session at once (a simulated run's records).
    public func record(_ records: [TraceRecord]) {
        for r in records {
            lastTime = r.time
            decoder.receive(r)
            drain()
        }
    }

    /// Goes on in a new section of the file (a new session on the same wire: the host program
    /// reopened the tap's pty). A unit still unfinished goes into the new section with its end.
    public func startSection() {
        guard let writer, error == nil else { return }
        do { try writer.startSection() } catch { self.error = error }
    }

    /// Writes `text` into the file at `time`, among the units, as a packet without serial bytes
    /// (`ucx_note`): what the recording tool saw happen on the line, such as a new baud rate.
    public func note(_ text: String, at time: Duration) {
        guard let writer, error == nil else { return }
        do {
            try writer.write(time: time, origin: origin, direction: nil, dissector: UpperPDU.Dissector.note,
                             bytes: Array(text.utf8), flags: [], comment: nil)
        } catch { self.error = error }
    }

    /// Writes what is left and closes the file. `verdict`: the run's outcome in words, written
    /// last as a `ucx_verdict` packet, so that the recording says how the run ended (edm-decode
    /// shows it as a note, Wireshark as the last packet) even when the bytes stop early.
    public func finish(verdict: String? = nil) {
        decoder.finish()
        drain()
        if let verdict, let writer, error == nil {
            do {
                try writer.write(time: lastTime, origin: origin, direction: nil, dissector: UpperPDU.Dissector.verdict,
                                 bytes: Array(verdict.utf8), flags: [], comment: nil)
            } catch { self.error = error }
        }
        do { try writer?.close() } catch { if self.error == nil { self.error = error } }
    }

    private var lastTime: Duration = .zero

    private func drain() {
        while let unit = decoder.next() {
            let starred = unit.redactedIfSecret
            onUnit(starred ?? unit, decoder.anomalies)
            guard let writer, error == nil, filter.keeps(unit) else { continue }
            let redacted = !keepSecrets ? starred : nil
            let written = redacted ?? unit
            do {
                let comment = redacted.map { "secret replaced by \($0.bytes.count) bytes of filler" }
                try writer.write(
                    time: written.time, origin: origin, direction: written.direction, dissector: written.dissector,
                    bytes: written.bytes, flags: redacted != nil ? .redacted : [], comment: comment)
            } catch {
                // Keep provisioning: a full disk must not strand the module; the error is reported at the end.
                self.error = error
            }
        }
    }
}
