import EDMBytes
import EDMFrames
import EDMAT
import EDMSession

/// Reads a Saleae Logic 2 Async Serial "Export Table" CSV: one row per byte.
///
///     name,type,start_time,duration,data
///     "RX","data",0.0123452,8.68e-05,0xAA
///
/// - Columns are found by header name (exports that merge analyzers carry more columns).
/// - The analyzer's `name` gives the direction (`analyzers`, default `TX` host, `RX` module:
///   names as seen from the host); rows of other analyzers are skipped with a note.
/// - `start_time` is seconds since the capture started (parsed exactly, exponents too), or
///   an ISO 8601 time when the export was set to absolute times (then the first is the origin).
/// - `data` must be numeric: `0xAA` (set the display radix to hex before exporting),
///   `0b...` or decimal. ASCII-radix exports lose bytes and are refused.
/// - Rows are put back in time order within `reorderWindow`, then bytes of one direction with
///   the same time (or within `joinWithin`) join one record.
public struct SaleaeCSVImporter: LineImporter {
    /// Which analyzer is which side, and how rows are put back in order and joined.
    public struct Options: Hashable, Sendable {
        public var analyzers: [String: Direction]
        public var joinWithin: Duration
        public var reorderWindow: Duration
        public init(analyzers: [String: Direction] = ["TX": .host, "RX": .module], joinWithin: Duration = .zero,
                    reorderWindow: Duration = .milliseconds(100)) {
            self.analyzers = analyzers
            self.joinWithin = joinWithin
            self.reorderWindow = reorderWindow
        }
    }

    public var format: TraceFormat { .saleaeCSV }
    public private(set) var origin: TraceOrigin?
    public let options: Options

    public var reader = LineReader(format: .saleaeCSV)
    private var columns: (name: Int, type: Int?, time: Int, data: Int)?
    private var reorder: TimeOrderBuffer
    private var grouper: ByteRunGrouper
    private var skippedNames: Set<String> = []

    public init(options: Options = Options()) {
        self.options = options
        reorder = TimeOrderBuffer(window: options.reorderWindow)
        grouper = ByteRunGrouper(joinWithin: options.joinWithin)
    }

    /// Splits one CSV line; quoted fields may hold commas and doubled quotes.
    package static func splitCSV(_ line: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        var fields: [ArraySlice<UInt8>] = []
        var i = line.startIndex
        while true {
            if i < line.endIndex, line[i] == 0x22 {
                var value: [UInt8] = []
                i += 1
                while i < line.endIndex {
                    if line[i] == 0x22 {
                        if i + 1 < line.endIndex, line[i + 1] == 0x22 { value.append(0x22); i += 2; continue }
                        i += 1
                        break
                    }
                    value.append(line[i]); i += 1
                }
                while i < line.endIndex, line[i] != 0x2C { i += 1 }
                fields.append(value[...])
            } else {
                let end = line[i...].firstIndex(of: 0x2C) ?? line.endIndex
                fields.append(ByteText.trimmed(line[i..<end]))
                i = end
            }
            guard i < line.endIndex else { break }
            i += 1 // the comma
        }
        return fields
    }

    /// `0xAA`, `0b10101010` or `170`.
    package static func parseData(_ s: ArraySlice<UInt8>) -> UInt8? {
        let t = ByteText.trimmed(s)
        if let hex = ByteText.dropPrefix(t, "0x") ?? ByteText.dropPrefix(t, "0X") {
            guard (1...2).contains(hex.count), hex.allSatisfy({ ByteText.hexValue($0) != nil }) else { return nil }
            return hex.reduce(UInt8(0)) { $0 << 4 | ByteText.hexValue($1)! }
        }
        if let bin = ByteText.dropPrefix(t, "0b") {
            guard (1...8).contains(bin.count), bin.allSatisfy({ $0 == 0x30 || $0 == 0x31 }) else { return nil }
            return bin.reduce(UInt8(0)) { $0 << 1 | ($1 - 0x30) }
        }
        guard let v = ByteText.decimal(t), v <= 255 else { return nil }
        return UInt8(v)
    }

    public mutating func close(into out: inout [TraceRecord]) throws(TraceImportError) {
        for item in reorder.drain() { grouper.add(time: item.time, direction: item.direction,
            bytes: CollectionOfOne(item.byte), into: &out) }
        grouper.flush(into: &out)
    }

    public mutating func read(_ line: LineReader.Line, into out: inout [TraceRecord]) throws(TraceImportError) {
        if ByteText.trimmed(line.bytes).isEmpty { return }
        let fields = Self.splitCSV(line.bytes)
        guard let columns else {
            let names = fields.map { ByteText.string(ByteText.trimmed($0)).lowercased() }
            guard let name = names.firstIndex(of: "name"), let time = names.firstIndex(of: "start_time"),
                let data = names.firstIndex(of: "data")
            else {
                throw TraceImportError(
                    .missingField, format: format, line: line.number,
                    "the header must name the columns name, start_time and data (found \(names.joined(separator: ",")))"
                )
            }
            self.columns = (name, names.firstIndex(of: "type"), time, data)
            return
        }
        guard fields.count > max(columns.name, columns.time, columns.data, columns.type ?? 0) else {
            throw TraceImportError(.missingField, format: format, line: line.number,
                "row has \(fields.count) columns, fewer than the header")
        }
        if let type = columns.type, !ByteText.equals(fields[type], "data") { return }
        let name = ByteText.string(fields[columns.name])
        guard let direction = options.analyzers[name] else {
            if skippedNames.insert(name).inserted {
                reader.diagnostics.append(
                    TraceImportDiagnostic(
                        .skipped, .note, line: line.number,
                        "rows of analyzer '\(name)' skipped: it is not mapped to host or module"))
            }
            return
        }
        guard let byte = Self.parseData(fields[columns.data]) else {
            throw TraceImportError(
                .malformedLine, format: format, line: line.number,
                "data \(ByteText.quote(fields[columns.data])) is not a number: "
                    + "export with the display radix set to hex (0xAA)"
            )
        }
        let time = try self.time(fields[columns.time], line: line.number)
        let item = TimeOrderBuffer.Item(time: time, direction: direction, byte: byte, line: line.number)
        for ready in try reorder.insert(item, format: format) {
            grouper.add(time: ready.time, direction: ready.direction, bytes: CollectionOfOne(ready.byte), into: &out)
        }
    }

    private mutating func time(_ field: ArraySlice<UInt8>, line: Int) throws(TraceImportError) -> Duration {
        if let ns = TimeText.nanoseconds(field, unitExponent: 0) { return .nanoseconds(ns) }
        if let absolute = Self.iso8601(field) {
            if origin == nil { origin = TraceOrigin(unixNanoseconds: absolute) }
            return .nanoseconds(absolute - origin!.unixNanoseconds)
        }
        throw TraceImportError(.malformedLine, format: format, line: line,
            "start_time \(ByteText.quote(field)) is neither seconds nor an ISO 8601 time")
    }

    /// `2026-11-28T07:54:14.000425418+00:00` (or `Z`, or no zone: UTC).
    package static func iso8601(_ s: ArraySlice<UInt8>) -> Int64? {
        var body = s
        var offset = 0
        if body.last == 0x5A { body = body.dropLast() }
        else if body.count > 25, let sign = body.dropLast(5).last, sign == 0x2B || sign == 0x2D,
                let h = ByteText.decimal(body.suffix(5).prefix(2)), let m = ByteText.decimal(body.suffix(2)) {
            offset = (h * 3600 + m * 60) * (sign == 0x2D ? -1 : 1)
            body = body.dropLast(6)
        }
        return TimeText.calendar(body, utcOffsetSeconds: offset)?.nanoseconds
    }
}
