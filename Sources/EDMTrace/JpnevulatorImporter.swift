import EDMBytes
import EDMFrames
import EDMAT
import EDMSession

/// Reads `jpnevulator --read --timing-print --ascii --tty A --tty B`.
///
///     2026-11-28 07:54:44.550992: /dev/ttyS1
///     AA 00 13 00 44 41 54 2B 55 57 53 43 3D 30 2C 32	....DAT+UWSC=0,2
///
/// Each header starts one read from one tty; its hex lines (16 bytes a line, then a tab and
/// the ASCII column when `--ascii` was given: everything after the tab is ignored) make one
/// record. The tty name (or alias) gives the direction: `ttys` maps names to directions;
/// without a mapping the first tty seen is the host and the second the module (a third is an
/// error). Times are absolute, in microseconds, local time without a zone (read as UTC
/// unless told the offset); the first header is the origin.
public struct JpnevulatorImporter: LineImporter {
    /// Which tty is which side, and the log's time zone.
    public struct Options: Hashable, Sendable {
        /// Tty name (as printed) to direction; empty: first seen is the host.
        public var ttys: [String: Direction]
        public var utcOffsetSeconds: Int
        public init(ttys: [String: Direction] = [:], utcOffsetSeconds: Int = 0) {
            self.ttys = ttys
            self.utcOffsetSeconds = utcOffsetSeconds
        }
    }

    public var format: TraceFormat { .jpnevulator }
    public private(set) var origin: TraceOrigin?
    public let options: Options

    public var reader = LineReader(format: .jpnevulator)
    private var seenTtys: [String] = []
    private var block: TraceRecord?

    public init(options: Options = Options()) { self.options = options }

    /// `2026-11-28 07:54:44.550992: /dev/ttyS1` → time and tty name.
    package static func parseHeader(_ line: ArraySlice<UInt8>, utcOffsetSeconds: Int) -> (unixNanoseconds: Int64,
        tty: String)? {
        guard let colon = line.firstRange(of: ": ".utf8),
              let when = TimeText.calendar(line[line.startIndex..<colon.lowerBound],
                  utcOffsetSeconds: utcOffsetSeconds),
              !when.fraction.isEmpty else { return nil }
        let name = ByteText.trimmed(line[colon.upperBound...])
        guard !name.isEmpty else { return nil }
        return (when.nanoseconds, ByteText.string(name))
    }

    /// `AA 00 13` before an optional tab: the bytes, or nil when the line is not hex.
    package static func parseHex(_ line: ArraySlice<UInt8>) -> [UInt8]? {
        let hexPart = line.firstIndex(of: ByteText.tab).map { line[line.startIndex..<$0] } ?? line
        var out: [UInt8] = []
        for token in ByteText.fields(hexPart) {
            guard token.count == 2, let b = ByteText.hexByte(token, at: token.startIndex) else { return nil }
            out.append(b)
        }
        return out.isEmpty ? nil : out
    }

    public mutating func close(into out: inout [TraceRecord]) throws(TraceImportError) {
        endBlock(into: &out)
    }

    public mutating func read(_ line: LineReader.Line, into out: inout [TraceRecord]) throws(TraceImportError) {
        if ByteText.trimmed(line.bytes).isEmpty { return }
        if let (absolute, tty) = Self.parseHeader(line.bytes, utcOffsetSeconds: options.utcOffsetSeconds) {
            endBlock(into: &out)
            if origin == nil { origin = TraceOrigin(unixNanoseconds: absolute) }
            block = TraceRecord(time: .nanoseconds(absolute - origin!.unixNanoseconds),
                direction: try direction(of: tty, line: line.number), bytes: [])
            return
        }
        guard let bytes = Self.parseHex(line.bytes) else {
            throw TraceImportError(
                .malformedLine, format: format, line: line.number,
                "expected a header '2026-11-28 07:54:44.550992: /dev/ttyS1' or hex "
                    + "bytes 'AA 00 13 ...', found \(ByteText.quote(line.bytes))"
            )
        }
        guard block != nil else {
            throw TraceImportError(
                .malformedLine, format: format, line: line.number,
                "hex bytes before any timing header: capture with jpnevulator --timing-print so each read names its tty"
            )
        }
        block!.bytes += bytes
        if block!.bytes.count >= TraceRecordLimits.maxRecordSize {
            let continued = TraceRecord(time: block!.time, direction: block!.direction, bytes: [])
            endBlock(into: &out)
            block = continued
        }
    }

    private mutating func endBlock(into out: inout [TraceRecord]) {
        if let done = block, !done.bytes.isEmpty { out.append(done) }
        block = nil
    }

    private mutating func direction(of tty: String, line: Int) throws(TraceImportError) -> Direction {
        if !options.ttys.isEmpty {
            guard let d = options.ttys[tty] else {
                let known = options.ttys.keys.sorted().joined(separator: ", ")
                throw TraceImportError(.unknownDirection, format: format, line: line,
                    "tty '\(tty)' is not mapped to host or module (mapped: \(known))")
            }
            return d
        }
        if let i = seenTtys.firstIndex(of: tty) { return i == 0 ? .host : .module }
        guard seenTtys.count < 2 else {
            throw TraceImportError(
                .unknownDirection, format: format, line: line,
                "a third tty '\(tty)' (after \(seenTtys.joined(separator: ", "))): map each tty to host or module")
        }
        seenTtys.append(tty)
        return seenTtys.count == 1 ? .host : .module
    }
}
