/// The per-packet TLV header of LINKTYPE_WIRESHARK_UPPER_PDU (252), as CAPTURES.md fixes it.
///
/// Each packet is: tag 12 (dissector name, NUL-padded to a multiple of 4, the length
/// counting the padding: Wireshark misreads the next tag otherwise), tag 35 (direction,
/// 4 bytes big-endian: 0 host→module "sent", 1 module→host "received"; left out when the
/// direction is unknown), the end tag (0, length 0), then the unit's bytes exactly as on the wire.
public enum UpperPDU {
    public static let linkType: UInt16 = 252

    public enum Tag {
        public static let end: UInt16 = 0
        public static let dissectorName: UInt16 = 12
        public static let p2pDirection: UInt16 = 35
    }

    /// The dissector names our Lua plugin registers.
    public enum Dissector {
        public static let edm = "ucx_edm"
        public static let at = "ucx_at"
        public static let raw = "ucx_raw"
    }

    /// The TLVs that go before a packet's bytes.
    public static func header(dissector: String, direction: Direction?) -> [UInt8] {
        var out: [UInt8] = []
        var name = Array(dissector.utf8)
        name.append(0) // at least one NUL, then pad to 4
        while name.count % 4 != 0 { name.append(0) }
        appendTag(Tag.dissectorName, value: name, to: &out)
        if let direction {
            appendTag(Tag.p2pDirection, value: [0, 0, 0, direction == .host ? 0 : 1], to: &out)
        }
        appendTag(Tag.end, value: [], to: &out)
        return out
    }

    /// Size of `header(dissector:direction:)` without building it.
    public static func headerSize(dissector: String, direction: Direction?) -> Int {
        let name = (dissector.utf8.count + 1 + 3) / 4 * 4
        return 4 + name + (direction == nil ? 0 : 8) + 4
    }

    public struct Packet: Hashable, Sendable {
        public var dissector: String?
        public var direction: Direction?
        public var payload: ArraySlice<UInt8>
    }

    public enum ParseError: Error, Hashable, Sendable {
        /// A TLV runs past the packet's end, or the end tag is missing.
        case truncated(offset: Int)
        /// Tag 35 with a length other than 4, or a value other than 0 and 1.
        case badDirection(offset: Int)
    }

    /// Splits a packet into its TLVs' meaning and the payload. Unknown tags are skipped.
    public static func parse(_ packet: ArraySlice<UInt8>) throws(ParseError) -> Packet {
        var i = packet.startIndex
        var result = Packet(dissector: nil, direction: nil, payload: [])
        while true {
            guard packet.endIndex - i >= 4 else { throw .truncated(offset: i - packet.startIndex) }
            let tag = UInt16(packet[i]) << 8 | UInt16(packet[i + 1])
            let length = Int(packet[i + 2]) << 8 | Int(packet[i + 3])
            let value = i + 4
            guard packet.endIndex - value >= length else { throw .truncated(offset: i - packet.startIndex) }
            switch tag {
            case Tag.end:
                result.payload = packet[(value + length)...]
                return result
            case Tag.dissectorName:
                let name = packet[value..<(value + length)].prefix { $0 != 0 }
                result.dissector = String(decoding: name, as: UTF8.self)
            case Tag.p2pDirection:
                guard length == 4, packet[value] == 0, packet[value + 1] == 0, packet[value + 2] == 0, packet[value + 3] <= 1 else {
                    throw .badDirection(offset: i - packet.startIndex)
                }
                result.direction = packet[value + 3] == 0 ? .host : .module
            default:
                break
            }
            i = value + length
        }
    }

    private static func appendTag(_ tag: UInt16, value: [UInt8], to out: inout [UInt8]) {
        out += [UInt8(tag >> 8), UInt8(tag & 0xFF), UInt8(value.count >> 8), UInt8(value.count & 0xFF)]
        out += value
    }
}
