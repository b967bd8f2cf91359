import EDMBytes

/// Something wrong with bytes on the wire, with where it is.
///
/// Diagnostics are values: the decoders return them alongside the bytes they concern and
/// carry on; renderers turn them into transcript notes and JSON `error` fields.
/// Equality looks at the code, offset and count, so tests can compare them directly.
public struct EDMDiagnostic: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable name for what is wrong with the bytes, as JSON and the transcript print it.
    public struct Code: RawRepresentable, Hashable, Sendable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// Bytes before any `0xAA` start byte.
        public static let noStartByte = Code(rawValue: "no_start_byte")
        /// The byte where the length says the frame ends is not `0x55`.
        public static let badStopByte = Code(rawValue: "bad_stop_byte")
        /// A payload length below 2 (the id alone takes 2 bytes).
        public static let invalidLength = Code(rawValue: "invalid_length")
        /// The high 4 bits of the length field are not zero.
        public static let reservedBitsSet = Code(rawValue: "reserved_bits_set")
        /// The input ended inside a frame.
        public static let truncated = Code(rawValue: "truncated")
        /// Bytes after a complete frame where exactly one was expected.
        public static let trailingBytes = Code(rawValue: "trailing_bytes")
        /// Bytes in command mode that are not AT text (boot noise).
        public static let noise = Code(rawValue: "noise")
    }

    public var code: Code
    /// Offset of the first byte concerned, in its direction's stream.
    public var offset: Int
    /// How many bytes are concerned.
    public var count: Int

    public init(_ code: Code, offset: Int, count: Int) {
        self.code = code
        self.offset = offset
        self.count = count
    }

    /// One plain sentence: what is wrong and where.
    public var message: String {
        let what: String
        switch code {
        case .noStartByte: what = "bytes outside any frame (no 0xAA start byte)"
        case .badStopByte: what = "false frame start: the byte where the length says the frame ends is not 0x55"
        case .invalidLength: what = "false frame start: payload length below 2"
        case .reservedBitsSet: what = "false frame start: reserved bits of the length field are set"
        case .truncated: what = "input ends inside a frame"
        case .trailingBytes: what = "bytes after the end of the frame"
        case .noise: what = "bytes that are neither AT text nor EDM frames"
        default: what = code.rawValue
        }
        // (Put together as bytes rather than by interpolation: a pcapng comment and a JSON
        // error carry it for every bad unit, and a noisy capture has millions.)
        var text: [UInt8] = []
        text.reserveCapacity(what.utf8.count + 48)
        text += what.utf8
        text += " (".utf8
        text += String(count).utf8
        text += (count == 1 ? " byte at offset " : " bytes at offset ").utf8
        text += String(offset).utf8
        text.append(UInt8(ascii: ")"))
        return String(decoding: text, as: UTF8.self)
    }

    public var description: String { message }
}
