import Foundation
import Testing

/// One provisioning session, the reference raw pair, written in every input format edm-decode
/// reads: each file decodes (format detected, unless it cannot be) to the units of the raw pair,
/// with the capture's directions and, where it has them, its times.
@Suite struct EDMDecodeFormatTests {
    /// Writes a capture to a fresh temporary file and returns its path.
    static func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        try Tool.temporaryFile("\(UUID().uuidString)-\(name)", Data(bytes))
    }

    /// Decodes `file` and checks its units against the raw pair's, in the same order, and
    /// the times against `times` (microseconds), which the capture was written with.
    static func check(_ file: String, _ extra: [String] = [], format: String, times: ([Turn]) -> [Int64],
                      sourceLocation: SourceLocation = #_sourceLocation) throws -> (Decoded, [Turn]) {
        let pair = try Reference.pair()
        let decoded = try Decode.json([file, "--no-redact"] + extra)
        expectSameUnits(decoded.units, pair.units, format, sourceLocation: sourceLocation)
        let turns = Reference.turns(pair.units)
        expectTimes(decoded.units, times(turns), format, sourceLocation: sourceLocation)
        #expect(decoded.summary["outcome"] as? String == "assigned", sourceLocation: sourceLocation)
        return (decoded, turns)
    }

    static func turns() throws -> [Turn] { Reference.turns(try Reference.pair().units) }

    // MARK: Raw bytes

    @Test func theRawPairIsTheSessionLosslessly() throws {
        let pair = try Reference.pair()
        for side in ["host", "module"] {
            let file = try Data(
                contentsOf: URL(fileURLWithPath: Tool.root + "/" + (side == "host" ? Reference.host : Reference.module))
            )
            #expect(pair.units.filter { $0.from == side }.flatMap(\.bytes) == Array(file), "\(side) bytes")
        }
        // Rebuilt order: every reply comes after its request, as the decoder links them.
        #expect(pair.units.count == 60)
        #expect(pair.units.map(\.micros) == pair.units.map(\.micros).sorted())
        #expect(Set(pair.units.map(\.from)) == ["host", "module"])
        #expect(Reference.turns(pair.units).count >= 30)
    }

    /// One raw file of one side (`--from`): the same units as that side of the pair, except
    /// what only the other side can tell (below).
    @Test func aSingleRawFileGivesThatSidesUnits() throws {
        let pair = try Reference.pair()
        let host = try Decode.json([Reference.host, "--from", "host", "--no-redact"])
        expectSameUnits(host.units, pair.units.filter { $0.from == "host" }, "raw host")
        // Synthetic time, 1 µs per byte: a unit is at the start of the 4096-byte record that completes it.
        func synthetic(_ units: [DecodedUnit]) -> [Int64] {
            units.map { Int64(($0.offset + $0.hex.count / 2 - 1) / 4096 * 4096) }
        }
        #expect(host.units.map(\.micros) == synthetic(host.units))
        #expect(host.units.last!.micros == 4096)

        let module = try Decode.json([Reference.module, "--from", "module", "--no-redact"])
        let expected = pair.units.filter { $0.from == "module" }
        // The module's echo of AT+USECMNG stands for the host's: its +USECMNG: lines are
        // responses still. Without its AT+CPWROFF the reboot's noise after EDM mode reads as
        // broken frames. The bytes are all there.
        let reboot = try #require(expected.lastIndex { $0.type == "at_confirmation" }) + 1
        #expect(expected.filter { $0.type == "response" }.count == 3)
        expectSameUnits(Array(module.units.prefix(reboot)), Array(expected[..<reboot]), "raw module")
        #expect(module.units.flatMap(\.bytes) == expected.flatMap(\.bytes), "module bytes")
        #expect(module.units.allSatisfy { $0.from == "module" } && host.units.allSatisfy { $0.from == "host" })
        #expect(module.units.map(\.micros) == synthetic(module.units))
    }

    @Test func aHexDumpIsTheSameAsItsRawFile() throws {
        for side in ["host", "module"] {
            let path = side == "host" ? Reference.host : Reference.module
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: Tool.root + "/" + path)))
            let dump = try Self.write("\(side).hex", Capture.hexDump(bytes))
            let raw = try Decode.json([path, "--from", side, "--no-redact"])
            let hex = try Decode.json([dump, "--from", side, "--no-redact"]) // detected as hex, not read as raw text
            expectSameUnits(hex.units, raw.units, "hex \(side)")
            #expect(hex.units.map(\.micros) == raw.units.map(\.micros))
            // Without --from the side is unknown, and the bytes are the same.
            let unknown = try Decode.json([dump, "--no-redact"])
            #expect(unknown.units.allSatisfy { $0.from == "unknown" } && unknown.units.flatMap(\.bytes) == bytes)
        }
    }

    /// `xxd` and `hexdump -C` output, made here by the tools themselves: detected as hex
    /// dumps, offsets and the ASCII column left out, the same units as the raw file.
    @Test(arguments: [["xxd"], ["xxd", "-g1", "-c", "32"], ["xxd", "-u", "-g4"], ["hexdump", "-C"]])
    func aToolsHexDumpIsTheSameAsItsRawFile(_ command: [String]) throws {
        // A run of equal lines shows hexdump's `*`.
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: Tool.root + "/" + Reference.module)))
            + [UInt8](repeating: 0x2E, count: 80) + [0x41]
        let input = try Self.write("module.bin", bytes)
        guard let dump = try Self.output(of: command + [input]) else {
            print("\(command[0]) is not installed: skipped")
            return
        }
        if command[0] == "hexdump" { #expect(String(decoding: dump, as: UTF8.self).contains("\n*\n")) }
        let path = try Self.write("module.dump", dump)
        let fromDump = try Decode.json([path, "--from", "module", "--no-redact"])
        let fromRaw = try Decode.json([input, "--from", "module", "--no-redact"])
        expectSameUnits(fromDump.units, fromRaw.units, command.joined(separator: " "))
        #expect(fromDump.units.flatMap(\.bytes) == bytes)
        let detected = try Tool.run("edm-decode", [path, "-f", "json"])
        #expect(detected.status == 0 && !detected.stderr.contains("unrecognized"), "\(detected.stderr)")
    }

    /// The standard output of a command found on PATH, or nil when it is not installed.
    static func output(of command: [String]) throws -> [UInt8]? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        let out = try Tool.temporaryFile("\(UUID().uuidString)-dump", Data())
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return Array(try Data(contentsOf: URL(fileURLWithPath: out)))
    }

    // MARK: The azure_dps.py log

    @Test func anAzureDPSLogOfTheSession() throws {
        // The log cannot show boot noise or a connect event's addresses: the session it can
        // carry is the pair without them, decoded from its raw bytes like the others.
        let pair = try Reference.pair()
        let (hostBytes, moduleBytes) = Capture.azureRepresentable(pair.units)
        let host = try Self.write("host.bin", hostBytes), module = try Self.write("module.bin", moduleBytes)
        let expected = try Decode.json(["--host", host, "--module", module, "--no-redact"])
        #expect(expected.units.count == pair.units.count - 3, "three noise units left out")
        let turns = Reference.turns(expected.units)
        let log = try Self.write("session.log", Capture.azureDPSLog(turns))
        let decoded = try Decode.json([log, "--no-redact"])
        expectSameUnits(decoded.units, expected.units, "azure-dps-log")
        expectTimes(decoded.units, ExpectedTimes.perTurn(turns, resolution: 1_000_000), "azure-dps-log")
        #expect(decoded.summary["outcome"] as? String == "assigned")
        // Nothing rebuilt differs from what was written: only the three header lines are notes,
        // and the connect events say their zeros are guesses.
        let notes = decoded.importNotes
        #expect(notes.filter { $0.code == "note" }.map(\.line) == [1, 2, 3])
        #expect(notes.filter { $0.code == "guessed" }.count == 2)
        #expect(!notes.contains { ["length_mismatch", "elided", "unrecognized_line"].contains($0.code) })
    }

    // MARK: Relays and sniffers

    @Test func socat() throws {
        let file = try Self.write("socat.txt", Capture.socat(try Self.turns()))
        let (decoded, _) = try Self.check(file, format: "socat", times: { ExpectedTimes.perTurn($0) })
        #expect(!decoded.importNotes.contains { $0.code == "timestamp_repaired" })
    }

    /// socat 1.7.4 prints microseconds where the nanoseconds go (`.000251234` for 251.234 ms):
    /// read as printed, every sub-second part would shrink a thousandfold.
    @Test func socat174MicrosecondBugIsCorrected() throws {
        let file = try Self.write("socat174.txt", Capture.socat(try Self.turns(), v174: true))
        let (decoded, turns) = try Self.check(file, format: "socat 1.7.4", times: { ExpectedTimes.perTurn($0) })
        #expect(decoded.importNotes.contains { $0.code == "timestamp_repaired" && $0.line == 1 })
        #expect(decoded.units.last!.micros == turns.last!.time / 1000 && decoded.units.last!.micros > 8_000_000)
    }

    @Test func interceptty() throws {
        let file = try Self.write("interceptty.txt", Capture.interceptty(try Self.turns()))
        _ = try Self.check(file, format: "interceptty", times: ExpectedTimes.synthetic)
    }

    /// slsnif's timestamps are whole seconds (its millisecond field is unreliable): units
    /// keep the order of the file and the second of their block.
    @Test func slsnif() throws {
        let file = try Self.write("slsnif.txt", Capture.slsnif(try Self.turns()))
        let (decoded, _) = try Self.check(
            file, format: "slsnif", times: { ExpectedTimes.perTurn($0, resolution: 1_000_000_000) })
        #expect(decoded.importNotes.contains { $0.code == "timestamp_imprecise" })
    }

    @Test func jpnevulator() throws {
        let file = try Self.write("jpnevulator.txt", Capture.jpnevulator(try Self.turns()))
        _ = try Self.check(file, format: "jpnevulator", times: { ExpectedTimes.perTurn($0) })
    }

    // MARK: Logic analyzers: a time per byte

    @Test func saleaeCSV() throws {
        let file = try Self.write("saleae.csv", Capture.saleae(try Self.turns()))
        _ = try Self.check(file, format: "saleae-csv", times: ExpectedTimes.perByte)
    }

    @Test func sigrokJSONTrace() throws {
        let file = try Self.write("sigrok.json", Capture.sigrok(try Self.turns()))
        _ = try Self.check(file, format: "sigrok-jsontrace", times: ExpectedTimes.perByte)
    }

    // MARK: pcap

    @Test(arguments: [Capture.Bridge.cp210x, .ftdi])
    func usbmonCaptureOfABridge(bridge: Capture.Bridge) throws {
        let file = try Self.write("usb-\(bridge).pcap", Capture.usbmon(try Self.turns(), bridge: bridge))
        _ = try Self.check(file, format: "usbmon \(bridge)", times: { ExpectedTimes.perTurn($0) })
    }

    /// What the reader notices on the capture's last packets still reaches the summary, also
    /// when the serial bytes before them fill a whole batch of reading (64 KB): here 70 KB of
    /// module output close the session, then comes another device's bulk traffic.
    @Test func aNoteOnTheLastPacketIsKept() throws {
        var file = Capture.usbmon(try Self.turns(), bridge: .cp210x)
        var other = Capture.urb(type: "C", transfer: 3, endpoint: 0x81, data: Array("other device".utf8))
        other[11] = 9  // usbmon header: the device address
        let big = Capture.urb(
            type: "C", transfer: 3, endpoint: 0x81, data: Array(repeating: UInt8(ascii: "x"), count: 70_000))
        for (i, packet) in [big, other].enumerated() {
            for field in [UInt32(Reference.startSeconds + 60 + Int64(i)), 0, UInt32(packet.count), UInt32(packet.count)]
            {
                file += (0..<4).map { UInt8((field >> (8 * UInt32($0))) & 0xFF) }
            }
            file += packet
        }
        let decoded = try Decode.json([try Self.write("usb-then-other.pcap", file)])
        let messages = ((decoded.summary["import"] as? [[String: Any]]) ?? []).compactMap { $0["message"] as? String }
        #expect(messages.contains { $0.contains("device 1.9 skipped") }, "\(messages)")
    }

    /// What edm-decode writes for Wireshark reads back as the same units at the same times.
    @Test(arguments: ["pcap", "pcapng"])
    func ourOwnCapture(format: String) throws {
        let file = try Self.write("session.\(format)", [])
        let written = try Tool.run(
            "edm-decode",
            ["--host", Reference.host, "--module", Reference.module, "--no-redact", "-f", format, "-o", file])
        #expect(written.status == 0 && written.stdout.isEmpty, "\(written.stderr)")
        let pair = try Reference.pair()
        let decoded = try Decode.json([file, "--no-redact"])
        expectSameUnits(decoded.units, pair.units, format)
        #expect(decoded.units.map(\.micros) == pair.units.map(\.micros), "the pair's (synthetic) times come back")
        #expect(decoded.summary["outcome"] as? String == "assigned")
        // Redacted by default: the passphrase's bytes are starred in the file, lengths kept.
        let redacted = try Self.write("redacted.\(format)", [])
        #expect(
            try Tool.run(
                "edm-decode", ["--host", Reference.host, "--module", Reference.module, "-f", format, "-o", redacted]
            ).status == 0)
        let starred = try Decode.json([redacted, "--no-redact"])
        #expect(starred.units.map(\.hex.count) == pair.units.map(\.hex.count))
        #expect(!starred.units.flatMap(\.bytes).containsSequence(Array("PASSWORD".utf8)))
        #expect(pair.units.flatMap(\.bytes).containsSequence(Array("PASSWORD".utf8)))
    }
}

extension Array where Element == UInt8 {
    func containsSequence(_ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, count >= needle.count else { return needle.isEmpty }
        return (0...(count - needle.count)).contains { self[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}
