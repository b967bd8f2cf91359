import EDMKit
import EDMKitIO
import Foundation
import Testing

/// `edm-decode tap`: a live tap between azure-dps and the simulator, and between a test
/// playing both sides on ptys and the same session played to a two-wire sniffer; unplug, the
/// host closing and reopening the pty, and the options' checks.
@Suite struct LiveTapTests {
    /// azure-dps provisions through the tap; the tap's capture holds each direction's bytes
    /// exactly as azure-dps's own recording does, and its live transcript is edm-decode of
    /// that capture.
    @Test func azureDPSProvisionsThroughTheTap() throws {
        let dir = try Tool.temporaryDirectory("tap")
        let c = try Tool.simulatorCredentials(in: dir)
        let module = dir + "/module", host = dir + "/host"
        let simulator = try Tool.start("azure-dps", ["simulator", "assigned-fast", "--link", module, "--speed", "5"])
        defer { simulator.process.interrupt() }
        try LiveTapTests.waitFor(module)
        let tap = try Tool.start("edm-decode", ["tap", "--port", module, "--link", host, "--no-flow-control",
                                                "-w", dir + "/tap.pcapng", "-f", "transcript"])
        defer { tap.process.terminate() }
        try LiveTapTests.waitFor(host)
        let run = try Tool.run(
            "azure-dps",
            [
                "--port", host, "--id-scope", "0ne00SIMUL8", "--ssid", "simulated-lab", "--ca", c.ca,
                "--cert", c.cert, "--key", c.key, "--no-flow-control", "--record", dir + "/own.pcapng",
                "--poll-interval", "2"
            ],
            environment: ["AZURE_DPS_WIFI_PASSPHRASE": "simulator passphrase"])
        #expect(run.status == 0, "\(run.stderr)")
        Thread.sleep(forTimeInterval: 0.3)
        tap.process.terminate()
        let tapped = try tap.finish()
        #expect(tapped.status == 0, "\(tapped.stderr)")
        #expect(
            tapped.stderr.contains("the host opened \(host)") && tapped.stderr.contains("the host closed \(host)"),
            "\(tapped.stderr)")

        let mine = try Decode.json([dir + "/tap.pcapng", "--no-redact"])
        let own = try Decode.json([dir + "/own.pcapng", "--no-redact"])
        for side in ["host", "module"] {
            let a = mine.units.filter { $0.from == side }.flatMap(\.bytes)
            let b = own.units.filter { $0.from == side }.flatMap(\.bytes)
            #expect(a == b, "\(side): the tap has \(a.count) bytes, azure-dps's recording \(b.count)")
            #expect(a.count > 1000)
        }
        #expect(mine.summary["outcome"] as? String == "assigned")
        // The passphrase crossed the wire, but neither the capture nor the transcript has it.
        #expect(!mine.units.contains { $0.text?.contains("simulator passphrase") == true })
        #expect(!tapped.stdout.contains("simulator passphrase"))

        let decoded = try Tool.run("edm-decode", [dir + "/tap.pcapng", "-f", "transcript"])
        let lines = decoded.stdout.split(separator: "\n", omittingEmptySubsequences: false).filter {
            !$0.hasPrefix("== ")
        }
        let live = tapped.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let differ = zip(live, lines).first { $0 != $1 }
        #expect(
            live.count == lines.count && differ == nil,
            "\(live.count) live lines, \(lines.count) decoded; first difference: \(String(describing: differ))")
        #expect(tapped.stdout.contains("Outcome: assigned."))
    }

    /// The module's side going away (its pty closed) is reported within a second; the tap
    /// exits 74 and its capture decodes to what was sent before.
    @Test func anUnplugIsReportedAtOnce() throws {
        let dir = try Tool.temporaryDirectory("unplug")
        let module = try PtyPair()
        let tap = try Tool.start(
            "edm-decode",
            [
                "tap", "--port", module.slavePath, "--link", dir + "/host", "--no-flow-control",
                "-w", dir + "/tap.pcapng", "-f", "json"
            ])
        defer { tap.process.terminate() }
        try LiveTapTests.waitFor(dir + "/host")
        _ = try module.write(Array("\r\n+STARTUP\r\n".utf8), until: .now + .seconds(1))
        Thread.sleep(forTimeInterval: 0.3)
        let unplugged = Date()
        module.close()
        let r = try tap.finish()
        let took = Date().timeIntervalSince(unplugged)
        #expect(r.status == 74, "\(r.stderr)")
        #expect(took < 1, "the tap took \(took) s to notice")
        #expect(r.stderr.contains("the module's port hung up"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/host"), "the link is left behind")
        let decoded = try Decode.json([dir + "/tap.pcapng"])
        #expect(decoded.units.map(\.text) == ["+STARTUP"], "\(decoded.units)")
        #expect(r.stdout.contains("\"text\":\"+STARTUP\""), "\(r.stdout)")
    }

    /// The host may close the pty and open it again: the tap reports both and goes on, and
    /// the bytes of both sessions are forwarded and captured, the second session in a section
    /// of its own that libpcap (edm-decode), the stream reader (--follow) and tshark all read.
    @Test func theHostMayReopenThePty() throws {
        let dir = try Tool.temporaryDirectory("reopen")
        let module = try PtyPair(), link = dir + "/host"
        let tap = try Tool.start("edm-decode", ["tap", "--port", module.slavePath, "--link", link, "--no-flow-control",
                                                "-w", dir + "/tap.pcapng"])
        defer { tap.process.terminate() }
        try LiveTapTests.waitFor(link)
        for command in ["AT\r", "AT+GMM\r"] { try Self.hostSession(command, link: link, module: module) }
        tap.process.terminate()
        let r = try tap.finish()
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.components(separatedBy: "the host closed").count == 3, "\(r.stderr)")
        #expect(r.stderr.components(separatedBy: "the host opened").count == 3, "\(r.stderr)")
        let texts = try Decode.json([dir + "/tap.pcapng"]).units.map { "\($0.from) \($0.text ?? "")" }
        #expect(texts == ["host AT", "module OK", "host AT+GMM", "module OK"], "\(texts)")

        let file = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/tap.pcapng")))
        #expect(Self.blockTypes(file).filter { $0 == 0x0A0D_0D0A }.count == 2)
        var importer = PcapngStreamImporter()
        let followed = try importer.consume(file[...]) + importer.finish()
        let followedTexts = followed.map { String(decoding: $0.bytes, as: UTF8.self) }
        #expect(followedTexts == ["AT\r", "\r\nOK\r\n", "AT+GMM\r", "\r\nOK\r\n"])
        if let tshark = which("tshark") {
            let fields = ["-T", "fields", "-e", "frame.section_number"]
            let read = try ExtcapTests.run(tshark, ["-r", dir + "/tap.pcapng"] + fields, environment: [:])
            #expect(read.status == 0 && read.output.split(separator: "\n") == ["1", "1", "2", "2"], "\(read.output)")
        }
    }

    /// The type of each pcapng block in `file` (little-endian, as our writers write).
    static func blockTypes(_ file: [UInt8]) -> [UInt32] {
        var types: [UInt32] = [], at = 0
        func word(_ i: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(file[i + $1]) << (8 * $1) } }
        while file.count - at >= 12 {
            types.append(word(at))
            let length = Int(word(at + 4))
            guard length >= 12 else { break }
            at += length
        }
        return types
    }

    /// Bad option values are usage errors (64) naming the option, before any port is opened.
    @Test(arguments: [
        (["--port", "/dev/null", "--link", "/tmp/x", "--baud", "5"], "--baud"),
        (["--port", "/dev/null", "--link", "/tmp/x", "--duration", "nan"], "--duration"),
        (["--port", "/dev/null", "--link", "/tmp/x", "--duration", "-1"], "--duration"),
        (["--port", "/dev/null"], "--link"),
        (["--link", "/tmp/x", "--host-port", "/dev/null"], "two-wire"),
        (["--host-port", "/dev/ttyS0", "--module-port", "/dev/ttyS0"], "--module-port"),
        (["--port", "/dev/null", "--link", "/tmp/x", "-f", "html"], "-f"),
    ])
    func badOptionsAreUsageErrors(_ arguments: [String], _ named: String) throws {
        let r = try Tool.run("edm-decode", ["tap"] + arguments)
        #expect(r.status == 64, "\(arguments): \(r.stderr)")
        #expect(r.stderr.contains(named), "\(arguments): \(r.stderr)")
    }

    static func waitFor(_ path: String) throws {
        for _ in 0..<100 where (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) == nil {
            Thread.sleep(forTimeInterval: 0.05)
        }
        guard (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) != nil else {
            throw TestFailure("\(path) did not appear")
        }
    }

    /// One session of a host through the tap at `link`: it opens the pty, sends `command`,
    /// which must reach `module`, hears the module's `OK`, and closes the pty again.
    static func hostSession(_ command: String, link: String, module: PtyPair) throws {
        let host = try SerialPort.open(link, hardwareFlowControl: false)
        _ = try host.write(Array(command.utf8), until: .now + .seconds(1))
        #expect(try read(command.utf8.count, from: module) == Array(command.utf8))
        _ = try module.write(Array("\r\nOK\r\n".utf8), until: .now + .seconds(1))
        #expect(try read(6, from: host) == Array("\r\nOK\r\n".utf8))
        host.close()
        Thread.sleep(forTimeInterval: 0.3)
    }

    static func read(_ count: Int, from channel: any ByteChannel) throws -> [UInt8] {
        var got: [UInt8] = []
        let deadline = ContinuousClock.now + .seconds(2)
        while got.count < count, case .bytes(let bytes) = try channel.read(until: deadline, maxCount: count - got.count)
        { got += bytes }
        return got
    }
}
