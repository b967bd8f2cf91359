import EDMBytes
import EDMFrames
import EDMAT
import EDMSession

/// Reads interceptty's log: one byte per line, no timing.
///
///     < 0xaa
///     < 0x44 (D)
///     > 	0x55 (U)
///
/// `<` is a byte written to the device (host→module); `>` plus a tab a byte read from it.
/// The character in parentheses (only for 33...126) is ignored: the hex is the byte.
/// Consecutive bytes of one direction join one record; times are synthetic
/// (`SyntheticTime`, by the byte's position in the whole log) and flagged.
public struct IntercepttyImporter: LineImporter {
    public var format: TraceFormat { .interceptty }
    public var origin: TraceOrigin? { nil }

    public var reader = LineReader(format: .interceptty)
    // Bytes one synthetic tick apart are consecutive in the log: they join while the direction holds.
    private var grouper = ByteRunGrouper(joinWithin: SyntheticTime.perByte, flags: .syntheticTime)
    private var bytesSeen = 0

    public init() {}

    /// The direction and byte of one line, nil when it is not an interceptty line.
    package static func parseLine(_ line: ArraySlice<UInt8>) -> (Direction, UInt8)? {
        guard let mark = line.first, mark == 0x3C || mark == 0x3E else { return nil }
        var i = line.startIndex + 1
        while i < line.endIndex, line[i] == ByteText.space || line[i] == ByteText.tab { i += 1 }
        guard i > line.startIndex + 1, line.endIndex - i >= 4, line[i] == 0x30, line[i + 1] == 0x78
            || line[i + 1] == 0x58,
              let b = ByteText.hexByte(line, at: i + 2) else { return nil }
        let rest = line[(i + 4)...]
        // Nothing, or " (c)" with the byte's own character.
        guard rest.isEmpty || (rest.count == 4 && rest.first == ByteText.space && rest.dropFirst().first == 0x28
            && rest.last == 0x29)
                || ByteText.trimmed(rest).isEmpty else { return nil }
        return (mark == 0x3C ? .host : .module, b)
    }

    public mutating func close(into out: inout [TraceRecord]) throws(TraceImportError) {
        grouper.flush(into: &out)
    }

    public mutating func read(_ line: LineReader.Line, into out: inout [TraceRecord]) throws(TraceImportError) {
        if ByteText.trimmed(line.bytes).isEmpty { return }
        guard let (direction, byte) = Self.parseLine(line.bytes) else {
            throw TraceImportError(
                .malformedLine, format: format, line: line.number,
                "expected '< 0xhh' (to the device) or '> <tab>0xhh' (from it), found \(ByteText.quote(line.bytes))")
        }
        grouper.add(time: SyntheticTime.time(atByte: bytesSeen), direction: direction, bytes: CollectionOfOne(byte),
            into: &out)
        bytesSeen += 1
    }
}
