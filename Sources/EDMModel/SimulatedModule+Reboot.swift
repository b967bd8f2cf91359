import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis
import EDMRender
import EDMProvisioning

/// The module's clock, the jitter of its answers, and its reboots: what a restart loses and
/// what it says while it boots.
extension SimulatedModule {
    /// Moves the clock to `now` (never back), applying a reboot that is due by then.
    package mutating func advance(to now: Duration) -> Duration {
        clock = max(clock, now)
        while let reboot = pendingReboot, reboot.at <= clock {
            pendingReboot = nil
            restart(at: reboot.at, reason: reboot.reason)
        }
        return clock
    }

    /// `latency` after `time`, plus jitter from the seed when the timing asks for it.
    package mutating func after(_ time: Duration, _ latency: Duration) -> Duration {
        guard timing.jitter > .zero else { return time + latency }
        let micros = Int(timing.jitter / .microseconds(1))
        return time + latency + .microseconds(random.within(0...micros))
    }

    /// Schedules a reboot at `time`, unless an earlier one is already due.
    package mutating func scheduleReboot(at time: Duration, reason: String) {
        if let existing = pendingReboot, existing.at <= time { return }
        pendingReboot = (time, reason)
    }

    /// The module restarts at `time`: what it had still to send is lost, volatile state goes
    /// back to power-on values, and after the boot noise it greets with `+STARTUP`.
    package mutating func restart(at time: Duration, reason: String) {
        output.cancel(after: time)
        if output.isEDM(at: time) { output.switchMode(edm: false, at: time) }
        inputEDM = false
        edmReadyAt = .zero
        echo = true
        busyUntil = .zero
        peers = []
        nextHandle = 2
        urlVariables = [:]
        pendingImport = nil
        wifi = WiFiState(config: wifi.stored ?? .init(), stored: wifi.stored)
        if factoryResetPending {
            factoryResetPending = false
            credentials = []
            wifi = WiFiState()
            note(time, "factory settings restored: credentials and Wi-Fi configuration erased")
        }
        decoder = SessionDecoder()
        hostBacklog = []
        hostBase = 0
        bootingUntil = time + timing.startup
        output.add(.text(profile.bootNoise ?? LineNoise.boot(&random)), at: time + timing.bootNoise)
        output.add(.text(Array("\r\n+STARTUP\r\n".utf8)), at: time + timing.startup)
        note(time, "restart (\(reason)); +STARTUP at \(stamp(time + timing.startup))")
        if !recording.isEmpty {
            reportLines.append(
                "\(stamp(time)) rebooted boot noise and +STARTUP at "
                    + "\(stamp(time + timing.startup)), modelled (\(reason))"
            )
        }
    }
}
