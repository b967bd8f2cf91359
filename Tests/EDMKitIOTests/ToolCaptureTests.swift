import EDMKit
@testable import EDMKitIO
import Foundation
import Testing

/// Captures made by the real tools (socat, jpnevulator, text2pcap) and our files read by
/// tshark. Each test is skipped only when its tool is not installed.
@Suite struct ToolCaptureTests {
    // MARK: Helpers

    /// Waits until every path exists (a pty link socat made).
    static func waitFor(_ paths: [String], timeout: Double = 10) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while !paths.allSatisfy({ FileManager.default.fileExists(atPath: $0) }) {
            guard Date() < deadline else { throw ToolError("timed out waiting for \(paths)") }
            usleep(10_000)
        }
    }

    struct ToolError: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    static func openPTY(_ path: String) throws -> Int32 {
        let fd = open(path, O_RDWR | O_NOCTTY)
        guard fd >= 0 else { throw ToolError("cannot open \(path)") }
        // Raw, as a serial program sets its port: otherwise 0x13 in an EDM length is XOFF
        // and stops the tty, and CR becomes LF.
        var t = termios()
        tcgetattr(fd, &t)
        cfmakeraw(&t)
        tcsetattr(fd, TCSANOW, &t)
        return fd
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        var done = 0
        while done < bytes.count {
            let n = bytes[done...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw ToolError("write failed") }
            done += n
        }
    }

    /// Reads exactly `count` bytes or fails after `timeout` seconds.
    static func readExactly(_ fd: Int32, _ count: Int, timeout: Int32 = 5000) throws -> [UInt8] {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while out.count < count {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, timeout) > 0 else { throw ToolError("timed out after \(out.count) of \(count) bytes") }
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, min($0.count, count - out.count)) }
            guard n > 0 else { throw ToolError("read failed") }
            out += buffer[0..<n]
        }
        return out
    }

    // MARK: socat

    @Test(.enabled(if: which("socat") != nil, "socat is not installed"))
    func socatRelayCaptureReadsBackExactly() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let host = dir.file("host")
        let module = dir.file("module")
        let socat = try Child(
            which("socat")!, ["-x", "-v", "PTY,link=\(host),rawer", "PTY,link=\(module),rawer"],
            stderr: dir.file("socat.log"))
        var running = true
        defer { if running { socat.stop() } }
        try Self.waitFor([host, module])
        let h = try Self.openPTY(host), m = try Self.openPTY(module)
        defer { close(h); close(m) }
        for (direction, bytes) in MiniSession.steps {
            let (from, to) = direction == .host ? (h, m) : (m, h)
            try Self.writeAll(from, bytes)
            #expect(try Self.readExactly(to, bytes.count) == bytes)
            usleep(20_000)
        }
        usleep(100_000)
        socat.stop()
        running = false

        let log = readFile(dir.file("socat.log"))
        #expect(TraceFormat.detect(prefix: log.prefix(TraceFormat.detectionPrefixLength)) == .socat)
        var importer = SocatImporter()
        let records = try importer.importChunked(log, sizes: [7, 100])
        #expect(stream(records, .host) == MiniSession.bytes(.host))
        #expect(stream(records, .module) == MiniSession.bytes(.module))
        #expect(records.map(\.time) == records.map(\.time).sorted())
        #expect(importer.origin != nil)
        // 1.7.4 prints microseconds as nanoseconds: the importer notices; either way the
        // writes, about 20 ms apart, must come out that far apart.
        let diagnostics = importer.takeDiagnostics()
        let (_, version) = try run(which("socat")!, ["-V"])
        #expect(diagnostics.contains { $0.code == .timestampRepaired } == version.contains("version 1.7.4"))
        let span = records.last!.time - records.first!.time
        #expect(span > .milliseconds(150) && span < .seconds(10), "session spans \(span)")
    }

    // MARK: jpnevulator

    @Test(.enabled(if: which("socat") != nil && which("jpnevulator") != nil, "socat or jpnevulator is not installed"))
    func jpnevulatorCaptureOfTwoTtysReadsBackExactly() throws {
        let dir = TempDir()
        defer { dir.remove() }
        // Two pty pairs: the tool writes into one end of each, jpnevulator listens on the other.
        let hostTap = dir.file("hostTap")
        let hostIn = dir.file("hostIn")
        let moduleTap = dir.file("moduleTap")
        let moduleIn = dir.file("moduleIn")
        let relayH = try Child(which("socat")!, ["PTY,link=\(hostTap),rawer", "PTY,link=\(hostIn),rawer"])
        defer { relayH.stop() }
        let relayM = try Child(which("socat")!, ["PTY,link=\(moduleTap),rawer", "PTY,link=\(moduleIn),rawer"])
        defer { relayM.stop() }
        try Self.waitFor([hostTap, hostIn, moduleTap, moduleIn])
        let jp = try Child(
            which("jpnevulator")!, ["--read", "--timing-print", "--ascii", "--tty", hostTap, "--tty", moduleTap],
            stdout: dir.file("jp.txt"))
        var running = true
        defer { if running { jp.stop() } }
        usleep(300_000) // let jpnevulator open both ttys
        let h = try Self.openPTY(hostIn), m = try Self.openPTY(moduleIn)
        defer { close(h); close(m) }
        for (direction, bytes) in MiniSession.steps {
            try Self.writeAll(direction == .host ? h : m, bytes)
            usleep(50_000)
        }
        usleep(200_000)
        jp.stop()
        running = false

        let text = readFile(dir.file("jp.txt"))
        #expect(TraceFormat.detect(prefix: text.prefix(TraceFormat.detectionPrefixLength)) == .jpnevulator)
        var importer = JpnevulatorImporter(options: .init(ttys: [hostTap: .host, moduleTap: .module]))
        let records = try importer.importChunked(text, sizes: [5, 64])
        #expect(stream(records, .host) == MiniSession.bytes(.host))
        #expect(stream(records, .module) == MiniSession.bytes(.module))
        #expect(records.map(\.time) == records.map(\.time).sorted())
        // Each write is one read, except that back-to-back writes of one side may share one.
        func runs(_ d: [Direction?]) -> [Direction?] {
            d.enumerated().filter { $0.offset == 0 || d[$0.offset - 1] != $0.element }.map(\.element)
        }
        #expect(runs(records.map(\.direction)) == runs(MiniSession.steps.map(\.0)))
    }

    // MARK: text2pcap and tshark

    @Test(.enabled(if: which("text2pcap") != nil, "text2pcap is not installed"))
    func text2pcapCaptureOfUpperPDUReadsBack() throws {
        let dir = TempDir()
        defer { dir.remove() }
        // text2pcap's hex dump input, one packet per unit: the TLVs, then the bytes.
        var dump = ""
        for (i, (direction, bytes)) in MiniSession.steps.enumerated() {
            let packet = UpperPDU.header(dissector: UpperPDU.Dissector.raw, direction: direction) + bytes
            dump += "\(direction == .host ? "O" : "I") 12:00:\(i < 10 ? "0" : "")\(i).000000\n"
            for offset in stride(from: 0, to: packet.count, by: 16) {
                let hex = packet[offset..<min(packet.count, offset + 16)].map { String(format: "%02x", $0) }.joined(
                    separator: " ")
                dump += String(format: "%06x  ", offset) + hex + "\n"
            }
        }
        writeFile(dir.file("in.txt"), Array(dump.utf8))
        let (status, _) = try run(
            which("text2pcap")!,
            ["-q", "-n", "-D", "-l", "252", "-t", "%H:%M:%S.", dir.file("in.txt"), dir.file("out.pcapng")])
        #expect(status == 0)
        let reader = try PcapReader(path: dir.file("out.pcapng"))
        var packets: [PcapReader.Packet] = []
        while let p = try reader.next() { packets.append(p) }
        #expect(packets.allSatisfy { $0.dissector == "ucx_raw" })
        let records = packets.flatMap(\.records)
        #expect(records.map(\.bytes) == MiniSession.steps.map(\.1))
        // Each write is one read, except that back-to-back writes of one side may share one.
        func runs(_ d: [Direction?]) -> [Direction?] {
            d.enumerated().filter { $0.offset == 0 || d[$0.offset - 1] != $0.element }.map(\.element)
        }
        #expect(runs(records.map(\.direction)) == runs(MiniSession.steps.map(\.0)))
    }

    @Test(.enabled(if: which("tshark") != nil, "tshark is not installed"))
    func tsharkSeesOurDissectorsDirectionsAndComments() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let units: [(Direction?, String, [UInt8], TraceRecord.Flags, String?)] = [
            (
                .host, UpperPDU.Dissector.edm, EDMEncoder.atRequest("AT+UWSC=0,2,SSID\r"), [.mismatch],
                "declared length 18"
            ),
            (.module, UpperPDU.Dissector.at, Array("\r\nOK\r\n".utf8), [.rebuilt], nil),
            (nil, UpperPDU.Dissector.raw, [0x00, 0xE0, 0xFF], [], nil),
        ]
        for pcapng in [true, false] {
            let path = dir.file(pcapng ? "t.pcapng" : "t.pcap")
            let writer: any TraceCaptureWriter =
                pcapng ? try PcapngWriter(path: path, interfaceName: "/dev/ttyUSB0") : try PcapWriter(path: path)
            for (i, u) in units.enumerated() {
                try writer.write(
                    time: .milliseconds(Int64(i)), origin: TraceOrigin(unixNanoseconds: 1_795_852_454_000_000_001),
                    direction: u.0, dissector: u.1, bytes: u.2, flags: u.3, comment: u.4)
            }
            try writer.close()
            let fields = [
                "frame.packet_flags_direction", "exported_pdu.prot_name", "exported_pdu.p2p_dir", "frame.comment",
                "frame.time_epoch"
            ]
            let (status, output) = try run(
                which("tshark")!, ["-r", path, "-T", "fields", "-E", "separator=|"] + fields.flatMap { ["-e", $0] })
            #expect(status == 0)
            let rows = output.split(separator: "\n").map {
                $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            }
            #expect(rows.count == 3)
            guard rows.count == 3 else { continue }
            #expect(rows.map { $0[1] } == ["ucx_edm", "ucx_at", "ucx_raw"])
            #expect(rows.map { $0[2] } == ["0", "1", ""])
            #expect(rows[0][4].hasPrefix("1795852454.000000001"))
            if pcapng {
                #expect(rows.map { $0[0] } == ["0x00000002", "0x00000001", "0x00000000"])
                #expect(rows[0][3] == "[mismatch] declared length 18")
                #expect(rows[1][3] == "[rebuilt]")
            }
        }
    }
}
