import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Input edm-decode cannot decode: one clear line on standard error, the documented exit
/// status (64 usage, 65 unreadable or unrecognised, 66 missing), never a crash; and a huge
/// file of noise decodes in flat memory.
@Suite struct EDMDecodeBadInputTests {
    static func file(_ name: String, _ bytes: [UInt8]) throws -> String {
        try Tool.temporaryFile("\(UUID().uuidString)-\(name)", Data(bytes))
    }

    /// Runs edm-decode and checks the status and that standard error is one `edm-decode:` line
    /// holding every one of `words`.
    @discardableResult
    static func expectFailure(_ arguments: [String], status: Int32, _ words: [String], stdin: Data? = nil,
                              sourceLocation: SourceLocation = #_sourceLocation) throws -> Tool.Result {
        let r = try Tool.run("edm-decode", arguments, stdin: stdin)
        #expect(r.status == status, "exit \(r.status), expected \(status): \(r.stderr)", sourceLocation: sourceLocation)
        let lines = r.stderr.split(separator: "\n")
        #expect(
            lines.count == 1 && r.stderr.hasPrefix("edm-decode: "), "stderr: \(r.stderr)",
            sourceLocation: sourceLocation)
        for word in words {
            #expect(r.stderr.contains(word), "stderr lacks '\(word)': \(r.stderr)", sourceLocation: sourceLocation)
        }
        return r
    }

    static func seededBytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
    }

    // MARK: 65: unreadable or unrecognised

    @Test func anEmptyFile() throws {
        let empty = try Self.file("empty.txt", [])
        try Self.expectFailure([empty], status: 65, [empty, "empty"])
        try Self.expectFailure([empty, "--from", "module"], status: 65, ["empty"])
        try Self.expectFailure([empty, "--input-format", "socat"], status: 65, ["socat", "empty"])
        try Self.expectFailure(["-"], status: 65, ["empty"], stdin: Data())
    }

    /// Our own pcap and pcapng cut short (a recording whose writer died): the packets before
    /// the cut are decoded and summarised, with a warning naming the packet where it broke at
    /// its place, in the transcript and the JSON summary. Cut anywhere, never an error.
    @Test(arguments: ["pcap", "pcapng"])
    func aTruncatedCapture(format: String) throws {
        let whole = try Self.file("whole.\(format)", [])
        #expect(
            try Tool.run(
                "edm-decode", ["--host", Reference.host, "--module", Reference.module, "-f", format, "-o", whole]
            ).status == 0)
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: whole)))
        for fraction in [0.2, 0.5, 2.0 / 3, 0.99] {
            let cut = try Self.file("cut.\(format)", Array(bytes[..<Int(Double(bytes.count) * fraction)]))
            let json = try Tool.run("edm-decode", [cut, "-f", "json"])
            let lines = json.stdout.split(separator: "\n")
            #expect(json.status == 0 && lines.count > 5, "\(fraction): exit \(json.status) \(json.stderr)")
            let summary = try #require(
                lines.last.flatMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] })
            let notes = ((summary["summary"] as? [String: Any])?["import"] as? [[String: Any]]) ?? []
            #expect(
                notes.contains {
                    $0["code"] as? String == "truncated"
                        && ($0["message"] as? String)?.contains("inside packet") == true
                },
                "\(fraction): \(lines.last ?? "")")
            let transcript = try Tool.run("edm-decode", [cut, "-f", "transcript", "--color", "never"])
            let text = transcript.stdout.split(separator: "\n")
            let at = try #require(
                text.firstIndex { $0.contains("warning: the capture ends inside packet") }, "\(transcript.stdout)")
            #expect(
                transcript.status == 0
                    && text[(at + 1)...].contains {
                        $0.hasPrefix("Session:") || $0.contains("Outcome") || $0.contains("Duration")
                    },
                "the summary follows the warning:\n\(transcript.stdout)")
        }
        // Cut inside the file header: not a capture at all.
        let header = try Self.file("header.\(format)", Array(bytes[..<10]))
        try Self.expectFailure([header], status: 65, [header])
    }

    /// A capture whose importer notes every line keeps the summary small: the first thousand
    /// notes are listed, the rest counted by code (`import_more`); the transcript still shows
    /// each at its place.
    @Test func thousandsOfImportNotesAreCounted() throws {
        let log = try String(contentsOfFile: Tool.root + "/" + Reference.log, encoding: .utf8)
        let chatter = (1...2500).map { "com44 status line \($0)\n" }.joined()
        let file = try Self.file("chatty.log", Array((chatter + log).utf8))
        // (So many lines before the first timestamp hide the format from detection.)
        let r = try Tool.run("edm-decode", [file, "--input-format", "azure-dps-log", "-f", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let original = try Tool.run("edm-decode", [Reference.log, "-f", "json"])
        let notesInLog = 2500 + original.stdout.components(separatedBy: "\"code\":\"note\"").count - 1
        let last = try #require(r.stdout.split(separator: "\n").last)
        let summary = try #require(
            (try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])?["summary"] as? [String: Any])
        let listed = (summary["import"] as? [[String: Any]]) ?? []
        let more = (summary["import_more"] as? [String: Int]) ?? [:]
        #expect(listed.count == 1000, "\(listed.count) notes listed")
        #expect(listed.filter { $0["code"] as? String == "note" }.count + (more["note"] ?? 0) == notesInLog, "\(more)")
        let transcript = try Tool.run(
            "edm-decode", [file, "--input-format", "azure-dps-log", "-f", "transcript", "--color", "never"])
        #expect(transcript.stdout.components(separatedBy: "not part of the serial session").count - 1 == notesInLog)

        // Memory stays flat: 100,000 noted lines take what 2,500 take (each was kept to the end:
        // 111 MB for 200,000 before).
        let many = try Self.file(
            "chattier.log", Array(((1...100_000).map { "com44 status line \($0)\n" }.joined() + log).utf8))
        let few = try Measured.run(
            "edm-decode", [file, "--input-format", "azure-dps-log", "-f", "json", "-o", "/dev/null"])
        let lots = try Measured.run(
            "edm-decode", [many, "--input-format", "azure-dps-log", "-f", "json", "-o", "/dev/null"])
        #expect(few.status == 0 && lots.status == 0 && few.peakRSSKB > 1024, "\(lots.stderr)")
        #expect(
            lots.peakRSSKB - few.peakRSSKB < 4 * 1024,
            "peak RSS \(few.peakRSSKB) KB for 2,500 notes, \(lots.peakRSSKB) KB for 100,000")
    }

    @Test func binaryGarbageNamesTheFormatsTried() throws {
        let garbage = try Self.file("garbage.bin", Self.seededBytes(4096, seed: 7))
        try Self.expectFailure(
            [garbage], status: 65,
            [
                garbage, "matches no known capture format",
                "pcap, pcapng, socat, jpnevulator, interceptty, slsnif, "
                    + "azure-dps-log, saleae-csv, sigrok-jsontrace, hex",
                "--input-format"
            ])
        // Named as a format it is not.
        try Self.expectFailure([garbage, "--input-format", "pcap"], status: 65, [garbage, "not a readable pcap"])
        try Self.expectFailure(
            [garbage, "--input-format", "hex"], status: 65, ["hex dump", "line 1", "not a hex digit"])
    }

    @Test func textOfAnotherKind() throws {
        // A CSV, but not a Saleae export (no start_time and data columns).
        let csv = try Self.file("table.csv", Array("id,name,price\n1,widget,2.50\n2,gadget,3.10\n".utf8))
        try Self.expectFailure([csv], status: 65, [csv, "matches no known capture format"])
        try Self.expectFailure([csv, "--input-format", "saleae-csv"], status: 65, ["Saleae", "line 1", "start_time"])
        // Prose.
        try Self.expectFailure(["README.md"], status: 65, ["README.md", "matches no known capture format"])
        // socat -v without -x: detected as socat, refused as lossy.
        let lossy = try Self.file(
            "socat-v.txt", Array("> 2026/11/28 07:54:14.000425418  length=5 from=0 to=4\nATO2\r\n--\n".utf8))
        try Self.expectFailure([lossy], status: 65, ["socat", "line 2", "socat -x -v"])
        // A socat block whose offsets skip bytes.
        let gap = try Self.file("socat-gap.txt", Array("""
            > 2026/11/28 07:54:14.000425418  length=2 from=0 to=1
             41 54                                            AT
            --
            > 2026/11/28 07:54:14.100425418  length=2 from=5 to=6
             4f 32                                            O2
            --

            """.utf8))
        try Self.expectFailure([gap], status: 65, ["socat", "line 4", "missing"])
    }

    @Test func aDirectoryIsUnreadable() throws {
        try Self.expectFailure(["captures"], status: 65, ["captures"])
    }

    // MARK: 66: missing

    @Test func missingFiles() throws {
        try Self.expectFailure(["no-such-capture.log"], status: 66, ["no-such-capture.log", "No such file"])
        try Self.expectFailure(
            ["--host", "no-such-host.bin", "--module", Reference.module], status: 66, ["no-such-host.bin"])
        try Self.expectFailure(
            ["--host", Reference.host, "--module", "no-such-module.bin"], status: 66, ["no-such-module.bin"])
        try Self.expectFailure([Reference.log, "no-such-second.log", "-f", "json"], status: 66, ["no-such-second.log"])
    }

    // MARK: 64: usage

    @Test func usageErrors() throws {
        let cases: [([String], String)] = [
            ([], "Nothing to decode"),
            (["--host", Reference.host], "--host and --module go together"),
            ([Reference.log, "--host", Reference.host, "--module", Reference.module], "not both"),
            ([Reference.log, "-f", "yaml"], "yaml"),
            ([Reference.log, "--input-format", "wav"], "wav"),
            ([Reference.log, "--from", "both"], "both"),
            ([Reference.log, "--no-such-option"], "no-such-option"),
        ]
        for (arguments, word) in cases {
            let r = try Tool.run("edm-decode", arguments)
            #expect(r.status == 64, "\(arguments): exit \(r.status)")
            #expect(r.stderr.contains(word) && r.stderr.contains("Usage: edm-decode"), "\(arguments): \(r.stderr)")
        }
        // A pcap can only be read from a file (libpcap), not from standard input.
        let pcap = try Data(contentsOf: URL(fileURLWithPath: Tool.root + "/wireshark/testdata/session.pcap"))
        try Self.expectFailure(["-"], status: 64, ["standard input"], stdin: pcap)
    }

    // MARK: Flat memory

    /// Peak RSS of a decode of N MB of random bytes (default 64; `EDM_BIG_INPUT_MB` to change):
    /// exit 0, under 64 MB, and no more than a 1 MB decode's plus 8 MB. The debug build the
    /// tests run decodes noise to JSON at about 1.5 MB/s, so the 1 GB figure comes from
    /// Benchmarks/decode-bench.sh (release build).
    @Test func aLargeFileOfRandomBytesDecodesInFlatMemory() throws {
        let megabytes = Int(ProcessInfo.processInfo.environment["EDM_BIG_INPUT_MB"] ?? "") ?? 64
        let small = try Self.randomFile(megabytes: 1)
        let large = try Self.randomFile(megabytes: megabytes)
        defer { unlink(small); unlink(large) }
        let arguments = ["--input-format", "raw", "--from", "module", "-f", "json", "-o", "/dev/null"]
        let base = try Measured.run("edm-decode", [small] + arguments)
        let big = try Measured.run("edm-decode", [large] + arguments)
        #expect(base.status == 0 && big.status == 0, "\(big.stderr)")
        #expect(base.peakRSSKB > 1024 && big.peakRSSKB > 1024, "the child's memory was read")
        #expect(big.peakRSSKB < 64 * 1024, "peak RSS \(big.peakRSSKB) KB decoding \(megabytes) MB")
        #expect(
            big.peakRSSKB - base.peakRSSKB < 8 * 1024,
            "peak RSS grew from \(base.peakRSSKB) KB (1 MB) to \(big.peakRSSKB) KB (\(megabytes) MB)")
        print(
            "edm-decode, \(megabytes) MB of random bytes to JSON: \(big.peakRSSKB / 1024) MB peak "
                + "RSS (1 MB: \(base.peakRSSKB / 1024) MB), \(String(format: "%.1f", big.seconds)) s"
        )
    }

    /// --host/--module streams both files: 1,000 sessions back to back (6.4 MB) take no more
    /// memory than 200 (reading both files whole would take about three times their size
    /// more). Both runs are long enough to fill the queue between the two threads, so what is
    /// compared is growth with the input, not that fixed amount.
    @Test func aLargeRawPairDecodesInFlatMemory() throws {
        let host = Array(try Data(contentsOf: URL(fileURLWithPath: Tool.root + "/" + Reference.host)))
        let module = Array(try Data(contentsOf: URL(fileURLWithPath: Tool.root + "/" + Reference.module)))
        func run(sessions: Int, output: String) throws -> Measured {
            let bigHost = try Self.file(
                "host-x\(sessions).bin", Array([[UInt8]](repeating: host, count: sessions).joined()))
            let bigModule = try Self.file(
                "module-x\(sessions).bin", Array([[UInt8]](repeating: module, count: sessions).joined()))
            defer {
                unlink(bigHost)
                unlink(bigModule)
            }
            return try Measured.run(
                "edm-decode", ["--host", bigHost, "--module", bigModule, "-f", "json", "-o", output])
        }
        let json = try Self.file("x1000.json", [])
        defer { unlink(json) }
        let fewer = try run(sessions: 200, output: "/dev/null"), many = try run(sessions: 1000, output: json)
        #expect(fewer.status == 0 && many.status == 0, "\(many.stderr)")
        #expect(fewer.peakRSSKB > 1024 && many.peakRSSKB - fewer.peakRSSKB < 4 * 1024,
                "peak RSS \(fewer.peakRSSKB) KB for 200 sessions, \(many.peakRSSKB) KB for 1,000")
        let summary = try String(contentsOfFile: json, encoding: .utf8).split(separator: "\n").last ?? ""
        #expect(
            summary.hasPrefix("{\"summary\":{\"outcome\":\"assigned\"") && summary.contains("\"units\":60000,"),
            "\(summary.prefix(200))")
    }

    /// Random bytes written a megabyte at a time, from a seed (the file is the same every run).
    static func randomFile(megabytes: Int) throws -> String {
        let path = try file("random-\(megabytes)MB.bin", [])
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var chunk = [UInt64](repeating: 0, count: 1 << 17) // 1 MB
        for _ in 0..<megabytes {
            for i in chunk.indices {
                state &+= 0x9E37_79B9_7F4A_7C15 // SplitMix64
                var z = state
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                chunk[i] = z ^ (z >> 31)
            }
            try handle.write(contentsOf: chunk.withUnsafeBytes { Data($0) })
        }
        return path
    }
}

/// A child run with posix_spawn, its peak RSS read from /proc/PID/status (VmHWM, the high-water
/// mark of its own memory after exec) every 10 ms until it exits; reaped with wait4.
///
/// Not ru_maxrss: getrusage(RUSAGE_CHILDREN) mixes in every other child the test runner waited
/// for, and even wait4's own rusage of this child counts the memory it had before exec, which
/// after posix_spawn (vfork-like) is the test runner's (about 35 MB, whatever the tool does).
struct Measured {
    var status: Int32
    var peakRSSKB: Int
    var seconds: Double
    var stderr: String

    static func run(_ tool: String, _ arguments: [String]) throws -> Measured {
        let path = Tool.buildDirectory.appendingPathComponent(tool).path
        let errPath = try Tool.temporaryFile("measured-\(UUID().uuidString).err", Data())
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_TRUNC, 0)
        // A clean signal mask and default SIGPIPE, whatever the test runner's threads set.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), pipe = sigset_t()
        sigemptyset(&none)
        sigemptyset(&pipe)
        sigaddset(&pipe, SIGPIPE)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &pipe)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let start = Date()
        let spawned = posix_spawn(&pid, path, &actions, &attributes, argv, environ)
        guard spawned == 0 else { throw TestFailure("posix_spawn \(path): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        var usage = rusage()
        var peak = 0
        while true {
            let reaped = wait4(pid, &status, WNOHANG, &usage)
            if reaped == pid { break }
            if reaped < 0, errno != EINTR { throw TestFailure("wait4: \(String(cString: strerror(errno)))") }
            peak = max(peak, highWaterMarkKB(pid, name: tool) ?? 0)
            usleep(10_000)
        }
        let seconds = Date().timeIntervalSince(start)
        // Exited normally: the low 7 bits are 0 and the status is in the next byte; else a signal.
        let code = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return Measured(status: code, peakRSSKB: peak, seconds: seconds,
                        stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }

    /// `VmHWM:     25228 kB` of /proc/PID/status, once the process runs the tool (before its
    /// exec the child still shares the test runner's memory).
    static func highWaterMarkKB(_ pid: pid_t, name: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              status.hasPrefix("Name:\t\(name.prefix(15))\n") else { return nil }
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return nil }
        return Int(line.dropFirst(6).trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "")
    }
}
