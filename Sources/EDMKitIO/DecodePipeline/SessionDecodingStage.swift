import EDMKit

/// Records in, batches of units out: session decoding and redaction.
///
/// It runs on its own thread, after `CaptureReadingStage` and before `DecodeOutputWriter` (and,
/// for JSON, `JSONLineStage`), and hands batches on through `send`.
struct SessionDecodingStage {
    let redact: Bool
    let progress: DecodeProgress?
    /// Hands a batch on; false once the writer has stopped.
    let send: (DecodedBatch) -> Bool
    private var decoder = SessionDecoder()
    private var batch = DecodedBatch(capacity: Self.batchSize)
    private var reported = 0
    private var originSent = false

    /// Units (or events) per hand-over: large enough that handing over costs nothing per unit.
    static let batchSize = 512

    /// The writer stopped (it failed): decoding stops too.
    struct WriterStopped: Error {}

    init(redact: Bool, progress: DecodeProgress?, send: @escaping (DecodedBatch) -> Bool) {
        self.redact = redact
        self.progress = progress
        self.send = send
    }

    /// Two raw dumps, interleaved a record at a time; `position`: bytes read from both.
    mutating func decode(_ pair: inout RawPairInterleaver, position: () -> Int) throws {
        while let record = try pair.next() {
            try decoded { $0.receive(time: record.time, direction: record.direction, bytes: record.bytes[...],
                appendingTo: &$1) }
            progress?.update(position: position())
        }
    }

    /// A capture, read ahead on its own thread (`CaptureReadingStage`).
    mutating func decode(_ input: CaptureInput) throws {
        let reads = CaptureReadingStage.start(input)
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
                try decoded { $0.receive(time: record.time, direction: record.direction, bytes: record.bytes,
                    appendingTo: &$1) }
            }
            // Text comes a line at a time (`CaptureInput`): what the importer noticed about
            // the line follows the units it completed, like a footnote.
            try self.notes(notes)
            progress?.update(position: position)
        }
        progress?.inputDone()
    }

    /// The next session's input, for the writer (before its units).
    mutating func source(path: String, format: String, bytes: Int?) {
        batch.append(.source(path: path, format: format, bytes: bytes))
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
        batch.append(.sessionEnd)
        decoder = SessionDecoder()
        reported = 0
    }

    /// (Lines that are only notes complete no unit: the batch is handed on when their count
    /// fills it, or a capture noted on every line would be held whole until its end.)
    private mutating func notes(_ diagnostics: [TraceImportDiagnostic]) throws {
        guard !diagnostics.isEmpty else { return }
        batch.append(.notes(diagnostics))
        if batch.events.count >= Self.batchSize { try flush() }
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
        batch = DecodedBatch(capacity: Self.batchSize)
        guard send(full) else { throw WriterStopped() }
    }
}
