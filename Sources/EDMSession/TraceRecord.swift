import EDMBytes
import EDMFrames
import EDMAT

/// One chunk of a capture: bytes one side wrote, and when.
///
/// Every importer turns its format into a sequence of these, in time order; the session
/// decoder, the renderers, the pcap writers and the replayer all consume them.
public struct TraceRecord: Hashable, Sendable {
    /// Time since the capture's start (its first record, or the session's start).
    public var time: Duration
    /// Who wrote the bytes; nil when the capture cannot tell (a single raw file).
    public var direction: Direction?
    /// The bytes exactly as on the wire (after redaction, which keeps lengths).
    public var bytes: [UInt8]
    public var flags: Flags
    /// A note to keep with the record (pcapng `opt_comment`), such as why it was flagged.
    public var comment: String?

    public init(time: Duration, direction: Direction?, bytes: [UInt8], flags: Flags = [], comment: String? = nil) {
        self.time = time
        self.direction = direction
        self.bytes = bytes
        self.flags = flags
        self.comment = comment
    }

    /// What is known about how the record came to be.
    public struct Flags: OptionSet, Hashable, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// The format had no timestamps; `time` was invented (increasing).
        public static let syntheticTime = Flags(rawValue: 1 << 0)
        /// The bytes were rebuilt from decoded text (the azure_dps.py log), not captured.
        public static let rebuilt = Flags(rawValue: 1 << 1)
        /// The rebuilt bytes do not match what the capture declared (a length, an elision).
        public static let mismatch = Flags(rawValue: 1 << 2)
        /// Secret bytes were replaced by filler of the same length.
        public static let redacted = Flags(rawValue: 1 << 3)
    }
}

/// Where a capture's time zero lies, when the format says (socat, jpnevulator, pcap).
public struct TraceOrigin: Hashable, Sendable {
    /// Nanoseconds since the Unix epoch of `time == .zero`.
    public var unixNanoseconds: Int64
    public init(unixNanoseconds: Int64) { self.unixNanoseconds = unixNanoseconds }
}
