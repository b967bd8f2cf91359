import EDMKit

/// Writes pcapng by hand (libpcap 1.10 cannot): the blocks come from `PcapngEncoder`, this
/// class only sends them to a file or descriptor. Packets are encoded straight into the
/// output's buffer, so writing one allocates nothing of its own.
///
/// The section header and the one interface (`if_name` = the port, nanosecond times) are
/// written at creation, and again by `startSection()`. Each packet's enhanced packet block
/// carries `epb_flags` (inbound module→host, outbound host→module) and, when the record is
/// flagged or annotated, `opt_comment` (`[rebuilt, mismatch] declared length...`).
public final class PcapngWriter: TraceCaptureWriter {
    public let flushEachPacket: Bool
    private let output: CaptureOutput
    private var closed = false
    private let headers = UpperPDUHeaders()
    private let interfaceName: String?
    private let application: String?

    /// Creates or truncates `path` (`-`: standard output); with `replacing: false`, a file
    /// already there is left alone and the error's code is `.exists`.
    public convenience init(path: String, interfaceName: String? = nil, application: String? = nil,
                            flushEachPacket: Bool = false, replacing: Bool = true) throws(CaptureIOError) {
        try self.init(output: CaptureOutput(path: path, replacing: replacing), interfaceName: interfaceName,
                      application: application, flushEachPacket: flushEachPacket)
    }

    /// Writes to a descriptor the caller owns (`FileHandle.fileDescriptor`, 1 for stdout).
    public convenience init(fileDescriptor: Int32, interfaceName: String? = nil, application: String? = nil,
                            flushEachPacket: Bool = false) throws(CaptureIOError) {
        try self.init(output: CaptureOutput(fileDescriptor: fileDescriptor), interfaceName: interfaceName,
                      application: application, flushEachPacket: flushEachPacket)
    }

    private init(output: CaptureOutput, interfaceName: String?, application: String?,
        flushEachPacket: Bool) throws(CaptureIOError) {
        self.output = output
        self.flushEachPacket = flushEachPacket
        self.interfaceName = interfaceName
        self.application = application
        try writeSectionStart()
    }

    /// Goes on in a new section of the same file: the section header and the interface again,
    /// with the options given at creation. Readers take the packets after it as a capture of
    /// their own joined to the one before (a host program that reopened the tap's pty runs a
    /// new session; Wireshark shows the section number of each packet).
    public func startSection() throws(CaptureIOError) {
        guard !closed else { throw CaptureIOError(.closed, path: output.name, "new section after close") }
        try writeSectionStart()
    }

    private func writeSectionStart() throws(CaptureIOError) {
        try output.write(PcapngEncoder.sectionHeader(application: application))
        try output.write(PcapngEncoder.interfaceDescription(name: interfaceName))
        if flushEachPacket { try output.flush() }
    }

    deinit { try? close() }

    public func write(time: Duration, origin: TraceOrigin?, direction: Direction?, dissector: String,
                      bytes all: ArraySlice<UInt8>, flags: TraceRecord.Flags, comment: String?) throws(CaptureIOError) {
        guard !closed else { throw CaptureIOError(.closed, path: output.name, "write after close") }
        let header = headers.header(dissector: dissector, direction: direction)
        let when = CaptureTiming.unixNanoseconds(time: time, origin: origin)
        let note = PcapngEncoder.comment(flags: flags, note: comment)
        let packetFlags = PcapngEncoder.packetFlags(direction: direction)
        try output.append { out in
            for piece in CaptureTiming.pieces(all.indices, headerSize: header.count) {
                PcapngEncoder.appendEnhancedPacket(to: &out, unixNanoseconds: when, prefix: header, data: all[piece],
                                                   flags: packetFlags, comment: note)
            }
        }
        if flushEachPacket { try output.flush() }
    }

    public func flush() throws(CaptureIOError) {
        guard !closed else { return }
        try output.flush()
    }

    public func close() throws(CaptureIOError) {
        guard !closed else { return }
        closed = true
        try output.close()
    }
}
