import Dispatch
import Synchronization

/// Hands batches from one thread to the next, in order: records from reading to decoding,
/// events from decoding to writing.
///
/// Bounded: the producing side waits while `capacity` batches are pending, so memory stays
/// flat however fast it reads. One producer, one consumer.
final class BatchQueue<Batch: Sendable>: Sendable {
    private struct State {
        var batches: [Batch] = []
        var cancelled = false
    }

    private let state = Mutex(State())
    private let pending = DispatchSemaphore(value: 0)
    private let free: DispatchSemaphore

    init(capacity: Int) { free = DispatchSemaphore(value: capacity) }

    /// Queues a batch, waiting for room; false once the consumer has cancelled.
    func send(_ batch: Batch) -> Bool {
        free.wait()
        let queued = state.withLock { state in
            guard !state.cancelled else { return false }
            state.batches.append(batch)
            return true
        }
        if queued { pending.signal() }
        return queued
    }

    /// No more batches will come.
    func close() { pending.signal() }

    /// The next batch, waiting for it; nil once the queue is closed and empty.
    func receive() -> Batch? {
        pending.wait()
        let batch = state.withLock { $0.batches.isEmpty ? nil : $0.batches.removeFirst() }
        if batch != nil { free.signal() }
        return batch
    }

    /// The consumer stops: a producer waiting for room wakes, and its sends fail from now on.
    func cancel() {
        state.withLock { $0.cancelled = true }
        free.signal()
    }
}

/// What decoding sends its events through to the writer: a `BatchQueue`, or for JSON the
/// `JSONLineStage`, which writes the units' lines on the way.
protocol DecodedBatchPipe: Sendable {
    func send(_ batch: DecodedBatch) -> Bool
    func close()
    func receive() -> DecodedBatch?
    func cancel()
}

extension BatchQueue: DecodedBatchPipe where Batch == DecodedBatch {}
