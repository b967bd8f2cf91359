/// Puts two raw dumps (one per direction, no timing) back into a plausible order.
///
/// Without timestamps the order of the two streams is lost, yet the session decoder needs
/// each reply after its request. Causality gives it back: the host speaks up to the end of
/// a request, then the module speaks until it has answered (a final result or a prompt),
/// and so on. Times are invented (one millisecond per turn) and flagged as such.
public struct RawPairInterleaver: Sendable {
    private var host: [UInt8]
    private var module: [UInt8]

    public init(host: [UInt8], module: [UInt8]) {
        self.host = host
        self.module = module
    }

    public func records() -> [TraceRecord] {
        var decoder = SessionDecoder()
        var records: [TraceRecord] = []
        var h = host[...], m = module[...]
        var turn = 0
        var speaker: Direction = .host
        while !h.isEmpty || !m.isEmpty {
            if speaker == .host && h.isEmpty { speaker = .module }
            if speaker == .module && m.isEmpty { speaker = .host }
            let time = Duration.milliseconds(turn)
            var said: [UInt8] = []
            // Feed one byte at a time until this side completes the unit that hands over.
            while speaker == .host ? !h.isEmpty : !m.isEmpty {
                let byte = speaker == .host ? h.removeFirst() : m.removeFirst()
                said.append(byte)
                decoder.receive(time: time, direction: speaker, bytes: [byte])
                var handsOver = false
                while let unit = decoder.next() { handsOver = handsOver || Self.handsOver(unit) }
                if handsOver { break }
            }
            records.append(TraceRecord(time: time, direction: speaker, bytes: said, flags: .syntheticTime))
            speaker = speaker.other
            turn += 1
        }
        return records
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
