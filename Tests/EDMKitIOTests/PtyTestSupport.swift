import Foundation
import Testing
@testable import EDMKitIO

/// Shared helpers for the serial and pty tests.
enum PtyTestSupport {
    /// Reads until `count` bytes have arrived (they may come in several chunks) or anything
    /// other than bytes happens; returns what arrived.
    static func read(_ count: Int, from port: SerialPort) throws -> [UInt8] {
        try read(count) { deadline throws(SerialPortError) in try port.read(until: deadline) }
    }

    static func read(_ count: Int, from pair: PtyPair) throws -> [UInt8] {
        try read(count) { deadline throws(SerialPortError) in try pair.read(until: deadline) }
    }

    private static func read(
        _ count: Int, within limit: Duration = .seconds(5),
        using read: (ContinuousClock.Instant?) throws(SerialPortError) -> ReadResult
    ) throws -> [UInt8] {
        let deadline = ContinuousClock.now + limit
        var received: [UInt8] = []
        while received.count < count {
            guard case .bytes(let chunk) = try read(deadline) else { break }
            received += chunk
        }
        return received
    }

    /// Runs `body` on a plain thread after `delay`: the test's own thread is blocked in a read,
    /// and the cooperative pool may have no other thread free on a 2-core machine.
    static func after(_ delay: Duration, _ body: @escaping @Sendable () -> Void) {
        Thread.detachNewThread {
            Thread.sleep(
                forTimeInterval: Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18)
            body()
        }
    }

    /// A fresh empty directory under the temporary directory.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("edmkitio-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The slave's termios settings, read through the master: Linux applies termios calls on a
    /// master to its slave, and opening the slave again would fail for a non-root user while a
    /// SerialPort holds it exclusively (TIOCEXCL).
    static func settings(of pair: PtyPair) throws -> termios {
        var settings = termios()
        try #require(tcgetattr(pair.masterFileDescriptor, &settings) == 0)
        return settings
    }
}

/// Hands a non-Sendable object to the helper thread of one test; the test itself makes sure the
/// two threads use it one after the other (or only through calls that are safe concurrently).
final class Unchecked<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
