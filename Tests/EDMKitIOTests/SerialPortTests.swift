import Foundation
import Testing
@testable import EDMKitIO

/// SerialPort against the slave side of a pty: the same tty code paths as a USB UART, minus the
/// wire.
@Suite struct SerialPortTests {
    @Test func exchangesBytesBothWays() throws {
        let pair = try PtyPair()
        let port = try SerialPort.open(pair.slavePath)
        #expect(port.path == pair.slavePath && port.resolvedPath == pair.slavePath)
        #expect(port.baudRate == 115_200 && port.hardwareFlowControl)

        let deadline = ContinuousClock.now + .seconds(5)
        #expect(try port.write(Array("AT\r".utf8), until: deadline) == .written)
        #expect(try PtyTestSupport.read(3, from: pair) == Array("AT\r".utf8))

        #expect(try pair.write(Array("\r\nOK\r\n".utf8), until: deadline) == .written)
        #expect(try PtyTestSupport.read(6, from: port) == [0x0D, 0x0A, 0x4F, 0x4B, 0x0D, 0x0A])

        // Binary survives: raw mode must not translate CR, eat XON/XOFF or treat ^C as a signal.
        let binary: [UInt8] = [0xAA, 0x00, 0x11, 0x13, 0x03, 0x0D, 0x0A, 0x7F, 0x00, 0x55]
        #expect(try pair.write(binary, until: deadline) == .written)
        #expect(try PtyTestSupport.read(binary.count, from: port) == binary)
    }

    @Test func configuresRawModeAndRestoresOnClose() throws {
        let pair = try PtyPair()
        let before = try PtyTestSupport.settings(of: pair)
        #expect(before.c_cflag & tcflag_t(CRTSCTS) == 0)

        let port = try SerialPort.open(pair.slavePath, baudRate: 921_600)
        let open = try PtyTestSupport.settings(of: pair)
        var openCopy = open
        #expect(cfgetospeed(&openCopy) == speed_t(B921600) && cfgetispeed(&openCopy) == speed_t(B921600))
        let wanted = tcflag_t(CS8) | tcflag_t(CLOCAL) | tcflag_t(CREAD) | tcflag_t(CRTSCTS)
        let unwanted = tcflag_t(PARENB) | tcflag_t(CSTOPB)
        #expect(open.c_cflag & tcflag_t(CSIZE) == tcflag_t(CS8))
        #expect(open.c_cflag & (wanted | unwanted) == wanted)
        let local = tcflag_t(ICANON) | tcflag_t(ECHO) | tcflag_t(ISIG)
        let input = tcflag_t(IXON) | tcflag_t(IXOFF) | tcflag_t(ICRNL)
        #expect(open.c_lflag & local == 0)
        #expect(open.c_iflag & input == 0)
        let cc = withUnsafeBytes(of: open.c_cc) { (vmin: $0[Int(VMIN)], vtime: $0[Int(VTIME)]) }
        #expect(cc.vmin == 0 && cc.vtime == 0)

        port.close()
        #expect(!port.isOpen)
        let after = try PtyTestSupport.settings(of: pair)
        var afterCopy = after, beforeCopy = before
        #expect(after.c_cflag == before.c_cflag && cfgetospeed(&afterCopy) == cfgetospeed(&beforeCopy))
    }

    @Test func flowControlCanBeDisabled() throws {
        let pair = try PtyPair()
        let port = try SerialPort.open(pair.slavePath, baudRate: 9_600, hardwareFlowControl: false)
        #expect(!port.hardwareFlowControl && port.baudRate == 9_600)
        var settings = try PtyTestSupport.settings(of: pair)
        #expect(settings.c_cflag & tcflag_t(CRTSCTS) == 0)
        #expect(cfgetospeed(&settings) == speed_t(B9600))
    }

    @Test func opensThroughSymlinkAndReportsRealPath() throws {
        let directory = try PtyTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let link = directory.appendingPathComponent("usb-u-blox_NINA-W15-if00-port0").path
        let pair = try PtyPair(link: link)
        let port = try SerialPort.open(link)
        #expect(port.path == link)
        #expect(port.resolvedPath == pair.slavePath)
    }

    @Test func readTimesOutAtDeadline() throws {
        let pair = try PtyPair()
        let port = try SerialPort.open(pair.slavePath)
        let start = ContinuousClock.now
        let result = try port.read(until: start + .milliseconds(50))
        let elapsed = ContinuousClock.now - start
        #expect(result == .timedOut)
        #expect(elapsed >= .milliseconds(50))
        _ = pair
    }

    @Test func bufferedBytesWinOverAnExpiredDeadline() throws {
        let pair = try PtyPair()
        let port = try SerialPort.open(pair.slavePath)
        #expect(try pair.write([0x4F, 0x4B], until: nil) == .written)
        let past = ContinuousClock.now - .seconds(1)
        // The first byte waits for the pty to move both across; the second is then read with
        // a deadline long gone.
        #expect(try port.read(until: nil, maxCount: 1) == .bytes([0x4F]))
        #expect(try port.read(until: past) == .bytes([0x4B]))
        #expect(try port.read(until: past) == .timedOut)
    }

    @Test func secondOpenIsBusy() throws {
        let pair = try PtyPair()
        let first = try SerialPort.open(pair.slavePath)
        let error = #expect(throws: SerialPortError.self) { try SerialPort.open(pair.slavePath) }
        #expect(error?.code == .busy)
        #expect(error?.path == pair.slavePath)
        // As root TIOCEXCL lets the open through and the flock refuses (EWOULDBLOCK); as a user
        // the open itself is refused (EBUSY). Both are "busy".
        #expect(error?.errno == EWOULDBLOCK || error?.errno == EBUSY)
        #expect(error?.message.contains("busy: another program has \(pair.slavePath) open") == true)

        // Closing the first releases the port.
        first.close()
        let second = try SerialPort.open(pair.slavePath)
        #expect(second.isOpen)
    }

    @Test func regularFileIsNotASerialPort() throws {
        let directory = try PtyTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("capture.bin").path
        #expect(FileManager.default.createFile(atPath: file, contents: Data([0x41])))

        let error = #expect(throws: SerialPortError.self) { try SerialPort.open(file) }
        #expect(error?.code == .notATerminal)
        #expect(error?.message == "\(file) is not a serial port (a regular file).")

        let dirError = #expect(throws: SerialPortError.self) { try SerialPort.open(directory.path) }
        #expect(dirError?.code == .notATerminal)
        #expect(dirError?.message == "\(directory.path) is not a serial port (a directory).")

        let nullError = #expect(throws: SerialPortError.self) { try SerialPort.open("/dev/null") }
        #expect(nullError?.code == .notATerminal)
        #expect(nullError?.message == "/dev/null is not a serial port (a character device that is not a terminal).")
    }

    @Test func missingPath() throws {
        let error = #expect(throws: SerialPortError.self) { try SerialPort.open("/dev/ttyUSB-edmkit-missing") }
        #expect(error?.code == .missing)
        #expect(error?.errno == ENOENT)
        #expect(error?.path == "/dev/ttyUSB-edmkit-missing")
        #expect(error?.message.hasPrefix("/dev/ttyUSB-edmkit-missing does not exist:") == true)

        // A by-id link left pointing at an unplugged adapter's old node.
        let directory = try PtyTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let link = directory.appendingPathComponent("dangling").path
        #expect(symlink("/dev/ttyUSB-edmkit-missing", link) == 0)
        let linkError = #expect(throws: SerialPortError.self) { try SerialPort.open(link) }
        #expect(linkError?.code == .missing && linkError?.path == link)
    }

    @Test func unsupportedBaudRateIsRejectedBeforeTouchingTheDevice() throws {
        let pair = try PtyPair()
        let error = #expect(throws: SerialPortError.self) { try SerialPort.open(pair.slavePath, baudRate: 12_345) }
        #expect(error?.code == .unsupportedBaudRate)
        #expect(error?.errno == 0)
        #expect(
            error?.message
                == "12345 baud is not supported for \(pair.slavePath): use one of "
                    + "9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600."
        )
        // Checked first: a missing port with a bad rate still reports the rate.
        let missing = #expect(throws: SerialPortError.self) {
            try SerialPort.open("/dev/ttyUSB-edmkit-missing", baudRate: 0)
        }
        #expect(missing?.code == .unsupportedBaudRate)
        // And the port was left free.
        #expect(try SerialPort.open(pair.slavePath).isOpen)
    }

    @Test func closingTheMasterHangsUpAWaitingRead() throws {
        let pair = try PtyPair()
        let port = try SerialPort.open(pair.slavePath)
        let shared = Unchecked(pair)
        PtyTestSupport.after(.milliseconds(100)) { shared.value.close() }
        let start = ContinuousClock.now
        let result = try port.read(until: start + .seconds(5))
        let elapsed = ContinuousClock.now - start
        #expect(result == .hangUp)
        #expect(elapsed < .seconds(2))
        // A hang-up is final: reads and writes keep saying so, at once.
        #expect(try port.read(until: .now + .seconds(5)) == .hangUp)
        #expect(try port.write([0x41, 0x54, 0x0D], until: .now + .seconds(5)) == .hangUp(written: 0))
    }

    @Test func interruptWakesABlockedRead() throws {
        let pair = try PtyPair()
        let port = try SerialPort.open(pair.slavePath)
        let interrupter = port.interrupter
        PtyTestSupport.after(.milliseconds(100)) { interrupter.interrupt() }
        let start = ContinuousClock.now
        let result = try port.read(until: start + .seconds(5))
        let elapsed = ContinuousClock.now - start
        #expect(result == .interrupted)
        #expect(elapsed >= .milliseconds(90) && elapsed < .seconds(2))
        // Reporting consumed it: the next read waits normally.
        #expect(try port.read(until: .now + .milliseconds(20)) == .timedOut)
        _ = pair
    }

    @Test func interruptBeforeAReadIsNotLost() throws {
        let pair = try PtyPair()
        let port = try SerialPort.open(pair.slavePath)
        port.interrupt()
        port.interrupt()  // two Ctrl-Cs before anyone waits still stop only one wait
        #expect(try port.read(until: nil) == .interrupted)
        #expect(try port.read(until: .now + .milliseconds(20)) == .timedOut)
        _ = pair
    }

    @Test func useAfterCloseIsAnError() throws {
        let pair = try PtyPair()
        let port = try SerialPort.open(pair.slavePath)
        port.close()
        port.close()
        let error = #expect(throws: SerialPortError.self) { try port.read(until: nil) }
        #expect(error?.code == .system && error?.errno == EBADF)
        _ = pair
    }
}
