import Foundation
import Testing

/// `edm-replay diff A B` and `edm-decode -f html --against A B`: the assigned session against
/// each failing scenario's recording names the scenario's cause first; a pair that differs
/// only in timing agrees (exit 0); configuration differences are found, secrets never shown.
@Suite struct SessionDiffTests {
    static let good = "captures/scenarios/assigned.pcapng"

    static func diff(_ a: String, _ b: String) throws -> (status: Int32, object: [String: Any]) {
        let r = try Tool.run("edm-replay", ["diff", a, b, "--format", "json"])
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        return (r.status, try #require(object, "no JSON: \(r.stdout) \(r.stderr)"))
    }

    /// A fresh simulator recording (simulated time: instant).
    static func record(_ scenario: String, _ extra: [String] = []) throws -> String {
        let path = try Tool.temporaryDirectory("diff") + "/\(scenario).pcapng"
        let r = try Tool.run("azure-dps", ["--simulate", scenario, "--offline", "--record", path] + extra)
        #expect(FileManager.default.fileExists(atPath: path), "azure-dps exited \(r.status): \(r.stderr.suffix(300))")
        return path
    }

    /// The scenario's last DPS answer, as edm-decode's summary has it (`status` and `errorCode`).
    static func lastAnswer(_ capture: String) throws -> String? {
        let r = try Tool.run("edm-decode", [capture, "-f", "json"])
        let last = try JSONSerialization.jsonObject(with: Data((r.stdout.split(separator: "\n").last ?? "").utf8))
        guard let dps = ((last as? [String: Any])?["summary"] as? [String: Any])?["dps"] as? [String: Any],
              let status = dps["status"] as? String else { return nil }
        return status + ((dps["errorCode"] as? Int).map { " \($0)" } ?? "")
    }

    /// For each failing scenario, what its first difference must show: the kind, and the key or
    /// outcome of the event on the side that has the cause.
    static let causes: [(scenario: String, kind: String, side: String, field: String, value: String?)] = [
        ("failed", "different_dps_answer", "b", "outcome", nil),
        ("disabled", "different_dps_answer", "b", "outcome", nil),
        ("unauthorized", "different_dps_answer", "b", "outcome", nil),
        ("throttled", "different_dps_answer", "b", "outcome", "error 429001"),
        ("wrong-passphrase", "different_urc", "b", "outcome", "+UUWLD reason 4"),
        ("no-network", "missing_urc", "a", "key", "+UUWLE"),
        ("mqtt-refused", "different_event", "b", "key", "+UUDPD"),
        ("dps-silent", "missing_dps_answer", "a", "kind", "dps_answer"),
        ("reboot", "different_urc", "b", "key", "+STARTUP"),
    ]

    @Test(arguments: causes.map(\.scenario))
    func theFirstDifferenceIsTheScenariosCause(_ scenario: String) throws {
        let cause = try #require(Self.causes.first { $0.scenario == scenario })
        let bad = "captures/scenarios/\(scenario).pcapng"
        let (status, object) = try Self.diff(Self.good, bad)
        #expect(status == 1)
        #expect(object["agree"] as? Bool == false)
        let first = try #require(object["firstDifference"] as? [String: Any], "no first difference")
        #expect(first["kind"] as? String == cause.kind, "\(first)")
        let event = try #require(first[cause.side] as? [String: Any], "no event on side \(cause.side): \(first)")
        // A refusal's cause is the answer DPS gave in the scenario: read from its recording.
        let expected = try cause.value ?? Self.lastAnswer(bad)
        #expect(event[cause.field] as? String == expected, "\(first)")
        // Both sides and the events around it.
        #expect(((first["aContext"] as? [Any])?.count ?? 0) > 1 && ((first["bContext"] as? [Any])?.count ?? 0) > 1)
        let b = try #require(object["b"] as? [String: Any])
        #expect(b["outcome"] as? String != "assigned" || scenario == "throttled")
    }

    @Test func sessionsThatDifferOnlyInTimingAgree() throws {
        let slow = try Self.record("slow")
        let (status, object) = try Self.diff(Self.good, slow)
        #expect(status == 0, "\(object["firstDifference"] ?? "")")
        #expect(object["agree"] as? Bool == true)
        #expect(object["firstDifference"] is NSNull)
        // The latencies still differ, and are listed largest first.
        let steps = try #require(object["steps"] as? [[String: Any]])
        let deltas = steps.compactMap { ($0["delta"] as? NSNumber)?.doubleValue }
        #expect(deltas.count == steps.count && !deltas.isEmpty)
        #expect(deltas.first.map { $0 > 1 } == true, "the slow scenario is slower: \(steps.first ?? [:])")
        #expect(zip(deltas, deltas.dropFirst()).allSatisfy { abs($0) >= abs($1) })
        let text = try Tool.run("edm-replay", ["diff", Self.good, slow])
        #expect(text.status == 0 && text.stdout.contains("agree in meaning"))
    }

    @Test func configurationDifferencesAreFoundAndSecretsNeverShown() throws {
        let dir = try Tool.temporaryDirectory("diff-config")
        let secret = "hunter2-\(UUID().uuidString.prefix(8))"
        try Data(secret.utf8).write(to: URL(fileURLWithPath: dir + "/pass.txt"))
        let other = try Self.record(
            "assigned", ["--ssid", "other-lab", "--passphrase-file", dir + "/pass.txt", "--record-secrets"])
        let (status, object) = try Self.diff(Self.good, other)
        #expect(status == 1)
        let settings = try #require(object["configuration"] as? [[String: Any]])
        let ssid = settings.first { $0["name"] as? String == "SSID" }
        #expect(ssid?["b"] as? String == "other-lab")
        #expect(settings.contains { $0["name"] as? String == "Wi-Fi passphrase" })
        for format in ["text", "json"] {
            let r = try Tool.run("edm-replay", ["diff", Self.good, other, "--format", format])
            #expect(!r.stdout.contains(secret), "\(format) shows the passphrase")
        }
        let html = try HTMLReportTests.report(["--against", Self.good, other])
        #expect(!html.html.contains(secret))
    }

    @Test func unreadableInputsExit65Or66() throws {
        #expect(try Tool.run("edm-replay", ["diff", Self.good, "/nonexistent/x.pcapng"]).status == 66)
        let junk = try Tool.temporaryFile("junk-\(UUID().uuidString).pcapng", Data([0x0A, 0x0D, 0x0D, 0x0A, 1, 2, 3]))
        #expect(try Tool.run("edm-replay", ["diff", junk, Self.good]).status == 65)
    }

    @Test func theHTMLReportShowsTheComparisonSideBySide() throws {
        let bad = "captures/scenarios/unauthorized.pcapng"
        let (_, object) = try Self.diff(Self.good, bad)
        let message = try #require((object["firstDifference"] as? [String: Any])?["message"] as? String)
        let (_, html) = try HTMLReportTests.report(["--against", Self.good, bad])
        #expect(html.contains("<div class=\"panel comparison bad\">"))
        #expect(html.contains(HTMLReportTests.escapeForTest(message)))
        #expect(HTMLReportTests.count("<tr class=\"hit\">", in: html) == 2, "the difference on both sides")
        let same = try HTMLReportTests.report(["--against", Self.good, try Self.record("slow")]).html
        #expect(same.contains("The sessions agree in meaning."))
        #expect(try Tool.run("edm-decode", ["--against", Self.good, bad, "-f", "json"]).status == 64)
    }
}
