import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis
import EDMRender
import EDMProvisioning
import EDMModel

/// The report of `edm-replay check`, as text for people and as one JSON object for scripts.
public struct ReplayReportRenderer: Sendable {
    public var report: ReplayCheck.Report
    /// The outcome the user expects (`--expect`), by `ProvisioningOutcome.name`.
    public var expectation: String?

    public init(report: ReplayCheck.Report, expectation: String? = nil) {
        self.report = report
        self.expectation = expectation
    }

    /// The replayed outcome is what was expected (or, without `--expect`, what the recording shows).
    public var outcomeMatches: Bool {
        if let expectation { return report.run.outcome.name == expectation }
        return report.outcomeMatchesRecording
    }

    public var passed: Bool { outcomeMatches && report.divergence == nil }

    public func text(trace: String) -> String {
        let c = report.configuration
        var out = [
            "\(trace): \(report.mode.rawValue) replay",
            "  configuration: registration id \(c.registrationID.isEmpty ? "?" : c.registrationID), id scope "
                + "\(c.idScope.isEmpty ? "?" : c.idScope), SSID \(c.ssid.isEmpty ? "?" : c.ssid), credentials "
                + "\(c.credentials.map { "\($0.name) (\($0.size) bytes)" }.joined(separator: ", "))",
            "  outcome: \(report.run.outcome.sentence) (exit \(report.run.outcome.exitCode))"
        ]
        if let expectation {
            out.append("  expected: \(expectation) — \(outcomeMatches ? "matches" : "DOES NOT MATCH")")
        } else {
            out.append("  recorded: \(report.recorded.label) — \(outcomeMatches ? "matches" : "DOES NOT MATCH")")
        }
        if let d = report.divergence {
            out.append("  divergence at \(seconds(d.time)) s: \(d.message)")
            out.append("    recorded: " + describe(d.expected))
            out.append("    replayed: " + describe(d.actual))
            if !d.context.isEmpty {
                out.append("    before it:")
                for unit in d.context {
                    out.append(
                        "      \(seconds(unit.time)) \(unit.direction?.arrow ?? "??") \(UnitDescription(unit).summary)")
                }
            }
        } else {
            out.append("  divergence: none")
        }
        if !report.synthesized.isEmpty {
            out.append(
                "  modelled (no recorded equivalent, or the module's own "
                    + "state): \(report.synthesized.joined(separator: ", "))"
            )
        }
        out.append(passed ? "PASS" : "FAIL")
        return out.joined(separator: "\n")
    }

    public func json(trace: String) -> String {
        var o: [(String, JSONValue)] = [
            ("trace", .string(trace)), ("mode", .string(report.mode.rawValue)),
            ("outcome", .string(report.run.outcome.name)), ("exitCode", .number(String(report.run.outcome.exitCode))),
            ("reason", .string(report.run.outcome.sentence)), ("recorded", .string(report.recorded.name)),
        ]
        if let expectation { o.append(("expected", .string(expectation))) }
        o.append(("outcomeMatches", .bool(outcomeMatches)))
        if let d = report.divergence {
            var div: [(String, JSONValue)] = [
                ("time", .number(secondsText(d.time))), ("offset", .number(String(d.offset))),
                ("message", .string(d.message))
            ]
            if let e = d.expected { div.append(("recorded", unitObject(e))) }
            if let a = d.actual { div.append(("replayed", unitObject(a))) }
            o.append(("divergence", .object(div)))
        } else {
            o.append(("divergence", .null))
        }
        o.append(("synthesized", .array(report.synthesized.map(JSONValue.string))))
        o.append(("passed", .bool(passed)))
        return JSONValue.object(o).serialized
    }

    private func describe(_ unit: SessionUnit?) -> String {
        guard let unit else { return "(nothing)" }
        let more = unit.bytes.count > 48 ? "…" : ""
        return "\(UnitDescription(unit).summary)  [\(hexString(unit.bytes.prefix(48)))\(more)]"
    }

    private func unitObject(_ unit: SessionUnit) -> JSONValue {
        var u: [(String, JSONValue)] = [("type", .string(unit.type)), ("hex", .string(hexString(unit.bytes)))]
        if let text = unit.text { u.append(("text", .string(text))) }
        return .object(u)
    }
}
