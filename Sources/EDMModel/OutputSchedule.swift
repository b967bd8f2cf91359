import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis
import EDMRender
import EDMProvisioning

/// The simulated module's output still to come, each piece with its time.
///
/// Pieces stay semantic (a URC, a frame, text) until they are taken, because how a URC goes
/// out depends on the mode the module is in at that moment, which a later command can change
/// (`AT+UWSCA` in command mode, then `ATO2` before the link comes up). Mode switches are kept
/// with their times, ordered like the output, so each piece renders as of its own time.
/// Ordering is by time, then by scheduling order: a piece scheduled later at the same time
/// follows, so a frame is never cut by another piece.
package struct OutputSchedule: Sendable {
    package enum Content: Sendable {
        /// Command-mode bytes, sent as they are: echo, results, prompt, boot noise, `+STARTUP`.
        case text([UInt8])
        /// The AT confirmation of an EDM AT request (its text, line breaks included).
        case confirmation(String)
        /// An unsolicited result (`+UUNU:0`): a text line in command mode, an AT event in EDM.
        case urc(String)
        /// An EDM event frame (connect, disconnect, data, start): lost in command mode.
        case frame([UInt8])
    }

    package struct Item: Sendable {
        package var time: Duration
        package var order: Int
        package var content: Content
        /// The peer the item belongs to: withdrawn when that peer closes first.
        package var peer: Int?
    }

    private struct Switch: Sendable {
        package var time: Duration
        package var order: Int
        package var edm: Bool
    }

    private(set) var items: [Item] = []
    private var switches: [Switch] = []
    private var nextOrder = 0
    /// Set when the line corrupts output (garbage between frames, frames in pieces).
    private var lineNoise: SplitMix64?

    package init(lineNoise: SplitMix64?) { self.lineNoise = lineNoise }

    package mutating func add(_ content: Content, at time: Duration, peer: Int? = nil) {
        let item = Item(time: time, order: nextOrder, content: content, peer: peer)
        nextOrder += 1
        // Most pieces go at the end; search back from there.
        var i = items.endIndex
        while i > items.startIndex, items[i - 1].time > time { i -= 1 }
        items.insert(item, at: i)
    }

    /// From `time` on (after whatever is already scheduled at `time`), output is in EDM or not.
    package mutating func switchMode(edm: Bool, at time: Duration) {
        switches.append(Switch(time: time, order: nextOrder, edm: edm))
        nextOrder += 1
        switches.sort { ($0.time, $0.order) < ($1.time, $1.order) }
    }

    package func isEDM(at time: Duration) -> Bool { isEDM(time: time, order: nextOrder) }

    private func isEDM(time: Duration, order: Int) -> Bool {
        switches.last { ($0.time, $0.order) < (time, order) }?.edm ?? false
    }

    /// Forgets everything scheduled after `time` (a reboot at `time` cancels it).
    package mutating func cancel(after time: Duration) {
        items.removeAll { $0.time > time }
        switches.removeAll { $0.time > time }
    }

    /// Forgets what `peer` still had to send after `time`.
    package mutating func withdraw(peer: Int, after time: Duration) {
        items.removeAll { $0.peer == peer && $0.time > time }
    }

    /// Time of the first piece that puts bytes on the line, ignoring pieces after `limit`.
    package func nextTime(notAfter limit: Duration?) -> Duration? {
        for item in items {
            if let limit, item.time > limit { return nil }
            if !rendersEmpty(item) { return item.time }
        }
        return nil
    }

    /// Removes and renders every piece due at or before `now`.
    package mutating func take(until now: Duration) -> [(time: Duration, bytes: [UInt8])] {
        let due = items.prefix { $0.time <= now }.count
        guard due > 0 else { return [] }
        let taken = items[..<due]
        var out: [(time: Duration, bytes: [UInt8])] = []
        for item in taken {
            for chunk in render(item) where !chunk.isEmpty { out.append((item.time, chunk)) }
        }
        items.removeFirst(due)
        return out
    }

    private func rendersEmpty(_ item: Item) -> Bool {
        if case .frame = item.content { return !isEDM(time: item.time, order: item.order) }
        return false
    }

    private mutating func render(_ item: Item) -> [[UInt8]] {
        let edm = isEDM(time: item.time, order: item.order)
        switch item.content {
        case .text(let bytes):
            return [bytes]
        case .confirmation(let text):
            return corrupt(EDMEncoder.atConfirmation(text))
        case .urc(let text):
            let line = "\r\n" + text + "\r\n"
            return edm ? corrupt(EDMEncoder.atEvent(line)) : [Array(line.utf8)]
        case .frame(let bytes):
            return edm ? corrupt(bytes) : []
        }
    }

    /// On a noisy line: maybe garbage first, maybe the frame cut into two or three chunks.
    private mutating func corrupt(_ frame: [UInt8]) -> [[UInt8]] {
        guard var rng = lineNoise else { return [frame] }
        defer { lineNoise = rng }
        var chunks: [[UInt8]] = []
        if rng.chance(1, in: 2) { chunks.append(LineNoise.garbage(before: frame, &rng)) }
        if rng.chance(1, in: 2), frame.count >= 3 {
            var cuts = [rng.within(1...(frame.count - 1))]
            if rng.chance(1, in: 2) { cuts.append(rng.within(1...(frame.count - 1))) }
            var start = 0
            for cut in cuts.sorted() where cut > start {
                chunks.append(Array(frame[start..<cut]))
                start = cut
            }
            chunks.append(Array(frame[start...]))
        } else {
            chunks.append(frame)
        }
        return chunks
    }
}
