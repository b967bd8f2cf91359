import EDMKit

/// A capture file could not be opened, read or written, with where and why.
public struct CaptureIOError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure it was, as a stable name.
    public struct Code: RawRepresentable, Hashable, Sendable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The file could not be opened or created.
        public static let open = Code(rawValue: "open")
        /// The file was to be created, never replaced, and is already there.
        public static let exists = Code(rawValue: "exists")
        /// A read or write failed (disk full, closed pipe).
        public static let io = Code(rawValue: "io")
        /// The file ends in the middle of a header or packet.
        public static let truncated = Code(rawValue: "truncated")
        /// Not a pcap or pcapng file, or one libpcap cannot read.
        public static let notCapture = Code(rawValue: "not_capture")
        /// A link type we do not read (ours is 252; usbmon 220 and 189).
        public static let unsupportedLinkType = Code(rawValue: "unsupported_link_type")
        /// A packet whose contents break its link type's layout.
        public static let malformedPacket = Code(rawValue: "malformed_packet")
        /// The writer was used after `close()`.
        public static let closed = Code(rawValue: "closed")
    }

    public var code: Code
    /// The file, or `-` for standard input/output, or `fd N`.
    public var path: String
    /// 1-based packet number, when one packet is at fault.
    public var packet: Int?
    public var message: String

    public init(_ code: Code, path: String, packet: Int? = nil, _ message: String) {
        self.code = code
        self.path = path
        self.packet = packet
        self.message = message
    }

    public var description: String {
        "\(path)" + (packet.map { ", packet \($0)" } ?? "") + ": " + message
    }
}
