import Foundation
import Testing

/// `edm-decode -f mermaid` gives valid Mermaid for every input: each line one sequence-diagram
/// statement, text escaped, long text wrapped with `<br/>` and never cut. (@mermaid-js is not
/// installed offline, so the grammar the renderer uses is checked here.)
@Suite struct MermaidOutputTests {
    static let inputs: [[String]] = UniqueJSONKeyTests.captures.map { [$0] } + [
        ["--host", Reference.host, "--module", Reference.module],
        [Reference.module, "--from", "module"],
    ]

    static let statement = try! NSRegularExpression(
        pattern:
            #"^(sequenceDiagram|    participant [HMD] as \w+|    [HMD]-{1,"#
                + #"2}>>[HMD]: .+|    Note over [HMD](,[HMD])?: .+)$"#
    )

    /// The text of a statement as written before escaping and wrapping.
    static func plainText(_ line: String) -> String? {
        guard let colon = line.range(of: ": ") else { return nil }
        var text = String(line[colon.upperBound...]).replacingOccurrences(of: "<br/>", with: "")
        for (entity, c) in [("#60;", "<"), ("#59;", ";"), ("#35;", "#")] {
            text = text.replacingOccurrences(of: entity, with: c)
        }
        return text
    }

    @Test(arguments: inputs)
    func everyLineIsAMermaidStatement(_ input: [String]) throws {
        let r = try Tool.run("edm-decode", input + ["-f", "mermaid", "--no-redact"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        #expect(lines.first == "sequenceDiagram")
        for line in lines {
            let range = NSRange(line.startIndex..., in: line)
            #expect(Self.statement.firstMatch(in: line, range: range) != nil, "not a statement: \(line)")
            guard line.contains(": ") else { continue }
            let body = String(line[line.range(of: ": ")!.upperBound...])
            #expect(!body.contains("…"), "cut: \(line)")
            // Markup and entities are only those the renderer writes.
            let stripped = body.replacingOccurrences(of: "<br/>", with: "").replacingOccurrences(
                of: #"#\d+;"#, with: "", options: .regularExpression)
            #expect(!stripped.contains(";") && !stripped.contains("#") && !stripped.contains("<"), "unescaped: \(line)")
            // Wrapped pieces are at most 72 characters (entities counted as written).
            for piece in body.components(separatedBy: "<br/>") {
                let width = piece.replacingOccurrences(of: #"#\d+;"#, with: "x", options: .regularExpression).count
                #expect(width <= 72, "piece of \(width) characters: \(piece)")
            }
        }
        // All the text is there: every host AT line the JSON shows appears whole.
        let json = try Tool.run("edm-decode", input + ["-f", "json", "--no-redact"])
        let texts = json.stdout.split(separator: "\n").compactMap { line -> String? in
            guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                o["from"] as? String == "host"
            else { return nil }
            return o["text"] as? String
        }
        let plain = lines.compactMap(Self.plainText).joined(separator: "\n")
        for text in texts { #expect(plain.contains(text), "missing: \(text)") }
    }

    @Test func theUDCPURLAndTheOutcomeAreWhole() throws {
        let r = try Tool.run("edm-decode", [Reference.log, "-f", "mermaid"])
        let plain = r.stdout.split(separator: "\n").compactMap { Self.plainText(String($0)) }
        #expect(
            plain.contains {
                $0.contains("user=0ne0067E45C/registrations/ninadps/api-version=2019-03-31")
                    && $0.hasSuffix("privKey=key.pem")
            })
        #expect(
            plain.contains("Outcome: assigned. Assigned to leoDPS.azure-devices.net as device ninadps."),
            "\(plain.suffix(2))")
        #expect(r.stdout.contains("<br/>"))
    }
}
