import EDMKit
import EDMKitIO

/// Records in, rendered units out: session decoding, redaction, rendering, writing.
/// One unit at a time, so memory stays flat whatever the capture's size.
struct DecodePipeline {
    let sink: OutputSink
    let format: EDMDecode.OutputFormat
    let redact: Bool
    private var decoder = SessionDecoder()
    private var transcript: TranscriptRenderer
    private var json = JSONLinesRenderer()
    private var jsonLine = JSONWriter()
    private var mermaid = MermaidRenderer()
    private var capture: (any TraceCaptureWriter)?
    private var origin: TraceOrigin?
    private var notes: [TraceImportDiagnostic] = []
    private var started = false

    init(sink: OutputSink, format: EDMDecode.OutputFormat, redact: Bool, color: Bool) throws(CaptureIOError) {
        self.sink = sink
        self.format = format
        self.redact = redact
        transcript = TranscriptRenderer(color: color)
        switch format {
        case .pcap: capture = try PcapWriter(path: sink.path)
        case .pcapng: capture = try PcapngWriter(path: sink.path, application: "edm-decode")
        default: break
        }
    }

    /// Two raw dumps, interleaved a record at a time.
    mutating func decode(_ pair: inout RawPairInterleaver) throws {
        while let record = try pair.next() {
            decoder.receive(record)
            try drain()
        }
    }

    mutating func decode(_ input: CaptureInput) throws {
        while let records = try input.next() {
            if origin == nil { origin = input.origin }
            try note(input.takeDiagnostics())
            for record in records {
                decoder.receive(record)
                try drain()
            }
        }
        try note(input.takeDiagnostics())
    }

    /// Several inputs: each its own session, one after the other in the same output.
    mutating func beginInput(_ path: String, first: Bool) throws {
        if !first { try finishSession() }
        if format == .transcript { try sink.write(line: (first ? "" : "\n") + "== \(path)") }
    }

    mutating func finish() throws {
        try finishSession()
        try capture?.close()
        try sink.flush()
    }

    private mutating func finishSession() throws {
        decoder.finish()
        try drain()
        let anomalies = decoder.anomalies
        switch format {
        case .transcript: try sink.write(line: transcript.closing(anomalies: anomalies))
        case .json:
            json.renderClosing(anomalies: anomalies, notes: notes, into: &jsonLine)
            try writeJSONLine()
        case .mermaid:
            if !started { try sink.write(line: mermaid.header) }
            for line in mermaid.closing(anomalies: anomalies) { try sink.write(line: line) }
        case .pcap, .pcapng: break
        }
        decoder = SessionDecoder()
        transcript = TranscriptRenderer(color: transcript.color)
        json = JSONLinesRenderer()
        mermaid = MermaidRenderer()
        notes = []
        started = false
    }

    /// What the importer noticed: in the transcript where it happened, in the JSON summary.
    private mutating func note(_ diagnostics: [TraceImportDiagnostic]) throws {
        notes += diagnostics
        guard format == .transcript else { return }
        for d in diagnostics where d.code != .blankLine {
            try sink.write(line: String(repeating: " ", count: 11) + d.description) // "warning: line 38: ..."
        }
    }

    private mutating func writeJSONLine() throws {
        try sink.write(line: jsonLine.bytes)
        jsonLine.reset()
    }

    private mutating func drain() throws {
        while let decoded = decoder.next() {
            let secret = redact && decoded.holdsSecret
            let unit = secret ? decoded.redacted : decoded
            switch format {
            case .transcript: try sink.write(line: transcript.line(for: unit, anomalies: decoder.anomalies))
            case .json:
                json.render(unit, into: &jsonLine)
                try writeJSONLine()
            case .mermaid:
                if !started { try sink.write(line: mermaid.header) }
                started = true
                for line in mermaid.lines(for: unit) { try sink.write(line: line) }
            case .pcap, .pcapng:
                try capture?.write(time: unit.time, origin: origin, direction: unit.direction, dissector: unit.dissector,
                                   bytes: unit.bytes, flags: secret ? .redacted : [], comment: unit.diagnostic?.message)
            }
        }
    }
}
