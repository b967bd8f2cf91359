import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A signal as an event: the process ignores it, and it is delivered on a queue instead, so
/// the handler may do real work (interrupt a blocked read, flush a file). The handler gets
/// the signal and how many of the watched signals have come.
public final class SignalWatch {
    private let sources: [DispatchSourceSignal]
    // (only the sources' handlers touch it, one at a time on `queue`)
    private var count = 0
    private let queue = DispatchQueue(label: "SignalWatch")

    /// The signals that ask a run to end, each to be handled as Ctrl-C is: SIGINT (Ctrl-C),
    /// SIGTERM (CI cancelling a job, `systemctl stop`, `docker stop`), SIGHUP (the terminal
    /// or the SSH session went away).
    public static let ending: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    /// Watches several signals as one: `count` is how many of any of them have come, so a
    /// second one (Ctrl-C then SIGTERM) counts as the second.
    public init(_ numbers: [Int32], _ handler: @escaping (_ signal: Int32, _ count: Int) -> Void) {
        var sources: [DispatchSourceSignal] = []
        for number in numbers {
            signal(number, SIG_IGN)
            sources.append(DispatchSource.makeSignalSource(signal: number, queue: queue))
        }
        self.sources = sources
        for (source, number) in zip(sources, numbers) {
            source.setEventHandler { [unowned self] in
                count += 1
                handler(number, count)
            }
            source.resume()
        }
    }

    public func cancel() { for source in sources { source.cancel() } }

    /// How a signal is named in messages: "SIGTERM".
    public static func name(_ number: Int32) -> String {
        switch number {
        case SIGINT: "SIGINT"
        case SIGTERM: "SIGTERM"
        case SIGHUP: "SIGHUP"
        default: "signal \(number)"
        }
    }
}
