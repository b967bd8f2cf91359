import EDMBytes
import EDMFrames
import EDMAT
import EDMSession

/// Reads a plain hex dump: continuous hex digits, any line length, whitespace anywhere
/// between bytes (blowback/ublox_edm_decoder's `data/bad.txt` is 80 upper-case digits a line);
/// or an `xxd` or `hexdump -C` dump, told by its first line (`HexDumpLine`), whose offsets are
/// checked and whose ASCII column is ignored.
///
/// The text is the same thing as a raw binary file, so it becomes the same records: one
/// stated or unknown direction, synthetic times, records cut every
/// `TraceRecordLimits.maxRecordSize` bytes. A byte's two digits may sit on either side of a
/// line break or a chunk boundary. Anything but hex digits and whitespace is an error with
/// its line and column; an odd digit count is reported at the end.
public struct HexDumpImporter: TraceImporter {
    public let direction: Direction?
    public var format: TraceFormat { .hexDump }
    public var origin: TraceOrigin? { nil }

    private var raw: RawBinaryImporter
    private var highNibble: UInt8?
    private var line = 1
    private var column = 0
    private var sawInput = false
    /// The input until its first non-blank line is complete, which tells the layout.
    private var head: [UInt8] = []
    private var decided = false
    /// Nil for a plain dump.
    private var layout: HexDumpLine.Layout?
    private var reader = LineReader(format: .hexDump)
    /// Bytes read from an offset-prefixed dump so far: the offset the next line must have.
    private var dumpOffset = 0
    private var previousLine: [UInt8] = []
    private var repeatPending = false
    /// The most bytes one `*` may stand for: more would be a made-up offset, not a dump.
    private static let maxRepeatedBytes = 1 << 20
    /// A first line longer than this is a plain dump's (dump lines are under 100 bytes).
    private static let maxHeadLength = 4096

    public init(direction: Direction?) {
        self.direction = direction
        raw = RawBinaryImporter(direction: direction)
    }

    public mutating func consume(_ chunk: ArraySlice<UInt8>) throws(TraceImportError) -> [TraceRecord] {
        if !chunk.isEmpty { sawInput = true }
        if decided { return try consumeDecided(chunk) }
        head += chunk
        guard let first = Self.firstLine(head,
            complete: true) ?? (head.count > Self.maxHeadLength ? head[...] : nil) else { return [] }
        return try decide(first)
    }

    public mutating func finish() throws(TraceImportError) -> [TraceRecord] {
        guard sawInput else { throw TraceImportError(.empty, format: format, "the file is empty") }
        var records = decided ? [] : try decide(Self.firstLine(head, complete: false) ?? head[...])
        if layout != nil {
            if let last = reader.finish() { records += try raw.consume(try dumpBytes(last)[...]) }
            if repeatPending {
                throw TraceImportError(.truncated, format: format, line: reader.linesSeen,
                    "the dump ends with '*': the length of the repeated lines is unknown")
            }
        } else if highNibble != nil {
            throw TraceImportError(.truncated, format: format, line: line,
                "odd number of hex digits: the last byte has only one digit")
        }
        // The raw importer saw bytes only if there were digits; an all-whitespace file is empty.
        do { return try records + raw.finish() } catch {
            throw TraceImportError(.empty, format: format, "the file holds no hex digits")
        }
    }

    /// The first line that is not blank (without its LF); with `complete`, only once its LF is in.
    private static func firstLine(_ bytes: [UInt8], complete: Bool) -> ArraySlice<UInt8>? {
        var rest = bytes[...]
        while let lf = rest.firstIndex(of: ByteText.lf) {
            if !ByteText.trimmed(rest[..<lf]).isEmpty { return rest[..<lf] }
            rest = rest[(lf + 1)...]
        }
        return complete || ByteText.trimmed(rest).isEmpty ? nil : rest
    }

    private mutating func decide(_ firstLine: ArraySlice<UInt8>) throws(TraceImportError) -> [TraceRecord] {
        decided = true
        layout = HexDumpLine.layout(of: firstLine)
        let buffered = head
        head = []
        return try consumeDecided(buffered[...])
    }

    private mutating func consumeDecided(_ chunk: ArraySlice<UInt8>) throws(TraceImportError) -> [TraceRecord] {
        guard layout != nil else { return try raw.consume(try plainBytes(chunk)[...]) }
        var decoded: [UInt8] = []
        for line in try reader.lines(in: chunk) { decoded += try dumpBytes(line) }
        return try raw.consume(decoded[...])
    }

    private mutating func plainBytes(_ chunk: ArraySlice<UInt8>) throws(TraceImportError) -> [UInt8] {
        var decoded: [UInt8] = []
        decoded.reserveCapacity(chunk.count / 2)
        for b in chunk {
            column += 1
            if b == ByteText.lf { line += 1; column = 0; continue }
            if ByteText.isSpace(b) { continue }
            guard let v = ByteText.hexValue(b) else {
                throw TraceImportError(
                    .invalidCharacter, format: format, line: line,
                    "column \(column): \(describe(b)) is not a hex digit (a hex dump holds only "
                        + "0-9, A-F and whitespace, unless it is an xxd or hexdump -C dump)"
                )
            }
            if let hi = highNibble {
                decoded.append(hi << 4 | v)
                highNibble = nil
            } else {
                highNibble = v
            }
        }
        return decoded
    }

    private mutating func dumpBytes(_ line: LineReader.Line) throws(TraceImportError) -> [UInt8] {
        guard let layout, !ByteText.trimmed(line.bytes).isEmpty else { return [] }
        let name = layout == .xxd ? "xxd" : "hexdump -C"
        guard let parsed = HexDumpLine.parse(line.bytes, layout) else {
            throw TraceImportError(.malformedLine, format: format, line: line.number,
                "not a line of an \(name) dump like the first: \(ByteText.quote(line.bytes))")
        }
        switch parsed {
        case .repeated:
            repeatPending = true
            return []
        case .end(let offset):
            return try repeats(upTo: offset, line: line.number)
        case .bytes(let offset, let bytes):
            let filled = try repeats(upTo: offset, line: line.number)
            previousLine = bytes
            dumpOffset += bytes.count
            return filled + bytes
        }
    }

    /// The bytes a `*` before this line stands for: the previous line again, up to `offset`.
    private mutating func repeats(upTo offset: Int, line: Int) throws(TraceImportError) -> [UInt8] {
        defer { repeatPending = false }
        if offset == dumpOffset { return [] }
        let gap = offset - dumpOffset
        guard repeatPending, gap > 0, !previousLine.isEmpty, gap % previousLine.count == 0, gap <= Self.maxRepeatedBytes
        else {
            throw TraceImportError(
                .inconsistent, format: format, line: line,
                "offset 0x\(String(offset, radix: 16)), but the lines "
                    + "before hold 0x\(String(dumpOffset, radix: 16)) bytes"
            )
        }
        dumpOffset = offset
        return Array(repeating: previousLine, count: gap / previousLine.count).flatMap { $0 }
    }

    private func describe(_ b: UInt8) -> String {
        (0x21...0x7E).contains(b) ? "'\(Character(Unicode.Scalar(b)))'" : "byte 0x" + hexString([b])
    }
}
