import EDMBytes
import EDMFrames
import EDMAT
import EDMSession

/// Cuts a byte stream into lines, across chunk boundaries, and keeps the notes its importer
/// makes about them until they are taken.
///
/// A line ends at LF; one CR before it is dropped too, so CRLF files read like LF files.
/// Lines that lie wholly inside a chunk are slices of it (no copy); only a line split
/// across chunks is copied, into the one pending buffer. A line longer than
/// `TraceRecordLimits.maxLineLength` is refused: that is a binary file, and buffering it
/// would break the flat-memory promise.
public struct LineReader {
    /// One line of the input, without its terminator.
    public struct Line {
        /// 1-based.
        package var number: Int
        /// Byte offset of the line's first byte in the whole input.
        package var offset: Int
        /// The line without its terminator.
        package var bytes: ArraySlice<UInt8>
    }

    package let format: TraceFormat
    private var pending: [UInt8] = []
    private var pendingOffset = 0
    private(set) var linesSeen = 0
    private(set) var bytesSeen = 0
    /// Notes about the lines, drained by `TraceImporter.takeDiagnostics()`.
    package var diagnostics: [TraceImportDiagnostic] = []

    package init(format: TraceFormat) { self.format = format }

    package mutating func lines(in chunk: ArraySlice<UInt8>) throws(TraceImportError) -> [Line] {
        var out: [Line] = []
        var start = chunk.startIndex
        let chunkOffset = bytesSeen
        bytesSeen += chunk.count
        while let lf = chunk[start...].firstIndex(of: ByteText.lf) {
            if pending.isEmpty {
                out.append(make(chunk[start..<lf], offset: chunkOffset + (start - chunk.startIndex)))
            } else {
                pending += chunk[start..<lf]
                try checkLength(pending.count)
                out.append(make(pending[...], offset: pendingOffset))
                pending = []
            }
            start = lf + 1
        }
        if start < chunk.endIndex {
            if pending.isEmpty { pendingOffset = chunkOffset + (start - chunk.startIndex) }
            pending += chunk[start...]
            try checkLength(pending.count)
        }
        return out
    }

    /// The last line, when the input does not end with LF.
    package mutating func finish() -> Line? {
        guard !pending.isEmpty else { return nil }
        defer { pending = [] }
        return make(pending[...], offset: pendingOffset)
    }

    private mutating func make(_ bytes: ArraySlice<UInt8>, offset: Int) -> Line {
        linesSeen += 1
        var body = bytes
        if body.last == ByteText.cr { body = body.dropLast() }
        return Line(number: linesSeen, offset: offset, bytes: body)
    }

    private func checkLength(_ count: Int) throws(TraceImportError) {
        guard count > TraceRecordLimits.maxLineLength else { return }
        throw TraceImportError(
            .notText, format: format, line: linesSeen + 1,
            "line longer than \(TraceRecordLimits.maxLineLength) bytes: "
                + "this is not a \(format.displayName) (a binary file?)"
        )
    }
}
