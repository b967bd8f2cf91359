import Foundation
import Testing

@Suite struct EDMDecodeToolTests {
    let host = "captures/reference-session-host.bin", module = "captures/reference-session-module.bin"

    @Test func decodesARawPairToATranscript() throws {
        let r = try Tool.run("edm-decode", ["--host", host, "--module", module, "-f", "transcript"])
        #expect(r.status == 0)
        #expect(
            r.stdout.contains(
                "<- edm Data event ch0 (peer 2), 467 bytes — DPS: assigned to "
                    + "leoDPS.azure-devices.net as ninadps (initialAssignment)"
            ))
        #expect(r.stdout.contains("Outcome: assigned. Assigned to leoDPS.azure-devices.net as device ninadps."))
        // The passphrase is redacted by default, with its length kept.
        #expect(r.stdout.contains("AT+UWSC=0,8,******** — ") && !r.stdout.contains("PASSWORD"))
        #expect(!r.stdout.contains("\u{1B}["), "no colour when not on a terminal")
    }

    @Test func jsonLinesEndWithTheSummary() throws {
        let r = try Tool.run("edm-decode", ["--host", host, "--module", module, "-f", "json"])
        #expect(r.status == 0)
        let lines = r.stdout.split(separator: "\n")
        let objects = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        let summary = try #require(objects.last?["summary"] as? [String: Any])
        #expect(summary["outcome"] as? String == "assigned")
        #expect((summary["dps"] as? [String: Any])?["assignedHub"] as? String == "leoDPS.azure-devices.net")
        let units = objects.dropLast()
        #expect(
            units.allSatisfy {
                ["host", "module", "unknown"].contains($0["from"] as? String) && $0["layer"] != nil && $0["type"] != nil
                    && $0["time"] is NSNumber
            })
        let assigned = units.first { ($0["dps"] as? [String: Any])?["status"] as? String == "assigned" }
        #expect(
            assigned?["type"] as? String == "data_event" && assigned?["channel"] as? Int == 0
                && assigned?["peer"] as? Int == 2)
        // Byte-identical from run to run.
        #expect(
            try Tool.run("edm-decode", ["--host", host, "--module", module, "-f", "json"]).stdoutBytes == r.stdoutBytes)
    }

    /// JSON lines are written by two threads taking alternate batches, and each session's
    /// summary by a third from what the lines return: one capture decoded 40 times over (40
    /// sessions, 2,240 units) must give 40 copies of its decode on its own.
    @Test func jsonOfManySessionsIsEachSessionsOwn() throws {
        let capture = "captures/azure-dps-example-session.pcapng"
        let one = try Tool.run("edm-decode", [capture, "-f", "json"])
        let many = try Tool.run("edm-decode", Array(repeating: capture, count: 40) + ["-f", "json"])
        #expect(one.status == 0 && many.status == 0)
        #expect(one.stdout.hasSuffix("\n") && one.stdout.contains(#""outcome":"assigned""#))
        #expect(many.stdoutBytes == Data(Array(repeating: one.stdoutBytes, count: 40).joined()))
    }

    @Test func noRedactShowsTheSecret() throws {
        let r = try Tool.run("edm-decode", ["--host", host, "--module", module, "-f", "transcript", "--no-redact"])
        #expect(r.stdout.contains("AT+UWSC=0,8,PASSWORD"))
    }

    @Test func missingFileIs66() throws {
        let r = try Tool.run("edm-decode", ["no-such-capture.bin"])
        #expect(r.status == 66)
        #expect(r.stderr.contains("no-such-capture.bin") && r.stderr.contains("No such file"))
    }

    @Test func usageErrorsAre64() throws {
        #expect(try Tool.run("edm-decode", []).status == 64)
        #expect(try Tool.run("edm-decode", ["--host", host]).status == 64)
        #expect(try Tool.run("edm-decode", ["x", "-f", "yaml"]).status == 64)
    }

    @Test func aDirectoryIsUnreadable65() throws {
        let r = try Tool.run("edm-decode", ["captures"])
        #expect(r.status == 65 && r.stderr.contains("captures"))
    }

    @Test func standardInputWorks() throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: Tool.root + "/" + module))
        let r = try Tool.run("edm-decode", ["-", "--from", "module", "-f", "json"], stdin: bytes)
        #expect(r.status == 0 && r.stdout.contains("\"type\":\"data_event\""))
    }

    /// Progress goes to standard error: by default only on a terminal (so not here), with
    /// `--progress` as plain lines ending at 100%; the output is the same either way.
    @Test func progressWhenAskedOnStandardError() throws {
        let inputs = [Reference.log, "captures/scenarios/assigned.pcapng"]
        let quiet = try Tool.run("edm-decode", inputs + ["-f", "json"])
        #expect(quiet.status == 0 && quiet.stderr.isEmpty)
        let sizes = try inputs.map {
            try FileManager.default.attributesOfItem(atPath: Tool.root + "/" + $0)[.size] as! Int
        }
        let total = sizes.reduce(0, +)
        let r = try Tool.run("edm-decode", inputs + ["-f", "json", "--progress"])
        #expect(r.status == 0 && r.stdoutBytes == quiet.stdoutBytes)
        let lines = r.stderr.split(separator: "\n")
        #expect(
            lines.count >= 2 && lines.allSatisfy { $0.hasPrefix("edm-decode: ") && $0.contains("MB/s") }, "\(r.stderr)")
        try #require((10_000..<1_000_000).contains(total))  // shown in whole kB
        #expect(
            lines.last?.hasPrefix("edm-decode: \(total / 1000) of \(total / 1000) kB (100%), ") == true, "\(r.stderr)")

        let pair = try Tool.run("edm-decode", ["--host", host, "--module", module, "-f", "json", "--progress"])
        #expect(
            pair.status == 0 && pair.stderr.split(separator: "\n").last?.contains("(100%)") == true, "\(pair.stderr)")
        #expect(try Tool.run("edm-decode", inputs + ["-f", "json", "--no-progress"]).stderr.isEmpty)

        // A capture cut short is read to the cut: progress reaches its end, and the cut is a
        // note of the output, not an error.
        let whole = try Data(contentsOf: URL(fileURLWithPath: Tool.root + "/captures/scenarios/assigned.pcapng"))
        let cut = try Tool.temporaryFile("progress-cut-\(UUID().uuidString).pcapng", whole.prefix(6000))
        defer { unlink(cut) }
        let cutShort = try Tool.run("edm-decode", [cut, "-f", "json", "--progress"])
        let messages = cutShort.stderr.split(separator: "\n")
        #expect(
            cutShort.status == 0 && messages.allSatisfy { $0.contains("kB (") }
                && messages.last?.contains("(100%)") == true,
            "\(cutShort.stderr)")
        #expect(cutShort.stdout.contains("\"code\":\"truncated\""), "\(cutShort.stdout.suffix(400))")
    }

    @Test func helpExplainsFormatsAndExitCodes() throws {
        let r = try Tool.run("edm-decode", ["--help"])
        #expect(r.status == 0)
        for word in ["transcript", "json", "mermaid", "--no-redact", "--progress", "65  unreadable", "66  missing"] {
            #expect(r.stdout.contains(word), "help lacks \(word)")
        }
    }
}

@Suite struct EDMDecodeOutputTests {
    @Test func anOutputThatCannotBeCreatedIs73() throws {
        let r = try Tool.run(
            "edm-decode", ["captures/azure-dps-example-session.log", "-f", "json", "-o", "/nonexistent-dir/out.jsonl"])
        #expect(r.status == 73 && r.stderr.contains("/nonexistent-dir/out.jsonl"), "\(r.stderr)")
    }

    /// An output that is one of the inputs (by name or through a link) is refused before
    /// anything is opened: the capture stays as it was.
    @Test func anOutputThatIsAnInputIsRefused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("edm-decode-same-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let capture = dir + "/session.pcapng", link = dir + "/link.pcapng"
        try FileManager.default.copyItem(atPath: Tool.root + "/captures/scenarios/assigned.pcapng", toPath: capture)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: capture)
        let before = try Data(contentsOf: URL(fileURLWithPath: capture))
        for output in [capture, link] {
            let r = try Tool.run("edm-decode", [capture, "-f", "pcapng", "-o", output])
            #expect(r.status == 64 && r.stderr.contains("is the input \(capture)"), "\(r.stderr)")
        }
        let pair = try Tool.run("edm-decode", ["--host", capture, "--module", Reference.module, "-o", link])
        #expect(pair.status == 64)
        #expect(try Data(contentsOf: URL(fileURLWithPath: capture)) == before)
    }

    /// The writing side fails while the decoding side still reads: it stops too, and the
    /// exit status says the output was the problem.
    @Test func anOutputThatCannotBeWrittenIs74() throws {
        for format in ["json", "pcapng"] {
            let r = try Tool.run("edm-decode", ["captures/scenarios/assigned.pcapng", "-f", format, "-o", "/dev/full"])
            #expect(r.status == 74 && r.stderr.contains("No space left on device"), "\(format): \(r.stderr)")
        }
    }
}
