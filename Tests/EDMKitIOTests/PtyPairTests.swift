import Foundation
import Testing
@testable import EDMKitIO

/// PtyPair, and what Linux really does when either side of a pty goes away.
@Suite struct PtyPairTests {
    @Test func slaveIsATerminalDevice() throws {
        let pair = try PtyPair()
        #expect(pair.slavePath.hasPrefix("/dev/pts/"))
        #expect(pair.masterFileDescriptor >= 0 && pair.holdsSlave && pair.isOpen)
        var info = stat()
        #expect(stat(pair.slavePath, &info) == 0 && info.st_mode & S_IFMT == S_IFCHR)
        // Raw on the slave side (what a host program that does not configure the port sees).
        let settings = try PtyTestSupport.settings(of: pair)
        #expect(settings.c_lflag & (tcflag_t(ICANON) | tcflag_t(ECHO)) == 0)
        #expect(settings.c_oflag & tcflag_t(OPOST) == 0)

        pair.close()
        #expect(pair.masterFileDescriptor == -1 && !pair.holdsSlave && !pair.isOpen)
    }

    @Test func linkPointsAtSlaveAndGoesAwayOnClose() throws {
        let directory = try PtyTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let link = directory.appendingPathComponent("ttyNINA").path
        // A stale link from a run that died is replaced.
        #expect(symlink("/dev/pts/999999", link) == 0)

        let pair = try PtyPair(link: link)
        #expect(pair.linkPath == link)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == pair.slavePath)
        pair.close()
        #expect(!FileManager.default.fileExists(atPath: link))
        var info = stat()
        #expect(lstat(link, &info) == -1 && errno == ENOENT)
    }

    @Test func linkNeverReplacesAFile() throws {
        let directory = try PtyTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("notes.txt").path
        #expect(FileManager.default.createFile(atPath: file, contents: Data("keep".utf8)))

        let error = #expect(throws: SerialPortError.self) { try PtyPair(link: file) }
        #expect(error?.code == .system && error?.errno == EEXIST && error?.path == file)
        #expect(FileManager.default.contents(atPath: file) == Data("keep".utf8))
    }

    @Test func closingTheSlaveHangsUpTheMasterAfterItsBytes() throws {
        let pair = try PtyPair()
        let port = try SerialPort.open(pair.slavePath)
        pair.releaseSlave()
        #expect(!pair.holdsSlave)
        #expect(try port.write(Array("bye".utf8), until: .now + .seconds(5)) == .written)
        port.close()

        // Linux keeps what the slave wrote readable, then fails master reads with EIO.
        #expect(try PtyTestSupport.read(3, from: pair) == Array("bye".utf8))
        let start = ContinuousClock.now
        #expect(try pair.read(until: start + .seconds(5)) == .hangUp)
        #expect(ContinuousClock.now - start < .seconds(2))
        #expect(try pair.write([0x0D], until: .now + .seconds(5)) == .hangUp(written: 0))

        // Reopening the slave clears the hang-up: a host may close and reopen the port.
        let again = try SerialPort.open(pair.slavePath)
        #expect(try pair.read(until: .now + .milliseconds(20)) == .timedOut)
        #expect(try pair.write([0x4F, 0x4B], until: .now + .seconds(5)) == .written)
        #expect(try PtyTestSupport.read(2, from: again) == [0x4F, 0x4B])
    }

    @Test func heldSlaveHidesTheHostClosing() throws {
        let pair = try PtyPair()
        let port = try SerialPort.open(pair.slavePath)
        port.close()
        // The pair's own slave descriptor keeps the line up.
        #expect(try pair.read(until: .now + .milliseconds(20)) == .timedOut)
        // Bytes written before any host opens the port wait for it.
        #expect(try pair.write(Array("+STARTUP".utf8), until: .now + .seconds(5)) == .written)
        let late = try SerialPort.open(pair.slavePath)
        #expect(try PtyTestSupport.read(8, from: late) == Array("+STARTUP".utf8))
    }

    @Test func releasedSlaveWithNoHostIsAHangUp() throws {
        let pair = try PtyPair()
        pair.releaseSlave()
        pair.releaseSlave()
        let start = ContinuousClock.now
        #expect(try pair.read(until: start + .seconds(5)) == .hangUp)
        #expect(ContinuousClock.now - start < .seconds(2))
    }

    @Test func closedMasterLosesUnreadBytes() throws {
        let pair = try PtyPair()
        let port = try SerialPort.open(pair.slavePath)
        #expect(try pair.write([0x41, 0x42], until: .now + .seconds(5)) == .written)
        pair.close()
        // Linux flushes the slave's input on hang-up: the bytes never arrive.
        #expect(try port.read(until: .now + .seconds(5)) == .hangUp)
    }

    @Test func writeTimesOutWhenNobodyReads() throws {
        let pair = try PtyPair()
        // The slave is open but nobody reads it: the pty's buffer (a few KiB) fills up, and the
        // rest waits for POLLOUT until the deadline, as a UART does when CTS stays low.
        let bytes = [UInt8](repeating: 0x55, count: 1 << 20)
        let start = ContinuousClock.now
        let result = try pair.write(bytes, until: start + .milliseconds(100))
        #expect(ContinuousClock.now - start >= .milliseconds(100))
        guard case .timedOut(let written) = result else {
            Issue.record("expected a time-out, got \(result)")
            return
        }
        #expect(written > 0 && written < bytes.count)
    }

    @Test func interruptWakesABlockedMasterRead() throws {
        let pair = try PtyPair()
        let interrupter = pair.interrupter
        PtyTestSupport.after(.milliseconds(50)) { interrupter.interrupt() }
        let start = ContinuousClock.now
        #expect(try pair.read(until: start + .seconds(5)) == .interrupted)
        #expect(ContinuousClock.now - start < .seconds(2))
    }

    @Test func interruptWakesABlockedWrite() throws {
        let pair = try PtyPair()
        let bytes = [UInt8](repeating: 0x55, count: 1 << 20)
        // Pending before the write: nothing goes out.
        pair.interrupt()
        #expect(try pair.write(bytes, until: .now + .seconds(5)) == .interrupted(written: 0))

        // Arriving while the write waits for room (nobody reads the slave).
        let interrupter = pair.interrupter
        PtyTestSupport.after(.milliseconds(50)) { interrupter.interrupt() }
        let start = ContinuousClock.now
        let result = try pair.write(bytes, until: start + .seconds(5))
        #expect(ContinuousClock.now - start < .seconds(2))
        guard case .interrupted(let written) = result else {
            Issue.record("expected an interrupt, got \(result)")
            return
        }
        #expect(written > 0 && written < bytes.count)
    }

    @Test func pollTimeoutRoundsUp() {
        #expect(FileDescriptorIO.pollTimeout(until: nil) == -1)
        #expect(FileDescriptorIO.pollTimeout(until: .now - .seconds(1)) == 0)
        let timeout = FileDescriptorIO.pollTimeout(until: .now + .microseconds(1_500))
        #expect(timeout == 2 || timeout == 1)
        #expect(FileDescriptorIO.pollTimeout(until: .now + .seconds(100_000_000)) == Int32.max)
    }
}
