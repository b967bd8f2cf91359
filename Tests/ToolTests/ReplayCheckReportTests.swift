import Foundation
import Testing

/// What `edm-replay check` and `fuzz` print: PASS or FAIL per trace with the recorded outcome
/// and the units each fault hit, a final count, every trace checked when one is missing,
/// progress as lines on a non-tty, and one outcome vocabulary with azure-dps.
@Suite struct ReplayCheckReportTests {
    static let assigned = "captures/scenarios/assigned.pcapng"
    static let wrongPassphrase = "captures/scenarios/wrong-passphrase.pcapng"

    @Test func aMutatedCheckSaysPassOrFailAndWhatTheFaultsHit() throws {
        let r = try Tool.run(
            "edm-replay", ["check", Self.assigned, "--mutate", "delay:200ms=0.1,drop=0.05", "--seed", "3"])
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(
            lines.first == "\(Self.assigned): strict replay with faults drop=0.05,delay=0.1:200ms, seed 3",
            "\(r.stdout)")
        #expect(
            lines.contains { $0.hasPrefix("  fault at") && $0.contains("drop 12 bytes; hit: AT confirmation OK") },
            "\(r.stdout)")
        #expect(lines.contains("  recorded: assigned"))
        #expect(lines.suffix(2) == ["PASS", "1 passed, 0 failed"], "\(r.stdout)")
        #expect(r.status == 0)
        // An expectation the faulted run does not meet is a FAIL.
        let expecting = try Tool.run(
            "edm-replay", ["check", Self.assigned, "--mutate", "drop=0.05", "--seed", "3", "--expect", "assigned"])
        #expect(
            expecting.status == 1 && expecting.stdout.contains("\nFAIL\n0 passed, 1 failed\n"), "\(expecting.stdout)")
    }

    @Test func aMissingTraceAmongSeveralIsReportedAndTheRestChecked() throws {
        let r = try Tool.run("edm-replay", ["check", Self.assigned, "/nonexistent.pcapng", Self.wrongPassphrase])
        #expect(r.status == 66, "\(r.stderr)")
        #expect(r.stderr.contains("/nonexistent.pcapng"))
        #expect(r.stdout.contains("/nonexistent.pcapng: not checked\nFAIL"))
        #expect(r.stdout.contains(Self.wrongPassphrase) && r.stdout.hasSuffix("2 passed, 1 failed\n"), "\(r.stdout)")
    }

    @Test func fuzzProgressOnALogIsLines() throws {
        let r = try Tool.run("edm-replay", ["fuzz", Self.assigned, "--runs", "150"])
        #expect(r.status == 0)
        #expect(!r.stderr.contains("\r"))
        #expect(r.stderr == "\(Self.assigned): seeds 1 to 100\n\(Self.assigned): seeds 101 to 150\n", "\(r.stderr)")
    }

    /// A check object's `outcome` and `recorded` are in one vocabulary, azure-dps's, as is
    /// edm-decode's summary.
    @Test func oneOutcomeVocabulary() throws {
        let check = try Tool.run("edm-replay", ["check", Self.wrongPassphrase, "--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: check.stdoutBytes) as? [String: Any])
        #expect(
            object["outcome"] as? String == "network_error" && object["recorded"] as? String == "network_error",
            "\(check.stdout)")
        let decoded = try Tool.run("edm-decode", [Self.wrongPassphrase, "-f", "json"])
        #expect(
            decoded.stdout.contains(#"{"summary":{"outcome":"network_error","network":"wifi","#),
            "\(decoded.stdout.suffix(300))")
        let transcript = try Tool.run("edm-decode", [Self.wrongPassphrase, "-f", "transcript"])
        #expect(transcript.stdout.contains("Outcome: network_error (wifi). Wi-Fi link down"))
        let vocabulary = [
            "assigned", "refused", "timed_out", "module_error", "network_error", "serial_error", "cancelled",
            "incomplete"
        ]
        for capture in UniqueJSONKeyTests.captures {
            let r = try Tool.run("edm-decode", [capture, "-f", "json"])
            let summary = try #require(r.stdout.split(separator: "\n").last)
            let outcome =
                (try JSONSerialization.jsonObject(with: Data(summary.utf8)) as? [String: [String: Any]])?["summary"]?[
                    "outcome"] as? String
            #expect(outcome.map(vocabulary.contains) == true, "\(capture): \(outcome ?? "none")")
        }
    }
}
