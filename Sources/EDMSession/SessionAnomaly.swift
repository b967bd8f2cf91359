import EDMBytes
import EDMFrames
import EDMAT

/// Something about the conversation, rather than the bytes, that deserves attention.
public struct SessionAnomaly: Hashable, Sendable {
    /// A stable name for the kind of anomaly, as JSON and the transcript print it.
    public struct Code: RawRepresentable, Hashable, Sendable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        /// A request got no final result before the next request or the end of the capture.
        public static let unanswered = Code(rawValue: "unanswered")
        /// `+STARTUP` while the module was in EDM or busy with a request, with no reboot asked for.
        public static let unexpectedReboot = Code(rawValue: "unexpected_reboot")
        /// A final result, prompt or confirmation with no request pending.
        public static let unsolicitedReply = Code(rawValue: "unsolicited_reply")
    }

    public var code: Code
    /// The unit concerned (the request, for an unanswered one).
    public var unit: Int
    public var message: String

    public init(_ code: Code, unit: Int, message: String) {
        self.code = code
        self.unit = unit
        self.message = message
    }
}
