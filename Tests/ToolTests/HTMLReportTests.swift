import Foundation
import Testing

/// `edm-decode -f html`: one self-contained page. Checked as text (nothing fetched, the diagram
/// wraps without cutting, the verdict is the summary's) and in headless chromium (the script
/// builds the table, a filter in the address hides rows, the page draws).
@Suite(.serialized) struct HTMLReportTests {
    /// The unit lines and the summary of `edm-decode ARGUMENTS -f json`, as objects.
    static func json(_ arguments: [String]) throws -> (units: [[String: Any]], summary: [String: Any]) {
        let r = try Tool.run("edm-decode", arguments + ["-f", "json"])
        guard r.status == 0 else { throw TestFailure("edm-decode exited \(r.status): \(r.stderr)") }
        let objects = try r.stdout.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:]
        }
        guard let summary = objects.last?["summary"] as? [String: Any] else { throw TestFailure("no summary") }
        return (Array(objects.dropLast()), summary)
    }

    /// Writes the report of `arguments` to a file and returns its path and text.
    static func report(_ arguments: [String], name: String = "report") throws -> (path: String, html: String) {
        let path = try Tool.temporaryDirectory("html") + "/\(name).html"
        let r = try Tool.run("edm-decode", arguments + ["-f", "html", "-o", path])
        guard r.status == 0 else { throw TestFailure("edm-decode -f html exited \(r.status): \(r.stderr)") }
        return (path, try String(contentsOfFile: path, encoding: .utf8))
    }

    static func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    static func escapeForTest(_ text: String) -> String {
        var t = text.replacingOccurrences(of: "&", with: "&amp;")
        for (c, entity) in [("<", "&lt;"), (">", "&gt;"), ("\"", "&quot;"), ("'", "&#39;")] {
            t = t.replacingOccurrences(of: c, with: entity)
        }
        return t
    }

    static func unescape(_ text: String) -> String {
        var t = text
        for (entity, c) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")] {
            t = t.replacingOccurrences(of: entity, with: c)
        }
        return t
    }

    /// Element texts matching `pattern` (one capture group), unescaped.
    static func texts(_ pattern: String, in html: String) -> [String] {
        let regex = try! NSRegularExpression(pattern: pattern, options: [.dotMatchesLineSeparators])
        return regex.matches(in: html, range: NSRange(html.startIndex..., in: html)).map {
            unescape(String(html[Range($0.range(at: 1), in: html)!]))
        }
    }

    /// A capture whose text is markup and URLs: none of it may become a tag or a request.
    static func hostileCapture() throws -> String {
        let line = #"AT+UWSC=0,2,<img "#
            + #"src="https://example.invalid/x.png"></script><script>fetch('http://example.invalid/')</script>"#
        return try Tool.temporaryFile("hostile-\(UUID().uuidString).bin", Data((line + "\r\nAT+UWSCA=0,3\r\n").utf8))
    }

    @Test func theVerdictIsTheSummarysAndTheRefusalCarriesAzureDPSAdvice() throws {
        let (_, summary) = try Self.json([Reference.log])
        let (_, html) = try Self.report([Reference.log])
        let reason = try #require(summary["reason"] as? String)
        #expect(Self.texts(#"<p class="reason">(.*?)</p>"#, in: html) == [reason])
        #expect(Self.texts(#"<span class="outcome">(.*?)</span>"#, in: html) == [summary["outcome"] as? String ?? "?"])
        let dps = try #require(summary["dps"] as? [String: Any])
        #expect(Self.texts(#"<dd class="hub">(.*?)</dd>"#, in: html) == [dps["assignedHub"] as? String ?? "?"])
        #expect(Self.texts(#"<dd class="device">(.*?)</dd>"#, in: html) == [dps["deviceId"] as? String ?? "?"])
        // One phase bar per phase of the summary, each with its duration.
        let phases = try #require(summary["phases"] as? [[String: Any]])
        #expect(Self.count("<rect class=\"phase", in: html) == phases.count)

        // azure-dps ends its sentence for a refusal with what to check; the report shows that advice.
        let scenario = "captures/scenarios/unauthorized.pcapng"
        let check = try Tool.run("edm-replay", ["check", scenario, "--format", "json"])
        let object = try JSONSerialization.jsonObject(with: Data(check.stdout.utf8)) as? [String: Any]
        let sentence = try #require(object?["reason"] as? String)
        let advice = Self.texts(#"<p class="advice">(.*?)</p>"#, in: try Self.report([scenario]).html)
        #expect(advice.count == 1)
        #expect(!(advice.first ?? "").isEmpty && sentence.hasSuffix(advice.first ?? "-"), "\(advice) vs \(sentence)")
    }

    @Test func theSequenceDiagramWrapsLongTextAndCutsNone() throws {
        let (units, _) = try Self.json([Reference.log, "--no-redact"])
        let (_, html) = try Self.report([Reference.log, "--no-redact"])
        let svg = try #require(Self.texts(#"(<svg class="sequence".*?</svg>)"#, in: html).first)
        let lines = Self.texts(#"<text class="msg"[^>]*>(.*?)</text>"#, in: svg)
        #expect(lines.count > units.count / 2)
        for line in lines { #expect(line.count <= 72, "a line of \(line.count) characters: \(line)") }
        // Every host AT text appears whole once the wrapped lines are joined.
        let joined = lines.joined()
        let texts = units.filter { $0["from"] as? String == "host" }.compactMap { $0["text"] as? String }
        #expect(texts.contains { $0.count > 72 }, "no long line to wrap in the reference session")
        for text in texts { #expect(joined.contains(text), "missing or cut: \(text)") }
    }

    @Test func thePageFetchesNothing() throws {
        let forbidden = ["src=", "href=", "fetch(", "xmlhttprequest", "<link", "@import", "<iframe", "<img", "<object",
                         "<embed", "websocket", "eventsource", "sendbeacon", "http://", "https://"]
        let reference = try Self.report([Reference.log]).html.lowercased()
        for word in forbidden { #expect(!reference.contains(word), "the reference report contains \(word)") }
        let urls = try NSRegularExpression(pattern: #"url\((?!#)"#)
        #expect(urls.firstMatch(in: reference, range: NSRange(reference.startIndex..., in: reference)) == nil)

        // Capture text that is markup and URLs stays text: no tag comes of it, no script element
        // ends early, and a URL appears only between tags (escaped text), never inside one.
        let hostile = try Self.report([try Self.hostileCapture(), "--from", "host"]).html
        for tag in ["<img", "<script>fetch", "</script><script>"] {
            #expect(!hostile.contains(tag), "\(tag) in the page")
        }
        #expect(Self.count("<script", in: hostile) == Self.count("class=\"edm-data\"", in: hostile) + 1)
        var searched = hostile.startIndex
        while let found = hostile.range(of: "://", range: searched..<hostile.endIndex) {
            let before = hostile[..<found.lowerBound]
            let tagOpen = before.lastIndex(of: "<")
            let tagClose = before.lastIndex(of: ">")
            #expect(
                tagClose != nil && (tagOpen == nil || tagOpen! < tagClose!),
                "a URL inside a tag near \(before.suffix(60))")
            searched = found.upperBound
        }
        #expect(hostile.contains("&lt;img src=&quot;https://example.invalid/x.png&quot;&gt;"))
    }

    @Test func theSameInputGivesTheSameBytes() throws {
        for input in [Reference.log, "captures/scenarios/noisy-line.pcapng"] {
            let a = try Self.report([input], name: "a").html, b = try Self.report([input], name: "b").html
            #expect(a == b, "\(input): two runs differ")
        }
        // Several inputs: a section each, each with its own verdict.
        let two = try Self.report([Reference.log, "captures/scenarios/wrong-passphrase.pcapng"]).html
        #expect(Self.count("<section class=\"session\"", in: two) == 2)
        #expect(Self.texts(#"<span class="outcome">(.*?)</span>"#, in: two) == ["assigned", "network_error (wifi)"])
    }

    @Test(.enabled(if: Browser.path != nil, Browser.missing))
    func theBrowserBuildsTheTableAndAppliesTheFilterInTheAddress() throws {
        let (units, summary) = try Self.json([Reference.log])
        let (path, _) = try Self.report([Reference.log])
        let rows = "<tr class=\"unit"
        let dom = try Browser.dom(path)
        #expect(Self.texts(#"<p class="reason">(.*?)</p>"#, in: dom) == [summary["reason"] as? String ?? "?"])
        #expect(Self.count(rows, in: dom) == summary["units"] as? Int, "rows the script built")
        let notes = (summary["import"] as? [[String: Any]] ?? []).count
        #expect(
            Self.count("<tr class=\"note", in: dom) >= notes - 1 && notes > 0, "the importer's notes, where they occur")

        let host = units.filter { $0["from"] as? String == "host" }.count
        let hostOnly = try Browser.dom(path, fragment: "dir=host")
        #expect(host > 0 && host < units.count)
        #expect(Self.count(rows, in: hostOnly) == host)
        #expect(Self.count("<tr class=\"note", in: hostOnly) == 0)

        let word = "USECMNG"
        let matching = units.filter { unit in
            [unit["text"], unit["explanation"]].compactMap { $0 as? String }.contains { $0.uppercased().contains(word) }
        }.count
        let filtered = try Browser.dom(path, fragment: "filter=\(word.lowercased())")
        #expect(matching > 0 && matching < units.count)
        #expect(Self.count(rows, in: filtered) == matching)
        // The importer's notes stay at their place when the filter's text is theirs, and only then.
        for note in Self.texts(#"<tr class="note[^"]*"><td[^>]*>(.*?)</td>"#, in: filtered) {
            #expect(note.uppercased().contains(word), "a note the filter should hide: \(note)")
        }

        // The hostile capture's markup is shown as text, and its rows are all there.
        let capture = try Self.hostileCapture()
        let hostile = try Self.report([capture, "--from", "host"], name: "hostile").path
        let hostileDOM = try Browser.dom(hostile)
        #expect(!hostileDOM.contains("<img"))
        #expect(Self.count(rows, in: hostileDOM) == (try Self.json([capture, "--from", "host"])).units.count)
        #expect(hostileDOM.contains("&lt;img src=\"https://example.invalid/x.png\"&gt;"))
    }

    @Test(.enabled(if: Browser.path != nil, Browser.missing))
    func theScreenshotIsNotBlank() throws {
        let (path, _) = try Self.report([Reference.log])
        let dir = try Tool.temporaryDirectory("shots")
        let blank = dir + "/blank.html"
        try Data("<!DOCTYPE html><html><body></body></html>".utf8).write(to: URL(fileURLWithPath: blank))
        try Browser.screenshot(path, to: dir + "/report.png", width: 1280, height: 1600)
        try Browser.screenshot(blank, to: dir + "/blank.png", width: 1280, height: 1600)
        let report = try Data(contentsOf: URL(fileURLWithPath: dir + "/report.png"))
        let empty = try Data(contentsOf: URL(fileURLWithPath: dir + "/blank.png"))
        let size = try #require(PNG.size(report), "not a PNG")
        #expect(size.width == 1280 && size.height == 1600)
        // A page of one colour compresses to almost nothing; text, bars and arrows do not.
        #expect(report.count > 8 * empty.count, "report \(report.count) bytes, blank page \(empty.count)")
    }
}
