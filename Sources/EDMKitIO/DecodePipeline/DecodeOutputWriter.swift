import EDMKit

/// Events in, output out: rendering and writing, in the order the events come.
struct DecodeOutputWriter {
    let sink: OutputSink
    let format: DecodePipeline.OutputFormat
    private var transcript: TranscriptRenderer
    /// Transcript lines, and JSON's summary lines, collect here and go out in blocks of about
    /// `OutputSink.blockSize`.
    private var text = OutputBuffer(capacity: 2 * OutputSink.blockSize)
    /// JSON's, from the summary entries of the lines (`JSONLineStage`).
    private var summary = SessionSummary()
    /// JSON: lines of the batch being written that are not out yet, `lines[range]`. They go out
    /// at the end of the batch in one block, straight from the batch (`flushLines`).
    private var pending: (lines: OutputBuffer, range: Range<Int>)?
    private var mermaid = MermaidRenderer()
    private var capture: (any TraceCaptureWriter)?
    private var origin: TraceOrigin?
    private var notes: [TraceImportDiagnostic] = []
    private var anomalies: [SessionAnomaly] = []
    private var started = false

    /// `application`: named in a pcapng's section header.
    init(sink: OutputSink, format: DecodePipeline.OutputFormat, colour: Bool, application: String) throws(CaptureIOError) {
        self.sink = sink
        self.format = format
        transcript = TranscriptRenderer(color: colour)
        switch format {
        case .pcap: capture = try PcapWriter(path: sink.path)
        case .pcapng: capture = try PcapngWriter(path: sink.path, application: application)
        default: break
        }
    }

    /// Everything but units, which go through `write(_:of:redacted:)`.
    mutating func write(_ event: consuming DecodedEvent) throws {
        switch consume event {
        case .input(let path, let first):
            if format == .transcript { try writeText((first ? "" : "\n") + "== \(path)") }
        case .origin(let origin):
            if self.origin == nil { self.origin = origin }
        case .notes(let diagnostics):
            try note(diagnostics)
        case .anomalies(let found):
            anomalies += found
        case .units:
            break // (the caller writes them from their batch)
        case .sessionEnd:
            try closeSession()
        case .failure:
            break // the caller stops there
        }
    }

    mutating func finish() throws {
        try flushLines()
        try flushText()
        try capture?.close()
        try sink.flush()
    }

    /// The batch's `units[range]` (in JSON, their lines are written already: `JSONLineStage`).
    mutating func write(_ range: Range<Int>, of batch: borrowing DecodedBatch, redacted: Bool) throws {
        guard format == .json else {
            let units = batch.units.span
            for i in range { try write(units[i], redacted: redacted) }
            return
        }
        for i in range { summary.add(batch.entries[i]) }
        let bytes = batch.lineBytes(of: range)
        if let lines = pending, lines.range.upperBound == bytes.lowerBound {
            pending?.range = lines.range.lowerBound..<bytes.upperBound // (the batch's lines are consecutive)
        } else {
            try flushLines()
            pending = (batch.lines, bytes)
        }
    }

    /// A batch is written: its JSON lines go out.
    mutating func endBatch() throws { try flushLines() }

    private mutating func write(_ unit: borrowing SessionUnit, redacted: Bool) throws {
        switch format {
        case .transcript:
            transcript.write(unit, anomalies: anomalies, into: &text)
            try endTextLine()
        case .json:
            break // (their lines are written already: above)
        case .mermaid:
            if !started { try sink.write(line: mermaid.header) }
            started = true
            for line in mermaid.lines(for: unit) { try sink.write(line: line) }
        case .pcap, .pcapng:
            try capture?.write(time: unit.time, origin: origin, direction: unit.direction, dissector: unit.dissector,
                               bytes: unit.bytes, flags: redacted ? .redacted : [], comment: unit.diagnostic?.message)
        }
    }

    private mutating func closeSession() throws {
        switch format {
        case .transcript: try writeText(transcript.closing(anomalies: anomalies))
        case .json:
            try flushLines()
            var line = JSONWriter()
            JSONLinesRenderer.closing(summary, anomalies: anomalies, notes: notes, into: &line)
            line.buffer.withUnsafeBytes { text.append($0) }
            try endTextLine()
        case .mermaid:
            if !started { try sink.write(line: mermaid.header) }
            for line in mermaid.closing(anomalies: anomalies) { try sink.write(line: line) }
        case .pcap, .pcapng: break
        }
        summary = SessionSummary()
        transcript = TranscriptRenderer(color: transcript.color)
        mermaid = MermaidRenderer()
        notes = []
        anomalies = []
        started = false
    }

    /// What the importer noticed: in the transcript after the units of the line it concerns
    /// (`SessionDecodingStage`), in the JSON summary.
    private mutating func note(_ diagnostics: [TraceImportDiagnostic]) throws {
        notes += diagnostics
        guard format == .transcript else { return }
        for d in diagnostics where d.code != .blankLine {
            try writeText(String(repeating: " ", count: 11) + d.description) // "warning: line 38: ..."
        }
    }

    private mutating func writeText(_ line: String) throws {
        text.append(contentsOf: line.utf8)
        try endTextLine()
    }

    private mutating func endTextLine() throws {
        text.append(0x0A)
        if text.count >= OutputSink.blockSize { try flushText() }
    }

    private mutating func flushLines() throws {
        guard let lines = pending else { return }
        pending = nil
        try flushText()
        try lines.lines.withUnsafeBytes { try sink.write(block: UnsafeRawBufferPointer(rebasing: $0[lines.range])) }
    }

    private mutating func flushText() throws {
        guard !text.isEmpty else { return }
        try text.withUnsafeBytes { try sink.write(block: $0) }
        text.removeAll()
    }
}
