import EDMKit
import EDMKitIO

/// Records in, rendered units out: session decoding, redaction, rendering, writing.
struct DecodePipeline {
    let sink: OutputSink
    let format: EDMDecode.OutputFormat
    let redact: Bool
    private var decoder = SessionDecoder()
    private var transcript: TranscriptRenderer
    private var json = JSONLinesRenderer()
    private var mermaid = MermaidRenderer()
    private var started = false

    init(sink: OutputSink, format: EDMDecode.OutputFormat, redact: Bool, color: Bool) {
        self.sink = sink
        self.format = format
        self.redact = redact
        transcript = TranscriptRenderer(color: color)
    }

    mutating func decode(_ records: [TraceRecord]) throws(IOError) {
        for record in records {
            decoder.receive(record)
            try drain()
        }
    }

    /// One raw file, streamed chunk by chunk; its bytes have no timing.
    mutating func decodeRaw(_ reader: inout FileReader, direction: Direction?) throws(IOError) {
        while let chunk = try reader.read() {
            decoder.receive(time: .zero, direction: direction, bytes: chunk[...])
            try drain()
        }
    }

    mutating func finish() throws(IOError) {
        decoder.finish()
        try drain()
        switch format {
        case .transcript: try sink.write(line: transcript.closing(anomalies: decoder.anomalies))
        case .json: try sink.write(line: json.closing(anomalies: decoder.anomalies))
        case .mermaid:
            if !started { try sink.write(line: mermaid.header) }
            for line in mermaid.closing(anomalies: decoder.anomalies) { try sink.write(line: line) }
        }
        try sink.flush()
    }

    private mutating func drain() throws(IOError) {
        while let decoded = decoder.next() {
            let unit = redact ? decoded.redacted : decoded
            switch format {
            case .transcript: try sink.write(line: transcript.line(for: unit, anomalies: decoder.anomalies))
            case .json: try sink.write(line: json.line(for: unit))
            case .mermaid:
                if !started { try sink.write(line: mermaid.header) }
                started = true
                for line in mermaid.lines(for: unit) { try sink.write(line: line) }
            }
        }
    }
}
