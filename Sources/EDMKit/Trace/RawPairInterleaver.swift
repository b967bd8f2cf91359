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
        // Feed one byte at a time until this side completes the unit that hands over.
        while said.count < TraceRecordLimits.maxRecordSize, try hasBytes(speaker) {
            let at = buffers[d].startIndex
            said.append(buffers[d][at])
            decoder.receive(time: time, direction: speaker, bytes: buffers[d][at...at])
            buffers[d] = buffers[d].dropFirst()
            while let unit = decoder.next() { handedOver = handedOver || Self.handsOver(unit) }
            if handedOver { break }
        }
        let record = TraceRecord(time: time, direction: speaker, bytes: said, flags: .syntheticTime)
        continuing = !handedOver && said.count == TraceRecordLimits.maxRecordSize
        if !continuing { endTurn() }
        return record
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
    static func handsOver(_ unit: SessionUnit) -> Bool {
        switch unit.kind {
        case .at(.command), .at(.final), .at(.prompt), .raw(.payload): true
        case .frame(let frame): frame.payloadID == .atRequest || unit.reply != nil
        default: false
        }
    }
}
