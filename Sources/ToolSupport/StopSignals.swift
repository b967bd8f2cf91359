import Dispatch

/// Ctrl-C, SIGTERM and SIGHUP for a command that serves until stopped (`azure-dps simulator`,
/// `edm-replay serve`). Made before the command makes anything it must undo (the `--link`),
/// so a signal that comes while it is still setting up is kept until there is a server to
/// stop, rather than lost or fatal.
///
/// The first signal calls `stop`; a second, for a server that does not stop, calls `quit`.
public final class StopSignals: @unchecked Sendable {
    private let queue = DispatchQueue(label: "StopSignals")
    // (only touched on `queue`)
    private var stop: (() -> Void)?
    private var quit: (() -> Void)?
    /// How many have come (the watch's count).
    private var requested = 0
    private var watch: SignalWatch?

    public init() {
        watch = SignalWatch(SignalWatch.ending) { [unowned self] _, count in
            queue.sync {
                requested = count
                if requested >= 2 { quit?() } else { stop?() }
            }
        }
    }

    /// What the signals do once the server exists; a signal that came before stops it now.
    public func serve(stop: @escaping () -> Void, quit: @escaping () -> Void) {
        queue.sync {
            self.stop = stop
            self.quit = quit
            if requested >= 1 { stop() }
        }
    }

    public func cancel() { watch?.cancel() }
}
