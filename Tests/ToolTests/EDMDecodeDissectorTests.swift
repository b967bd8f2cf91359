import Foundation
import Testing

/// wireshark/ucx_edm.lua on the pcap and pcapng edm-decode writes, through
/// wireshark/check-dissector.sh: the rows of `tshark -T fields -e ucx_edm.type -e ucx_edm.at
/// -e json.value.string` (Tests/ToolTests/Golden/dissector-session.rows), `-Y 'ucx_edm.type ==
/// 0x0031'` selecting exactly the data events, both directions, and one malformed frame with
/// expert info. Skipped, with the reason in the test report, only where tshark is missing.
@Suite(.enabled(if: which("tshark") != nil, "tshark is not installed: the dissector is not checked (CI installs it)"))
struct EDMDecodeDissectorTests {
    static let rows = Tool.root + "/Tests/ToolTests/Golden/dissector-session.rows"

    /// The reference module stream with one malformed frame after its first EDM `OK`: a
    /// connect event of unknown connect type 9 (well framed, so it is written as `ucx_edm`).
    static func moduleWithMalformedFrame() throws -> String {
        let module = Array(try Data(contentsOf: URL(fileURLWithPath: Tool.root + "/" + Reference.module)))
        let ok: [UInt8] = [0xAA, 0x00, 0x08, 0x00, 0x45, 0x0D, 0x0A, 0x4F, 0x4B, 0x0D, 0x0A, 0x55]
        let at = try #require((0...(module.count - ok.count)).first { module[$0..<($0 + ok.count)].elementsEqual(ok) })
            + ok.count
        let bad: [UInt8] = [0xAA, 0x00, 0x04, 0x00, 0x11, 0x00, 0x09, 0x55]
        return try Tool.temporaryFile(
            "module-malformed-\(UUID().uuidString).bin", Data(module[..<at] + bad + module[at...]))
    }

    static func checkDissector(_ file: String, malformed: Int) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Tool.root + "/wireshark/check-dissector.sh")
        process.arguments = [file, rows, String(malformed)]
        process.currentDirectoryURL = URL(fileURLWithPath: Tool.root)
        let out = try Tool.temporaryFile("check-\(UUID().uuidString).txt", Data())
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        try handle.close()
        return (process.terminationStatus, try String(contentsOfFile: out, encoding: .utf8))
    }

    @Test(arguments: ["pcap", "pcapng"])
    func theDissectorReadsOurCapture(format: String) throws {
        let file = try Tool.temporaryFile("session-\(UUID().uuidString).\(format)", Data())
        let written = try Tool.run(
            "edm-decode",
            ["--host", Reference.host, "--module", try Self.moduleWithMalformedFrame(), "-f", format, "-o", file])
        #expect(written.status == 0, "\(written.stderr)")
        let (status, output) = try Self.checkDissector(file, malformed: 1)
        #expect(status == 0, "check-dissector.sh failed:\n\(output)")
        #expect(output.split(separator: "\n").filter { $0.hasPrefix("ok ") }.count == 7, "\(output)")
        #expect(output.contains("rows match") && output.contains("(61 packets)"))
    }

    /// pcapng made from the azure_dps.py log keeps the importer's notes as packet comments
    /// (elided PEM bodies, length mismatches, rebuilt connect events), and a rebuilt connect
    /// event shows no protocol the log does not give.
    @Test func aLogsNotesBecomePacketComments() throws {
        let file = try Tool.temporaryFile("log-\(UUID().uuidString).pcapng", Data())
        #expect(try Tool.run("edm-decode", [Reference.log, "-f", "pcapng", "-o", file]).status == 0)
        func tshark(_ arguments: [String]) throws -> [String] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: which("tshark")!)
            process.arguments = ["-r", file, "-X", "lua_script:" + Tool.root + "/wireshark/ucx_edm.lua"] + arguments
            let out = try Tool.temporaryFile("tshark-\(UUID().uuidString).txt", Data())
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            return try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").map(String.init)
        }
        let comments = try tshark(["-T", "fields", "-e", "frame.comment"]).filter { !$0.isEmpty }
        #expect(comments.filter { $0.contains("credential elided in the log") }.count == 3, "\(comments)")
        #expect(comments.filter { $0.contains("EDM frame declares payload length") }.count == 2, "\(comments)")
        #expect(comments.filter { $0.contains("connect event rebuilt: protocol unknown") }.count == 2, "\(comments)")
        #expect(comments.contains { $0.contains("not part of the serial session") })
        let connects = try tshark(["-Y", "ucx_edm.type == 0x0011"])
        #expect(
            connects.count == 2 && connects.allSatisfy { $0.contains("unknown (rebuilt)") && !$0.contains("TCP") },
            "\(connects)")
    }

    /// The check can fail: the same file against a wrong malformed count, and against rows
    /// that miss the injected frame.
    @Test func theCheckFailsOnAWrongExpectation() throws {
        let file = try Tool.temporaryFile("session-\(UUID().uuidString).pcapng", Data())
        #expect(
            try Tool.run(
                "edm-decode", ["--host", Reference.host, "--module", Reference.module, "-f", "pcapng", "-o", file]
            ).status == 0)
        let (status, output) = try Self.checkDissector(file, malformed: 1)
        #expect(status == 1)
        #expect(
            output.contains("FAIL rows differ")
                && output.contains("FAIL malformed ucx_edm frames: got '0', expected '1'"), "\(output)")
    }
}

/// The full path of a program on PATH, or nil.
func which(_ program: String) -> String? {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
        let path = "\(dir)/\(program)"
        if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    return nil
}
