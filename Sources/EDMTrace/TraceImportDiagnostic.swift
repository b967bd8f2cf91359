import EDMBytes
import EDMFrames
import EDMAT
import EDMSession

/// Something an importer noticed and carried on from, with where it is.
///
/// Notes account for input that is not part of the session (the shell prompt in an
/// azure_dps.py log); warnings flag what was repaired or guessed (socat 1.7.4 timestamps,
/// slsnif milliseconds, a redacted length). Like `EDMDiagnostic`, these are values: the
/// caller collects them into the transcript and JSON, nothing is printed.
public struct TraceImportDiagnostic: Hashable, Sendable, CustomStringConvertible {
    /// A stable name for the kind of note, as JSON and the transcript print it.
    public struct Code: RawRepresentable, Hashable, Sendable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// A line that is not part of the serial session (a prompt, a status message).
        public static let note = Code(rawValue: "note")
        /// A blank line outside any block.
        public static let blankLine = Code(rawValue: "blank_line")
        /// A declared length or size that the rebuilt bytes do not match.
        public static let lengthMismatch = Code(rawValue: "length_mismatch")
        /// Content the capture elided (`...`), so the record is shorter than declared.
        public static let elided = Code(rawValue: "elided")
        /// Timestamps were repaired (socat 1.7.4 printed microseconds as nanoseconds).
        public static let timestampRepaired = Code(rawValue: "timestamp_repaired")
        /// Timestamps are less precise than they look (slsnif's millisecond field).
        public static let timestampImprecise = Code(rawValue: "timestamp_imprecise")
        /// A timestamped line of the log that names nothing the importer can rebuild.
        public static let unrecognizedLine = Code(rawValue: "unrecognized_line")
        /// Input that was skipped on purpose (another analyzer's rows, status-only USB packets).
        public static let skipped = Code(rawValue: "skipped")
        /// Bytes were rebuilt with fields the capture does not give (written as zeros).
        public static let guessed = Code(rawValue: "guessed")
        /// The outcome the recording tool wrote at the end of its recording (azure-dps's verdict).
        public static let verdict = Code(rawValue: "verdict")
        /// The capture ends inside a packet or block: it was cut short.
        public static let truncated = Code(rawValue: "truncated")
    }

    /// How much the note matters: a note or a warning.
    public enum Severity: String, Hashable, Sendable {
        case note, warning
    }

    public var code: Code
    public var severity: Severity
    /// First line concerned (1-based), for text formats.
    public var line: Int?
    /// How many lines, from `line`, the diagnostic covers.
    public var lineCount: Int
    /// Byte offset, for binary formats.
    public var offset: Int?
    public var message: String

    public init(_ code: Code, _ severity: Severity, line: Int? = nil, lineCount: Int = 1, offset: Int? = nil,
        _ message: String) {
        self.code = code
        self.severity = severity
        self.line = line
        self.lineCount = lineCount
        self.offset = offset
        self.message = message
    }

    public var description: String {
        var place = ""
        if let line { place = lineCount > 1 ? "lines \(line)-\(line + lineCount - 1): " : "line \(line): " }
        else if let offset { place = "offset \(offset): " }
        return "\(severity.rawValue): \(place)\(message)"
    }
}
