import EDMKit
import EDMKitIO
import Foundation
import Testing

@Suite struct LiveProvisionerTests {
    /// A module that never answers, on a port where a Ctrl-C wakes the next write instead of
    /// a read (the race the tool tests hit now and then).
    final class SilentPort: ByteChannel, @unchecked Sendable {
        private let lock = NSLock()
        private var interruptPending = false
        private(set) var written: [UInt8] = []

        func read(until deadline: ContinuousClock.Instant?, maxCount: Int) throws(SerialPortError) -> ReadResult {
            if let deadline { Thread.sleep(forTimeInterval: max(0, (deadline - .now).seconds)) }
            return .timedOut
        }

        func write(
            _ bytes: some Sequence<UInt8>, until deadline: ContinuousClock.Instant?
        ) throws(SerialPortError) -> WriteResult {
            lock.lock()
            defer { lock.unlock() }
            if interruptPending {
                interruptPending = false
                return .interrupted(written: 0)
            }
            written += bytes
            return .written
        }

        func interrupt() {
            lock.lock(); defer { lock.unlock() }
            interruptPending = true
        }
    }

    /// The press is neither lost nor allowed to drop the command it interrupted: the probe
    /// still goes out whole, and the run ends cancelled (exit 130), not timed out.
    @Test func ctrlCDuringAWriteCancelsAndKeepsTheCommand() {
        let configuration = ProvisioningConfiguration(
            idScope: "0ne0000", registrationID: "dev", credentials: [], ssid: "lab",
            passphrase: Array("passphrase".utf8)
        ).scaled(by: 0.01)
        let port = SilentPort()
        let provisioner = LiveProvisioner(channel: port, configuration: configuration)
        provisioner.interrupt()
        let outcome = provisioner.run()
        #expect(outcome == .cancelled, "\(outcome)")
        #expect(String(decoding: port.written, as: UTF8.self).hasPrefix("AT\r"), "\(port.written)")
    }
}

private extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
