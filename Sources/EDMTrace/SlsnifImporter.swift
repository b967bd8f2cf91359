import EDMBytes
import EDMFrames
import EDMAT
import EDMSession

/// Reads slsnif's log (`-x` hex or the default decimal), binary-safe.
///
///     Sat Nov 28 07:54:14.42 2026<NUL>
///     Host   --> ª (aa) <NUL> (00) <DC3> (13) <NUL> (00) D (44) ...
///     Device --> ...
///
/// - One block per `read()` (at most 32 bytes), on one line after `Host   --> ` (host→module)
///   or `Device --> ` (module→host); each byte is `c (hh) ` or `c (ddd) `, where `c` is the
///   character, a name such as `<CR>`, or, for bytes ≥ 0x80, the raw byte: the file is not
///   UTF-8, so everything here works on bytes. Only the number in parentheses is read.
/// - With `-t`, a ctime-style line precedes each block. Its millisecond field is unreliable
///   (`.%2u` cut to 3 characters: 425 ms prints `.42`, 5 ms `. 5`), so times keep whole
///   seconds only, each record says so in its comment, and a diagnostic says so once.
///   The first timestamp is the origin (local time, read as UTC unless told the offset).
/// - Without `-t` times are synthetic (`SyntheticTime`) and flagged.
/// - The `-b` byte-count lines are checked against the block. The `-d` hexdump layout is not read.
/// - Logged to stdout (no `-l`), slsnif adds colour escapes around each part: they are removed.
public struct SlsnifImporter: LineImporter {
    public var format: TraceFormat { .slsnif }
    public private(set) var origin: TraceOrigin?
    public let utcOffsetSeconds: Int

    public var reader = LineReader(format: .slsnif)
    private var pendingTime: (seconds: Int64, line: Int)?
    private var lastBlock: (count: Int, line: Int)?
    private var bytesSeen = 0
    private var warnedImprecise = false

    package static let timeComment = "slsnif time, to the second: its millisecond field is unreliable"

    public init(utcOffsetSeconds: Int = 0) { self.utcOffsetSeconds = utcOffsetSeconds }

    /// The bytes of a block's items: `c (hh) ` or `c (ddd) ` repeated.
    package static func parseItems(_ s: ArraySlice<UInt8>) -> [UInt8]? {
        var out: [UInt8] = []
        var i = s.startIndex
        while i < s.endIndex {
            if s[i] == ByteText.space, i + 1 == s.endIndex { break } // the last item's trailing space
            // The character token: one raw byte, or a name like <CR> or <DC3> (but '<' alone is the byte 0x3C).
            var next = i + 1
            if s[i] == 0x3C, let close = s[(i + 1)...].prefix(8).firstIndex(of: 0x3E), close > i + 1,
               s[(i + 1)..<close].allSatisfy({ ($0 >= 0x41 && $0 <= 0x5A) || ByteText.isDigit($0) }) {
                next = close + 1
            }
            guard next < s.endIndex, s[next] == ByteText.space, next + 1 < s.endIndex, s[next + 1] == 0x28,
                  let close = s[(next + 2)...].prefix(4).firstIndex(of: 0x29) else { return nil }
            let number = s[(next + 2)..<close]
            if number.count == 2, let b = ByteText.hexByte(number, at: number.startIndex) {
                out.append(b)
            } else if number.count == 3, let v = ByteText.decimal(number), v <= 255 {
                out.append(UInt8(v))
            } else {
                return nil
            }
            i = close + 1
            if i < s.endIndex {
                guard s[i] == ByteText.space else { return nil }
                i += 1
            }
        }
        return out.isEmpty ? nil : out
    }

    /// `Sat Nov 28 07:54:14.42 2026` (ctime with slsnif's cut milliseconds), to whole seconds.
    package static func parseTimestamp(_ line: ArraySlice<UInt8>, utcOffsetSeconds: Int) -> Int64? {
        var b = Array(line)
        while b.last == 0 || b.last == ByteText.space { b.removeLast() }
        guard b.count == 27, b[3] == ByteText.space, b[7] == ByteText.space, b[10] == ByteText.space,
              b[13] == 0x3A, b[16] == 0x3A, b[19] == 0x2E, b[22] == ByteText.space else { return nil }
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard let month = months.firstIndex(where: { $0.utf8.elementsEqual(b[4..<7]) }),
              let day = ByteText.decimal(ByteText.trimmed(b[8..<10])),
              let hour = ByteText.decimal(b[11..<13]), let minute = ByteText.decimal(b[14..<16]),
              let second = ByteText.decimal(b[17..<19]), let year = ByteText.decimal(b[23..<27]) else { return nil }
        return TimeText.unixNanoseconds(year: year, month: month + 1, day: day, hour: hour, minute: minute,
            second: second,
                                        nanosecond: 0, utcOffsetSeconds: utcOffsetSeconds)
    }

    /// Removes the colour escapes (`ESC [ 0;37m`) slsnif writes when its log is stdout: a raw
    /// ESC is always one of them, since slsnif prints the byte 0x1B as `<ESC>`.
    package static func stripColors(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        guard line.contains(0x1B) else { return line }
        var out: [UInt8] = []
        var i = line.startIndex
        while i < line.endIndex {
            if line[i] == 0x1B, i + 1 < line.endIndex, line[i + 1] == 0x5B {
                var j = i + 2
                while j < line.endIndex, ByteText.isDigit(line[j]) || line[j] == 0x3B { j += 1 }
                if j < line.endIndex, line[j] == 0x6D { i = j + 1; continue }
            }
            out.append(line[i]); i += 1
        }
        return out[...]
    }

    public mutating func close(into out: inout [TraceRecord]) throws(TraceImportError) {
    }

    public mutating func read(_ line: LineReader.Line, into out: inout [TraceRecord]) throws(TraceImportError) {
        let text = Self.stripColors(line.bytes)
        if ByteText.trimmed(text).allSatisfy({ $0 == 0 }) { return }
        let prefixes: [(String, Direction)] = [("Host   --> ", .host), ("Device --> ", .module)]
        for (prefix, direction) in prefixes {
            guard let items = ByteText.dropPrefix(text, prefix) else { continue }
            guard let bytes = Self.parseItems(items) else {
                throw TraceImportError(
                    .malformedLine, format: format, line: line.number,
                    "expected bytes written 'c (hh) ' after "
                        + "'\(prefix.trimmingSuffixSpaces)', found \(ByteText.quote(items))"
                )
            }
            out.append(record(bytes, direction: direction, line: line.number))
            return
        }
        if let seconds = Self.parseTimestamp(text, utcOffsetSeconds: utcOffsetSeconds) {
            pendingTime = (seconds, line.number)
            return
        }
        if let count = ByteText.dropPrefix(ByteText.trimmed(text),
            "Total bytes transmitted:").flatMap({ ByteText.decimal(ByteText.trimmed($0)) }) {
            if let last = lastBlock, last.count != count {
                throw TraceImportError(
                    .inconsistent, format: format, line: line.number,
                    "slsnif counted \(count) bytes but the block on line \(last.line) holds \(last.count)")
            }
            return
        }
        if ByteText.dropPrefix(text, "       --> ") != nil {
            throw TraceImportError(.malformedLine, format: format, line: line.number,
                                   "this is slsnif's -d hexdump layout, which is not supported: capture with slsnif -x")
        }
        throw TraceImportError(
            .malformedLine, format: format, line: line.number,
            "expected 'Host   --> ', 'Device --> ' or a timestamp line, found \(ByteText.quote(text))")
    }

    private mutating func record(_ bytes: [UInt8], direction: Direction, line: Int) -> TraceRecord {
        defer {
            bytesSeen += bytes.count
            lastBlock = (bytes.count, line)
            pendingTime = nil
        }
        guard let (seconds, timeLine) = pendingTime else {
            return TraceRecord(time: SyntheticTime.time(atByte: bytesSeen), direction: direction, bytes: bytes,
                flags: .syntheticTime)
        }
        if origin == nil { origin = TraceOrigin(unixNanoseconds: seconds) }
        if !warnedImprecise {
            warnedImprecise = true
            reader.diagnostics.append(
                TraceImportDiagnostic(
                    .timestampImprecise, .warning, line: timeLine,
                    "times kept to the second: slsnif's millisecond field is unreliable"))
        }
        return TraceRecord(time: .nanoseconds(seconds - origin!.unixNanoseconds), direction: direction, bytes: bytes,
            comment: Self.timeComment)
    }
}

private extension String {
    var trimmingSuffixSpaces: String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
