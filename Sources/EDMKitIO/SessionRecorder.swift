import EDMKit

/// Records a live session as it happens: bytes in, one packet per decoded unit out.
///
/// Each unit is written (and flushed, with a flushing writer) as soon as its last byte is
/// seen, so a crash or an unplugged adapter loses at most an unfinished unit; `finish()`
/// writes that one too. Secrets are replaced by same-length filler unless `keepSecrets`,
/// and such packets are flagged and commented.
public final class SessionRecorder {
    public let writer: any TraceCaptureWriter
    public let origin: TraceOrigin
    public let keepSecrets: Bool
    /// Each unit as recorded (after redaction), with the anomalies found so far.
    public var onUnit: (SessionUnit, [SessionAnomaly]) -> Void = { _, _ in }
    public private(set) var error: CaptureIOError?
    private var decoder = SessionDecoder()

    public init(writer: any TraceCaptureWriter, origin: TraceOrigin, keepSecrets: Bool = false) {
        self.writer = writer
        self.origin = origin
        self.keepSecrets = keepSecrets
    }

    public func record(_ direction: Direction, _ bytes: [UInt8], at time: Duration) {
        decoder.receive(time: time, direction: direction, bytes: bytes[...])
        drain()
    }

    /// Writes what is left and closes the file.
    public func finish() {
        decoder.finish()
        drain()
        do { try writer.close() } catch { if self.error == nil { self.error = error } }
    }

    private func drain() {
        while var unit = decoder.next() {
            let secret = !keepSecrets && unit.redactIfSecret()
            onUnit(unit, decoder.anomalies)
            guard error == nil else { continue }
            do {
                try writer.write(time: unit.time, origin: origin, direction: unit.direction, dissector: unit.dissector,
                                 bytes: unit.bytes, flags: secret ? .redacted : [],
                                 comment: secret ? "secret replaced by \(unit.bytes.count) bytes of filler" : nil)
            } catch {
                // Keep provisioning: a full disk must not strand the module; the error is reported at the end.
                self.error = error
            }
        }
    }
}
