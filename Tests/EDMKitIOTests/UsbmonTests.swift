import EDMKit
@testable import EDMKitIO
import Foundation
import Testing

/// Synthetic usbmon captures of the mini session through each bridge, built byte by byte
/// from the usbmon binary layout (linux Documentation/usb/usbmon.rst, `struct usbmon_packet`).
@Suite struct UsbmonTests {
    enum Kind { case ftdi(product: UInt16), cp210x, unknown }

    /// One URB event: the header in little-endian (host order on x86/ARM, as libpcap hands it over), then data.
    static func urb(type: Character, transfer: UInt8, endpoint: UInt8, device: UInt8 = 5, bus: UInt16 = 1,
                    status: Int32 = 0, length: Int? = nil, data: [UInt8], mmapped: Bool) -> [UInt8] {
        var h = [UInt8](repeating: 0, count: mmapped ? 64 : 48)
        func put(_ v: UInt64, at: Int, size: Int) {
            for i in 0..<size { h[at + i] = UInt8((v >> (8 * UInt64(i))) & 0xFF) }
        }
        put(0xFFFF_8880_1234_5678, at: 0, size: 8)
        h[8] = UInt8(type.asciiValue!)
        h[9] = transfer
        h[10] = endpoint
        h[11] = device
        put(UInt64(bus), at: 12, size: 2)
        h[15] = data.isEmpty ? 0x3C : 0 // flag_data: 0 when data follows
        put(UInt64(UInt32(bitPattern: status)), at: 28, size: 4)
        put(UInt64(length ?? data.count), at: 32, size: 4)
        put(UInt64(data.count), at: 36, size: 4)
        return h + data
    }

    /// A classic pcap file (microsecond magic, little-endian) of the given link type.
    static func pcapFile(linkType: UInt32, packets: [(micros: Int64, bytes: [UInt8])]) -> [UInt8] {
        var out: [UInt8] = []
        func le32(_ v: UInt32) { for i in 0..<4 { out.append(UInt8((v >> (8 * UInt32(i))) & 0xFF)) } }
        le32(0xA1B2_C3D4); out += [2, 0, 4, 0]; le32(0); le32(0); le32(262_144); le32(linkType)
        for p in packets {
            le32(UInt32(p.micros / 1_000_000)); le32(UInt32(p.micros % 1_000_000))
            le32(UInt32(p.bytes.count)); le32(UInt32(p.bytes.count))
            out += p.bytes
        }
        return out
    }

    static let ftdiStatus: [UInt8] = [0x01, 0x60]

    /// The mini session as a bridge would carry it, with enumeration and noise around it.
    static func capture(_ kind: Kind, mmapped: Bool, descriptors: Bool = true, maxPacket: Int = 64) -> [UInt8] {
        var packets: [(Int64, [UInt8])] = []
        var t: Int64 = 1_795_852_454_000_000
        func add(_ p: [UInt8]) { packets.append((t, p)); t += 1000 }
        if descriptors {
            let (vendor, product): (UInt16, UInt16) = switch kind {
            case .ftdi(let p): (0x0403, p)
            case .cp210x: (0x10C4, 0xEA60)
            case .unknown: (0x1234, 0x5678)
            }
            add(urb(type: "S", transfer: 2, endpoint: 0x80, data: [], mmapped: mmapped))
            add(
                urb(
                    type: "C", transfer: 2, endpoint: 0x80,
                    data: [
                        18, 1, 0, 2, 0, 0, 0, 64, UInt8(vendor & 0xFF), UInt8(vendor >> 8), UInt8(product & 0xFF),
                        UInt8(product >> 8), 0, 6, 1, 2, 3, 1
                    ],
                    mmapped: mmapped))
            let mp = [UInt8(maxPacket & 0xFF), UInt8(maxPacket >> 8)]
            add(
                urb(
                    type: "C", transfer: 2, endpoint: 0x80,
                    data: [9, 2, 32, 0, 1, 1, 0, 0x80, 50, 9, 4, 0, 0, 2, 0xFF, 0xFF, 0xFF, 2, 7, 5, 0x81, 2] + mp + [
                        0, 7, 5, 0x02, 2
                    ] + mp + [0],
                    mmapped: mmapped))
        }
        for (step, (direction, bytes)) in MiniSession.steps.enumerated() {
            if step == 1 { // another device's bulk traffic (a USB stick) must be ignored
                add(urb(type: "S", transfer: 3, endpoint: 0x02, device: 9, data: Array("USBC".utf8), mmapped: mmapped))
            }
            if direction == .host {
                add(urb(type: "S", transfer: 3, endpoint: 0x02, data: bytes, mmapped: mmapped))
                add(urb(type: "C", transfer: 3, endpoint: 0x02, length: bytes.count, data: [], mmapped: mmapped))
            } else {
                add(urb(type: "S", transfer: 3, endpoint: 0x81, length: 4096, data: [], mmapped: mmapped))
                var payload = bytes
                if case .ftdi = kind {
                    // Every max-packet of IN data starts with the two status bytes.
                    payload = stride(from: 0, to: bytes.count, by: maxPacket - 2).flatMap {
                        ftdiStatus + bytes[$0..<min(bytes.count, $0 + maxPacket - 2)]
                    }
                    add(urb(type: "C", transfer: 3, endpoint: 0x81, data: ftdiStatus, mmapped: mmapped)) // status only
                }
                add(urb(type: "C", transfer: 3, endpoint: 0x81, data: payload, mmapped: mmapped))
            }
        }
        // A cancelled read at close (-ENOENT) carries nothing the driver would keep.
        add(urb(type: "C", transfer: 3, endpoint: 0x81, status: -2, data: [0x41, 0x42], mmapped: mmapped))
        return pcapFile(linkType: mmapped ? 220 : 189, packets: packets.map { (micros: $0.0, bytes: $0.1) })
    }

    static func read(
        _ file: [UInt8], options: PcapReader.Options = .init()
    ) throws -> (records: [TraceRecord], diagnostics: [TraceImportDiagnostic]) {
        let dir = TempDir()
        defer { dir.remove() }
        writeFile(dir.file("usb.pcap"), file)
        let reader = try PcapReader(path: dir.file("usb.pcap"), options: options)
        return (try reader.readAll(), reader.takeDiagnostics())
    }

    func expectSession(_ records: [TraceRecord], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(stream(records, .host) == MiniSession.bytes(.host), sourceLocation: sourceLocation)
        #expect(stream(records, .module) == MiniSession.bytes(.module), sourceLocation: sourceLocation)
    }

    @Test(arguments: [true, false])
    func ftdiStatusBytesAreStripped(mmapped: Bool) throws {
        let (records, diagnostics) = try Self.read(Self.capture(.ftdi(product: 0x6001), mmapped: mmapped))
        expectSession(records)
        #expect(records.count == MiniSession.steps.count) // one record per URB with data
        #expect(records.map(\.time) == records.map(\.time).sorted())
        #expect(diagnostics.contains { $0.code == .skipped && $0.message.contains("1.9") })
        #expect(diagnostics.contains { $0.code == .skipped && $0.message.contains("status -2") })
    }

    @Test func highSpeedFTDIUses512BytePackets() throws {
        // Packet size from the endpoint descriptor...
        expectSession(try Self.read(Self.capture(.ftdi(product: 0x6010), mmapped: true, maxPacket: 512)).records)
        // ...or, without one, from the product id (FT2232H).
        var file = Self.capture(.ftdi(product: 0x6010), mmapped: true, maxPacket: 512)
        file = Self.removingConfigDescriptor(file)
        expectSession(try Self.read(file).records)
    }

    @Test func cp210xCarriesRawBytes() throws {
        expectSession(try Self.read(Self.capture(.cp210x, mmapped: false)).records)
    }

    @Test(arguments: [true, false])
    func batchesReadWhatPacketsRead(mmapped: Bool) throws {
        let dir = TempDir()
        defer { dir.remove() }
        writeFile(dir.file("usb.pcap"), Self.capture(.ftdi(product: 0x6001), mmapped: mmapped))
        try PcapRoundTripTests.expectBatchesMatchPackets(dir.file("usb.pcap"))
    }

    @Test func withoutADescriptorTheBridgeIsAnOption() throws {
        let file = Self.capture(.ftdi(product: 0x6001), mmapped: true, descriptors: false)
        let (raw, diagnostics) = try Self.read(file)
        #expect(stream(raw, .module) != MiniSession.bytes(.module)) // status bytes left in
        #expect(diagnostics.contains { $0.code == .guessed })
        let (told, _) = try Self.read(file, options: .init(usb: .init(bridge: .ftdi)))
        expectSession(told)
        // An unknown vendor is read raw.
        expectSession(try Self.read(Self.capture(.unknown, mmapped: true)).records)
    }

    @Test func theDeviceCanBeChosen() throws {
        let (records, _) = try Self.read(
            Self.capture(.cp210x, mmapped: true), options: .init(usb: .init(device: (bus: 1, address: 9))))
        #expect(stream(records, .host) == Array("USBC".utf8))
    }

    /// Drops the configuration-descriptor packet (the third) from a capture built above.
    static func removingConfigDescriptor(_ file: [UInt8]) -> [UInt8] {
        var out = Array(file[0..<24])
        var i = 24, n = 0
        while i < file.count {
            let len = Int(file[i + 8]) | Int(file[i + 9]) << 8 | Int(file[i + 10]) << 16
            if n != 2 { out += file[i..<(i + 16 + len)] }
            i += 16 + len; n += 1
        }
        return out
    }
}
