import EDMBytes
import EDMFrames
import EDMAT

/// The bytes of one direction, cut into tokens: frames, text lines, raw payloads, garbage.
///
/// It owns the direction's accumulation buffer and knows only what the bytes themselves say
/// plus two facts the session decoder tells it: the mode (command or EDM) and how many raw
/// bytes of a credential are expected next. Cuts depend on the bytes alone, never on how
/// they were chunked; a token is cut only once the bytes that end it have arrived.
package struct DirectionStream: Sendable {
    /// How the stream's bytes are read: AT text, EDM frames, or either until it is known.
    package enum Mode: Sendable {
        /// Nothing decided yet: frames and text are both accepted (a capture may start mid-session).
        case unknown
        case command
        case edm
    }

    /// One piece cut from the stream.
    package enum Token {
        case frame(EDMFrame)
        /// A line: leading CR/LF, content, then its terminator (if any).
        case line(bytes: ArraySlice<UInt8>, content: ArraySlice<UInt8>, terminated: Bool)
        /// `>` at the start of a line (no terminator follows it on the wire).
        case prompt(ArraySlice<UInt8>)
        case payload(ArraySlice<UInt8>, complete: Bool)
        case garbage(ArraySlice<UInt8>, EDMDiagnostic.Code)
    }

    /// A line longer than this is cut, so memory stays bounded on a line that never ends; no
    /// unit of any kind is longer than the largest frame.
    package static let maxLine = EDMFrame.maxCount

    package let direction: Direction?
    package var mode: Mode = .unknown
    /// Raw credential bytes still expected before text resumes.
    package var pendingPayload = 0
    /// Stream offset of `buffer.first`.
    private(set) var offset = 0
    /// The bytes not yet cut. Tokens are slices of it, so they share the caller's storage.
    private var buffer: ArraySlice<UInt8> = []

    package init(direction: Direction?) { self.direction = direction }

    /// Adds bytes. When nothing is left over, the chunk itself becomes the buffer (no copy);
    /// otherwise the leftover (at most one unfinished token) is copied in front of it.
    package mutating func append(_ chunk: ArraySlice<UInt8>) {
        if buffer.isEmpty {
            buffer = chunk
        } else {
            var joined = Array(buffer)
            joined.append(contentsOf: chunk)
            buffer = joined[...]
        }
    }

    /// The next token and its offset, or nil when more bytes are needed (`atEnd`: none will come).
    package mutating func next(atEnd: Bool) -> (token: Token, offset: Int)? {
        guard let first = buffer.first else { return nil }
        let start = offset
        guard let token = cut(first: first, atEnd: atEnd) else { return nil }
        return (token, start)
    }

    private mutating func cut(first: UInt8, atEnd: Bool) -> Token? {
        if pendingPayload > 0 {
            let count = min(pendingPayload, buffer.count)
            guard count == pendingPayload || atEnd else { return nil }
            pendingPayload -= count
            return .payload(take(count), complete: pendingPayload == 0)
        }
        // The host never starts a line with 0xAA, and the module frames only in EDM.
        if first == EDMFrame.start, direction == .host || mode != .command {
            return cutFrame(atEnd: atEnd)
        }
        return cutLine(atEnd: atEnd)
    }

    private mutating func cutLine(atEnd: Bool) -> Token? {
        let s = buffer.startIndex, e = buffer.endIndex
        var i = s
        while i < e, isLineBreak(buffer[i]) { i += 1 }
        if i == e { return atEnd ? .line(bytes: take(e - s), content: [], terminated: true) : nil }
        // The prompt belongs to command mode: in EDM the module would frame it, so a raw `>`
        // there is line noise, and must not take the stream out of EDM.
        if direction != .host, mode != .edm, buffer[i] == UInt8(ascii: ">") {
            return .prompt(take(i + 1 - s))
        }
        let contentStart = i
        let framesPossible = direction == .host || mode != .command
        let limit = min(e, s + Self.maxLine)
        while i < limit, !isLineBreak(buffer[i]), !(framesPossible && buffer[i] == EDMFrame.start) { i += 1 }
        if i == limit, limit - s == Self.maxLine || (atEnd && i == e) {
            let bytes = take(i - s)
            return .line(bytes: bytes, content: bytes[contentStart...], terminated: false)
        }
        if i == e { return nil }
        if buffer[i] == EDMFrame.start {
            let bytes = take(i - s)
            return .line(bytes: bytes, content: bytes[contentStart...], terminated: false)
        }
        // A command or echo line ends at its CR (waiting for a possible LF would hold it until
        // the next line arrives). A module line that opened with CR LF (`\r\nOK\r\n`) closes
        // with CR LF too, so after its CR it waits for the LF, which the module sends at once.
        var end = i + 1
        if buffer[i] == 0x0D, contentStart > s, direction != .host {
            if end == e, !atEnd { return nil }
            if end < e, buffer[end] == 0x0A { end += 1 }
        }
        let bytes = take(end - s)
        return .line(bytes: bytes, content: bytes[contentStart..<i], terminated: true)
    }

    /// A frame, or the garbage run of a false start, cut by the stream decoder: the session
    /// frames bytes exactly as `EDMStreamDecoder` does, with its resynchronisation rule.
    private mutating func cutFrame(atEnd: Bool) -> Token? {
        var decoder = EDMStreamDecoder(offset: offset)
        var rest = buffer
        guard let unit = atEnd ? decoder.decodeLast(&rest) : decoder.decode(&rest) else { return nil }
        buffer = rest
        offset = decoder.offset
        switch unit {
        case .frame(let frame, _): return .frame(frame)
        case .garbage(let bytes, let diagnostic): return .garbage(bytes, diagnostic.code)
        }
    }

    private mutating func take(_ count: Int) -> ArraySlice<UInt8> {
        let end = buffer.startIndex + count
        let taken = buffer[..<end]
        buffer = buffer[end...]
        offset += count
        return taken
    }
}
