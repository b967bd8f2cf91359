import EDMBytes
import EDMFrames
import EDMAT
import EDMSession

/// The capture formats edm-decode reads, and how to tell them apart from their first bytes.
///
/// Detection looks at magic numbers (pcap, pcapng, both byte orders) and at the first
/// lines of text formats. Raw binary cannot be detected (any bytes are raw bytes): it is only
/// ever chosen explicitly. An explicit `--input-format` always overrides detection.
public enum TraceFormat: String, Hashable, Sendable, CaseIterable {
    case rawBinary = "raw"
    case hexDump = "hex"
    case azureDPSLog = "azure-dps-log"
    case socat = "socat"
    case interceptty = "interceptty"
    case slsnif = "slsnif"
    case jpnevulator = "jpnevulator"
    case saleaeCSV = "saleae-csv"
    case sigrokJSONTrace = "sigrok-jsontrace"
    case pcap = "pcap"
    case pcapng = "pcapng"

    /// What a message calls a file of this format.
    public var displayName: String {
        switch self {
        case .rawBinary: "raw binary capture"
        case .hexDump: "hex dump"
        case .azureDPSLog: "azure_dps.py log"
        case .socat: "socat -x -v capture"
        case .interceptty: "interceptty log"
        case .slsnif: "slsnif log"
        case .jpnevulator: "jpnevulator log"
        case .saleaeCSV: "Saleae Logic 2 CSV export"
        case .sigrokJSONTrace: "sigrok-cli jsontrace"
        case .pcap: "pcap file"
        case .pcapng: "pcapng file"
        }
    }

    /// Whether libpcap (EDMKitIO's `PcapReader`) reads it rather than a pure importer.
    public var isPacketCapture: Bool { self == .pcap || self == .pcapng }

    /// The formats `detect` tries, in the order it tries them.
    public static let detectionOrder: [TraceFormat] = [
        .pcap, .pcapng, .socat, .jpnevulator, .interceptty, .slsnif, .azureDPSLog, .saleaeCSV, .sigrokJSONTrace,
        .hexDump
    ]

    /// How many bytes of the file's start `detect` wants (it copes with fewer).
    public static let detectionPrefixLength = 4096

    /// The format the content looks like, or nil. Give it the file's first
    /// `detectionPrefixLength` bytes (or the whole file if shorter).
    public static func detect(prefix: ArraySlice<UInt8>) -> TraceFormat? {
        if let magic = packetMagic(prefix) { return magic }
        let lines = textLines(prefix)
        guard !lines.isEmpty else { return nil }
        for format in detectionOrder where looksLike(format, lines: lines, prefix: prefix) { return format }
        return nil
    }

    /// The error for content that matched nothing, naming every format tried.
    public static func unrecognized(prefix: ArraySlice<UInt8>) -> TraceImportError {
        if prefix.isEmpty { return TraceImportError(.empty, format: nil, "the file is empty") }
        let tried = detectionOrder.map(\.rawValue).joined(separator: ", ")
        return TraceImportError(
            .unrecognized, format: nil, offset: 0,
            "the content matches no known capture format (tried \(tried)); name "
                + "the format with --input-format, or 'raw' for a raw byte stream"
        )
    }

    // MARK: Detection

    private static func packetMagic(_ p: ArraySlice<UInt8>) -> TraceFormat? {
        guard p.count >= 4 else { return nil }
        let m = Array(p.prefix(4))
        let pcapMagics: [[UInt8]] = [
            [0xA1, 0xB2, 0xC3, 0xD4], [0xD4, 0xC3, 0xB2, 0xA1], // microseconds, both byte orders
            [0xA1, 0xB2, 0x3C, 0x4D], [0x4D, 0x3C, 0xB2, 0xA1], // nanoseconds
        ]
        if pcapMagics.contains(m) { return .pcap }
        // A section header block: type 0x0A0D0D0A (a palindrome), then the byte-order magic at 8.
        if m == [0x0A, 0x0D, 0x0D, 0x0A], p.count >= 12 {
            let bom = Array(p.dropFirst(8).prefix(4))
            if bom == [0x1A, 0x2B, 0x3C, 0x4D] || bom == [0x4D, 0x3C, 0x2B, 0x1A] { return .pcapng }
        }
        return nil
    }

    /// Complete lines of the prefix (the last, possibly cut one only when it is all there is),
    /// or nothing when the prefix has bytes no text capture has (NUL outside slsnif's
    /// timestamp, most control characters).
    private static func textLines(_ p: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        var lines = p.split(separator: ByteText.lf, omittingEmptySubsequences: false)
        if lines.count > 1, p.last != ByteText.lf { lines.removeLast() }
        // slsnif alone writes NULs (after its timestamps) and ESC (colour codes on stdout).
        let slsnifLike = lines.contains { startsSlsnifBlock(SlsnifImporter.stripColors($0)) }
        let controls = p.filter { $0 < 0x20 && $0 != ByteText.lf && $0 != ByteText.cr && $0 != ByteText.tab
            && (!slsnifLike || ($0 != 0 && $0 != 0x1B)) }
        if !controls.isEmpty { return [] }
        return lines.map { $0.last == ByteText.cr ? $0.dropLast() : $0 }
    }

    private static func startsSlsnifBlock(_ line: ArraySlice<UInt8>) -> Bool {
        line.starts(with: "Host   --> ".utf8) || line.starts(with: "Device --> ".utf8)
    }

    private static func looksLike(_ format: TraceFormat, lines: [ArraySlice<UInt8>],
        prefix: ArraySlice<UInt8>) -> Bool {
        let nonEmpty = lines.lazy.map(ByteText.trimmedTrailing).filter { !$0.isEmpty }
        guard let first = nonEmpty.first else { return false }
        let head = Array(nonEmpty.prefix(20))
        switch format {
        case .socat:
            return head.contains { SocatImporter.parseHeader($0, utcOffsetSeconds: 0) != nil }
        case .jpnevulator:
            return JpnevulatorImporter.parseHeader(first, utcOffsetSeconds: 0) != nil
        case .interceptty:
            return IntercepttyImporter.parseLine(first) != nil
        case .slsnif:
            return head.contains { startsSlsnifBlock(SlsnifImporter.stripColors($0)) }
        case .azureDPSLog:
            return head.contains { AzureDPSLogImporter.timestamp(of: $0) != nil }
                || head.contains { $0.firstRange(of: "azure_dps".utf8) != nil }
        case .saleaeCSV:
            let names = SaleaeCSVImporter.splitCSV(first).map { ByteText.string($0).lowercased() }
            return names.contains("start_time") && names.contains("data")
        case .sigrokJSONTrace:
            let text = ByteText.trimmed(prefix)
            return (text.first == 0x7B || text.first == 0x5B)
                && (text.firstRange(of: "\"traceEvents\"".utf8) != nil || text.firstRange(of: "\"ph\"".utf8) != nil)
        case .hexDump:
            if HexDumpLine.layout(of: first) != nil { return true }
            var digits = 0
            for line in lines {
                for b in line where !ByteText.isSpace(b) {
                    guard ByteText.hexValue(b) != nil else { return false }
                    digits += 1
                }
            }
            return digits >= 2
        case .rawBinary, .pcap, .pcapng:
            return false
        }
    }
}
