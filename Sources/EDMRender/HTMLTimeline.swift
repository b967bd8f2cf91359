import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis

/// The HTML report's timeline: the phases (credentials, Wi-Fi, MQTT, DPS) as bars, and under
/// them every request with its reply latency, the slow ones in red, drawn as SVG; and the
/// slowest replies as a table.
///
/// Requests are AT commands (answered by their final result) and DPS publishes (answered by
/// the next DPS body on the same channel). Memory stays bounded: past `maxMarks`, neighbouring
/// requests share a bar (drawn over their span, as tall as the slowest), so a long capture
/// still draws in a few thousand elements.
package struct HTMLTimeline: Sendable {
    /// A reply this slow is marked. Module commands answer in tens of milliseconds; a
    /// credential import (a flash write, about 3 s) and DPS's answers are the usual ones above.
    package static let slow: Duration = .seconds(1)
    package static let maxMarks = 2048
    package static let slowestShown = 10

    /// One request and its reply, or neighbours sharing a bar.
    package struct Mark: Sendable {
        package var start: Duration
        package var end: Duration
        /// The slowest latency among them, and that request and answer.
        package var latency: Duration
        package var request: String
        package var answer: String
        package var count = 1
        package var slowCount: Int
    }

    package private(set) var marks: [Mark] = []
    package private(set) var slowest: [Mark] = []
    package private(set) var requests = 0
    package private(set) var slowRequests = 0
    private var perMark = 1
    /// Requests not answered yet (the last few: a reply answers a recent one).
    private var pending: [(index: Int, text: String)] = []
    /// DPS publishes waiting for DPS's body, by channel.
    private var publishes: [(channel: UInt8?, time: Duration, text: String)] = []

    package init() {}

    package mutating func add(_ unit: SessionUnit, _ description: UnitDescription) {
        let fromHost = unit.direction == .host
        switch unit.kind {
        case .at(.command) where fromHost:
            remember(unit.index, unit.text ?? description.summary)
        case .frame(let frame):
            if fromHost, frame.payloadID == .atRequest { remember(unit.index, unit.text ?? description.summary) }
            if fromHost, frame.payloadID == .dataCommand {
                let channel = frame.channel
                publishes.removeAll { $0.channel == channel }
                publishes.append((channel, unit.time, description.explanation ?? description.summary))
            }
            if !fromHost, frame.payloadID == .dataEvent, let dps = description.dps,
               let i = publishes.firstIndex(where: { $0.channel == frame.channel }) {
                let publish = publishes.remove(at: i)
                record(start: publish.time, end: unit.time, request: publish.text, answer: dps.summary)
            }
        default:
            break
        }
        if let reply = unit.reply, let i = pending.firstIndex(where: { $0.index == reply.request }) {
            let request = pending.remove(at: i)
            record(start: unit.time - reply.latency, end: unit.time, request: request.text,
                   answer: unit.text ?? description.summary)
        }
    }

    private mutating func remember(_ index: Int, _ text: String) {
        if pending.count >= 16 { pending.removeFirst() }
        pending.append((index, text))
    }

    private mutating func record(start: Duration, end: Duration, request: String, answer: String) {
        let latency = end - start
        let isSlow = latency >= Self.slow
        let mark = Mark(start: start, end: end, latency: latency, request: request, answer: answer,
                        slowCount: isSlow ? 1 : 0)
        requests += 1
        if isSlow { slowRequests += 1 }
        keepIfSlowest(mark)
        if perMark > 1, let last = marks.last, last.count < perMark {
            marks[marks.count - 1] = Self.merge(last, mark)
        } else {
            marks.append(mark)
        }
        if marks.count >= Self.maxMarks {
            marks = stride(from: 0, to: marks.count, by: 2).map { i in
                i + 1 < marks.count ? Self.merge(marks[i], marks[i + 1]) : marks[i]
            }
            perMark *= 2
        }
    }

    private mutating func keepIfSlowest(_ mark: Mark) {
        guard slowest.count < Self.slowestShown || mark.latency > slowest[slowest.count - 1].latency else { return }
        let at = slowest.firstIndex { $0.latency < mark.latency } ?? slowest.count
        slowest.insert(mark, at: at)
        if slowest.count > Self.slowestShown { slowest.removeLast() }
    }

    private static func merge(_ a: Mark, _ b: Mark) -> Mark {
        var m = b.latency > a.latency ? b : a
        m.start = min(a.start, b.start)
        m.end = max(a.end, b.end)
        m.count = a.count + b.count
        m.slowCount = a.slowCount + b.slowCount
        return m
    }
}
