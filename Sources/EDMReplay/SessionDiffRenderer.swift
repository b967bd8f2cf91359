import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis
import EDMRender
import EDMProvisioning

/// A `SessionDiff` as `edm-replay diff` prints it (text, or one JSON object: docs/json-contract.md)
/// and as the HTML report's comparison section shows it (`edm-decode -f html --against`).
public struct SessionDiffRenderer: Sendable {
    public let diff: SessionDiff
    /// The two inputs as given.
    public let a: String, b: String
    /// Latencies listed, per step and per request.
    public static let latenciesShown = 10

    public init(_ diff: SessionDiff, a: String, b: String) {
        self.diff = diff
        self.a = a
        self.b = b
    }

    // MARK: Text

    public var text: String {
        var out = ["A: \(a)", "B: \(b)", ""]
        if let first = diff.first {
            out.append("First difference (step \(first.step)): \(first.kind): \(first.message)")
            for (side, events, hit) in [("A", first.aContext, first.a), ("B", first.bContext, first.b)] {
                out.append("  \(side):")
                if events.isEmpty { out.append("     (no events)") }
                for e in events { out.append("  \(e == hit ? ">" : " ") " + Self.line(e)) }
            }
        } else {
            out.append("No difference in meaning: the same events in the same steps with the same replies.")
        }
        out.append("")
        out.append("Latency by step (A -> B, largest difference first):")
        out += Self.latencyLines(diff.steps.prefix(Self.latenciesShown))
        out.append("Latency by request (largest \(Self.latenciesShown) differences):")
        out += Self.latencyLines(diff.requests.prefix(Self.latenciesShown))
        out.append("")
        out.append("Configuration on the wire:" + (diff.settings.isEmpty ? " the same" : ""))
        for s in diff.settings { out.append("  \(s.name): \(s.a ?? "(not sent)") (A), \(s.b ?? "(not sent)") (B)") }
        out.append("")
        out.append("Outcome A: \(diff.a.summary.outcome.label). \(diff.a.summary.sentence)")
        out.append("Outcome B: \(diff.b.summary.outcome.label). \(diff.b.summary.sentence)")
        out.append(diff.agrees ? "The sessions agree in meaning." : "The sessions differ.")
        return out.joined(separator: "\n")
    }

    /// `    25.726 #44 -> DPS: register ninadps (442 ms: DPS: assigning, …)`.
    static func line(_ e: SessionDiff.Event) -> String {
        secondsText(e.time) + " #\(e.unit) \(e.kind == .request ? "->" : "<-") " + describe(e)
    }

    /// The event's text, and a request's reply with its latency.
    static func describe(_ e: SessionDiff.Event) -> String {
        guard e.kind == .request else { return e.text }
        return e.text + " (" + (e.latency.map { milliseconds($0) + ": " } ?? "") + (e.reply ?? e.outcome) + ")"
    }

    private static func secondsText(_ d: Duration) -> String {
        let t = seconds(d)
        return String(repeating: " ", count: max(0, 10 - t.count)) + t
    }

    private static func latencyLines(_ list: ArraySlice<SessionDiff.Latency>) -> [String] {
        guard !list.isEmpty else { return ["  (none on both sides)"] }
        return list.map { l in
            let sign = l.delta < .zero ? "-" : "+"
            return "  \(l.name): \(milliseconds(l.a)) -> \(milliseconds(l.b)) (\(sign)\(milliseconds(l.size)))"
        }
    }

    // MARK: JSON

    public var json: String {
        var out = JSONWriter()
        out.openObject()
        for (key, path, profile) in [("a", a, diff.a), ("b", b, diff.b)] {
            out.key(text: key)
            out.openObject()
            out.key("trace"); out.string(path)
            out.key("outcome"); out.string(profile.summary.outcome.name)
            if let network = profile.summary.outcome.network { out.key("network"); out.string(network) }
            out.key("reason"); out.string(profile.summary.sentence)
            out.key("events"); out.int(profile.events.count)
            out.key("duration"); out.seconds(profile.summary.duration)
            out.closeObject()
        }
        out.key("agree"); out.bool(diff.agrees)
        out.key("firstDifference")
        if let first = diff.first {
            out.openObject()
            out.key("kind"); out.string(first.kind)
            out.key("step"); out.string(first.step)
            out.key("message"); out.string(first.message)
            if let e = first.a { out.key("a"); Self.write(e, into: &out) }
            if let e = first.b { out.key("b"); Self.write(e, into: &out) }
            for (key, events) in [("aContext", first.aContext), ("bContext", first.bContext)] {
                out.key(text: key)
                out.openArray()
                for e in events { Self.write(e, into: &out) }
                out.closeArray()
            }
            out.closeObject()
        } else {
            out.null()
        }
        for (key, list) in [("steps", diff.steps), ("requests", diff.requests)] {
            out.key(text: key)
            out.openArray()
            for l in list {
                out.openObject()
                out.key("name"); out.string(l.name)
                out.key("step"); out.string(l.step)
                out.key("a"); out.seconds(l.a)
                out.key("b"); out.seconds(l.b)
                out.key("delta"); out.seconds(l.delta)
                out.closeObject()
            }
            out.closeArray()
        }
        out.key("configuration")
        out.openArray()
        for s in diff.settings {
            out.openObject()
            out.key("name"); out.string(s.name)
            out.key("a"); if let v = s.a { out.string(v) } else { out.null() }
            out.key("b"); if let v = s.b { out.string(v) } else { out.null() }
            out.closeObject()
        }
        out.closeArray()
        out.closeObject()
        return String(decoding: out.bytes, as: UTF8.self)
    }

    static func write(_ e: SessionDiff.Event, into out: inout JSONWriter) {
        out.openObject()
        out.key("kind"); out.string(e.kind.rawValue)
        out.key("step"); out.string(e.step)
        out.key("key"); out.string(e.key)
        out.key("outcome"); out.string(e.outcome)
        out.key("text"); out.string(e.text)
        if let reply = e.reply { out.key("reply"); out.string(reply) }
        out.key("unit"); out.int(e.unit)
        out.key("time"); out.seconds(e.time)
        if let latency = e.latency { out.key("latency"); out.seconds(latency) }
        out.closeObject()
    }

    // MARK: HTML

    /// The comparison section of the report of session B.
    public var html: String {
        func esc(_ s: String) -> String { HTMLText.escape(s) }
        var s = "<div class=\"panel comparison \(diff.agrees ? "good" : "bad")\"><h3>Compared with "
            + "<span class=\"text\">\(esc(a))</span> (A; this capture is B)</h3>"
        s += "<p class=\"agreement\">\(diff.agrees ? "The sessions agree in meaning." : "The sessions differ.")</p>"
        if let first = diff.first {
            s += "<p class=\"first\"><b>First difference</b> (step \(esc(first.step))): \(esc(first.kind)): "
                + "\(esc(first.message))</p><div class=\"sides\">"
            for (side, events, hit) in [("A", first.aContext, first.a), ("B", first.bContext, first.b)] {
                s += "<table><thead><tr><th colspan=\"3\">\(side)</th></tr></thead><tbody>"
                for e in events {
                    s += "<tr\(e == hit ? " class=\"hit\"" : "")><td>\(seconds(e.time))</td><td>#\(e.unit)</td>"
                        + "<td class=\"text\">\(e.kind == .request ? "-&gt;" : "&lt;-") \(esc(Self.describe(e)))"
                        + "</td></tr>"
                }
                if events.isEmpty { s += "<tr><td colspan=\"3\">(no events)</td></tr>" }
                s += "</tbody></table>"
            }
            s += "</div>"
        }
        s += "<div class=\"sides\">"
        for (title, list) in [("Latency by step", diff.steps), ("Latency by request", diff.requests)] {
            s += "<table><thead><tr><th>\(title)</th><th>A</th><th>B</th><th>B − A</th></tr></thead><tbody>"
            for l in list.prefix(Self.latenciesShown) {
                s += "<tr><td class=\"text\">\(esc(l.name))</td><td>\(milliseconds(l.a))</td>"
                    + "<td>\(milliseconds(l.b))</td>"
                    + "<td>\(l.delta < .zero ? "−" : "+")\(milliseconds(l.size))</td></tr>"
            }
            s += "</tbody></table>"
        }
        s += "</div><table><thead><tr><th>Configuration on the wire</th><th>A</th><th>B</th></tr></thead><tbody>"
        if diff.settings.isEmpty { s += "<tr><td colspan=\"3\">the same</td></tr>" }
        for setting in diff.settings {
            s += "<tr><td>\(esc(setting.name))</td><td class=\"text\">\(esc(setting.a ?? "(not sent)"))</td>"
                + "<td class=\"text\">\(esc(setting.b ?? "(not sent)"))</td></tr>"
        }
        s += "</tbody></table><div class=\"sides\">"
        for (side, profile) in [("A", diff.a), ("B", diff.b)] {
            s += "<p><b>Outcome \(side): \(esc(profile.summary.outcome.label))</b>. "
                + "\(esc(profile.summary.sentence))</p>"
        }
        return s + "</div></div>\n"
    }
}
