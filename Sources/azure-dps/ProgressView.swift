import EDMKit
import EDMKitIO

/// Shows the run's progress on standard error: a step list on a terminal (the current step
/// with what it waits for, rewritten in place when it ends), plain timestamped lines
/// otherwise (logs, CI). Standard output stays free for `--json`.
///
/// A batch gives each module a view of its own with a label, written before every line, so
/// the lines of modules running at once can be told apart; each message is one write(2).
final class ProgressView: @unchecked Sendable {
    let terminal: Bool
    let verbose: Bool
    /// "[sim-device on /dev/pts/3] ", or "" for a single run.
    let label: String
    private var stepStart: Duration = .zero
    private var transcript = TranscriptRenderer()

    init(terminal: Bool, verbose: Bool, label: String = "") {
        self.terminal = terminal
        self.verbose = verbose
        self.label = label
        transcript.color = terminal
    }

    func say(_ text: String) { FileDescriptorText.write(label + text + "\n", to: 2) }

    func action(_ action: ProvisioningAction, at time: Duration) {
        switch action {
        case .stepStarted(let step):
            stepStart = time
            if terminal {
                FileDescriptorText.write("  … \(step.rawValue): \(step.activity)", to: 2)
            } else {
                say("[\(stamp(time))] \(step.rawValue): \(step.activity)")
            }
        case .stepFinished(let step, .skipped):
            if terminal { FileDescriptorText.write("\r\u{1B}[K  – \(step.rawValue) (skipped)\n",
                to: 2) } else { say("[\(stamp(time))] \(step.rawValue) skipped") }
        case .stepFinished(let step, let event):
            let took = stamp(time - stepStart)
            let mark = event == .failed ? "✗" : "✓"
            if terminal {
                let why = event == .done ? "" : " — \(event.rawValue)"
                FileDescriptorText.write("\r\u{1B}[K  \(mark) \(step.rawValue) (\(took) s)\(why)\n", to: 2)
            } else {
                say("[\(stamp(time))] \(step.rawValue) \(event.rawValue) after \(took) s")
            }
        case .note(let note):
            if terminal { FileDescriptorText.write("\r\u{1B}[K", to: 2) }
            say("    note: \(note)")
        default:
            break
        }
    }

    /// `-v`: the live transcript, one line per unit (secrets already redacted).
    func unit(_ unit: SessionUnit, anomalies: [SessionAnomaly]) {
        guard verbose else { return }
        if terminal { FileDescriptorText.write("\r\u{1B}[K", to: 2) }
        say("      " + transcript.line(for: unit, anomalies: anomalies))
    }

    private func stamp(_ d: Duration) -> String { d.secondsText }
}
