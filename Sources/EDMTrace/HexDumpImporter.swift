import EDMBytes
import EDMFrames
import EDMAT
import EDMSession

/// Reads a plain hex dump: continuous hex digits, any line length, whitespace anywhere
/// between bytes (blowback/ublox_edm_decoder's `data/bad.txt` is 80 upper-case digits a line).
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

    public init(direction: Direction?) {
        self.direction = direction
        raw = RawBinaryImporter(direction: direction)
    }

    public mutating func consume(_ chunk: ArraySlice<UInt8>) throws(TraceImportError) -> [TraceRecord] {
        if !chunk.isEmpty { sawInput = true }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(chunk.count / 2)
        for b in chunk {
            column += 1
            if b == ByteText.lf { line += 1; column = 0; continue }
            if ByteText.isSpace(b) { continue }
            guard let v = ByteText.hexValue(b) else {
                throw TraceImportError(.invalidCharacter, format: format, line: line,
                                       "column \(column): \(describe(b)) is not a hex digit (a hex dump holds only 0-9, A-F and whitespace)")
            }
            if let hi = highNibble {
                decoded.append(hi << 4 | v)
                highNibble = nil
            } else {
                highNibble = v
            }
        }
        return try raw.consume(decoded[...])
    }

    public mutating func finish() throws(TraceImportError) -> [TraceRecord] {
        guard sawInput else { throw TraceImportError(.empty, format: format, "the file is empty") }
        if highNibble != nil {
            throw TraceImportError(.truncated, format: format, line: line, "odd number of hex digits: the last byte has only one digit")
        }
        // The raw importer saw bytes only if there were digits; an all-whitespace file is empty.
        do { return try raw.finish() } catch {
            throw TraceImportError(.empty, format: format, "the file holds no hex digits")
        }
    }

    private func describe(_ b: UInt8) -> String {
        (0x21...0x7E).contains(b) ? "'\(Character(Unicode.Scalar(b)))'" : "byte 0x" + hexString([b])
    }
}
