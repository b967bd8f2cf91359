import EDMKit

/// JSON only: what each unit means (`JSONMeanings`), worked out on a thread of its own between
/// decoding and writing.
///
/// JSON has three halves of about equal weight: decoding, working out meanings (catalog words,
/// DPS bodies, the summary) and writing lines. With meanings on the decoding thread that
/// thread was the slower one, and the writer waited; as a stage of its own, the machine's
/// cores share the three. Events keep their order, so the output is the same.
enum MeaningStage {
    /// Takes batches from `input` until it closes, fills in `members` and the summaries, and
    /// passes them on to `output`. When the writer stops, decoding is told to stop too.
    static func run(from input: EventQueue, to output: EventQueue) {
        var meanings = JSONMeanings()
        while var batch = input.receive() {
            for i in batch.indices {
                // (Moved out and back, not copied: see the writer's loop in `EDMDecode.run`.)
                var event = DecodeEvent.anomalies([])
                swap(&event, &batch[i])
                switch consume event {
                case .unit(let unit, let redacted, _):
                    let members = meanings.members(for: unit)
                    event = .unit(unit, redacted: redacted, members: members)
                case .sessionEnd:
                    event = .sessionEnd(meanings.summary)
                    meanings = JSONMeanings()
                case let other:
                    event = other
                }
                swap(&event, &batch[i])
            }
            guard output.send(batch) else {
                input.cancel()
                return
            }
        }
        output.close()
    }
}
