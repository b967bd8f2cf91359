import Dispatch
import EDMKit
import Synchronization

/// JSON only: the units' lines, written between decoding and writing by two threads taking
/// alternate batches.
///
/// Working out what units mean (`JSONMeanings`) and writing their lines is most of a JSON
/// run; on one thread of its own, the rest of the pipeline would wait for it. A line depends on
/// its unit alone (the session summary, which depends on all of them, is kept by the writer
/// from the entries the lines return), so two workers, each with its own memo, share the
/// lines; batches come out in the order they went in, and the output is the same.
///
/// To both sides it looks like a `BatchQueue`: decoding sends and closes, the writer
/// receives and cancels.
final class JSONLineStage: DecodedBatchPipe {
    private static let workers = 2
    private let inputs = (0..<workers).map { _ in BatchQueue<DecodedBatch>(capacity: 2) }
    private let outputs = (0..<workers).map { _ in BatchQueue<DecodedBatch>(capacity: 2) }
    /// Batches sent and received so far: batch `n` goes through worker `n % workers`.
    /// (Each counter has one user, the decoding or the writing thread.)
    private let sent = Atomic(0), received = Atomic(0)

    init() {
        for (input, output) in zip(inputs, outputs) {
            DispatchQueue(label: "DecodePipeline.json").async { Self.work(from: input, to: output) }
        }
    }

    func send(_ batch: DecodedBatch) -> Bool {
        inputs[sent.add(1, ordering: .relaxed).oldValue % Self.workers].send(batch)
    }

    func close() { inputs.forEach { $0.close() } }

    func receive() -> DecodedBatch? {
        outputs[received.add(1, ordering: .relaxed).oldValue % Self.workers].receive()
    }

    func cancel() { outputs.forEach { $0.cancel() } }

    /// One worker: takes batches from `input` until it closes, writes their lines and summary
    /// entries, and passes them on to `output`. When the writer stops, decoding is told to stop.
    private static func work(from input: BatchQueue<DecodedBatch>, to output: BatchQueue<DecodedBatch>) {
        var meanings = JSONMeanings()
        var room = 1 << 16 // (the last batch's size: a buffer grown line by line is copied over and over)
        while var batch = input.receive() {
            var out = JSONWriter(capacity: room), ends: [Int] = [], entries: [SessionSummary.Entry] = []
            ends.reserveCapacity(batch.units.count)
            entries.reserveCapacity(batch.units.count)
            let units = batch.units
            for i in units.indices {
                entries.append(JSONLinesRenderer.line(units[i], meanings: &meanings, into: &out))
                out.newline()
                ends.append(out.buffer.count)
            }
            room = out.buffer.count + out.buffer.count / 8
            batch.lines = out.buffer
            batch.lineEnds = ends
            batch.entries = entries
            guard output.send(batch) else {
                input.cancel()
                return
            }
        }
        output.close()
    }
}
