import Foundation
import Testing

/// Every JSON object the tools print has unique keys (docs/json-contract.md): readers such as
/// jq keep only one of two equal keys, so a duplicate loses a value.
@Suite struct UniqueJSONKeyTests {
    static let captures: [String] = {
        let fm = FileManager.default
        return ["captures", "captures/scenarios"].flatMap { dir in
            ((try? fm.contentsOfDirectory(atPath: Tool.root + "/" + dir)) ?? [])
                .filter { $0.hasSuffix(".log") || $0.hasSuffix(".pcapng") }.sorted().map { dir + "/" + $0 }
        }
    }()

    @Test func theCheckerRejectsADuplicateKey() {
        #expect(throws: StrictJSON.Failure.self) {
            try StrictJSON.check(#"{"fields":{"name":"+USECMNG","name":"ca.pem"}}"#)
        }
        #expect(throws: StrictJSON.Failure.self) { try StrictJSON.check(#"[{"a":1},{"b":2,"b":3}]"#) }
        #expect(throws: StrictJSON.Failure.self) { try StrictJSON.check(#"{"a":1"#) }
        #expect(throws: Never.self) { try StrictJSON.check(#"{"a":{"a":1},"b":[{"a":"\"a"}],"c":-1.5e3,"d":null}"#) }
    }

    @Test(arguments: captures)
    func decodedLinesHaveUniqueKeys(_ capture: String) throws {
        for redaction in [[], ["--no-redact"]] {
            try expectUniqueKeys("edm-decode", [capture, "-f", "json"] + redaction)
        }
        try expectUniqueKeys("edm-replay", ["check", capture, "--format", "json"])
    }

    @Test func rawCapturesHaveUniqueKeys() throws {
        try expectUniqueKeys(
            "edm-decode", ["--host", Reference.host, "--module", Reference.module, "-f", "json", "--no-redact"])
        try expectUniqueKeys("edm-decode", [Reference.module, "--from", "module", "-f", "json"])
    }

    @Test func theCredentialNameHasItsOwnKey() throws {
        let r = try Tool.run("edm-decode", [Reference.log, "-f", "json"])
        let line = try #require(
            r.stdout.split(separator: "\n").first { $0.contains(#""text":"AT+USECMNG=0,0,ca.pem,1261""#) })
        #expect(
            line.contains(
                #""fields":{"name":"+USECMNG","operation":"0","type":"0","credential":"ca.pem","size":"1261"}"#),
            "\(line)")
    }

    private func expectUniqueKeys(_ tool: String, _ arguments: [String]) throws {
        let r = try Tool.run(tool, arguments)
        let lines = r.stdout.split(separator: "\n")
        #expect(!lines.isEmpty, "\(tool) \(arguments): no output; \(r.stderr)")
        for (n, line) in lines.enumerated() {
            do { try StrictJSON.check(String(line)) } catch {
                Issue.record(
                    "\(tool) \(arguments.joined(separator: " ")), line \(n + 1): \(error)\n\(line.prefix(300))")
            }
        }
    }
}
