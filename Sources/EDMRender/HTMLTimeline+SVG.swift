import EDMBytes
import EDMAnalysis

extension HTMLTimeline {
    private static let width = 1200.0, left = 200.0, plot = 970.0
    private static let phaseRow = 24.0, requestHeight = 110.0

    /// The phases and the requests as one SVG, time across.
    package func svg(_ summary: SessionSummary) -> String {
        let t0 = summary.first ?? .zero
        let span = max(Self.value(summary.duration), 0.001)
        func x(_ t: Duration) -> Double { Self.left + Self.value(t - t0) / span * Self.plot }
        let phasesHeight = Double(max(summary.phases.count, 1)) * Self.phaseRow
        let base = 30 + phasesHeight + 20 + Self.requestHeight
        let height = base + 40
        var s = "<svg class=\"timeline\" viewBox=\"0 0 \(Self.width) \(f(height))\""
            + " width=\"\(Self.width)\" height=\"\(f(height))\" role=\"img\""
            + " aria-label=\"timeline of phases and requests\">"
        // Time ticks, at a round step giving about ten.
        let step = Self.tickStep(span)
        var tick = 0.0
        while tick <= span + step / 1000 {
            let tx = Self.left + tick / span * Self.plot
            s += "<line class=\"tick\" x1=\"\(f(tx))\" y1=\"20\" x2=\"\(f(tx))\" y2=\"\(f(base))\"/>"
            s += "<text class=\"axis\" x=\"\(f(tx))\" y=\"\(f(base + 16))\" text-anchor=\"middle\">"
                + "\(Self.tickText(tick, step)) s</text>"
            tick += step
        }
        s += "<text class=\"axis\" x=\"\(f(Self.left + Self.plot))\" y=\"\(f(base + 32))\" text-anchor=\"end\">"
            + "seconds from the first unit</text>"
        if summary.phases.isEmpty {
            s += "<text class=\"label\" x=\"10\" y=\"45\">no phase seen</text>"
        }
        for (i, phase) in summary.phases.enumerated() {
            let y = 30 + Double(i) * Self.phaseRow
            let end = phase.end ?? summary.last
            let took = phase.end.map { seconds($0 - phase.start) + " s" } ?? "not finished"
            let name = HTMLText.escape(phase.name)
            s += "<text class=\"label\" x=\"10\" y=\"\(f(y + 15))\">\(name): \(took)</text>"
            s += "<rect class=\"phase\(phase.end == nil ? " open" : "")\" x=\"\(f(x(phase.start)))\" y=\"\(f(y + 3))\""
                + " width=\"\(f(max(2, x(end) - x(phase.start))))\" height=\"\(f(Self.phaseRow - 6))\">"
                + "<title>\(name) from \(seconds(phase.start - t0)) s: \(took)</title></rect>"
        }
        // Requests: a bar per reply, up from the base, its height the latency on a log scale
        // (1 ms to the slowest), so that 13 ms and 3 s both show.
        let top = base - Self.requestHeight
        let maxMillis = max(marks.map { Self.value($0.latency) * 1000 }.max() ?? 1, Self.value(Self.slow) * 1000)
        func h(_ d: Duration) -> Double {
            max(2, Self.requestHeight * SVGNumber.log2(1 + Self.value(d) * 1000) / SVGNumber.log2(1 + maxMillis))
        }
        s += "<text class=\"label\" x=\"10\" y=\"\(f(top + 14))\">requests: \(requests)</text>"
        s += "<text class=\"label slow\" x=\"10\" y=\"\(f(top + 30))\">\(milliseconds(Self.slow)) or slower: "
            + "\(slowRequests)</text>"
        s += "<text class=\"axis\" x=\"10\" y=\"\(f(top + 46))\">height: latency, log scale</text>"
        let threshold = base - h(Self.slow)
        s += "<line class=\"threshold\" x1=\"\(f(Self.left))\" y1=\"\(f(threshold))\""
            + " x2=\"\(f(Self.left + Self.plot))\""
            + " y2=\"\(f(threshold))\"/>"
        for mark in marks {
            let bx = x(mark.start), bh = h(mark.latency)
            let what = mark.count == 1 ? "" : "\(mark.count) requests, the slowest: "
            s += "<rect class=\"request\(mark.slowCount > 0 ? " slow" : "")\" x=\"\(f(bx))\" y=\"\(f(base - bh))\""
                + " width=\"\(f(max(1.5, x(mark.end) - bx)))\" height=\"\(f(bh))\"><title>"
                + HTMLText.escape("\(what)\(mark.request) → \(mark.answer) (\(milliseconds(mark.latency)))")
                + "</title></rect>"
        }
        s += "<line class=\"base\" x1=\"\(f(Self.left))\" y1=\"\(f(base))\" x2=\"\(f(Self.left + Self.plot))\""
            + " y2=\"\(f(base))\"/>"
        return s + "</svg>"
    }

    /// The slowest replies, slowest first.
    package func slowestTable(_ summary: SessionSummary) -> String {
        guard !slowest.isEmpty else { return "<p>No request got a reply.</p>" }
        let t0 = summary.first ?? .zero
        var s = "<table class=\"slowest\"><thead><tr><th>time (s)</th><th>request</th><th>reply</th><th>latency</th>"
            + "</tr></thead><tbody>"
        for mark in slowest {
            s += "<tr\(mark.latency >= Self.slow ? " class=\"slow\"" : "")><td>\(seconds(mark.start - t0))</td>"
                + "<td class=\"text\">\(HTMLText.escape(mark.request))</td>"
                + "<td class=\"text\">\(HTMLText.escape(mark.answer))</td>"
                + "<td>\(milliseconds(mark.latency))</td></tr>"
        }
        return s + "</tbody></table>"
    }

    private static func value(_ d: Duration) -> Double {
        let (s, atto) = d.components
        return Double(s) + Double(atto) / 1e18
    }

    /// 1, 2 or 5 times a power of ten, giving 5 to 12 ticks.
    private static func tickStep(_ span: Double) -> Double {
        var power = 1e-6
        while power * 10 <= span / 10 { power *= 10 }
        for factor in [1.0, 2, 5, 10] where span / (power * factor) <= 12 { return power * factor }
        return power * 10
    }

    private static func tickText(_ value: Double, _ step: Double) -> String {
        var decimals = 0, p = step * 1.000001
        while p < 1 { p *= 10; decimals += 1 }
        return f(value, decimals)
    }
}

/// SVG's numbers, worked out without Foundation (the core does not link it).
package enum SVGNumber {
    /// `value` with at most `decimals` decimals, as SVG wants it (no exponent).
    package static func text(_ value: Double, _ decimals: Int = 1) -> String {
        var scale: Int64 = 1
        for _ in 0..<decimals { scale *= 10 }
        let n = Int64((value * Double(scale)).rounded())
        let sign = n < 0 ? "-" : "", magnitude = n.magnitude
        let whole = magnitude / UInt64(scale), frac = magnitude % UInt64(scale)
        guard frac != 0 else { return (whole == 0 ? "" : sign) + String(whole) }
        var digits = String(frac)
        while digits.count < decimals { digits = "0" + digits }
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(sign)\(whole).\(digits)"
    }

    /// The base-2 logarithm of a positive number: its exponent, plus the logarithm of its
    /// significand (in [1, 2)) from the series of atanh, whose terms shrink ninefold.
    package static func log2(_ x: Double) -> Double {
        guard x > 0 else { return 0 }
        let m = x.significand, y = (m - 1) / (m + 1), y2 = y * y
        var term = y, sum = 0.0
        for k in stride(from: 1, through: 21, by: 2) {
            sum += term / Double(k)
            term *= y2
        }
        return Double(x.exponent) + 2 * sum / 0.693_147_180_559_945_3
    }
}

/// A coordinate for SVG: one decimal at most.
private func f(_ value: Double, _ decimals: Int = 1) -> String { SVGNumber.text(value, decimals) }
