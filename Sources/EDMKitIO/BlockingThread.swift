#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A thread of its own, for work that blocks in `poll` or on a semaphore for as long as a
/// capture lasts. Not a global dispatch queue: on Linux those run only as many blocked items
/// at once as there are cores, so on two cores a tap's third thread never started.
final class BlockingThread {
    private let body: () -> Void
    #if canImport(Glibc)
    private var thread = pthread_t()
    #else
    private var thread: pthread_t?
    #endif
    private var started = false

    init(_ body: @escaping () -> Void) { self.body = body }

    /// Starts the body; false if the system refuses another thread.
    func start() -> Bool {
        let context = Unmanaged.passRetained(self).toOpaque()
        let result = pthread_create(&thread, nil, { context in
            let me = Unmanaged<BlockingThread>.fromOpaque(context!).takeRetainedValue()
            me.body()
            return nil
        }, context)
        if result != 0 { Unmanaged<BlockingThread>.fromOpaque(context).release() }
        started = result == 0
        return started
    }

    /// Waits for the body to return.
    func join() {
        guard started else { return }
        #if canImport(Glibc)
        pthread_join(thread, nil)
        #else
        if let thread { pthread_join(thread, nil) }
        #endif
        started = false
    }
}
