/// One message on a Wireshark extcap control pipe (`--extcap-control-in`, what Wireshark's
/// toolbar sends; `--extcap-control-out`, what the extcap sends back).
///
/// On the pipe: the sync byte 'T', a 3-byte big-endian length counting the control number,
/// the command and the payload, then those. Pure: the pipes themselves are EDMKitIO's.
public struct ExtcapControlFrame: Hashable, Sendable {
    public enum Command: UInt8, CaseIterable, Sendable {
        /// Wireshark has sent every control's initial value.
        case initialized = 0
        case set = 1
        case add = 2
        case remove = 3
        case enable = 4
        case disable = 5
        case statusbarMessage = 6
        case informationMessage = 7
        case warningMessage = 8
        case errorMessage = 9
    }

    public static let sync: UInt8 = 0x54 // 'T'
    /// The control number of a message that belongs to no control (status bar, pop-ups).
    public static let noControl: UInt8 = 255
    /// What the 3-byte length allows after the control number and the command.
    public static let maxPayload = 0xFF_FFFF - 2

    public var control: UInt8
    /// The raw command byte: one Wireshark sends that `Command` does not name is kept, so a
    /// reader can skip it.
    public var commandByte: UInt8
    public var payload: [UInt8]

    public var command: Command? { Command(rawValue: commandByte) }

    public init(control: UInt8, command: Command, payload: [UInt8] = []) {
        self.init(control: control, commandByte: command.rawValue, payload: payload)
    }

    public init(control: UInt8, commandByte: UInt8, payload: [UInt8]) {
        self.control = control
        self.commandByte = commandByte
        self.payload = payload
    }

    /// A text message; a longer text is cut to what the length field carries.
    public init(control: UInt8, command: Command, text: String) {
        self.init(control: control, command: command, payload: Array(text.utf8.prefix(Self.maxPayload)))
    }

    public var text: String { String(decoding: payload, as: UTF8.self) }

    /// The frame as it goes on the pipe.
    public var bytes: [UInt8] {
        let length = payload.count + 2
        return [Self.sync, UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF),
                control, commandByte] + payload
    }

    public enum DecodeError: Error, Equatable, Sendable {
        /// The byte where a frame must start is not 'T'.
        case badSync(UInt8)
        /// A length below 2 leaves no room for the control number and the command.
        case badLength(Int)
    }

    /// The frame at the start of `bytes` and how many bytes it took, or nil when `bytes` holds
    /// only part of one (wait for more).
    public static func decode(_ bytes: ArraySlice<UInt8>)
        throws(DecodeError) -> (frame: ExtcapControlFrame, count: Int)? {
        guard let first = bytes.first else { return nil }
        guard first == sync else { throw .badSync(first) }
        guard bytes.count >= 4 else { return nil }
        let s = bytes.startIndex
        let length = Int(bytes[s + 1]) << 16 | Int(bytes[s + 2]) << 8 | Int(bytes[s + 3])
        guard length >= 2 else { throw .badLength(length) }
        guard bytes.count >= 4 + length else { return nil }
        let frame = ExtcapControlFrame(control: bytes[s + 4], commandByte: bytes[s + 5],
                                       payload: Array(bytes[(s + 6)..<(s + 4 + length)]))
        return (frame, 4 + length)
    }
}
