import EDMBytes
import EDMFrames
import EDMAT
import EDMSession

/// Reads `sigrok-cli ... -P uart:... --protocol-decoder-jsontrace` (Chrome trace events).
///
///     {"traceEvents": [
///     {"name": "AA", "ph": "B", "pid": "uart-1", "tid": "TX", "ts": 109.000000},
///     {"name": "AA", "ph": "E", "pid": "uart-1", "tid": "TX", "ts": 179.000000},
///
/// Each UART data annotation is a begin/end pair; the begin (`ph` `B`) gives the byte's start
/// time `ts` in microseconds and its value in `name` (the decoder's default hex format).
/// The row (`tid`) gives the direction (`rows`, default `TX` host, `RX` module); other rows
/// (bits, warnings) and, when `decoder` is set, other decoder instances (`pid`) are skipped
/// with one note each. sigrok emits an annotation when the byte ends, so rows of the two
/// lines can be slightly out of time order: they are reordered within `reorderWindow`, then
/// bytes of one direction with the same time (or within `joinWithin`) join one record.
/// Times are relative to the sample start; there is no absolute origin.
public struct SigrokJSONTraceImporter: TraceImporter {
    /// Which rows are which side, which decoder instance, and how events are put back in order and joined.
    public struct Options: Hashable, Sendable {
        public var rows: [String: Direction]
        /// Only this decoder instance (`uart-1`); nil takes every instance's mapped rows.
        public var decoder: String?
        public var joinWithin: Duration
        public var reorderWindow: Duration
        public init(rows: [String: Direction] = ["TX": .host, "RX": .module], decoder: String? = nil,
                    joinWithin: Duration = .zero, reorderWindow: Duration = .milliseconds(100)) {
            self.rows = rows
            self.decoder = decoder
            self.joinWithin = joinWithin
            self.reorderWindow = reorderWindow
        }
    }

    public var format: TraceFormat { .sigrokJSONTrace }
    public var origin: TraceOrigin? { nil }
    public let options: Options

    private var scanner = JSONEventScanner()
    private var reorder: TimeOrderBuffer
    private var grouper: ByteRunGrouper
    private var skipped: Set<String> = []
    private var events = 0
    private var diagnostics: [TraceImportDiagnostic] = []

    public init(options: Options = Options()) {
        self.options = options
        reorder = TimeOrderBuffer(window: options.reorderWindow)
        grouper = ByteRunGrouper(joinWithin: options.joinWithin)
    }

    public mutating func takeDiagnostics() -> [TraceImportDiagnostic] {
        defer { diagnostics = [] }
        return diagnostics
    }

    public mutating func consume(_ chunk: ArraySlice<UInt8>) throws(TraceImportError) -> [TraceRecord] {
        var out: [TraceRecord] = []
        for event in try scanner.scan(chunk, format: format) { try handle(event, into: &out) }
        return out
    }

    public mutating func finish() throws(TraceImportError) -> [TraceRecord] {
        guard scanner.bytesSeen > 0 else { throw TraceImportError(.empty, format: format, "the file is empty") }
        guard scanner.isBalanced else {
            throw TraceImportError(.truncated, format: format, line: scanner.line,
                "the JSON ends inside an array, object or string: the file is cut short")
        }
        guard events > 0 else {
            throw TraceImportError(.malformedLine, format: format, line: 1,
                "no trace event objects (an array of {\"ph\": ..., \"ts\": ...}): not a sigrok jsontrace")
        }
        var out: [TraceRecord] = []
        for item in reorder.drain() { grouper.add(time: item.time, direction: item.direction,
            bytes: CollectionOfOne(item.byte), into: &out) }
        grouper.flush(into: &out)
        return out
    }

    private mutating func handle(_ event: JSONEventScanner.Event,
        into out: inout [TraceRecord]) throws(TraceImportError) {
        guard let fields = FlatJSONObject.parse(event.bytes) else {
            throw TraceImportError(.malformedLine, format: format, line: event.line,
                "an event that is not a JSON object")
        }
        events += 1
        guard fields["ph"] == .string("B") else { return }
        guard case .string(let tid)? = fields["tid"], case .number(let ts)? = fields["ts"],
            case .string(let name)? = fields["name"]
        else {
            throw TraceImportError(
                .missingField, format: format, line: event.line,
                "a begin event without tid, ts and name")
        }
        var pid = ""
        if case .string(let p)? = fields["pid"] { pid = p }
        if let decoder = options.decoder, pid != decoder {
            skip("decoder '\(pid)'", line: event.line)
            return
        }
        guard let direction = options.rows[tid] else {
            skip("row '\(tid)'", line: event.line)
            return
        }
        let digits = Array(name.utf8)
        guard digits.count == 2, let byte = ByteText.hexByte(digits[...], at: 0) else {
            throw TraceImportError(
                .malformedLine, format: format, line: event.line,
                "\(tid) annotation '\(name)' is not a hex byte: run the uart decoder with format=hex (the default)")
        }
        guard let ns = TimeText.nanoseconds(ts, unitExponent: -6) else {
            throw TraceImportError(.malformedLine, format: format, line: event.line,
                "ts '\(ByteText.string(ts))' is not a number")
        }
        let item = TimeOrderBuffer.Item(time: .nanoseconds(ns), direction: direction, byte: byte, line: event.line)
        for ready in try reorder.insert(item, format: format) {
            grouper.add(time: ready.time, direction: ready.direction, bytes: CollectionOfOne(ready.byte), into: &out)
        }
    }

    private mutating func skip(_ what: String, line: Int) {
        guard skipped.insert(what).inserted else { return }
        diagnostics.append(TraceImportDiagnostic(.skipped, .note, line: line,
            "annotations of \(what) skipped: not mapped to host or module"))
    }
}
