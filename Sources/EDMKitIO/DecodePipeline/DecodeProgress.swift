/// How far decoding has got, on standard error: `edm-decode: 312 of 1024 MB (30%), 61 MB/s`.
///
/// On a terminal the line is rewritten in place and appears only once a run has taken a
/// second (short runs stay silent); it is cleared at the end, so messages that follow start on
/// a clean line. Asked for elsewhere (`--progress` into a log), it prints plain lines.
/// It runs on the decoding thread, which knows how many input bytes it has read.
final class DecodeProgress {
    /// Begins the line: the tool's name.
    let label: String
    /// Where it writes: a terminal gets the rewritten line.
    let terminal: Bool
    /// Bytes of all inputs together, when every input is a regular file.
    let total: Int?
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant
    private var due: ContinuousClock.Instant
    private var shown = false
    /// Bytes of the inputs already finished, and of the current one so far.
    private var finished = 0, current = 0
    private var calls = 0

    /// `immediately`: the user asked for it, so it shows from the first update.
    init(label: String, terminal: Bool, total: Int?, immediately: Bool) {
        self.label = label
        self.terminal = terminal
        self.total = total
        start = clock.now
        due = immediately ? start : start.advanced(by: .seconds(1))
    }

    /// `position` bytes of the current input are decoded. Cheap: it looks at the clock only
    /// on every 64th call, and writes at most four times a second.
    func update(position: Int) {
        current = position
        calls += 1
        guard calls % 64 == 1 else { return }
        let now = clock.now
        guard now >= due else { return }
        due = now.advanced(by: .milliseconds(250))
        show(done: finished + current, at: now)
    }

    /// The current input is done (after a last `update` at its end).
    func inputDone() {
        finished += current
        current = 0
    }

    /// Decoding is over (or failed): the line goes away; a log gets its last line, with how
    /// far it got.
    func end() {
        if terminal {
            if shown { FileDescriptorText.write("\r\u{1B}[K", to: 2) }
        } else if shown {
            show(done: finished + current, at: clock.now)
        }
    }

    private func show(done: Int, at now: ContinuousClock.Instant) {
        shown = true
        let (seconds, attoseconds) = (now - start).components
        let elapsed = Double(seconds) + Double(attoseconds) / 1e18
        let unit = (total ?? done) >= 1_000_000 ? (name: "MB", bytes: 1_000_000) : (name: "kB", bytes: 1000)
        var text = "\(label): \(Self.amount(done, unit.bytes))"
        if let total, total > 0 {
            text += " of \(Self.amount(total, unit.bytes)) \(unit.name) (\(min(100, done * 100 / total))%)"
        } else {
            text += " \(unit.name)"
        }
        if elapsed > 0 { text += ", \(Self.amount(Int(Double(done) / elapsed), 1_000_000)) MB/s" }
        FileDescriptorText.write(terminal ? "\r\u{1B}[K" + text : text + "\n", to: 2)
    }

    /// `bytes` in `unit`s: whole from 10 on, else with one decimal (`3.4`).
    static func amount(_ bytes: Int, _ unit: Int) -> String {
        bytes >= 10 * unit ? String(bytes / unit) : String(Double(bytes * 10 / unit) / 10)
    }
}
