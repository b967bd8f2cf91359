import EDMBytes
import EDMFrames
import EDMAT
import EDMSession

/// Every importer's options in one value, so a CLI can build any importer from its flags.
public struct TraceImportOptions: Hashable, Sendable {
    /// Direction of a single raw or hex-dump stream (nil: unknown).
    public var direction: Direction?
    public var azureDPSLog: AzureDPSLogImporter.Options
    public var socat: SocatImporter.Options
    public var jpnevulator: JpnevulatorImporter.Options
    public var saleae: SaleaeCSVImporter.Options
    public var sigrok: SigrokJSONTraceImporter.Options
    /// Zone of slsnif's local-time stamps (socat and jpnevulator carry their own in their options).
    public var slsnifUTCOffsetSeconds: Int

    public init(direction: Direction? = nil,
                azureDPSLog: AzureDPSLogImporter.Options = .init(),
                socat: SocatImporter.Options = .init(),
                jpnevulator: JpnevulatorImporter.Options = .init(),
                saleae: SaleaeCSVImporter.Options = .init(),
                sigrok: SigrokJSONTraceImporter.Options = .init(),
                slsnifUTCOffsetSeconds: Int = 0) {
        self.direction = direction
        self.azureDPSLog = azureDPSLog
        self.socat = socat
        self.jpnevulator = jpnevulator
        self.saleae = saleae
        self.sigrok = sigrok
        self.slsnifUTCOffsetSeconds = slsnifUTCOffsetSeconds
    }
}

extension TraceFormat {
    /// A fresh importer for this format; nil for pcap and pcapng, which EDMKitIO's
    /// `PcapReader` reads through libpcap.
    public func makeImporter(_ options: TraceImportOptions = TraceImportOptions()) -> (any TraceImporter)? {
        switch self {
        case .rawBinary: RawBinaryImporter(direction: options.direction)
        case .hexDump: HexDumpImporter(direction: options.direction)
        case .azureDPSLog: AzureDPSLogImporter(options: options.azureDPSLog)
        case .socat: SocatImporter(options: options.socat)
        case .interceptty: IntercepttyImporter()
        case .slsnif: SlsnifImporter(utcOffsetSeconds: options.slsnifUTCOffsetSeconds)
        case .jpnevulator: JpnevulatorImporter(options: options.jpnevulator)
        case .saleaeCSV: SaleaeCSVImporter(options: options.saleae)
        case .sigrokJSONTrace: SigrokJSONTraceImporter(options: options.sigrok)
        case .pcap, .pcapng: nil
        }
    }
}
