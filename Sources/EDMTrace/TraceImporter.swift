import EDMBytes
import EDMFrames
import EDMAT
import EDMSession

/// Turns one capture format into `TraceRecord`s, a chunk at a time.
///
/// The contract, shared by every format:
/// - `consume` takes the input in chunks of any size, split anywhere (inside a line, inside
///   a UTF-8 sequence); the records are the same whatever the split.
/// - Memory stays flat: an importer keeps at most a line, a block or a short reorder window,
///   never the whole input. Records come out as soon as they are complete.
/// - Records come out in time order. Formats without timing get synthetic, increasing times
///   flagged `.syntheticTime` (see `SyntheticTime`).
/// - `finish` flushes what is pending and reports input that ends mid-unit; it throws
///   `.empty` when no byte was ever consumed.
/// - Problems it cannot read past are thrown with a line number or byte offset; everything
///   else is a diagnostic, drained with `takeDiagnostics` so it cannot pile up either.
public protocol TraceImporter {
    /// The format this importer reads, for messages.
    var format: TraceFormat { get }
    /// The absolute time of `time == .zero`, once the input has said (nil for formats with
    /// relative or no times).
    var origin: TraceOrigin? { get }
    mutating func consume(_ chunk: ArraySlice<UInt8>) throws(TraceImportError) -> [TraceRecord]
    mutating func finish() throws(TraceImportError) -> [TraceRecord]
    /// Diagnostics gathered since the last call.
    mutating func takeDiagnostics() -> [TraceImportDiagnostic]
}

extension TraceImporter {
    public mutating func takeDiagnostics() -> [TraceImportDiagnostic] { [] }

    /// Feeds a whole input in chunks of `chunkSize` bytes, then finishes: for tests and for
    /// inputs already in memory.
    public mutating func importAll<C: Collection<UInt8>>(_ input: C,
        chunkSize: Int = 64 * 1024) throws(TraceImportError) -> [TraceRecord] {
        let bytes = Array(input)
        var records: [TraceRecord] = []
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + max(1, chunkSize))
            records += try consume(bytes[start..<end])
            start = end
        }
        records += try finish()
        return records
    }
}

/// Invented times for formats that have none: one microsecond per byte of the stream.
///
/// Tying the time to the byte position keeps it increasing and independent of how the
/// input was chunked, and lets a reader recover the offset from the time.
public enum SyntheticTime {
    public static let perByte = Duration.microseconds(1)

    public static func time(atByte offset: Int) -> Duration { .microseconds(Int64(offset)) }
}

/// Bounds that keep importers' memory flat.
public enum TraceRecordLimits {
    /// Largest record an importer builds from a run of bytes (a raw file, a long run of one
    /// direction): longer runs are cut, so a run never has to sit in memory whole.
    public static let maxRecordSize = 4096
    /// Longest line a text importer accepts; longer means the file is not text.
    public static let maxLineLength = 1 << 20
}
