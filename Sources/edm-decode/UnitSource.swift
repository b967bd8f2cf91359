import EDMKit
import EDMKitIO

/// What the decoding side hands the writing side: units in one array and, in order, the
/// events that place them among the rest. Units never travel alone: a unit is moved once,
/// into `units`, and read there in place (each copy would retain all it holds, per unit).
struct EventBatch: Sendable {
    /// The decoder appends here directly; the new units join the events at the next
    /// `append`, `addRedacted` or `close` (as one run, rather than an event each).
    var units: [SessionUnit] = []
    private(set) var events: [DecodeEvent] = []
    /// JSON: what each unit means (`JSONMeanings`), one per unit, filled in by `MeaningStage`.
    var members: [[UInt8]] = []
    /// `units[runStart...]` are in no event yet.
    private var runStart = 0

    init(capacity: Int = 0) {
        units.reserveCapacity(capacity)
        events.reserveCapacity(capacity)
    }

    var isEmpty: Bool { units.isEmpty && events.isEmpty }

    mutating func append(_ event: DecodeEvent) { append(event, beforeUnit: units.count) }

    /// An event that goes before `units[i...]` (appended since, in no event yet).
    mutating func append(_ event: DecodeEvent, beforeUnit i: Int) {
        if runStart < i { events.append(.units(runStart..<i, redacted: false)) }
        runStart = i
        events.append(event)
    }

    /// Unit `i`, not yet in an event, had its secrets starred: a run of its own.
    mutating func markRedacted(_ i: Int) {
        if runStart < i { events.append(.units(runStart..<i, redacted: false)) }
        events.append(.units(i..<(i + 1), redacted: true))
        runStart = i + 1
    }

    /// Every unit is in an event (before the batch goes out).
    mutating func close() {
        if runStart < units.count { events.append(.units(runStart..<units.count, redacted: false)) }
        runStart = units.count
    }

    /// (`MeaningStage` puts a session's summary in.)
    mutating func replaceEvent(_ e: Int, with event: DecodeEvent) { events[e] = event }
}

enum DecodeEvent: Sendable {
    /// Several inputs: the next one starts (each is its own session).
    case input(path: String, first: Bool)
    case origin(TraceOrigin)
    /// What the importer noticed and carried on from.
    case notes([TraceImportDiagnostic])
    /// Anomalies found since the last ones; they concern units sent or about to be.
    case anomalies([SessionAnomaly])
    /// The batch's `units[range]`, in order; `redacted`: their secrets were starred.
    case units(Range<Int>, redacted: Bool)
    /// The session is over: its summary goes out (in JSON, the one `MeaningStage` kept).
    case sessionEnd(SessionSummary?)
    /// Reading failed here: what came before is written, then this is the error.
    case failure(any Error)
}

/// Records in, batches out: session decoding and redaction.
///
/// It runs on its own thread while `UnitWriter` renders on another (and, for JSON,
/// `MeaningStage` on a third), and hands batches on through `send`.
struct UnitSource {
    let redact: Bool
    let progress: DecodeProgress?
    /// Hands a batch on; false once the writer has stopped.
    let send: (EventBatch) -> Bool
    private var decoder = SessionDecoder()
    private var batch = EventBatch(capacity: Self.batchSize)
    private var reported = 0
    private var originSent = false

    /// Units (or events) per hand-over: large enough that handing over costs nothing per unit.
    static let batchSize = 512

    /// The writer stopped (it failed): decoding stops too.
    struct WriterStopped: Error {}

    init(redact: Bool, progress: DecodeProgress?, send: @escaping (EventBatch) -> Bool) {
        self.redact = redact
        self.progress = progress
        self.send = send
    }

    /// Two raw dumps, interleaved a record at a time; `position`: bytes read from both.
    mutating func decode(_ pair: inout RawPairInterleaver, position: () -> Int) throws {
        while let record = try pair.next() {
            try decoded { $0.receive(time: record.time, direction: record.direction, bytes: record.bytes[...], appendingTo: &$1) }
            progress?.update(position: position())
        }
    }

    /// A capture, read ahead on its own thread (`ReadStage`).
    mutating func decode(_ input: CaptureInput) throws {
        let reads = ReadStage.start(input)
        defer { reads.cancel() } // (reading stops too if decoding does)
        while let read = reads.receive() {
            guard case .records(let records, let origin, let notes, let position) = read else {
                if case .failure(let error) = read { throw error }
                continue
            }
            if !originSent, let origin {
                batch.append(.origin(origin))
                originSent = true
            }
            for i in 0..<records.count {
                let record = records[i]
                try decoded { $0.receive(time: record.time, direction: record.direction, bytes: record.bytes, appendingTo: &$1) }
            }
            // Text comes a line at a time (`CaptureInput`): what the importer noticed about
            // the line follows the units it completed, like a footnote.
            self.notes(notes)
            progress?.update(position: position)
        }
        progress?.inputDone()
    }

    /// Several inputs: each its own session, one after the other in the same output.
    mutating func beginInput(_ path: String, first: Bool) throws {
        if !first { try endSession() }
        batch.append(.input(path: path, first: first))
    }

    /// The end: the last session's summary, then everything still batched.
    mutating func finish() throws {
        try endSession()
        try flush()
    }

    /// Reading failed: the writer gets what came before, then the error.
    mutating func fail(_ error: any Error) {
        batch.append(.failure(error))
        try? flush()
    }

    private mutating func endSession() throws {
        try decoded { $0.finish(appendingTo: &$1) }
        batch.append(.sessionEnd(nil))
        decoder = SessionDecoder()
        reported = 0
    }

    private mutating func notes(_ diagnostics: [TraceImportDiagnostic]) {
        if !diagnostics.isEmpty { batch.append(.notes(diagnostics)) }
    }

    /// One decoding step whose new units land in the batch: the anomalies it found go before
    /// them, and those holding a secret are starred.
    private mutating func decoded(_ step: (inout SessionDecoder, inout [SessionUnit]) -> Void) throws {
        let start = batch.units.count
        step(&decoder, &batch.units)
        if decoder.anomalies.count > reported {
            batch.append(.anomalies(Array(decoder.anomalies[reported...])), beforeUnit: start)
            reported = decoder.anomalies.count
        }
        for i in start..<batch.units.count where redact {
            if batch.units[i].redactIfSecret() { batch.markRedacted(i) }
        }
        if batch.units.count >= Self.batchSize || batch.events.count >= Self.batchSize { try flush() }
    }

    private mutating func flush() throws {
        guard !batch.isEmpty else { return }
        batch.close()
        let full = batch
        batch = EventBatch(capacity: Self.batchSize)
        guard send(full) else { throw WriterStopped() }
    }
}
