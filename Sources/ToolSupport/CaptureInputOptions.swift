import ArgumentParser
import EDMKit
import EDMKitIO

/// How to read a capture: the options edm-decode and edm-replay share, for formats that cannot
/// tell by themselves which side is the host.
public struct CaptureInputOptions: ParsableArguments {
    @Option(help: "The input's format (default: detected from the content).")
    public var inputFormat: TraceFormat?

    @Option(help: "socat: which side is the host, the left (>) or the right (<).")
    public var socatHost: SocatSide = .left

    @Option(help: "Saleae/sigrok: analyzer or row name carrying the host's bytes.")
    public var hostChannel: String = "TX"

    @Option(help: "Saleae/sigrok: analyzer or row name carrying the module's bytes.")
    public var moduleChannel: String = "RX"

    @Option(help: "jpnevulator: the tty name that is the host's side (default: the first one seen).")
    public var hostTTY: String?

    @Option(help: "USB captures: the bridge, when the capture lacks its descriptor.")
    public var usbBridge: PcapReader.USBBridge?

    /// Which socat side is the host (`--socat-host`).
    public enum SocatSide: String, ExpressibleByArgument, Sendable { case left, right }

    public init() {}

    /// `direction`: which side wrote a single raw or hex stream, when the user said so; only
    /// such a stream can then be meant.
    public func options(direction: Direction? = nil) -> CaptureInput.Options {
        var o = TraceImportOptions(direction: direction)
        // The log elides PEM bodies; padding them to their declared size keeps the host stream
        // in step (the padding is flagged), so everything after the upload still decodes.
        o.azureDPSLog.padElidedCredentials = true
        o.socat.leftToRight = socatHost == .left ? .host : .module
        o.saleae.analyzers = [hostChannel: .host, moduleChannel: .module]
        o.sigrok.rows = [hostChannel: .host, moduleChannel: .module]
        if let hostTTY { o.jpnevulator.ttys = [hostTTY: .host] }
        return CaptureInput.Options(format: inputFormat, oneStream: direction != nil, importOptions: o,
                                    pcapOptions: PcapReader.Options(usb: PcapReader.USBOptions(bridge: usbBridge)))
    }
}

extension TraceFormat: ExpressibleByArgument {}
extension PcapReader.USBBridge: ExpressibleByArgument {}
