import EDMBytes
import EDMFrames
import EDMAT
import EDMSession

/// Puts two raw dumps (one per direction, no timing) back into a plausible order.
///
/// Without timestamps the order of the two streams is lost, yet the session decoder needs
/// each reply after its request. Causality gives it back: the host speaks up to the end of
/// a request, then the module speaks until it has answered (a final result or a prompt),
/// and so on. Times are invented (one millisecond per turn) and flagged as such.
///
/// The streams are pulled a chunk at a time from their sources and records come out one at a
/// time (`next()`), so memory stays flat whatever the dumps' size: a turn longer than
/// `TraceRecordLimits.maxRecordSize` comes out in several records with the turn's time.
public struct RawPairInterleaver {
    /// The next chunk of one side's stream, or nil at its end.
    public typealias Source = () throws -> [UInt8]?

    private var sources: [Source]
    private var buffers: [ArraySlice<UInt8>] = [[], []]
    private var ended = [false, false]
    private var decoder = SessionDecoder()
    /// Bytes fed to the decoder so far, per side: unit offsets count from there.
    private var offsets = [0, 0]
    private var turn = 0
    private var speaker: Direction = .host
    /// The speaker's turn was cut at `maxRecordSize` and goes on in the next record.
    private var continuing = false

    public init(host: @escaping Source, module: @escaping Source) {
        sources = [host, module]
    }

    /// Both streams already in memory.
    public init(host: [UInt8], module: [UInt8]) {
        self.init(host: Self.once(host), module: Self.once(module))
    }

    /// All records, for streams already in memory.
    public func records() -> [TraceRecord] {
        var copy = self
        var out: [TraceRecord] = []
        // In-memory sources cannot fail.
        while let record = try! copy.next() { out.append(record) }
        return out
    }

    /// The next record, or nil once both streams are exhausted.
    public mutating func next() throws -> TraceRecord? {
        if continuing, try !hasBytes(speaker) {
            continuing = false
            endTurn()
        }
        if !continuing {
            if speaker == .host, try !hasBytes(.host) { speaker = .module }
            if speaker == .module, try !hasBytes(.module) { speaker = .host }
            guard try hasBytes(speaker) else { return nil }
        }
        let d = slot(speaker)
        let time = Duration.milliseconds(turn)
        var said: [UInt8] = []
        var handedOver = false
        // Feed the side's bytes until it completes the unit that hands over, in chunks that
        // double while none does (a turn costs about its own length, not a call per byte).
        var size = 64
        while said.count < TraceRecordLimits.maxRecordSize, try hasBytes(speaker) {
            let chunk = buffers[d].prefix(min(size, TraceRecordLimits.maxRecordSize - said.count))
            let taken: Int
            (taken, handedOver) = feed(chunk, time: time)
            said += chunk.prefix(taken)
            buffers[d] = buffers[d].dropFirst(taken)
            offsets[d] += taken
            if handedOver { break }
            size = min(2 * size, 1 << 16)
        }
        let record = TraceRecord(time: time, direction: speaker, bytes: said, flags: .syntheticTime)
        continuing = !handedOver && said.count == TraceRecordLimits.maxRecordSize
        if !continuing { endTurn() }
        return record
    }

    /// Feeds `chunk`, or only its shortest prefix that completes a unit handing over: how many
    /// bytes were taken, and whether the turn is over. Decoding does not depend on how bytes
    /// are chunked, so the chunk is tried on a copy of the decoder first; the turn ends exactly
    /// where feeding a byte at a time would end it.
    private mutating func feed(_ chunk: ArraySlice<UInt8>, time: Duration) -> (taken: Int, handedOver: Bool) {
        var (fed, end) = trying(chunk, time: time)
        var taken = chunk.count
        if let end {
            // Not before the unit's last byte; a line's end can need one byte more.
            taken = max(1, end - offsets[slot(speaker)])
            while taken < chunk.count {
                let shorter = trying(chunk.prefix(taken), time: time)
                if shorter.handoverEnd != nil {
                    fed = shorter.decoder
                    break
                }
                taken += 1
            }
        }
        decoder = fed
        return (taken, end != nil)
    }

    /// `bytes` fed to a copy of the decoder: the copy, and where the first unit that hands
    /// over ends in the speaker's stream (nil: none does).
    private func trying(_ bytes: ArraySlice<UInt8>, time: Duration) -> (decoder: SessionDecoder, handoverEnd: Int?) {
        var copy = decoder
        copy.receive(time: time, direction: speaker, bytes: bytes)
        var end: Int?
        while let unit = copy.next() {
            if end == nil, Self.handsOver(unit) { end = unit.offset + unit.bytes.count }
        }
        return (copy, end)
    }

    private mutating func endTurn() {
        speaker = speaker.other
        turn += 1
    }

    private func slot(_ direction: Direction) -> Int { direction == .host ? 0 : 1 }

    /// Whether the side has a byte to give, reading its next chunk when its buffer is empty.
    private mutating func hasBytes(_ direction: Direction) throws -> Bool {
        let d = slot(direction)
        while buffers[d].isEmpty, !ended[d] {
            if let chunk = try sources[d]() { buffers[d] = chunk[...] } else { ended[d] = true }
        }
        return !buffers[d].isEmpty
    }

    private static func once(_ bytes: [UInt8]) -> Source {
        var pending: [UInt8]? = bytes
        return {
            defer { pending = nil }
            return pending
        }
    }

    /// A request hands the word to the module; a final result or prompt hands it back.
    package static func handsOver(_ unit: SessionUnit) -> Bool {
        switch unit.kind {
        case .at(.command), .at(.final), .at(.prompt), .raw(.payload): true
        case .frame(let frame): frame.payloadID == .atRequest || unit.reply != nil
        default: false
        }
    }
}
