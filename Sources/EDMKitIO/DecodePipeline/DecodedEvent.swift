import EDMKit

/// One step of a decoding run as the writer sees it, in order, with the units of its batch.
enum DecodedEvent: Sendable {
    /// Several inputs: the next one starts (each is its own session).
    case input(path: String, first: Bool)
    /// The session's input: its file, format and size (the HTML report's provenance).
    case source(path: String, format: String, bytes: Int?)
    case origin(TraceOrigin)
    /// What the importer noticed and carried on from.
    case notes([TraceImportDiagnostic])
    /// Anomalies found since the last ones; they concern units sent or about to be.
    case anomalies([SessionAnomaly])
    /// The batch's `units[range]`, in order; `redacted`: their secrets were starred.
    case units(Range<Int>, redacted: Bool)
    /// The session is over: its summary goes out.
    case sessionEnd
    /// Reading failed here: what came before is written, then this is the error.
    case failure(any Error)
}
