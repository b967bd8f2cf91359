import Dispatch
import EDMKit

/// Reading a capture on a thread of its own, ahead of decoding.
///
/// Reading (libpcap, the TLVs, copying the serial bytes into batches) is about a third of the
/// work of decoding a pcap, and decoding is the slowest stage: on a thread of its own, reading
/// hands it record batches ready-made. Batches and what came with them keep their order.
enum CaptureReadingStage {
    /// One batch of records and what the input knew when it was read.
    enum Read: Sendable {
        case records(RecordBatch, origin: TraceOrigin?, notes: [TraceImportDiagnostic], position: Int)
        /// Reading ended here (after the batches before it).
        case failure(any Error)
    }

    /// Starts reading `input` on its own thread, into the queue returned. From here on only
    /// that thread uses `input`. Cancel the queue to stop it early.
    static func start(_ input: CaptureInput) -> BatchQueue<Read> {
        let reads = BatchQueue<Read>(capacity: 4)
        let owned = Owned(input)
        DispatchQueue(label: "DecodePipeline.reading").async {
            let input = owned.input
            do {
                while let records = try input.nextBatch() {
                    let read = Read.records(records, origin: input.origin, notes: input.takeDiagnostics(),
                        position: input.position)
                    guard reads.send(read) else { return }
                }
                // (What reading to the end noticed.)
                _ = reads.send(.records(RecordBatch(), origin: input.origin, notes: input.takeDiagnostics(),
                    position: input.position))
            } catch {
                _ = reads.send(.failure(error))
            }
            reads.close()
        }
        return reads
    }

    /// The input, handed to the reading thread, which alone uses it from then on.
    private final class Owned: @unchecked Sendable {
        let input: CaptureInput
        init(_ input: CaptureInput) { self.input = input }
    }
}
