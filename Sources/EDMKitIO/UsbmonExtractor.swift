import EDMKit

/// Pulls the serial bytes out of a Linux usbmon capture of a USB-UART bridge.
///
/// Each packet is one URB event: a 64-byte header (LINKTYPE_USB_LINUX_MMAPPED, 220) or a
/// 48-byte one (LINKTYPE_USB_LINUX, 189), then the captured data. libpcap hands the header
/// over in host byte order (it swaps foreign files), so fields are read natively.
/// - host→module bytes are the data of bulk-OUT submits (`S`), module→host bytes the data
///   of bulk-IN completions (`C`) with status 0; one URB becomes one record.
/// - CP210x, CH340 and CDC-ACM carry raw serial bytes. FTDI starts every max-size USB packet
///   of bulk-IN data (64 bytes full speed, 512 high speed) with 2 status bytes: removed, and
///   status-only packets give nothing.
/// - The bridge comes from the device descriptor in the capture (GET_DESCRIPTOR response:
///   vendor 0x0403 FTDI, 0x10C4 CP210x, 0x1A86 CH340), else from `Options.bridge`, else raw.
///   The FTDI packet size comes from the bulk-IN endpoint descriptor when captured, else from
///   the product id (FT2232H/FT4232H/FT232H are high speed), else 64.
/// - The device: `Options.device`, else the first with a known bridge's descriptor, else the
///   first with bulk data. Other devices' traffic is skipped with a note.
struct UsbmonExtractor {
    enum Field {
        static let type = 8, transfer = 9, endpoint = 10, device = 11, bus = 12, status = 28, length = 32, captured = 36
    }

    let options: PcapReader.USBOptions
    private var vendors: [UInt32: (vendor: UInt16, product: UInt16)] = [:]
    private var maxPackets: [UInt32: Int] = [:] // key: bus << 16 | device << 8 | endpoint
    private var chosen: UInt32?
    private var skippedDevices: Set<UInt32> = []
    private(set) var diagnostics: [TraceImportDiagnostic] = []
    private var warnedUnknownBridge = false

    init(options: PcapReader.USBOptions) { self.options = options }

    mutating func takeDiagnostics() -> [TraceImportDiagnostic] {
        defer { diagnostics = [] }
        return diagnostics
    }

    /// The serial bytes in one usbmon packet, if any.
    mutating func extract(_ packet: ArraySlice<UInt8>, headerSize: Int, number: Int) throws(UsbmonError) -> (Direction,
        [UInt8], truncated: Bool)? {
        guard packet.count >= headerSize else { throw .short(packet.count) }
        let p = Array(packet)
        func u16(_ at: Int) -> UInt16 { p.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: at, as: UInt16.self) } }
        func u32(_ at: Int) -> UInt32 { p.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: at, as: UInt32.self) } }
        let type = p[Field.type], transfer = p[Field.transfer], endpoint = p[Field.endpoint]
        let device = UInt32(u16(Field.bus)) << 16 | UInt32(p[Field.device]) << 8
        let status = Int32(bitPattern: u32(Field.status))
        let declared = Int(u32(Field.length)), captured = Int(u32(Field.captured))
        let data = Array(p[headerSize..<min(p.count, headerSize + captured)])
        let isIn = endpoint & 0x80 != 0

        switch (transfer, type) {
        case (2, 0x43) where isIn && status == 0: // control IN completion: maybe a descriptor
            learnDescriptor(data, device: device)
            return nil
        case (3, 0x53) where !isIn, (3, 0x43) where isIn:
            guard !data.isEmpty, select(device) else { return nil }
            if isIn, status != 0 {
                diagnostics.append(
                    TraceImportDiagnostic(
                        .skipped, .warning,
                        "packet \(number): bulk-IN data with status \(status) dropped, as the kernel driver drops it"))
                return nil
            }
            let truncated = captured < declared || p.count < headerSize + captured
            let bytes = isIn && bridge(device) == .ftdi ? stripFTDIStatus(data, maxPacket: ftdiMaxPacket(device,
                endpoint: endpoint)) : data
            return bytes.isEmpty ? nil : (isIn ? .module : .host, bytes, truncated)
        default:
            return nil
        }
    }

    enum UsbmonError: Error { case short(Int) }

    // MARK: Devices

    private mutating func select(_ device: UInt32) -> Bool {
        if let chosen { return note(device, chosen) }
        if let wanted = options.device {
            guard device == UInt32(wanted.bus) << 16 | UInt32(wanted.address) << 8 else { return note(device, nil) }
        } else if let known = vendors.keys.sorted().first(where: { Self.bridge(vendor: vendors[$0]!.vendor) != nil }),
            known != device {
            return note(device, known)
        }
        chosen = device
        return true
    }

    private mutating func note(_ device: UInt32, _ chosen: UInt32?) -> Bool {
        guard device != chosen else { return true }
        if skippedDevices.insert(device).inserted {
            diagnostics.append(
                TraceImportDiagnostic(
                    .skipped, .note,
                    "bulk traffic of USB device \(device >> 16).\((device >> 8) & 0xFF) "
                        + "skipped: not the serial bridge being read"
                ))
        }
        return false
    }

    private mutating func learnDescriptor(_ d: [UInt8], device: UInt32) {
        if d.count >= 12, d[0] == 18, d[1] == 1 { // device descriptor
            vendors[device] = (UInt16(d[8]) | UInt16(d[9]) << 8, UInt16(d[10]) | UInt16(d[11]) << 8)
        } else if d.count >= 9, d[1] == 2 { // configuration descriptor and what follows it
            var i = 0
            while i + 1 < d.count, d[i] >= 2 {
                if d[i + 1] == 5, d[i] >= 7, i + 5 < d.count, d[i + 3] & 3 == 2 { // bulk endpoint
                    maxPackets[device | UInt32(d[i + 2])] = Int(UInt16(d[i + 4]) | UInt16(d[i + 5] & 0x07) << 8)
                }
                i += Int(d[i])
            }
        }
    }

    static func bridge(vendor: UInt16) -> PcapReader.USBBridge? {
        switch vendor {
        case 0x0403: .ftdi
        case 0x10C4: .cp210x
        case 0x1A86: .ch340
        default: nil
        }
    }

    private mutating func bridge(_ device: UInt32) -> PcapReader.USBBridge {
        if let forced = options.bridge { return forced }
        if let ids = vendors[device], let known = Self.bridge(vendor: ids.vendor) { return known }
        if !warnedUnknownBridge {
            warnedUnknownBridge = true
            diagnostics.append(
                TraceImportDiagnostic(
                    .guessed, .warning,
                    "no device descriptor of a known bridge in the capture: bulk data "
                        + "read as raw serial bytes (name the bridge if it is FTDI)"
                ))
        }
        return .raw
    }

    private func ftdiMaxPacket(_ device: UInt32, endpoint: UInt8) -> Int {
        if let size = maxPackets[device | UInt32(endpoint)], size > 2 { return size }
        if let size = options.ftdiMaxPacketSize { return size }
        if let ids = vendors[device], [0x6010, 0x6011, 0x6014].contains(ids.product) { return 512 }
        return 64
    }

    /// Drops the 2 modem/line status bytes at the start of every `maxPacket` chunk.
    private func stripFTDIStatus(_ data: [UInt8], maxPacket: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(data.count)
        var i = 0
        while i < data.count {
            let end = min(data.count, i + maxPacket)
            if end - i > 2 { out += data[(i + 2)..<end] }
            i = end
        }
        return out
    }
}
