import Foundation
import Testing

/// azure-dps writes its verdict as the recording's last packet (`ucx_verdict`): a run that
/// ended early says how it ended, and edm-decode and the dissector show it. Replay reads the
/// same recording as before (the verdict holds no serial bytes).
@Suite struct RecordedVerdictTests {
    @Test(arguments: [
        ("assigned", "assigned", 0), ("dps-silent", "timed_out", 3), ("wrong-passphrase", "network_error", 5)
    ])
    func theRecordingEndsWithTheVerdict(scenario: String, outcome: String, exit: Int) throws {
        let dir = try Tool.temporaryDirectory("verdict-\(scenario)")
        let path = "\(dir)/run.pcapng"
        let run = try Tool.run("azure-dps", ["--simulate", scenario, "--simulate-speed", "20", "--record", path])
        #expect(run.status == Int32(exit), "\(run.stderr)")
        let transcript = try Tool.run("edm-decode", [path, "-f", "transcript", "--color", "never"])
        let said = "note: the recording's verdict: azure-dps "
        let line = try #require(
            transcript.stdout.split(separator: "\n").first { $0.contains(said) }, "\(transcript.stdout.suffix(600))")
        #expect(line.contains(": \(outcome): ") && line.hasSuffix("(exit \(exit))"), "\(line)")
        let json = try Tool.run("edm-decode", [path, "-f", "json"])
        #expect(json.stdout.split(separator: "\n").last?.contains("\"code\":\"verdict\"") == true)
        let replay = try Tool.run("edm-replay", ["check", path])
        #expect(replay.status == 0, "\(replay.stdout)")
        if which("tshark") != nil {
            let shown = try DissectorMeaningTests.tshark(
                path, ["-Y", "ucx_verdict", "-T", "fields", "-e", "ucx_verdict.text"])
            #expect(shown.count == 1 && shown.first?.contains(": \(outcome): ") == true, "\(shown)")
        }
    }
}
