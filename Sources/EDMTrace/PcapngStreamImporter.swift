import EDMBytes
import EDMFrames
import EDMAT
import EDMSession

/// Reads pcapng as it arrives, block by block: the format of a capture still being written
/// (`edm-decode --follow`, a tap's or an azure-dps recording). libpcap reads whole files; this
/// reads any prefix and waits for the rest of a block.
///
/// It takes what our writers write: LINKTYPE 252 (upper-PDU TLVs naming the dissector and
/// the direction, then the unit's bytes), in either byte order, with the interface's time
/// resolution (`if_tsresol`). A new section starts again with its own interfaces. The first
/// packet is time zero, as for pcapng read through libpcap.
public struct PcapngStreamImporter: TraceImporter {
    public let format = TraceFormat.pcapng
    public private(set) var origin: TraceOrigin?
    private var pending: [UInt8] = []
    private var bigEndian = false
    private var started = false
    /// Per interface of the section: nanoseconds per timestamp unit, or nil for a link type
    /// that is not ours (its packets are skipped).
    private var interfaces: [Resolution?] = []
    private var offset = 0

    private enum Resolution {
        case power10(Int64)   // units per second = 10^n
        case power2(Int)      // units per second = 2^n

        /// Nil when the time does not fit in 64 bits of nanoseconds (about 292 years).
        func nanoseconds(_ units: Int64) -> Int64? {
            switch self {
            case .power10(let n) where n <= 9:
                var scale: Int64 = 1
                for _ in 0..<(9 - n) { scale *= 10 }
                let (ns, overflow) = units.multipliedReportingOverflow(by: scale)
                return overflow ? nil : ns
            case .power10(let n):
                var ns = units
                for _ in 0..<(n - 9) where ns != 0 { ns /= 10 }
                return ns
            case .power2(let n):
                let seconds = Double(units) / Double(sign: .plus, exponent: n, significand: 1)
                return Int64(exactly: (seconds * 1e9).rounded())
            }
        }
    }

    public init() {}

    public mutating func consume(_ chunk: ArraySlice<UInt8>) throws(TraceImportError) -> [TraceRecord] {
        pending += chunk
        var records: [TraceRecord] = []
        var at = 0
        while pending.count - at >= 12 {
            if !started || isSectionHeader(at) { try readByteOrder(at) }
            let length = Int(word(at + 4))
            guard length >= 12, length % 4 == 0 else {
                throw TraceImportError(
                    .malformedLine, format: format, offset: offset + at, "pcapng block of length \(length)")
            }
            guard pending.count - at >= length else { break }
            if let record = try block(at, length: length) { records.append(record) }
            at += length
        }
        pending.removeFirst(at)
        offset += at
        return records
    }

    public mutating func finish() throws(TraceImportError) -> [TraceRecord] {
        guard pending.isEmpty else {
            throw TraceImportError(
                .truncated, format: format, offset: offset,
                "the capture ends inside a pcapng block (\(pending.count) bytes)")
        }
        return []
    }

    private func isSectionHeader(_ at: Int) -> Bool {
        pending[at] == 0x0A && pending[at + 1] == 0x0D && pending[at + 2] == 0x0D && pending[at + 3] == 0x0A
    }

    private mutating func readByteOrder(_ at: Int) throws(TraceImportError) {
        guard isSectionHeader(at) else {
            throw TraceImportError(
                .unrecognized, format: format, offset: offset + at, "not pcapng: no section header block")
        }
        let magic = pending[(at + 8)..<(at + 12)]
        if magic.elementsEqual([0x1A, 0x2B, 0x3C, 0x4D]) {
            bigEndian = true
        } else if magic.elementsEqual([0x4D, 0x3C, 0x2B, 0x1A]) {
            bigEndian = false
        } else {
            throw TraceImportError(
                .unrecognized, format: format, offset: offset + at,
                "pcapng section header with an unknown byte-order magic")
        }
        started = true
    }

    private func word(_ at: Int) -> UInt32 {
        let b = pending[at..<(at + 4)].map(UInt32.init)
        return bigEndian ? b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3] : b[3] << 24 | b[2] << 16 | b[1] << 8 | b[0]
    }

    private func half(_ at: Int) -> UInt16 {
        bigEndian
            ? UInt16(pending[at]) << 8 | UInt16(pending[at + 1]) : UInt16(pending[at + 1]) << 8 | UInt16(pending[at])
    }

    private mutating func block(_ at: Int, length: Int) throws(TraceImportError) -> TraceRecord? {
        switch word(at) {
        case 0x0A0D_0D0A:
            interfaces = []
        case 1:
            guard length >= 20 else {
                throw TraceImportError(.malformedLine, format: format, offset: offset + at, "short interface block")
            }
            let ours = half(at + 8) == UpperPDU.linkType
            interfaces.append(ours ? resolution(options: (at + 16)..<(at + length - 4)) : nil)
        case 6:
            return try packet(at, length: length)
        default:
            break // statistics, name resolution, custom blocks: nothing for the session
        }
        return nil
    }

    /// `if_tsresol` among an interface's options, microseconds by default.
    private func resolution(options range: Range<Int>) -> Resolution {
        var i = range.lowerBound
        while range.upperBound - i >= 4 {
            let code = half(i), length = Int(half(i + 2))
            if code == 0 { break }
            if code == 9, length >= 1, i + 4 < range.upperBound {
                let v = pending[i + 4]
                return v & 0x80 == 0 ? .power10(Int64(v)) : .power2(Int(v & 0x7F))
            }
            i += 4 + (length + 3) / 4 * 4
        }
        return .power10(6)
    }

    private mutating func packet(_ at: Int, length: Int) throws(TraceImportError) -> TraceRecord? {
        guard length >= 32 else {
            throw TraceImportError(.malformedLine, format: format, offset: offset + at, "short packet block")
        }
        let interface = Int(word(at + 8))
        guard interface < interfaces.count, let resolution = interfaces[interface] else { return nil }
        let captured = Int(word(at + 20))
        let data = (at + 28)..<(at + 28 + captured)
        guard data.upperBound <= at + length - 4 else {
            throw TraceImportError(
                .malformedLine, format: format, offset: offset + at, "packet data runs past its block")
        }
        let units = Int64(bitPattern: UInt64(word(at + 12)) << 32 | UInt64(word(at + 16)))
        let start = origin?.unixNanoseconds
        guard let nanoseconds = resolution.nanoseconds(units),
              !nanoseconds.subtractingReportingOverflow(start ?? nanoseconds).overflow else {
            throw TraceImportError(.malformedLine, format: format, offset: offset + at, "packet timestamp out of range")
        }
        if origin == nil { origin = TraceOrigin(unixNanoseconds: nanoseconds) }
        let header: UpperPDU.Header
        do { header = try UpperPDU.parseHeader(pending[data]) } catch {
            throw TraceImportError(
                .malformedLine, format: format, offset: offset + at, "packet without upper-PDU headers: \(error)")
        }
        // A verdict or a note is text about the session, not bytes of it.
        if let name = header.dissectorName.map({ pending[$0] }),
           UpperPDU.Dissector.textOnly.contains(where: { name.elementsEqual($0.utf8) }) { return nil }
        let payload = Array(pending[(data.lowerBound + header.size)..<data.upperBound])
        return TraceRecord(
            time: .nanoseconds(nanoseconds - origin!.unixNanoseconds), direction: header.direction, bytes: payload)
    }
}
