import EDMBytes
import EDMFrames
import EDMAT
import EDMSession

/// The per-packet TLV header of LINKTYPE_WIRESHARK_UPPER_PDU (252), as docs/captures.md describes it.
///
/// Each packet is: tag 12 (dissector name, NUL-padded to a multiple of 4, the length
/// counting the padding: Wireshark misreads the next tag otherwise), tag 35 (direction,
/// 4 bytes big-endian: 0 host→module "sent", 1 module→host "received"; left out when the
/// direction is unknown), the end tag (0, length 0), then the unit's bytes exactly as on the wire.
public enum UpperPDU {
    public static let linkType: UInt16 = 252

    /// The tag numbers of the exported-PDU TLVs we write and read.
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
        /// Not serial bytes: the outcome azure-dps wrote at the end of its recording, as text.
        public static let verdict = "ucx_verdict"
        /// Not serial bytes: something the recording tool saw happen on the line, as text
        /// (a tap following its host to another baud rate).
        public static let note = "ucx_note"
        /// The names whose packets hold text, not serial bytes.
        public static let textOnly = [verdict, note]
    }

    /// The TLVs that go before a packet's bytes.
    public static func header(dissector: String, direction: Direction?) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(headerSize(dissector: dissector, direction: direction))
        let name = (dissector.utf8.count + 1 + 3) / 4 * 4 // at least one NUL, then pad to 4
        appendTagHeader(Tag.dissectorName, length: name, to: &out)
        out += dissector.utf8
        out += repeatElement(0, count: name - dissector.utf8.count)
        if let direction {
            appendTagHeader(Tag.p2pDirection, length: 4, to: &out)
            out += [0, 0, 0, direction == .host ? 0 : 1]
        }
        appendTagHeader(Tag.end, length: 0, to: &out)
        return out
    }

    /// Size of `header(dissector:direction:)` without building it.
    public static func headerSize(dissector: String, direction: Direction?) -> Int {
        let name = (dissector.utf8.count + 1 + 3) / 4 * 4
        return 4 + name + (direction == nil ? 0 : 8) + 4
    }

    /// One packet's dissector name, direction and payload.
    public struct Packet: Hashable, Sendable {
        public var dissector: String?
        public var direction: Direction?
        public var payload: ArraySlice<UInt8>
    }

    /// Why a packet is not one of ours.
    public enum ParseError: Error, Hashable, Sendable {
        /// A TLV runs past the packet's end, or the end tag is missing.
        case truncated(offset: Int)
        /// Tag 35 with a length other than 4, or a value other than 0 and 1.
        case badDirection(offset: Int)
    }

    /// Splits a packet into its TLVs' meaning and the payload. Unknown tags are skipped.
    public static func parse(_ packet: ArraySlice<UInt8>) throws(ParseError) -> Packet {
        let header = try parseHeader(packet)
        return Packet(dissector: header.dissectorName.map { String(decoding: packet[$0], as: UTF8.self) },
                      direction: header.direction, payload: packet.dropFirst(header.size))
    }

    /// What the TLVs say, as places in the packet: `parse` without copies, for a reader that
    /// takes the payload straight from its own buffer.
    public struct Header: Hashable, Sendable {
        /// Where the dissector name's bytes lie (its NUL padding left out), if there is one.
        public var dissectorName: Range<Int>?
        public var direction: Direction?
        /// The TLVs' length, end tag included: the payload starts this far into the packet.
        public var size: Int

        @usableFromInline
        package init(dissectorName: Range<Int>?, direction: Direction?, size: Int) {
            self.dissectorName = dissectorName
            self.direction = direction
            self.size = size
        }
    }

    /// Reads the TLVs at the start of `packet` (any contiguous bytes: an array slice, or a
    /// buffer libpcap lent). Inlinable so each caller gets a version for its collection.
    @inlinable
    public static func parseHeader<Bytes: RandomAccessCollection<UInt8>>(_ packet: Bytes) throws(ParseError) -> Header
    where Bytes.Index == Int {
        let start = packet.startIndex
        var i = start
        var result = Header(dissectorName: nil, direction: nil, size: 0)
        while true {
            guard packet.endIndex - i >= 4 else { throw .truncated(offset: i - start) }
            let tag = UInt16(packet[i]) << 8 | UInt16(packet[i + 1])
            let length = Int(packet[i + 2]) << 8 | Int(packet[i + 3])
            let value = i + 4
            guard packet.endIndex - value >= length else { throw .truncated(offset: i - start) }
            switch tag {
            case Tag.end:
                result.size = value + length - start
                return result
            case Tag.dissectorName:
                let end = packet[value..<(value + length)].firstIndex(of: 0) ?? value + length
                result.dissectorName = value..<end
            case Tag.p2pDirection:
                guard length == 4, packet[value] == 0, packet[value + 1] == 0, packet[value + 2] == 0,
                    packet[value + 3] <= 1
                else {
                    throw .badDirection(offset: i - start)
                }
                result.direction = packet[value + 3] == 0 ? .host : .module
            default:
                break
            }
            i = value + length
        }
    }

    private static func appendTagHeader(_ tag: UInt16, length: Int, to out: inout [UInt8]) {
        out.append(UInt8(tag >> 8)); out.append(UInt8(tag & 0xFF))
        out.append(UInt8(length >> 8)); out.append(UInt8(length & 0xFF))
    }
}
