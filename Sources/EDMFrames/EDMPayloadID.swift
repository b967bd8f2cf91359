import EDMBytes

/// The 16-bit payload header of an EDM frame: a 12-bit identifier and a 4-bit type.
///
/// Ids the protocol does not define are kept as they are (never an error): a capture from
/// newer firmware must still decode, with the unknown frames shown by id and hex.
public struct EDMPayloadID: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let connectEvent = EDMPayloadID(rawValue: 0x0011)
    public static let disconnectEvent = EDMPayloadID(rawValue: 0x0021)
    public static let dataEvent = EDMPayloadID(rawValue: 0x0031)
    public static let dataCommand = EDMPayloadID(rawValue: 0x0036)
    public static let atEvent = EDMPayloadID(rawValue: 0x0041)
    public static let atRequest = EDMPayloadID(rawValue: 0x0044)
    public static let atConfirmation = EDMPayloadID(rawValue: 0x0045)
    public static let resendConnectEvents = EDMPayloadID(rawValue: 0x0056)
    public static let iPhoneEvent = EDMPayloadID(rawValue: 0x0061)
    public static let startEvent = EDMPayloadID(rawValue: 0x0071)

    /// Every id docs/protocol.md ("Payload ids") lists, in numeric order.
    public static let known: [EDMPayloadID] = [
        .connectEvent, .disconnectEvent, .dataEvent, .dataCommand, .atEvent,
        .atRequest, .atConfirmation, .resendConnectEvents, .iPhoneEvent, .startEvent,
    ]

    /// The low nibble: 1 event, 2 indication, 3 response, 4 request, 5 confirmation, 6 command.
    public var type: UInt8 { UInt8(rawValue & 0x000F) }
    public var identifier: UInt16 { rawValue >> 4 }
    public var isKnown: Bool { Self.known.contains(self) }

    /// The id's name as the JSON Lines contract spells it (`type` of an `edm` unit).
    public var jsonName: String {
        switch self {
        case .connectEvent: "connect_event"
        case .disconnectEvent: "disconnect_event"
        case .dataEvent: "data_event"
        case .dataCommand: "data_command"
        case .atEvent: "at_event"
        case .atRequest: "at_request"
        case .atConfirmation: "at_confirmation"
        case .resendConnectEvents: "resend_connect_events"
        case .iPhoneEvent: "iphone_event"
        case .startEvent: "start_event"
        default: "unknown"
        }
    }

    /// A human name for transcripts and the dissector's value table.
    public var name: String {
        switch self {
        case .connectEvent: "Connect event"
        case .disconnectEvent: "Disconnect event"
        case .dataEvent: "Data event"
        case .dataCommand: "Data command"
        case .atEvent: "AT event"
        case .atRequest: "AT request"
        case .atConfirmation: "AT confirmation"
        case .resendConnectEvents: "Resend connect events"
        case .iPhoneEvent: "iPhone event"
        case .startEvent: "Start event"
        default: "Unknown 0x" + hex4(rawValue)
        }
    }

    /// Whether the body starts with a channel byte.
    public var hasChannel: Bool {
        self == .connectEvent || self == .disconnectEvent || self == .dataEvent || self == .dataCommand
    }

    /// Whether the body is AT text.
    public var carriesATText: Bool {
        self == .atEvent || self == .atRequest || self == .atConfirmation
    }

    public var description: String { "0x" + hex4(rawValue) }
}

/// Four upper-case hex digits: `0044`.
@inline(__always)
package func hex4(_ value: UInt16) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
}
