import EDMKit

/// Reads a capture into a `SessionProfile` (what `edm-replay diff` and `edm-decode --against`
/// compare), a batch at a time: units are decoded, redacted and reduced as they come.
public enum SessionProfileReader {
    /// The first session of the capture at `path`. Secrets are starred before the profile sees
    /// a unit, unless `redact` is false.
    public static func profile(path: String, options: CaptureInput.Options = .init(),
                               redact: Bool = true) throws(CaptureInput.Failure) -> SessionProfile {
        let input = try CaptureInput(path: path, options: options)
        var decoder = SessionDecoder()
        var profile = SessionProfile()
        func drain() {
            while var unit = decoder.next() {
                if redact { _ = unit.redactIfSecret() }
                profile.add(unit)
            }
        }
        while let records = try input.next() {
            for record in records {
                decoder.receive(record)
                drain()
            }
        }
        decoder.finish()
        drain()
        profile.finish(anomalies: decoder.anomalies)
        return profile
    }
}
