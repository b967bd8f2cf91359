import EDMBytes
import EDMFrames
import EDMAT
import EDMSession

/// Reads the log u-blox's azure_dps.py prints (docs/captures.md, "azure-dps-log") back into bytes.
///
/// Lines `<ms>ms ...` start a unit; the untimestamped lines after one belong to it while
/// `AzureDPSLogBlock.accept` says so. Host EDM frames are printed with their real header
/// bytes and a Python repr of the body, so they come back exactly, declared length
/// included (a redacted SSID or passphrase makes it disagree: flagged `.mismatch`). The
/// host's command-mode lines and everything the module sent are rebuilt from text and
/// flagged `.rebuilt` (see `AzureDPSLogBlock` for each choice). Times are the log's
/// milliseconds since the script started; there is no absolute origin.
///
/// Every line is accounted for: it is part of a record or a note (the shell prompt, the
/// port name, `Successfully Assigned`), and `takeLineSpans` says which.
public struct AzureDPSLogImporter: LineImporter {
    /// How the log's elided credentials are rebuilt.
    public struct Options: Hashable, Sendable {
        /// Replace an elided credential's `...` with as many `.` as make the record the size
        /// `AT+USECMNG` declared, so a session decoder counting the raw payload stays in step.
        /// Off by default: the record then holds exactly what the log shows.
        public var padElidedCredentials: Bool
        /// Keep which lines became which record, for `takeLineSpans` (the tests' line
        /// accounting). Off by default: a decoder that never asks would keep a span per line.
        public var accountsLines = false
        public init(padElidedCredentials: Bool = false) { self.padElidedCredentials = padElidedCredentials }
    }

    /// Which lines became which record (its index in the importer's output), or a note.
    public struct LineSpan: Hashable, Sendable {
        public var lines: ClosedRange<Int>
        /// nil for lines that are not part of the session (they also get a diagnostic).
        public var recordIndex: Int?
    }

    public var format: TraceFormat { .azureDPSLog }
    public var origin: TraceOrigin? { nil }
    public let options: Options

    public var reader = LineReader(format: .azureDPSLog)
    private var block: AzureDPSLogBlock?
    private var lastCommand: [UInt8]?
    /// Size and text of the last `AT+USECMNG=0,<type>,<name>,<size>`: the next host text is its payload.
    private var pendingCredential: (size: Int, command: String)?
    private var spans: [LineSpan] = []
    private var recordCount = 0

    public init(options: Options = Options()) { self.options = options }

    /// Line spans accounted since the last call, in line order.
    public mutating func takeLineSpans() -> [LineSpan] {
        defer { spans = [] }
        return spans
    }

    /// `" 14076ms -> ..."`: the milliseconds and the text after them.
    package static func timestamp(of line: ArraySlice<UInt8>) -> (ms: Int, rest: ArraySlice<UInt8>)? {
        var i = line.startIndex
        while i < line.endIndex, line[i] == ByteText.space || line[i] == ByteText.tab { i += 1 }
        let digitsStart = i
        while i < line.endIndex, ByteText.isDigit(line[i]) { i += 1 }
        guard i > digitsStart, let ms = ByteText.decimal(line[digitsStart..<i]),
              let rest = ByteText.dropPrefix(line[i...], "ms ") else { return nil }
        return (ms, rest)
    }

    // MARK: Lines

    public mutating func close(into out: inout [TraceRecord]) throws(TraceImportError) {
        try closeBlock(into: &out)
        if recordCount == 0 {
            throw TraceImportError(
                .malformedLine, format: format, line: 1,
                "no line has the log's '<ms>ms -> ...' / '<ms>ms <- ...' shape: this is not an azure_dps.py log")
        }
    }

    public mutating func read(_ line: LineReader.Line, into out: inout [TraceRecord]) throws(TraceImportError) {
        guard let (ms, rest) = Self.timestamp(of: line.bytes) else {
            if block?.accept(line.bytes, number: line.number) == true {
                if block!.byteCount > AzureDPSLogBlock.maxByteCount {
                    throw TraceImportError(
                        .malformedLine, format: format, line: block!.firstLine,
                        "the unit starting here runs over \(AzureDPSLogBlock.maxByteCount) "
                            + "bytes without another timestamped line: not an azure_dps.py log"
                    )
                }
                return
            }
            try closeBlock(into: &out)
            note(line)
            return
        }
        try closeBlock(into: &out)
        let time = Duration.milliseconds(Int64(ms))
        if let text = ByteText.dropPrefix(rest, "-> ") {
            if let frame = try hostFrame(text, line: line.number, time: time) {
                emit(frame, lines: line.number...line.number, into: &out)
            } else {
                block = AzureDPSLogBlock(kind: .hostText, time: time, line: line.number, text: text)
            }
            return
        }
        let starts: [(String, AzureDPSLogBlock.Kind)] = [
            ("<- ", .moduleText), ("AT response:", .atResponse), ("AT event:", .atEvent),
            ("Connect event IPv4", .connectEvent), ("Data event:", .dataEvent),
            ("Disconnect event:", .disconnectEvent), ("Start event", .startEvent),
        ]
        for (marker, kind) in starts {
            guard let text = ByteText.dropPrefix(rest, marker) else { continue }
            let body = kind == .atResponse
                || kind == .atEvent ? (text.first == ByteText.space ? text.dropFirst() : text) : text
            block = AzureDPSLogBlock(kind: kind, time: time, line: line.number, text: body)
            return
        }
        // "Packet type not implemented" and the like: the script read a frame it did not print.
        reader.diagnostics.append(
            TraceImportDiagnostic(
                .unrecognizedLine, .warning, line: line.number,
                "timestamped line names nothing that can be rebuilt: \(ByteText.quote(rest))"))
        if options.accountsLines { spans.append(LineSpan(lines: line.number...line.number, recordIndex: nil)) }
    }

    private mutating func note(_ line: LineReader.Line) {
        let text = ByteText.trimmed(line.bytes)
        if text.isEmpty {
            reader.diagnostics.append(TraceImportDiagnostic(.blankLine, .note, line: line.number, "blank line"))
        } else {
            reader.diagnostics.append(TraceImportDiagnostic(.note, .note, line: line.number,
                "not part of the serial session: \(ByteText.quote(text))"))
        }
        if options.accountsLines { spans.append(LineSpan(lines: line.number...line.number, recordIndex: nil)) }
    }

    private mutating func emit(_ record: TraceRecord, lines: ClosedRange<Int>, into out: inout [TraceRecord]) {
        out.append(record)
        if options.accountsLines { spans.append(LineSpan(lines: lines, recordIndex: recordCount)) }
        recordCount += 1
    }

    private mutating func closeBlock(into out: inout [TraceRecord]) throws(TraceImportError) {
        guard let done = block else { return }
        block = nil
        let lines = done.firstLine...done.lastLine
        if done.kind == .hostText {
            emit(hostText(done), lines: lines, into: &out)
        } else {
            let rebuilt = done.rebuildModule(lastCommand: lastCommand)
            reader.diagnostics += rebuilt.diagnostics
            emit(rebuilt.record, lines: lines, into: &out)
        }
    }

    // MARK: Host side

    /// `0xAA00120044 'AT+UWSC=0,2,SSID\r' 0x55`: the declared header, the body, the stop byte.
    private mutating func hostFrame(_ text: ArraySlice<UInt8>, line: Int,
        time: Duration) throws(TraceImportError) -> TraceRecord? {
        guard text.count >= 12, let hex = ByteText.dropPrefix(text, "0x"),
              (0..<10).allSatisfy({ ByteText.hexValue(hex[hex.startIndex + $0]) != nil }),
              hex.dropFirst(10).first == ByteText.space else { return nil }
        let header = (0..<5).map { ByteText.hexByte(hex, at: hex.startIndex + 2 * $0)! }
        let tail = ByteText.trimmedTrailing(hex.dropFirst(11))
        func malformed(_ why: String) -> TraceImportError {
            TraceImportError(.malformedLine, format: format, line: line, "EDM frame line: \(why)")
        }
        guard tail.count >= 7, let quote = tail.first, quote == 0x27 || quote == 0x22 else {
            throw malformed("expected a quoted body after the header")
        }
        let stopText = tail.suffix(5)
        guard stopText.starts(with: " 0x".utf8), let stop = ByteText.hexByte(stopText,
            at: stopText.startIndex + 3) else {
            throw malformed("expected ' 0x55' after the body")
        }
        let quoted = tail.dropLast(5)
        guard quoted.count >= 2, quoted.last == quote, let body = PythonRepr.decode(quoted.dropFirst().dropLast())
        else {
            throw malformed("the body is not a Python string repr")
        }
        var record = TraceRecord(time: time, direction: .host, bytes: header + body + [stop])
        let declared = Int(header[1]) << 8 | Int(header[2])
        if declared != body.count + 2 {
            // The log's authors replaced values by hand but kept the real lengths. Rebuild the
            // frame around the printed body so it decodes; the declared length stays a fact
            // in the comment and the diagnostic.
            record.bytes = EDMEncoder.frame(EDMPayloadID(rawValue: UInt16(header[3]) << 8 | UInt16(header[4])),
                body: body)
            record.flags.insert(.mismatch)
            record.comment =
                "the log declares payload length \(declared) (0x\(hexString(header[1...2]))) but the printed body "
                    + "makes \(body.count + 2) (2 id + \(body.count) body bytes): "
                    + "the log was redacted; rebuilt with the printed body's length"
            reader.diagnostics.append(
                TraceImportDiagnostic(
                    .lengthMismatch, .warning, line: line,
                    "EDM frame declares payload length \(declared) but its printed body makes \(body.count + 2)"))
        }
        return record
    }

    /// A command line (`TEXT + CR`) or, after `AT+USECMNG=0,...,<size>`, the credential text.
    private mutating func hostText(_ block: AzureDPSLogBlock) -> TraceRecord {
        var lines = block.lines.map { AzureDPSLogBlock.stripCR($0[...]) }
        var record = TraceRecord(time: block.time, direction: .host, bytes: [], flags: .rebuilt)
        if let credential = pendingCredential {
            pendingCredential = nil
            let elided = lines.firstIndex { ByteText.equals(ByteText.trimmed($0), "...") }
            var size = lines.reduce(0) { $0 + $1.count } + lines.count // + "\n" between lines, "\r" at the end
            let fact = "declared size \(credential.size) bytes (\(credential.command))"
            if let elided, options.padElidedCredentials, size < credential.size {
                lines[elided] = ArraySlice(repeating: 0x2E, count: lines[elided].count + credential.size - size)
                size = credential.size
                record.comment = "credential elided in the log ('...'): padded with '.' to the \(fact)"
            } else if elided != nil {
                record.comment = "credential elided in the log ('...'): \(size) bytes rebuilt, \(fact)"
            } else if size != credential.size {
                record.comment = "credential text of \(size) bytes, \(fact)"
            }
            if elided != nil || size != credential.size {
                record.flags.insert(.mismatch)
                reader.diagnostics.append(
                    TraceImportDiagnostic(
                        elided != nil ? .elided : .lengthMismatch, .warning,
                        line: block.firstLine,
                        lineCount: block.lastLine - block.firstLine + 1,
                        record.comment ?? "credential text: \(size) bytes rebuilt, \(fact)"))
            }
        } else if let command = lines.first, lines.count == 1 {
            lastCommand = Array(command)
            pendingCredential = Self.credentialImport(command)
        }
        record.bytes = Array(lines.joined(separator: [ByteText.lf])) + [ByteText.cr]
        return record
    }

    /// `AT+USECMNG=0,<type>,<name>,<size>`: the size the next raw payload will have.
    package static func credentialImport(_ command: ArraySlice<UInt8>) -> (size: Int, command: String)? {
        guard let args = ByteText.dropPrefix(command, "AT+USECMNG=0,") else { return nil }
        let fields = args.split(separator: 0x2C, omittingEmptySubsequences: false)
        guard fields.count >= 3, let size = ByteText.decimal(ByteText.trimmed(fields[2])) else { return nil }
        return (size, ByteText.string(command))
    }
}
