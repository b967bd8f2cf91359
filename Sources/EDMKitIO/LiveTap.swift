import Dispatch
import EDMKit
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Live capture of a serial session, both directions at once, one thread per direction.
///
/// - A tap (`tap(module:host:)`) sits between a host program and the module: the host opens a
///   pty instead of the port, and every chunk read from one side is written to the other
///   before it is reported, so observing never delays forwarding.
/// - Two-wire sniffing (`sniff(host:module:)`) reads two receive-only ports, each listening
///   on one of the module's UART lines; nothing is transmitted.
///
/// Each chunk is stamped from the monotonic clock as soon as its read returns, and queued
/// before it is written on: the order of the queue is the order of cause and effect (a reply
/// the host reads is queued before the host could answer it). A third thread calls `onChunk`
/// and `onEvent` in queue order, so decoding and recording never hold a forwarding thread
/// (a time earlier than the one before, from the other thread's clock read, takes the later
/// time).
///
/// The run ends when a port hangs up (an unplugged adapter, a closed pty), on `stop()`, or on
/// an I/O error. The host closing a tap's pty does not end it: the tap reports it, drops what
/// the module sends meanwhile (still reporting it, since it crossed the module's wire) and
/// waits for the host to open the pty again.
public final class LiveTap: @unchecked Sendable {
    /// Why the run ended.
    public enum End: Equatable, Sendable {
        case stopped
        /// The port whose reads carried this direction's bytes hung up.
        case hungUp(Direction)
        case failed(String)
    }

    public enum Event: Equatable, Sendable {
        /// The host program opened the tap's pty.
        case hostOpened
        /// The host program closed it.
        case hostClosed
        /// The module sent bytes while the host had the pty closed (the count of the first
        /// such chunk; reported once per closing): they are in the capture, not delivered.
        case dropped(Int)
        /// The host changed the rate or flow control of its side (the pty reports it), and what
        /// the module's port has since: the same when the tap follows the host (set before the
        /// host's next byte went on), its own otherwise.
        case hostSettings(LineSettings, port: LineSettings)
    }

    /// Bytes as read: who wrote them, the bytes, when the read returned.
    public var onChunk: (Direction, [UInt8], ContinuousClock.Instant) -> Void = { _, _, _ in }
    public var onEvent: (Event, ContinuousClock.Instant) -> Void = { _, _ in }
    /// How long a read waits before looking at the stop flag again (a wake-up is consumed by
    /// one of the two threads, so each also checks on its own).
    static let recheck = Duration.milliseconds(100)

    private struct Leg {
        let direction: Direction
        let source: any ByteChannel
        let sink: (any ByteChannel)?
        /// The source is the tap's pty: a hang-up means the host closed it, not the end.
        let hostPty: PtyPair?
    }

    /// A tap's module port, and whether it takes the host's rate and flow control.
    private let module: SerialPort?
    private let followsHost: Bool

    private enum Item {
        case chunk(Direction, [UInt8], ContinuousClock.Instant)
        case event(Event, ContinuousClock.Instant)
    }

    private let legs: [Leg]
    private let stopping = Atomic<Bool>(false)
    /// What is read and not reported yet, and the last time queued.
    private let queue = Mutex<(items: [Item], last: ContinuousClock.Instant?)>(([], nil))
    /// Wakes the reporting thread: once per item queued, and once when the legs are done.
    private let wake = DispatchSemaphore(value: 0)
    private let legsDone = Atomic<Bool>(false)
    private let ends = Mutex<[End]>([])

    private init(legs: [Leg], module: SerialPort? = nil, followsHost: Bool = false) {
        self.legs = legs
        self.module = module
        self.followsHost = followsHost
    }

    /// A tap: bytes the host writes into `host` go to `module`, and back. The pty's own slave
    /// descriptor is released, so the tap learns when the host closes it.
    ///
    /// Where the pty reports them (Linux), the host's changes of rate and flow control are
    /// events; with `followHost`, the module's port takes them too, as if the host had the
    /// port itself. The pty starts with the port's settings.
    public static func tap(module: SerialPort, host: PtyPair, followHost: Bool = true) -> LiveTap {
        host.releaseSlave()
        host.reportHostSettings(startingWith: module.lineSettings)
        return LiveTap(legs: [
            Leg(direction: .host, source: host, sink: module, hostPty: host),
            Leg(direction: .module, source: module, sink: host, hostPty: nil),
        ], module: module, followsHost: followHost)
    }

    /// Two-wire sniffing: `host` hears the host's TX line, `module` the module's.
    public static func sniff(host: any ByteChannel, module: any ByteChannel) -> LiveTap {
        LiveTap(legs: [
            Leg(direction: .host, source: host, sink: nil, hostPty: nil),
            Leg(direction: .module, source: module, sink: nil, hostPty: nil),
        ])
    }

    /// Ends the run soon (within `recheck`, usually at once). Any thread, also a signal watch.
    public func stop() {
        stopping.store(true, ordering: .releasing)
        for leg in legs { leg.source.interrupt() }
    }

    /// Forwards and reports until the run ends; returns why.
    public func run() -> End {
        let reporter = BlockingThread { [self] in report() }
        let threads = legs.indices.map { index in
            BlockingThread { [self] in
                let end = forward(legs[index])
                ends.withLock { $0.append(end) }
                // One direction gone ends both: a capture of half a session is closed cleanly.
                stop()
            }
        }
        guard reporter.start() else { return .failed("cannot start a thread") }
        for thread in threads where !thread.start() {
            stop()
            ends.withLock { $0.append(.failed("cannot start a thread")) }
        }
        for thread in threads { thread.join() }
        legsDone.store(true, ordering: .releasing)
        wake.signal()
        reporter.join()
        let all = ends.withLock { $0 }
        return all.first { $0 != .stopped } ?? .stopped
    }

    private var stopped: Bool { stopping.load(ordering: .acquiring) }

    private func forward(_ leg: Leg) -> End {
        var hostOpen = leg.hostPty == nil
        var dropping = false
        var hostSettings = leg.hostPty?.hostSettings
        // Anything but a hang-up from the pty means the host has it open.
        func hostIsOpen(_ now: ContinuousClock.Instant) {
            guard !hostOpen else { return }
            hostOpen = true
            emit(.hostOpened, now)
        }
        do {
            while !stopped {
                let packet = if let pty = leg.hostPty { try pty.readPacket(until: .now + Self.recheck, maxCount: 4096) }
                    else { PtyPair.Packet.data(try leg.source.read(until: .now + Self.recheck, maxCount: 4096)) }
                let now = ContinuousClock.now
                guard case .data(let result) = packet else {
                    hostIsOpen(now)
                    if let pty = leg.hostPty, let settings = pty.hostSettings, settings != hostSettings {
                        hostSettings = settings
                        emit(.hostSettings(settings, port: follow(settings)), now)
                    }
                    continue
                }
                switch result {
                case .bytes(let bytes):
                    hostIsOpen(now)
                    enqueue(.chunk(leg.direction, bytes, now))
                    if let sink = leg.sink {
                        switch try deliver(bytes, to: sink) {
                        case .delivered: dropping = false
                        case .hostAbsent:
                            // Only the pty refuses bytes: the host is away.
                            if !dropping { emit(.dropped(bytes.count), now) }
                            dropping = true
                        case .moduleGone: return .hungUp(.module)
                        case .stopped: break
                        }
                    }
                case .timedOut:
                    // A read that waits (rather than failing at once) means the slave is open.
                    hostIsOpen(now)
                case .interrupted:
                    continue
                case .hangUp:
                    guard leg.hostPty != nil else { return .hungUp(leg.direction) }
                    if hostOpen {
                        hostOpen = false
                        emit(.hostClosed, now)
                    }
                    // A pty whose slave is closed reads as hung up at once until it is opened
                    // again: look again a little later rather than spin.
                    usleep(20_000)
                }
            }
        } catch {
            return .failed(error.description)
        }
        return .stopped
    }

    /// Sets the module's port as the host set its side where it follows and can; its settings.
    private func follow(_ settings: LineSettings) -> LineSettings {
        guard let module else { return settings }
        if followsHost, settings.isSupported { try? module.apply(settings) }
        return module.lineSettings
    }

    private enum Delivery { case delivered, hostAbsent, moduleGone, stopped }

    /// Writes all of `bytes`, waiting while flow control holds them back, unless the run stops.
    private func deliver(_ bytes: [UInt8], to sink: any ByteChannel) throws(SerialPortError) -> Delivery {
        var rest = bytes[...]
        while !rest.isEmpty {
            let written: Int
            switch try sink.write(rest, until: .now + Self.recheck) {
            case .written: return .delivered
            case .timedOut(let n), .interrupted(let n): written = n
            case .hangUp: return sink is PtyPair ? .hostAbsent : .moduleGone
            }
            rest = rest.dropFirst(written)
            if stopped { return .stopped }
        }
        return .delivered
    }

    private func emit(_ event: Event, _ time: ContinuousClock.Instant) {
        enqueue(.event(event, time))
    }

    private func enqueue(_ item: Item) {
        queue.withLock { queue in
            let time: ContinuousClock.Instant
            switch item {
            case .chunk(_, _, let t), .event(_, let t): time = max(t, queue.last ?? t)
            }
            queue.last = time
            switch item {
            case .chunk(let d, let b, _): queue.items.append(.chunk(d, b, time))
            case .event(let e, _): queue.items.append(.event(e, time))
            }
        }
        wake.signal()
    }

    /// The reporting thread: everything queued, in order, until the legs are done and the
    /// queue is empty.
    private func report() {
        while true {
            wake.wait()
            let items = queue.withLock { queue in
                defer { queue.items.removeAll(keepingCapacity: true) }
                return queue.items
            }
            for item in items {
                switch item {
                case .chunk(let direction, let bytes, let time): onChunk(direction, bytes, time)
                case .event(let event, let time): onEvent(event, time)
                }
            }
            if items.isEmpty, legsDone.load(ordering: .acquiring) { return }
        }
    }
}
