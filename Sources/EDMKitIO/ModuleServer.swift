import EDMKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Plays a module model (the simulator, or a recorded trace) on the master side of a pty,
/// in real time, so any host program can talk to it through the slave side.
///
/// The model is sans-I/O; this loop only turns its times into real time: it waits for the
/// host's bytes until the model's next output is due, then writes what is due.
///
/// `run()` belongs to one thread; `stop()` may come from any other (it only writes to the
/// pty's interrupt pipe), hence the unchecked sendability.
public final class ModuleServer<Model: ModuleModel>: @unchecked Sendable {
    public let pty: PtyPair
    /// Model time runs this many times faster than real time (`--speed`).
    public let speed: Double
    private var model: Model
    private let clock = ContinuousClock()
    /// Gets the model's report lines as they happen (`ModuleModel.takeReport`), on the
    /// serving thread, after each read and write.
    private let report: ((String) -> Void)?

    public init(model: Model, pty: PtyPair, speed: Double = 1, report: ((String) -> Void)? = nil) {
        self.model = model
        self.pty = pty
        self.speed = speed
        self.report = report
    }

    private func flushReport() {
        guard let report else { return }
        for line in model.takeReport() { report(line) }
    }

    /// Serves until `stop()` is called or the host side hangs up; returns the model as it ended.
    public func run() throws(SerialPortError) -> Model {
        let start = clock.now
        func now() -> Duration { (clock.now - start) * speed }
        func instant(_ t: Duration) -> ContinuousClock.Instant { start + t / speed }
        while true {
            for (_, bytes) in model.takeOutput(until: now()) {
                if case .hangUp = try pty.write(bytes, until: clock.now + .seconds(1)) { return model }
            }
            flushReport()
            // poll counts whole milliseconds, rounded up: waking a millisecond early and
            // sleeping the rest keeps each output within its recorded latency to the tens of
            // microseconds, not up to a millisecond late. Linux also lets a poll timeout run
            // late by 0.1 % of its length (timer slack: 1.1 ms late after a 1 s poll, 2.6 ms
            // after 2.5 s, measured), so a long wait is polled in pieces of at most 100 ms.
            let due = model.nextOutputTime.map(instant)
            let early = due.map { $0 - .milliseconds(1) }
            let wake = early.map { min($0, clock.now + .milliseconds(100)) }
            let read = try pty.read(until: wake, maxCount: 4096)
            if read == .timedOut, let due, wake == early { Self.sleep(until: due) }
            switch read {
            case .bytes(let bytes):
                model.receive(bytes[...], now: now())
                flushReport()
            case .timedOut: continue
            case .hangUp, .interrupted: return model
            }
        }
    }

    private static func sleep(until instant: ContinuousClock.Instant) {
        let remaining = ContinuousClock.now.duration(to: instant)
        guard remaining > .zero else { return }
        let (seconds, attoseconds) = remaining.components
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var left = timespec()
        while nanosleep(&request, &left) != 0, errno == EINTR { request = left }
    }

    /// Ends `run()` from another thread.
    public func stop() { pty.interrupt() }
}
