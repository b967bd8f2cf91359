import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis
import EDMRender
import EDMProvisioning
import EDMModel

/// `edm-replay check --junit FILE`: JUnit XML, one test case per trace, so that CI systems
/// show replays as tests. A failed trace's first divergence (or its unexpected outcome) is
/// the failure message. Times are the replay's simulated durations, so the file is the same
/// on every run.
public struct ReplayJUnitRenderer: Sendable {
    public struct Case: Sendable {
        public var trace: String
        public var mode: String
        /// Simulated seconds the replay took.
        public var time: Duration
        /// nil: passed.
        public var failure: String?
        /// The full text report, as `<system-out>`.
        public var report: String

        public init(trace: String, mode: String, time: Duration, failure: String?, report: String) {
            self.trace = trace
            self.mode = mode
            self.time = time
            self.failure = failure
            self.report = report
        }
    }

    public var cases: [Case] = []

    public init() {}

    /// A checked trace's case: the first divergence, else the outcome that did not match.
    public mutating func add(_ renderer: ReplayReportRenderer, trace: String) {
        let r = renderer.report
        var failure: String?
        if let d = r.divergence {
            failure = "divergence at \(seconds(d.time)) s: \(d.message)"
        } else if !renderer.outcomeMatches {
            failure = "outcome \(r.run.outcome.name): \(r.run.outcome.sentence); " +
                (renderer.expectation.map { "expected \($0)" } ?? "recorded \(r.recorded.label)")
        }
        cases.append(
            Case(
                trace: trace, mode: r.mode.rawValue, time: r.run.duration, failure: failure,
                report: renderer.text(trace: trace)))
    }

    /// A trace that could not be read.
    public mutating func addUnreadable(_ trace: String, _ reason: String) {
        cases.append(Case(trace: trace, mode: "none", time: .zero, failure: "not checked: \(reason)", report: reason))
    }

    public var xml: String {
        let failures = cases.filter { $0.failure != nil }.count
        let total = cases.reduce(Duration.zero) { $0 + $1.time }
        var out = [
            #"<?xml version="1.0" encoding="UTF-8"?>"#,
            #"<testsuites name="edm-replay check" tests="\#(cases.count)" "#
                + #"failures="\#(failures)" time="\#(secondsText(total))">"#,
            #"  <testsuite name="edm-replay check" tests="\#(cases.count)" "#
                + #"failures="\#(failures)" errors="0" time="\#(secondsText(total))">"#
        ]
        for c in cases {
            out.append(
                #"    <testcase classname="edm-replay.\#(c.mode)" "#
                    + #"name="\#(Self.escaped(c.trace))" time="\#(secondsText(c.time))">"#
            )
            if let failure = c.failure {
                out.append(
                    #"      <failure message="\#(Self.escaped(failure))" "#
                        + #"type="\#(c.mode == "none" ? "unreadable" : "divergence")"/>"#
                )
            }
            out.append("      <system-out>\(Self.escaped(c.report))</system-out>")
            out.append("    </testcase>")
        }
        out += ["  </testsuite>", "</testsuites>", ""]
        return out.joined(separator: "\n")
    }

    /// Text as XML character data or an attribute value: the HTML report's escaping (`'` as
    /// `&#39;` is XML too), after control characters other than tab and line breaks, which
    /// XML 1.0 cannot carry, become `?`.
    static func escaped(_ text: String) -> String {
        var plain = ""
        plain.unicodeScalars.append(contentsOf: text.unicodeScalars.map {
            $0.value < 0x20 && $0 != "\t" && $0 != "\n" && $0 != "\r" ? "?" : $0
        })
        return HTMLText.escape(plain)
    }
}
