import EDMBytes
import EDMFrames
import EDMAT
import EDMSession

/// Why an importer stopped: what is wrong with the input, and where.
///
/// Importers throw this only for input they cannot read on (a truncated block, offsets that
/// disagree, a file of another kind). Anything they can carry on from becomes a
/// `TraceImportDiagnostic` instead. `line` is 1-based; `offset` counts bytes from the start
/// of the input. The message is one plain sentence meant for the user.
public struct TraceImportError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable name for the kind of error.
    public struct Code: RawRepresentable, Hashable, Sendable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The input holds no bytes at all.
        public static let empty = Code(rawValue: "empty")
        /// A line that does not have the shape the format requires.
        public static let malformedLine = Code(rawValue: "malformed_line")
        /// A byte that cannot appear in this format (a non-hex digit in a hex dump).
        public static let invalidCharacter = Code(rawValue: "invalid_character")
        /// A count or offset the capture declares disagrees with what it holds.
        public static let inconsistent = Code(rawValue: "inconsistent")
        /// The input ends in the middle of a unit (half a hex byte, an unfinished block).
        public static let truncated = Code(rawValue: "truncated")
        /// A variant of the format that loses bytes (socat `-v` without `-x`).
        public static let lossyVariant = Code(rawValue: "lossy_variant")
        /// A direction name (tty, analyzer, row) the options do not map to host or module.
        public static let unknownDirection = Code(rawValue: "unknown_direction")
        /// A time earlier than records already emitted, beyond what can be reordered.
        public static let outOfOrder = Code(rawValue: "out_of_order")
        /// A line longer than any text capture has: most likely a binary file.
        public static let notText = Code(rawValue: "not_text")
        /// A required column or field is missing.
        public static let missingField = Code(rawValue: "missing_field")
        /// The content matches none of the formats tried.
        public static let unrecognized = Code(rawValue: "unrecognized")
    }

    public var code: Code
    /// The format being read, for the message (`socat -x -v capture`).
    public var format: TraceFormat?
    /// 1-based line number, for text formats.
    public var line: Int?
    /// Byte offset from the start of the input, when a line number does not apply.
    public var offset: Int?
    public var message: String

    public init(_ code: Code, format: TraceFormat?, line: Int? = nil, offset: Int? = nil, _ message: String) {
        self.code = code
        self.format = format
        self.line = line
        self.offset = offset
        self.message = message
    }

    /// `socat -x -v capture, line 12: length=23 but the block holds 22 bytes`.
    public var description: String {
        var place = format.map { $0.displayName } ?? "input"
        if let line { place += ", line \(line)" } else if let offset { place += ", byte offset \(offset)" }
        return place + ": " + message
    }
}
