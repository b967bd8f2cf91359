import EDMKit

/// JSON only: what each unit means (`JSONMeanings`), worked out on a thread of its own between
/// decoding and writing.
///
/// JSON has three parts of about equal weight: decoding, working out meanings (catalog words,
/// DPS bodies, the summary) and writing lines. With meanings on the decoding thread that
/// thread was the slower one, and the writer waited; as a stage of its own, the machine's
/// cores share the three. Events keep their order, so the output is the same.
enum MeaningStage {
    /// Takes batches from `input` until it closes, fills in `members` and the summaries, and
    /// passes them on to `output`. When the writer stops, decoding is told to stop too.
    static func run(from input: BatchQueue<EventBatch>, to output: BatchQueue<EventBatch>) {
        var meanings = JSONMeanings()
        while var batch = input.receive() {
            batch.members.reserveCapacity(batch.units.count)
            for e in batch.events.indices {
                switch batch.events[e] {
                case .units(let range, _):
                    batch.units.withUnsafeBufferPointer { units in
                        for i in range { batch.members.append(meanings.members(for: units[i])) }
                    }
                case .sessionEnd:
                    batch.replaceEvent(e, with: .sessionEnd(meanings.summary))
                    meanings = JSONMeanings()
                default:
                    break
                }
            }
            guard output.send(batch) else {
                input.cancel()
                return
            }
        }
        output.close()
    }
}
