import EDMBytes
import EDMFrames
import EDMAT
import EDMSession

/// The pcapng blocks our captures need, as bytes: pure, so the writer in EDMKitIO only
/// moves them to a file.
///
/// Little-endian throughout (the byte-order magic tells readers). One section header, one
/// interface (LINKTYPE_WIRESHARK_UPPER_PDU, `if_name` the port, `if_tsresol` 9 so times
/// keep nanoseconds), then one enhanced packet block per unit with `epb_flags` carrying the
/// direction (bits 0-1: 01 inbound = module→host, 10 outbound = host→module) and
/// `opt_comment` when the record is flagged or annotated. Options are padded to 32 bits.
public enum PcapngEncoder {
    // (@usableFromInline: read by the inlinable `appendEnhancedPacket`.)
    @usableFromInline
    package enum BlockType {
        package static let sectionHeader: UInt32 = 0x0A0D_0D0A
        package static let interfaceDescription: UInt32 = 0x0000_0001
        @usableFromInline package static let enhancedPacket: UInt32 = 0x0000_0006
    }

    @usableFromInline
    package enum Option {
        @usableFromInline package static let end: UInt16 = 0
        @usableFromInline package static let comment: UInt16 = 1
        package static let shbUserApplication: UInt16 = 4
        package static let ifName: UInt16 = 2
        package static let ifTimestampResolution: UInt16 = 9
        @usableFromInline package static let epbFlags: UInt16 = 2
    }

    /// Section header: version 1.0, section length unknown (-1).
    public static func sectionHeader(application: String? = nil) -> [UInt8] {
        var body: [UInt8] = []
        le32(0x1A2B_3C4D, &body)
        le16(1, &body); le16(0, &body)
        body += [UInt8](repeating: 0xFF, count: 8)
        var options: [(UInt16, [UInt8])] = []
        if let application { options.append((Option.shbUserApplication, Array(application.utf8))) }
        return block(BlockType.sectionHeader, body: body, options: options)
    }

    /// Interface description: the link type, no snap length limit, name, nanosecond times.
    public static func interfaceDescription(linkType: UInt16 = UpperPDU.linkType, name: String?) -> [UInt8] {
        var body: [UInt8] = []
        le16(linkType, &body); le16(0, &body)
        le32(0, &body) // snaplen 0: no limit
        var options: [(UInt16, [UInt8])] = []
        if let name { options.append((Option.ifName, Array(name.utf8))) }
        options.append((Option.ifTimestampResolution, [9])) // 10^-9 s
        return block(BlockType.interfaceDescription, body: body, options: options)
    }

    /// `epb_flags` for a direction: 01 inbound (module→host), 10 outbound (host→module), 00 unknown.
    public static func packetFlags(direction: Direction?) -> UInt32 {
        switch direction {
        case .module?: 0b01
        case .host?: 0b10
        case nil: 0
        }
    }

    /// One enhanced packet block on interface 0 with a nanosecond timestamp.
    public static func enhancedPacket<Data: Collection<UInt8>>(unixNanoseconds: Int64, data: Data, flags: UInt32?,
        comment: String?) -> [UInt8] {
        var out = OutputBuffer(capacity: 64)
        appendEnhancedPacket(to: &out, unixNanoseconds: unixNanoseconds, prefix: EmptyCollection(), data: data,
            flags: flags, comment: comment)
        return out.array
    }

    /// Appends the block `enhancedPacket` makes for `prefix + data` to `out`, without building
    /// it apart: a writer encodes every packet straight into its output buffer. Inlinable so
    /// the byte copies are specialized for the caller's collections.
    @inlinable
    public static func appendEnhancedPacket<Prefix: Collection<UInt8>, Data: Collection<UInt8>>(
        to out: inout OutputBuffer, unixNanoseconds: Int64, prefix: Prefix, data: Data, flags: UInt32?, comment: String?
    ) {
        let ts = UInt64(max(0, unixNanoseconds))
        let captured = prefix.count + data.count
        // An option's length is 16 bits; a longer comment is cut (comments are notes, not data).
        let note = comment.map { $0.utf8.prefix(0xFFF0) }
        var options = flags == nil ? 0 : 8
        if let note { options += 4 + padded(note.count) }
        if options > 0 { options += 4 } // opt_endofopt
        let total = UInt32(12 + 20 + padded(captured) + options)

        // Room for the whole block first, then every field stored through one pointer.
        let block = UnsafeMutableRawPointer(out.room(Int(total)))
        var o = 0
        func put(_ v: UInt32) { block.storeBytes(of: v.littleEndian, toByteOffset: o, as: UInt32.self); o += 4 }
        func put<C: Collection<UInt8>>(_ bytes: C) {
            o += copy(bytes, to: block + o)
            let pad = padded(o) - o
            (block + o).initializeMemory(as: UInt8.self, repeating: 0, count: pad)
            o += pad
        }
        put(BlockType.enhancedPacket); put(total); put(0) // interface 0
        put(UInt32(ts >> 32)); put(UInt32(ts & 0xFFFF_FFFF)); put(UInt32(captured)); put(UInt32(captured))
        o += copy(prefix, to: block + o)
        put(data) // (padded after prefix and data together)
        if let flags { put(UInt32(Option.epbFlags) | 4 << 16); put(flags) }
        if let note { put(UInt32(Option.comment) | UInt32(note.count) << 16); put(note) }
        if options > 0 { put(UInt32(Option.end)) }
        put(total)
        out.advance(o)
    }

    /// Copies the bytes to `p`, in one go when they are contiguous; returns their count.
    @inlinable
    package static func copy<C: Collection<UInt8>>(_ bytes: C, to p: UnsafeMutableRawPointer) -> Int {
        let copied = bytes.withContiguousStorageIfAvailable { b -> Int in
            if let base = b.baseAddress { p.copyMemory(from: base, byteCount: b.count) }
            return b.count
        }
        if let copied { return copied }
        var i = 0
        for b in bytes { p.storeBytes(of: b, toByteOffset: i, as: UInt8.self); i += 1 }
        return i
    }

    /// The comment a record's flags and note become: `[rebuilt, mismatch] declared length...`.
    public static func comment(flags: TraceRecord.Flags, note: String?) -> String? {
        guard !flags.isEmpty else { return note } // most records: no array to build
        var names: [String] = []
        if flags.contains(.syntheticTime) { names.append("synthetic time") }
        if flags.contains(.rebuilt) { names.append("rebuilt") }
        if flags.contains(.mismatch) { names.append("mismatch") }
        if flags.contains(.redacted) { names.append("redacted") }
        let tag = names.isEmpty ? nil : "[" + names.joined(separator: ", ") + "]"
        switch (tag, note) {
        case (nil, nil): return nil
        case (let tag?, nil): return tag
        case (nil, let note?): return note
        case (let tag?, let note?): return tag + " " + note
        }
    }

    // MARK: Encoding

    private static func block(_ type: UInt32, body: [UInt8], options: [(UInt16, [UInt8])]) -> [UInt8] {
        var opts: [UInt8] = []
        for (code, value) in options {
            le16(code, &opts); le16(UInt16(value.count), &opts)
            opts += value
            while opts.count % 4 != 0 { opts.append(0) }
        }
        if !options.isEmpty { le16(Option.end, &opts); le16(0, &opts) }
        let total = UInt32(12 + body.count + opts.count)
        var out: [UInt8] = []
        out.reserveCapacity(Int(total))
        le32(type, &out)
        le32(total, &out)
        out += body
        out += opts
        le32(total, &out)
        return out
    }

    package static func le16(_ v: UInt16, _ out: inout [UInt8]) {
        out.append(UInt8(v & 0xFF)); out.append(UInt8(v >> 8))
    }

    package static func le32(_ v: UInt32, _ out: inout [UInt8]) {
        out.append(UInt8(v & 0xFF)); out.append(UInt8(v >> 8 & 0xFF))
        out.append(UInt8(v >> 16 & 0xFF)); out.append(UInt8(v >> 24))
    }

    /// `count` rounded up to a multiple of 4 (blocks and options are 32-bit aligned).
    @inlinable
    package static func padded(_ count: Int) -> Int { (count + 3) & ~3 }
}
