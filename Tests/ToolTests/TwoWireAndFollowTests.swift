import EDMKit
import EDMKitIO
import Foundation
import Testing

/// The reference session played turn by turn through a tap and to a two-wire sniffer (two
/// ptys, one per line), and `edm-decode --follow` on captures that grow while it reads.
@Suite struct TwoWireAndFollowTests {
    /// Both wirings capture the units the raw pair decodes to, in the order they were played.
    @Test func twoWireGivesTheUnitsOfTheTap() throws {
        let expected = try Reference.pair().units
        let turns = Reference.turns(expected)
        let dir = try Tool.temporaryDirectory("two-wire")

        let module = try PtyPair(), link = dir + "/host"
        let tap = try Tool.start("edm-decode", ["tap", "--port", module.slavePath, "--link", link, "--no-flow-control",
                                                "-w", dir + "/tap.pcapng", "--no-redact"])
        defer { tap.process.terminate() }
        try LiveTapTests.waitFor(link)
        let host = try SerialPort.open(link, hardwareFlowControl: false)
        for turn in turns {
            let (from, to): (any ByteChannel, any ByteChannel) = turn.host ? (host, module) : (module, host)
            _ = try from.write(turn.bytes, until: .now + .seconds(2))
            #expect(try LiveTapTests.read(turn.bytes.count, from: to) == turn.bytes)
        }
        host.close()
        tap.process.terminate()
        #expect(try tap.finish().status == 0)

        let hostLine = try PtyPair()
        let moduleLine = try PtyPair()
        let sniffer = try Tool.start(
            "edm-decode",
            [
                "tap", "--host-port", hostLine.slavePath, "--module-port", moduleLine.slavePath,
                "--no-flow-control", "-w", dir + "/two-wire.pcapng", "--no-redact", "-f", "json"
            ])
        defer { sniffer.process.terminate() }
        try Self.waitForText("listening on", in: sniffer.err)
        for turn in turns {
            _ = try (turn.host ? hostLine : moduleLine).write(turn.bytes, until: .now + .seconds(2))
            Thread.sleep(forTimeInterval: 0.005) // (a turn is read and reported before the next one's line speaks)
        }
        Thread.sleep(forTimeInterval: 0.3)
        sniffer.process.terminate()
        let sniffed = try sniffer.finish()
        #expect(sniffed.status == 0, "\(sniffed.stderr)")

        let tapped = try Decode.json([dir + "/tap.pcapng", "--no-redact"]).units
        let wired = try Decode.json([dir + "/two-wire.pcapng", "--no-redact"]).units
        let played = turns.flatMap(\.units)
        #expect(Self.difference(tapped, played) == nil, "the tap against the turns played")
        #expect(Self.difference(wired, tapped) == nil, "two-wire against the tap")
        // The live JSON Lines are the capture's units too.
        let live = sniffed.stdout.split(separator: "\n").filter { $0.hasPrefix("{\"index\"") }
        #expect(live.count == wired.count, "\(live.count) live units, \(wired.count) in the capture")
    }

    /// A pcapng and a socat log appended to in small pieces while `--follow` reads them give
    /// the unit lines `edm-decode` gives for the finished file.
    @Test(arguments: ["pcapng", "socat"])
    func followDecodesAGrowingFile(_ format: String) throws {
        let whole: [UInt8] = format == "pcapng"
            ? Array(try Data(contentsOf: URL(fileURLWithPath: Tool.root + "/captures/scenarios/assigned.pcapng")))
            : Capture.socat(Reference.turns(try Reference.pair().units))
        let dir = try Tool.temporaryDirectory("follow")
        let path = dir + "/growing." + format
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let follower = try Tool.start("edm-decode", ["--follow", path, "-f", "json"])
        defer { follower.process.terminate() }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        let pieces = stride(from: 0, to: whole.count, by: 997).map { whole[$0..<min(whole.count, $0 + 997)] }
        for piece in pieces {
            try handle.write(contentsOf: piece)
            Thread.sleep(forTimeInterval: 0.003)
        }
        try handle.close()
        Thread.sleep(forTimeInterval: 0.5)
        // Units of the finished file show before the signal: only an unfinished one waits for it.
        let early = try String(contentsOf: follower.out, encoding: .utf8).split(separator: "\n").count
        follower.process.terminate()
        let followed = try follower.finish()
        #expect(followed.status == 0, "\(followed.stderr)")
        let finished = try Tool.run("edm-decode", [path, "-f", "json"])
        let units = { (text: String) in text.split(separator: "\n").filter { $0.hasPrefix("{\"index\"") } }
        #expect(units(followed.stdout) == units(finished.stdout))
        #expect(units(finished.stdout).count > 20)
        #expect(early >= units(finished.stdout).count - 1, "\(early) lines before the signal")
        #expect(followed.stdout.split(separator: "\n").last?.hasPrefix("{\"summary\"") == true)
    }

    @Test func followRefusesWhatItCannotFollow() throws {
        for (arguments, named) in [
            (["--follow", "a", "b"], "one capture file"), (["--follow", "-"], "one capture file"),
            (["--follow", "x.pcapng", "-f", "html"], "-f json")
        ] {
            let r = try Tool.run("edm-decode", arguments)
            #expect(r.status == 64 && r.stderr.contains(named), "\(arguments): \(r.stderr)")
        }
        let missing = try Tool.run("edm-decode", ["--follow", "/nonexistent/capture.pcapng"])
        #expect(missing.status == 66, "\(missing.stderr)")
    }

    /// Where two unit lists first differ (with the units around it), or nil when they agree.
    static func difference(_ a: [DecodedUnit], _ b: [DecodedUnit]) -> String? {
        guard
            let i = zip(a, b).enumerated().first(where: { $0.element.0.key != $0.element.1.key })?.offset
                ?? (a.count == b.count ? nil : min(a.count, b.count))
        else { return nil }
        let around = max(0, i - 2)..<(i + 3)
        return "unit \(i) of \(a.count)/\(b.count): \(a[around.clamped(to: a.indices)].map(\.description)) "
            + "vs \(b[around.clamped(to: b.indices)].map(\.description))"
    }

    static func waitForText(_ text: String, in file: URL) throws {
        for _ in 0..<100 {
            if let got = try? String(contentsOf: file, encoding: .utf8), got.contains(text) { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw TestFailure("\(text) never appeared in \(file.path)")
    }
}
