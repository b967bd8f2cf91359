import EDMKit
import Synchronization

/// Drives the provisioning machine on a real serial port with the monotonic clock.
///
/// No fixed sleeps: each turn writes what the machine asked for, then waits for the next
/// byte or the machine's next deadline, whichever comes first. Every byte both ways is
/// handed to `observe` with its time (for the recording and the live transcript) before
/// the machine sees it, so a crash loses nothing that was observed.
public final class LiveProvisioner {
    public let channel: any ByteChannel
    public var configuration: ProvisioningConfiguration
    /// Bytes as they cross the port: direction, bytes, time since the run started.
    public var observe: (Direction, [UInt8], Duration) -> Void = { _, _, _ in }
    /// Every action of the machine (steps, notes) as it happens.
    public var onAction: (ProvisioningAction, Duration) -> Void = { _, _ in }
    /// A write that cannot complete in this time means flow control is holding it (CTS).
    public var writeTimeout: Duration = .seconds(2)
    private let clock = ContinuousClock()
    private let interrupts = Counter()

    public init(channel: any ByteChannel, configuration: ProvisioningConfiguration) {
        self.channel = channel
        self.configuration = configuration
    }

    /// Ctrl-C: the first asks the machine to clean up, the second stops waiting at once.
    public func interrupt() {
        interrupts.increment()
        channel.interrupt()
    }

    public func run() -> ProvisioningOutcome {
        var machine = ProvisioningMachine(configuration: configuration)
        let start = clock.now
        func now() -> Duration { clock.now - start }
        var actions = machine.start(now: now())
        var cancelled = 0
        do {
            while true {
                for action in actions {
                    onAction(action, now())
                    switch action {
                    case .send(let bytes):
                        observe(.host, bytes, now())
                        if let failure = try send(bytes) { return failure }
                    case .finished(let outcome):
                        return outcome
                    default:
                        break
                    }
                }
                // Checked on every turn, not only when a read is woken: a Ctrl-C that lands
                // during a write wakes the write instead, and must not be lost.
                let pressed = interrupts.value
                if pressed > cancelled {
                    if pressed >= 2 { return .cancelled }
                    cancelled = pressed
                    actions = machine.cancel(now: now())
                    continue
                }
                let deadline = machine.nextDeadline.map { start + $0 }
                switch try channel.read(until: deadline, maxCount: 4096) {
                case .bytes(let bytes):
                    let t = now()
                    observe(.module, bytes, t)
                    actions = machine.receive(bytes[...], now: t)
                case .timedOut:
                    actions = machine.timeout(now: now())
                case .hangUp:
                    return .serialError("the port hung up (was the module unplugged?)")
                case .interrupted:
                    actions = [] // the check above acts on it
                }
            }
        } catch {
            return .serialError(error.clause)
        }
    }
}

extension LiveProvisioner {
    /// Writes all of `bytes`, or says why not. A Ctrl-C that wakes the write does not cut the
    /// command short (half a command would garble the next one): the rest is written, and
    /// the run loop acts on the press, which `interrupts` keeps count of. A second press
    /// stops at once.
    private func send(_ bytes: [UInt8]) throws(SerialPortError) -> ProvisioningOutcome? {
        var rest = bytes[...]
        while true {
            switch try channel.write(rest, until: clock.now + writeTimeout) {
            case .written: return nil
            case .interrupted(let written):
                if interrupts.value >= 2 { return .cancelled } // the second press: quit at once
                rest = rest.dropFirst(written)
            case .hangUp: return .serialError("the port hung up while writing (was the module unplugged?)")
            case .timedOut:
                return .serialError(
                    "a write did not complete in \(writeTimeout.secondsText) s: hardware flow control "
                        + "holds it (CTS low); try --no-flow-control if the board has no CTS wired"
                )
            }
        }
    }
}

/// A counter shared with a signal-handling queue.
final class Counter: Sendable {
    private let count = Atomic<Int>(0)
    func increment() { count.add(1, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}
