import EDMKit
import EDMKitIO

/// What the decoding side hands the writing side, in order.
enum DecodeEvent: Sendable {
    /// Several inputs: the next one starts (each is its own session).
    case input(path: String, first: Bool)
    case origin(TraceOrigin)
    /// What the importer noticed and carried on from.
    case notes([TraceImportDiagnostic])
    /// Anomalies found since the last ones; they concern units sent or about to be.
    case anomalies([SessionAnomaly])
    /// `members`: in JSON, what the unit means (`JSONMeanings`, filled in by `MeaningStage`).
    case unit(SessionUnit, redacted: Bool, members: [UInt8]?)
    /// The session is over: its summary goes out (in JSON, the one `MeaningStage` kept).
    case sessionEnd(SessionSummary?)
    /// Reading failed here: what came before is written, then this is the error.
    case failure(any Error)
}

/// Records in, events out: session decoding and redaction, one unit at a time.
///
/// It runs on its own thread while `UnitWriter` renders on another (and, for JSON,
/// `MeaningStage` on a third), and hands events over in batches through `send`.
struct UnitSource {
    let redact: Bool
    let progress: DecodeProgress?
    /// Hands a batch on; false once the writer has stopped.
    let send: ([DecodeEvent]) -> Bool
    private var decoder = SessionDecoder()
    private var batch: [DecodeEvent] = []
    private var reported = 0
    private var originSent = false

    /// Events per hand-over: large enough that handing over costs nothing per unit.
    static let batchSize = 512

    /// The writer stopped (it failed): decoding stops too.
    struct WriterStopped: Error {}

    init(redact: Bool, progress: DecodeProgress?, send: @escaping ([DecodeEvent]) -> Bool) {
        self.redact = redact
        self.progress = progress
        self.send = send
    }

    /// Two raw dumps, interleaved a record at a time; `position`: bytes read from both.
    mutating func decode(_ pair: inout RawPairInterleaver, position: () -> Int) throws {
        while let record = try pair.next() {
            decoder.receive(record)
            try drain()
            progress?.update(position: position())
        }
    }

    mutating func decode(_ input: CaptureInput) throws {
        while let records = try input.nextBatch() {
            if !originSent, let origin = input.origin {
                try emit(.origin(origin))
                originSent = true
            }
            for i in 0..<records.count {
                let record = records[i]
                decoder.receive(time: record.time, direction: record.direction, bytes: record.bytes)
                try drain()
            }
            // Text comes a line at a time (`CaptureInput`): what the importer noticed about
            // the line follows the units it completed, like a footnote.
            try notes(input.takeDiagnostics())
            progress?.update(position: input.position)
        }
        try notes(input.takeDiagnostics()) // (what reading to the end noticed)
        progress?.update(position: input.position)
        progress?.inputDone()
    }

    /// Several inputs: each its own session, one after the other in the same output.
    mutating func beginInput(_ path: String, first: Bool) throws {
        if !first { try endSession() }
        try emit(.input(path: path, first: first))
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
        decoder.finish()
        try drain()
        try emit(.sessionEnd(nil))
        decoder = SessionDecoder()
        reported = 0
    }

    private mutating func notes(_ diagnostics: [TraceImportDiagnostic]) throws {
        if !diagnostics.isEmpty { try emit(.notes(diagnostics)) }
    }

    private mutating func drain() throws {
        let anomalies = decoder.anomalies
        if anomalies.count > reported {
            try emit(.anomalies(Array(anomalies[reported...])))
            reported = anomalies.count
        }
        while var unit = decoder.next() {
            // (Written so that the usual unit, with no secret, is moved along, never copied.)
            let starred = redact ? unit.redactedIfSecret : nil
            if let starred { unit = starred }
            try emit(.unit(consume unit, redacted: starred != nil, members: nil))
        }
    }

    private mutating func emit(_ event: consuming DecodeEvent) throws {
        batch.append(event)
        if batch.count >= Self.batchSize { try flush() }
    }

    private mutating func flush() throws {
        guard !batch.isEmpty else { return }
        let full = batch
        batch = []
        batch.reserveCapacity(Self.batchSize)
        guard send(full) else { throw WriterStopped() }
    }
}
