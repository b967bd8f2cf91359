import EDMBytes
import EDMFrames
import EDMAT
import EDMSession

/// Reads what `socat -x -v` (or `-x` alone) writes to stderr while relaying two ends.
///
///     > 2026/11/28 07:54:14.000425418  length=23 from=0 to=22
///      aa 00 13 00 44 41 54 2b 55 57 53 43 3d 30 2c 32  ....DAT+UWSC=0,2
///      2c 53 53 49 44 0d 55                             ,SSID.U
///     --
///
/// - `>` is left→right, `<` right→left; which one the host wrote is an option (default `>`).
/// - Only the hex slots are read (` hh` repeated from column 0), never the ASCII column;
///   `-x` alone prints every byte of a block on one line, `-x -v` 16 a line and breaks after `0a`.
/// - `length`, `from` and `to` are checked: the block must hold `length` bytes and `from`
///   must continue that direction's running offset. A mismatch is an error (bytes were lost).
/// - socat 1.7.4 prints microseconds in the nanosecond position (`.000425418` for 425418 µs).
///   With `.auto`, the first blocks decide: if every fraction is 9 digits starting `000`, the
///   file has the bug and the last 6 digits are read as microseconds. Records wait (at most
///   `decisionBlocks` of them) until that is decided, since it moves the origin.
/// - `-v` without `-x` turns bytes into escaped text, which cannot be undone: refused.
/// - Times are local wall-clock time without a zone; `utcOffsetSeconds` says which zone
///   (default: read as UTC). The first block's time is the origin.
public struct SocatImporter: LineImporter {
    /// Whether to repair socat 1.7.4's microsecond timestamps: decided from the file, always, or never.
    public enum MicrosecondRepair: String, Hashable, Sendable { case auto, always, never }

    /// Which side of socat is the host, the log's time zone, and the timestamp repair.
    public struct Options: Hashable, Sendable {
        /// Who wrote the bytes socat marks `>` (left to right).
        public var leftToRight: Direction
        public var utcOffsetSeconds: Int
        public var microsecondRepair: MicrosecondRepair
        public init(leftToRight: Direction = .host, utcOffsetSeconds: Int = 0,
            microsecondRepair: MicrosecondRepair = .auto) {
            self.leftToRight = leftToRight
            self.utcOffsetSeconds = utcOffsetSeconds
            self.microsecondRepair = microsecondRepair
        }
    }

    /// A block's header line: direction, time and length.
    package struct Header {
        package var leftToRight: Bool
        package var unixNanoseconds: Int64
        package var fraction: [UInt8]
        package var length: Int
        package var from: Int
        package var to: Int
    }

    public var format: TraceFormat { .socat }
    public private(set) var origin: TraceOrigin?
    public let options: Options
    /// How many blocks decide whether the file has socat 1.7.4's timestamp bug.
    public static let decisionBlocks = 8

    public var reader = LineReader(format: .socat)
    private var block: (header: Header, line: Int, bytes: [UInt8])?
    private var offsets = (leftToRight: 0, rightToLeft: 0)
    private var repair: Bool?
    private var waiting: [(header: Header, line: Int, bytes: [UInt8])] = []

    public init(options: Options = Options()) { self.options = options }

    /// `> 2026/11/28 07:54:14.000425418  length=23 from=0 to=22`
    package static func parseHeader(_ line: ArraySlice<UInt8>, utcOffsetSeconds: Int) -> Header? {
        let f = ByteText.fields(line)
        guard f.count == 6, f[0].count == 1, f[0].first == 0x3E || f[0].first == 0x3C,
              let when = TimeText.calendar(line[f[1].startIndex..<f[2].endIndex], utcOffsetSeconds: utcOffsetSeconds),
              let length = ByteText.dropPrefix(f[3], "length=").flatMap(ByteText.decimal),
              let from = ByteText.dropPrefix(f[4], "from=").flatMap(ByteText.decimal),
              let to = ByteText.dropPrefix(f[5], "to=").flatMap(ByteText.decimal) else { return nil }
        return Header(leftToRight: f[0].first == 0x3E, unixNanoseconds: when.nanoseconds,
            fraction: Array(when.fraction),
                      length: length, from: from, to: to)
    }

    /// The bytes of a hex line: ` hh` slots from column 0 up to the first that is not one.
    package static func hexSlots(_ line: ArraySlice<UInt8>) -> [UInt8]? {
        var out: [UInt8] = []
        var i = line.startIndex
        while i + 2 < line.endIndex, line[i] == ByteText.space, let b = ByteText.hexByte(line, at: i + 1) {
            out.append(b)
            i += 3
        }
        // A slot must be followed by a space (the next slot or the ASCII column) or the end.
        guard !out.isEmpty, i == line.endIndex || line[i] == ByteText.space else { return nil }
        return out
    }

    public mutating func close(into out: inout [TraceRecord]) throws(TraceImportError) {
        try endBlock(into: &out)
        if repair == nil { decide(into: &out) }
    }

    public mutating func read(_ line: LineReader.Line, into out: inout [TraceRecord]) throws(TraceImportError) {
        let text = line.bytes
        if let header = Self.parseHeader(text, utcOffsetSeconds: options.utcOffsetSeconds) {
            try endBlock(into: &out)
            block = (header, line.number, [])
            return
        }
        if ByteText.equals(text, "--") || ByteText.trimmed(text).isEmpty {
            try endBlock(into: &out)
            return
        }
        guard block != nil else {
            throw TraceImportError(
                .malformedLine, format: format, line: line.number,
                "expected a block header like '> 2026/11/28 07:54:14.000425418 "
                    + " length=23 from=0 to=22', found \(ByteText.quote(text))"
            )
        }
        guard let bytes = Self.hexSlots(text) else {
            throw TraceImportError(
                .lossyVariant, format: format, line: line.number,
                "data is not hex (\(ByteText.quote(text))): this looks like socat -v without -x, which "
                    + "escapes bytes and cannot be read back exactly; capture again with socat -x -v"
            )
        }
        block!.bytes += bytes
        if block!.bytes.count > block!.header.length {
            throw TraceImportError(
                .inconsistent, format: format, line: line.number,
                "block declares length=\(block!.header.length) (line \(block!.line)) but holds more bytes")
        }
    }

    private mutating func endBlock(into out: inout [TraceRecord]) throws(TraceImportError) {
        guard let done = block else { return }
        block = nil
        let h = done.header
        let expected = h.leftToRight ? offsets.leftToRight : offsets.rightToLeft
        guard done.bytes.count == h.length else {
            throw TraceImportError(.inconsistent, format: format, line: done.line,
                                   "block declares length=\(h.length) but holds \(done.bytes.count) bytes")
        }
        guard h.from == expected, h.to == h.from + h.length - 1 else {
            throw TraceImportError(
                .inconsistent, format: format, line: done.line,
                "\(h.leftToRight ? ">" : "<") block says from=\(h.from) to=\(h.to) but \(expected) bytes "
                    + "came before it in that direction (and to must be from+length-1): bytes are missing"
            )
        }
        if h.leftToRight { offsets.leftToRight += h.length } else { offsets.rightToLeft += h.length }
        if repair == nil {
            waiting.append(done)
            if waiting.count >= Self.decisionBlocks { decide(into: &out) }
        } else {
            out.append(record(done))
        }
    }

    private static func hasMicrosecondBug(_ fraction: [UInt8]) -> Bool {
        fraction.count == 9 && fraction.prefix(3).allSatisfy { $0 == 0x30 }
    }

    private mutating func decide(into out: inout [TraceRecord]) {
        switch options.microsecondRepair {
        case .always: repair = true
        case .never: repair = false
        case .auto: repair = !waiting.isEmpty && waiting.allSatisfy { Self.hasMicrosecondBug($0.header.fraction) }
        }
        if repair == true, let first = waiting.first {
            reader.diagnostics.append(
                TraceImportDiagnostic(
                    .timestampRepaired, .warning, line: first.line,
                    "timestamp fractions read as microseconds: socat 1.7.4 "
                        + "prints microseconds in the nanosecond position"
                ))
        }
        for done in waiting { out.append(record(done)) }
        waiting = []
    }

    private mutating func record(_ done: (header: Header, line: Int, bytes: [UInt8])) -> TraceRecord {
        var absolute = done.header.unixNanoseconds
        if repair == true {
            if Self.hasMicrosecondBug(done.header.fraction) {
                let printed = Int64(TimeText.fractionNanoseconds(done.header.fraction[...]) ?? 0)
                absolute += printed * 1000 - printed // the printed value is microseconds
            } else {
                reader.diagnostics.append(
                    TraceImportDiagnostic(
                        .timestampRepaired, .warning, line: done.line,
                        "fraction .\(ByteText.string(done.header.fraction[...])) "
                            + "does not look like socat 1.7.4's, left as printed"
                    ))
            }
        }
        if origin == nil { origin = TraceOrigin(unixNanoseconds: absolute) }
        let direction = done.header.leftToRight ? options.leftToRight : options.leftToRight.other
        return TraceRecord(time: .nanoseconds(absolute - origin!.unixNanoseconds), direction: direction,
            bytes: done.bytes)
    }
}
