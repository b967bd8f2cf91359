import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A signal as an event: the process ignores it, and it is delivered on a queue instead, so
/// the handler may do real work (interrupt a blocked read, flush a file). The handler gets
/// how many times the signal has come.
public final class SignalWatch {
    private let source: DispatchSourceSignal
    // (only the source's serial handler touches it)
    private var count = 0

    public init(_ number: Int32, _ handler: @escaping (Int) -> Void) {
        signal(number, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler { [unowned self] in
            count += 1
            handler(count)
        }
        source.resume()
    }

    public func cancel() { source.cancel() }
}
