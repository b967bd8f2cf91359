import EDMKit

/// What the decoding side hands the writing side: units in one array and, in order, the
/// events that place them among the rest. A unit is moved once, into `units`, and the stages
/// after read it from there (an event per unit, moved and copied from step to step, would
/// cost a retain and a release of everything a unit holds each time).
struct DecodedBatch: Sendable {
    /// The decoder appends here directly; the new units join the events at the next
    /// `append`, `markRedacted` or `close` (as one run, rather than an event each).
    var units: [SessionUnit] = []
    private(set) var events: [DecodedEvent] = []
    /// JSON: the units' lines, written by `JSONLineStage`; unit `i`'s ends at `lineEnds[i]`.
    var lines = OutputBuffer(capacity: 16)
    var lineEnds: [Int] = []
    /// JSON: what each unit tells the session summary, one per unit (the writer reads these,
    /// not the units).
    var entries: [SessionSummary.Entry] = []
    /// `units[runStart...]` are in no event yet.
    private var runStart = 0

    init(capacity: Int = 0) {
        units.reserveCapacity(capacity)
        events.reserveCapacity(capacity)
    }

    var isEmpty: Bool { units.isEmpty && events.isEmpty }

    mutating func append(_ event: DecodedEvent) { append(event, beforeUnit: units.count) }

    /// An event that goes before `units[i...]` (appended since, in no event yet).
    mutating func append(_ event: DecodedEvent, beforeUnit i: Int) {
        closeRun(at: i)
        events.append(event)
    }

    /// Unit `i`, not yet in an event, had its secrets starred: a run of its own.
    mutating func markRedacted(_ i: Int) {
        closeRun(at: i)
        events.append(.units(i..<(i + 1), redacted: true))
        runStart = i + 1
    }

    /// Every unit is in an event (before the batch goes out).
    mutating func close() { closeRun(at: units.count) }

    /// `units[runStart..<i]` (if any) become a run.
    private mutating func closeRun(at i: Int) {
        if runStart < i { events.append(.units(runStart..<i, redacted: false)) }
        runStart = i
    }

    /// Where the JSON lines of `units[range]` are in `lines`.
    func lineBytes(of range: Range<Int>) -> Range<Int> {
        (range.lowerBound == 0 ? 0 : lineEnds[range.lowerBound - 1])..<lineEnds[range.upperBound - 1]
    }
}
