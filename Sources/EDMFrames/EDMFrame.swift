import EDMBytes

/// One EDM frame, as a view into the bytes it was decoded from.
///
/// `bytes` is a slice of the caller's buffer (start `0xAA` through stop `0x55`): decoding
/// copies nothing, and every accessor below is another slice of the same storage.
///
///     AA  0L LL  II II  body…  55
///         │  │   └ payload id (12-bit identifier + 4-bit type)
///         │  └ N = 2 + body count (12 bits)
///         └ reserved, must be 0
public struct EDMFrame: Hashable, Sendable {
    public static let start: UInt8 = 0xAA
    public static let stop: UInt8 = 0x55
    /// Largest payload length the 12-bit field can carry; a frame is `N + 4` bytes.
    public static let maxPayloadLength = 0x0FFF
    /// The largest frame: start byte, two length bytes, payload, stop byte.
    public static let maxCount = maxPayloadLength + 4
    /// u-blox builders cap the body at this size (4095 minus the 2 id bytes, minus 1).
    public static let maxBodyCount = 0x0FFC

    /// The whole frame, start byte to stop byte.
    public let bytes: ArraySlice<UInt8>

    /// Wraps bytes already known to form exactly one valid frame (the decoder checked them).
    @usableFromInline
    package init(unchecked bytes: ArraySlice<UInt8>) { self.bytes = bytes }

    /// Checks that `bytes` is exactly one well-formed frame.
    public init(validating bytes: ArraySlice<UInt8>) throws(EDMDiagnostic) {
        switch EDMFrame.check(bytes) {
        case .frame(let count) where count == bytes.count:
            self.bytes = bytes
        case .frame(let count):
            throw EDMDiagnostic(.trailingBytes, offset: count, count: bytes.count - count)
        case .needMore:
            throw EDMDiagnostic(.truncated, offset: 0, count: bytes.count)
        case .falseStart(let code):
            throw EDMDiagnostic(code, offset: 0, count: bytes.count)
        }
    }

    @inlinable
    public var payloadLength: Int { Int(bytes[bytes.startIndex + 1] & 0x0F) << 8 | Int(bytes[bytes.startIndex + 2]) }
    @inlinable
    public var payloadID: EDMPayloadID {
        EDMPayloadID(rawValue: UInt16(bytes[bytes.startIndex + 3]) << 8 | UInt16(bytes[bytes.startIndex + 4]))
    }
    /// Everything between the payload id and the stop byte.
    @inlinable
    public var body: ArraySlice<UInt8> { bytes[(bytes.startIndex + 5)..<(bytes.endIndex - 1)] }

    /// The channel of connect, disconnect, data event and data command frames.
    public var channel: UInt8? {
        guard payloadID.hasChannel, let first = body.first else { return nil }
        return first
    }

    /// The payload of a data event or data command (the body after the channel byte).
    public var data: ArraySlice<UInt8>? {
        guard payloadID == .dataEvent || payloadID == .dataCommand, !body.isEmpty else { return nil }
        return body.dropFirst()
    }

    /// The AT text of an AT request, confirmation or event, as on the wire (CR/LF kept).
    public var atText: ArraySlice<UInt8>? { payloadID.carriesATText ? body : nil }

    /// The typed body of a connect event; nil for other frames or a body of the wrong size.
    public var connectEvent: EDMConnectEvent? {
        payloadID == .connectEvent ? EDMConnectEvent(body: body) : nil
    }

    // MARK: - Validation shared with the stream decoder

    @usableFromInline
    package enum Check: Equatable {
        case frame(count: Int)
        case needMore
        case falseStart(EDMDiagnostic.Code)
    }

    /// Looks at `bytes`, which start with `0xAA`, and says whether a frame starts there.
    /// Decisions depend only on the bytes, never on how many arrived at once.
    ///
    /// A frame whose four reserved length bits are set is refused, where u-blox's own C parser
    /// masks them and accepts it: no module sends them, and they are the cheapest test that a
    /// `0xAA` in noise or inside a payload is not a frame start (15 of 16 random bytes after
    /// it have one set), which keeps resynchronisation from mistaking noise for a frame.
    @inlinable @inline(__always)
    package static func check(_ bytes: ArraySlice<UInt8>) -> Check {
        let s = bytes.startIndex
        guard bytes.count >= 3 else { return .needMore }
        if bytes[s + 1] & 0xF0 != 0 { return .falseStart(.reservedBitsSet) }
        let length = Int(bytes[s + 1] & 0x0F) << 8 | Int(bytes[s + 2])
        if length < 2 { return .falseStart(.invalidLength) }
        guard bytes.count >= length + 4 else { return .needMore }
        if bytes[s + 3 + length] != stop { return .falseStart(.badStopByte) }
        return .frame(count: length + 4)
    }
}
