import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis
import EDMRender
import EDMProvisioning

/// A recorded module that answers a live host: semantic replay (`edm-replay serve`,
/// `edm-replay check --mode semantic`).
///
/// The trace is cut into exchanges: each host request and the module bytes that followed
/// it (with their offsets from the request and their original chunking) until the next
/// request. When the host makes a request, the first unused recorded exchange with an
/// equivalent request (`RequestMatcher`) is played back from that moment. A few pure
/// queries that the recording may lack get a neutral answer, noted as synthesized: a bare
/// `AT` (OK), a stored-credential MD5 query (ERROR: not stored, so the host uploads as
/// the recording did), closing a peer (OK). Any other request with no recorded
/// equivalent is a divergence and gets no answer.
public struct TraceResponder: ModuleModel {
    package struct Exchange: Sendable {
        package var request: RequestMatcher.Request
        package var answer: [(offset: Duration, bytes: [UInt8])]
        package var used = false
    }

    public struct Divergence: Hashable, Sendable {
        public var time: Duration
        /// The request as the host sent it.
        public var request: String
        public var message: String
    }

    private var exchanges: [Exchange] = []
    private var scheduled: [(time: Duration, bytes: [UInt8])] = []
    private var host = SessionDecoder()
    /// Requests that had no recorded equivalent.
    public private(set) var divergences: [Divergence] = []
    /// Requests answered with a neutral answer the recording did not have.
    public private(set) var synthesized: [String] = []
    /// Exchanges played back, in order.
    public private(set) var played = 0

    public init(records: [TraceRecord]) {
        var decoder = SessionDecoder()
        var current: (time: Duration, index: Int)?
        for record in records {
            switch record.direction {
            case .host:
                decoder.receive(record)
                while let unit = decoder.next() {
                    guard let request = RequestMatcher.request(unit) else { continue }
                    exchanges.append(Exchange(request: request, answer: []))
                    current = (record.time, exchanges.count - 1)
                }
            case .module, nil:
                if let current {
                    exchanges[current.index].answer.append((record.time - current.time, record.bytes))
                } else {
                    // Before the first request: the module speaks on its own (boot, +STARTUP).
                    scheduled.append((record.time, record.bytes))
                }
            }
        }
    }

    /// How many recorded exchanges were never asked for.
    public var unplayed: Int { exchanges.filter { !$0.used }.count }

    public var nextOutputTime: Duration? { scheduled.first?.time }

    public mutating func takeOutput(until now: Duration) -> [(time: Duration, bytes: [UInt8])] {
        let due = scheduled.prefix { $0.time <= now }
        scheduled.removeFirst(due.count)
        return Array(due)
    }

    public mutating func receive(_ bytes: ArraySlice<UInt8>, now: Duration) {
        host.receive(time: now, direction: .host, bytes: bytes)
        while let unit = host.next() {
            guard let request = RequestMatcher.request(unit) else { continue }
            answer(request, unit, now)
        }
    }

    private mutating func answer(_ request: RequestMatcher.Request, _ unit: SessionUnit, _ now: Duration) {
        if let i = exchanges.firstIndex(where: { !$0.used && $0.request == request }) {
            exchanges[i].used = true
            played += 1
            schedule(exchanges[i].answer.map { (now + $0.offset, $0.bytes) })
            return
        }
        let text = unit.text ?? ""
        guard let neutral = neutralAnswer(request, echo: text, edm: unit.frame != nil) else {
            divergences.append(Divergence(time: now, request: text.isEmpty ? "\(request)" : text,
                                          message: "the recording has no answer to an equivalent request"))
            return
        }
        synthesized.append(text)
        schedule([(now + .milliseconds(10), neutral)])
    }

    private func neutralAnswer(_ request: RequestMatcher.Request, echo: String, edm: Bool) -> [UInt8]? {
        guard case .at(let text) = request else { return nil }
        let reply: String
        if text == "AT" || text.hasPrefix("AT+UDCPC=") {
            reply = "\r\nOK\r\n"
        } else if text.hasPrefix("AT+USECMNG=4,") {
            reply = "\r\nERROR\r\n"
        } else {
            return nil
        }
        return edm ? EDMEncoder.atConfirmation(reply) : Array((echo + "\r" + reply).utf8)
    }

    private mutating func schedule(_ outputs: [(time: Duration, bytes: [UInt8])]) {
        for output in outputs {
            // Stable: equal times keep their order.
            let at = scheduled.firstIndex { $0.time > output.time } ?? scheduled.endIndex
            scheduled.insert(output, at: at)
        }
    }
}
