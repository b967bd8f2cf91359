import Foundation
import ToolSupport

/// Ctrl-C, SIGTERM (CI cancelling a job, systemd, docker stop) and SIGHUP (the terminal or
/// SSH session went away), for one run or a batch's: the first signal asks every run to clean
/// up and end (`cancelled`: peers closed, the module rebooted to command mode, the recording
/// closed); a second quits at once, recordings still closed.
///
/// Make it on the main thread before starting any other: a signal the process ignores is
/// dropped unless the main thread blocks it, and the watch blocks it in the thread that makes
/// it (and the threads started after, which inherit that).
final class RunCancellation: @unchecked Sendable {
    private struct Run {
        var interrupt: () -> Void
        var finishRecording: () -> Void
        var progress: ProgressView
    }

    private let lock = NSLock()
    private var runs: [Int: Run] = [:]
    private var nextID = 0
    private var signalled: Int32?
    private var watch: SignalWatch?

    init() {
        watch = SignalWatch(SignalWatch.ending) { [unowned self] signal, count in received(signal, count: count) }
    }

    /// Stops watching: the signals are then ignored, for a process about to report and exit.
    func cancel() { watch?.cancel() }

    /// A run that has started; it is interrupted at once if a signal came before it did.
    func register(interrupt: @escaping () -> Void, finishRecording: @escaping () -> Void,
                  progress: ProgressView) -> Int {
        let (id, early) = lock.withLock {
            nextID += 1
            runs[nextID] = Run(interrupt: interrupt, finishRecording: finishRecording, progress: progress)
            return (nextID, signalled)
        }
        if let early {
            progress.say("\(Self.name(early)): ending the run as it starts.")
            interrupt()
        }
        return id
    }

    func unregister(_ id: Int) { _ = lock.withLock { runs.removeValue(forKey: id) } }

    private func received(_ signal: Int32, count: Int) {
        let runs = lock.withLock {
            signalled = signal
            return self.runs.values.map { $0 }
        }
        let name = Self.name(signal)
        if count >= 2 {
            for run in runs {
                run.finishRecording()
                run.progress.say("\(name) again: quitting without cleaning up the module.")
            }
            Foundation.exit(ExitStatus.interrupted.rawValue)
        }
        let again = signal == SIGINT ? "Ctrl-C again" : "another signal"
        for run in runs {
            run.progress.say("\(name): closing the MQTT peers and rebooting the module to command mode "
                             + "(\(again) to quit at once).")
            run.interrupt()
        }
    }

    private static func name(_ signal: Int32) -> String {
        signal == SIGINT ? "Interrupted" : "\(SignalWatch.name(signal)) received"
    }
}
