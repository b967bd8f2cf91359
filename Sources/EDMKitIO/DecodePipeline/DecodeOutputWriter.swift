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
    /// HTML: the page's renderer, and whether its head is out.
    private var html: HTMLReportRenderer
    private var htmlStarted = false
    /// HTML with `--against`: the other session, and this one's profile as it is decoded.
    private let against: (path: String, profile: SessionProfile)?
    private var profile = SessionProfile()
    private var sourcePath = "this capture"
    private var capture: (any TraceCaptureWriter)?
    /// pcap/pcapng: the last unit's packet, held until the next unit, so the importer's notes
    /// that follow it (about the line that completed it) become its comment.
    private var heldPacket: HeldPacket?
    /// Notes that came before any unit of the session: they go on the next packet.
    private var earlyNotes: [String] = []
    private var origin: TraceOrigin?
    /// The importer's notes for the JSON summary: the first `summaryNotes`, then counts by
    /// code, so that a capture with a note on every line keeps memory flat.
    private var notes: [TraceImportDiagnostic] = []
    private var moreNotes: [(code: TraceImportDiagnostic.Code, count: Int)] = []
    static let summaryNotes = 1000
    private var anomalies: [SessionAnomaly] = []
    private var started = false

    /// `application`: named in a pcapng's section header.
    init(sink: OutputSink, format: DecodePipeline.OutputFormat, colour: Bool, redact: Bool,
         application: String, against: (path: String, profile: SessionProfile)? = nil) throws(CaptureIOError) {
        self.against = against
        self.sink = sink
        self.format = format
        transcript = TranscriptRenderer(color: colour)
        html = HTMLReportRenderer(redact: redact, application: application)
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
        case .source(let path, let name, let bytes):
            guard format == .html else { break }
            startHTML(title: "Session report: \(path)")
            html.source(HTMLReportRenderer.Source(path: path, format: name, bytes: bytes))
            sourcePath = path
        case .origin(let origin):
            if self.origin == nil { self.origin = origin }
            html.origin(origin)
        case .notes(let diagnostics):
            try note(diagnostics)
        case .anomalies(let found):
            anomalies += found
            if format == .html {
                html.anomalies(found, into: &text)
                try flushIfFull()
            }
        case .units:
            break // (the caller writes them from their batch)
        case .sessionEnd:
            try closeSession()
        case .failure:
            break // the caller stops there
        }
    }

    mutating func finish() throws {
        if format == .html {
            startHTML(title: "Session report")
            html.documentEnd(into: &text)
        }
        try writeHeldPacket()
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
        case .html:
            html.add(copy unit, redacted: redacted, into: &text)
            if against != nil { profile.add(copy unit) }
            try flushIfFull()
        case .mermaid:
            if !started { try sink.write(line: mermaid.header) }
            started = true
            for line in mermaid.lines(for: unit) { try sink.write(line: line) }
        case .pcap, .pcapng:
            try writeHeldPacket()
            let comments = earlyNotes + (unit.diagnostic.map { [$0.message] } ?? [])
            earlyNotes = []
            heldPacket = HeldPacket(time: unit.time, direction: unit.direction, dissector: unit.dissector,
                                    bytes: Array(unit.bytes), flags: redacted ? .redacted : [], comments: comments)
        }
    }

    private mutating func writeHeldPacket() throws {
        guard let packet = heldPacket else { return }
        heldPacket = nil
        try capture?.write(time: packet.time, origin: origin, direction: packet.direction, dissector: packet.dissector,
                           bytes: packet.bytes, flags: packet.flags, comment: packet.comment)
    }

    private mutating func closeSession() throws {
        switch format {
        case .transcript: try writeText(transcript.closing(anomalies: anomalies))
        case .json:
            try flushLines()
            var line = JSONWriter()
            JSONLinesRenderer.closing(summary, anomalies: anomalies, notes: notes, moreNotes: moreNotes, into: &line)
            line.buffer.withUnsafeBytes { text.append($0) }
            try endTextLine()
        case .mermaid:
            if !started { try sink.write(line: mermaid.header) }
            for line in mermaid.closing(anomalies: anomalies) { try sink.write(line: line) }
        case .html:
            if let against {
                profile.finish(anomalies: anomalies)
                let diff = SessionDiff(against.profile, profile)
                html.comparison = SessionDiffRenderer(diff, a: against.path, b: sourcePath).html
                profile = SessionProfile()
            }
            html.closeSession(anomalies: anomalies, into: &text)
            try flushIfFull()
        case .pcap, .pcapng:
            try writeHeldPacket()
            earlyNotes = []
        }
        summary = SessionSummary()
        transcript = TranscriptRenderer(color: transcript.color)
        mermaid = MermaidRenderer()
        notes = []
        moreNotes = []
        anomalies = []
        started = false
    }

    /// What the importer noticed: in the transcript after the units of the line it concerns
    /// (`SessionDecodingStage`), in the JSON summary.
    private mutating func note(_ diagnostics: [TraceImportDiagnostic]) throws {
        let room = max(0, Self.summaryNotes - notes.count)
        notes += diagnostics.prefix(room)
        for d in diagnostics.dropFirst(room) {
            if let i = moreNotes.firstIndex(where: { $0.code == d.code }) {
                moreNotes[i].count += 1
            } else {
                moreNotes.append((d.code, 1))
            }
        }
        if format == .pcap || format == .pcapng {
            let comments = diagnostics.filter { $0.code != .blankLine }.map(\.description)
            if heldPacket != nil {
                heldPacket?.add(comments)
            } else {
                earlyNotes += comments.prefix(HeldPacket.maxComments - earlyNotes.count)
            }
        }
        if format == .html {
            html.notes(diagnostics, into: &text)
            try flushIfFull()
        }
        guard format == .transcript else { return }
        for d in diagnostics where d.code != .blankLine {
            try writeText(String(repeating: " ", count: 11) + d.description) // "warning: line 38: ..."
        }
    }

    private mutating func writeText(_ line: String) throws {
        text.append(contentsOf: line.utf8)
        try endTextLine()
    }

    /// HTML: the page's head, once (titled after the first input).
    private mutating func startHTML(title: String) {
        guard !htmlStarted else { return }
        htmlStarted = true
        html.documentStart(title: title, into: &text)
    }

    private mutating func flushIfFull() throws {
        if text.count >= OutputSink.blockSize { try flushText() }
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

/// A unit's packet, waiting for the notes that follow it.
private struct HeldPacket {
    var time: Duration
    var direction: Direction?
    var dissector: String
    var bytes: [UInt8]
    var flags: TraceRecord.Flags
    var comments: [String]
    private var left = 0

    /// A packet comment is at most 64 KiB: beyond a few notes, only their count.
    static let maxComments = 16

    init(time: Duration, direction: Direction?, dissector: String, bytes: [UInt8], flags: TraceRecord.Flags,
        comments: [String]) {
        (self.time, self.direction, self.dissector, self.bytes, self.flags, self.comments) = (time, direction,
            dissector, bytes, flags, comments)
    }

    mutating func add(_ notes: [String]) {
        let room = max(0, Self.maxComments - comments.count)
        comments += notes.prefix(room)
        left += notes.count - min(room, notes.count)
    }

    /// The comments, with how many were left out.
    var comment: String? {
        if comments.isEmpty { return nil }
        return comments.joined(separator: "; ") + (left > 0 ? "; and \(left) more notes" : "")
    }
}
