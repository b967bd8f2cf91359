import EDMBytes

/// Builds EDM frames for both sides of the link.
///
/// Every function returns the complete frame, start byte to stop byte. Bodies longer than
/// the 12-bit length allows are a programming error (the callers split AT text and data).
public enum EDMEncoder {
    /// Any frame: `AA`, length, id, body, `55`.
    public static func frame<Body: Collection>(_ id: EDMPayloadID, body: Body) -> [UInt8] where Body.Element == UInt8 {
        let length = body.count + 2
        precondition(length <= EDMFrame.maxPayloadLength, "EDM body of \(body.count) bytes does not fit in one frame")
        var out = [UInt8]()
        out.reserveCapacity(length + 4)
        out.append(EDMFrame.start)
        out.append(UInt8(length >> 8))
        out.append(UInt8(length & 0xFF))
        out.append(UInt8(id.rawValue >> 8))
        out.append(UInt8(id.rawValue & 0xFF))
        out.append(contentsOf: body)
        out.append(EDMFrame.stop)
        return out
    }

    // MARK: Host to module

    /// An AT request; `text` is sent as given, so include the trailing `\r`.
    public static func atRequest(_ text: String) -> [UInt8] { frame(.atRequest, body: Array(text.utf8)) }
    public static func dataCommand<D: Collection>(channel: UInt8, data: D) -> [UInt8] where D.Element == UInt8 {
        frame(.dataCommand, body: [channel] + Array(data))
    }
    public static func resendConnectEvents() -> [UInt8] { frame(.resendConnectEvents, body: []) }

    // MARK: Module to host

    public static func atConfirmation(_ text: String) -> [UInt8] { frame(.atConfirmation, body: Array(text.utf8)) }
    public static func atEvent(_ text: String) -> [UInt8] { frame(.atEvent, body: Array(text.utf8)) }
    public static func dataEvent<D: Collection>(channel: UInt8, data: D) -> [UInt8] where D.Element == UInt8 {
        frame(.dataEvent, body: [channel] + Array(data))
    }
    public static func connectEvent(_ event: EDMConnectEvent) -> [UInt8] { frame(.connectEvent, body: event.body) }
    public static func disconnectEvent(channel: UInt8) -> [UInt8] { frame(.disconnectEvent, body: [channel]) }
    public static func startEvent() -> [UInt8] { frame(.startEvent, body: []) }
}
