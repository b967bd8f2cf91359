import EDMKit
import EDMKitIO
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A host that changes its baud rate or flow control on the tap's pty (as after `AT+UMRS`):
/// the tap sets the module's port the same before it forwards the host's next byte, says so,
/// and notes it in the capture among the units; with `--no-follow-host` the port keeps its
/// settings and the change is still reported. The module's side is a pty here, whose slave
/// (the tap's "port") keeps the rate and flow control it is set to, as a UART driver does.
@Suite struct TapFollowsHostTests {
    @Test(arguments: [true, false])
    func theTapFollowsTheHostsLineSettings(follow: Bool) throws {
        let dir = try Tool.temporaryDirectory("follow-\(follow)")
        let module = try PtyPair(), link = dir + "/host", capture = dir + "/tap.pcapng"
        let tap = try Tool.start("edm-decode", ["tap", "--port", module.slavePath, "--link", link, "--no-flow-control",
                                                "-w", capture] + (follow ? [] : ["--no-follow-host"]))
        defer { tap.process.terminate() }
        try LiveTapTests.waitFor(link)
        let initial = LineSettings(baudRate: 115_200, hardwareFlowControl: false)
        #expect(module.hostSettings == initial, "the tap's port starts at --baud")

        // The host opens the pty as the module's port would be: the same settings, no change.
        let host = try SerialPort.open(link, hardwareFlowControl: false)
        try exchange("AT\r", host: host, module: module)
        let fast = LineSettings(baudRate: 9_600, hardwareFlowControl: true)
        try host.apply(fast)
        try exchange("AT+GMM\r", host: host, module: module)
        // By the time the host's next command reached the module, the port had the new settings.
        #expect(module.hostSettings == (follow ? fast : initial))
        try setSpeed(of: link, to: speed_t(B1200))  // a rate a module's port cannot take
        try exchange("AT+GMR\r", host: host, module: module)
        #expect(module.hostSettings == (follow ? fast : initial), "an unsupported rate leaves the port as it is")
        host.close()
        Thread.sleep(forTimeInterval: 0.3)
        tap.process.terminate()
        let r = try tap.finish()
        #expect(r.status == 0, "\(r.stderr)")

        let port = follow ? fast : initial
        let notes = [
            "the host set 9600 baud, RTS/CTS; "
                + (follow ? "the module's port too" : "the module's port stays at \(initial)"),
            "the host set an unsupported baud rate, RTS/CTS; the module's port stays at \(port)",
            // The host's SerialPort puts its settings back when it closes the pty.
            "the host set 115200 baud, no flow control; the module's port too",
        ]
        for note in notes { #expect(r.stderr.contains(note), "\(note) not in: \(r.stderr)") }
        #expect(r.stderr.components(separatedBy: "the host set").count == 4, "only changes are reported: \(r.stderr)")

        // In the capture, each note sits between the command before it and the one after it.
        let transcript = try Tool.run("edm-decode", [capture, "-f", "transcript", "--color", "never"]).stdout
        let order = ["-> at command AT", "note: noted when captured: \(notes[0])", "AT+GMM",
                     "note: noted when captured: \(notes[1])", "AT+GMR", "note: noted when captured: \(notes[2])"]
            .map { transcript.range(of: $0)?.lowerBound }
        #expect(!order.contains(nil) && order.map { $0! } == order.map { $0! }.sorted(), "\(transcript)")
        var importer = PcapngStreamImporter()
        let file = [UInt8](try Data(contentsOf: URL(fileURLWithPath: capture)))
        let records = try importer.consume(file[...]) + importer.finish()
        #expect(records.count == 6, "--follow reads the units and leaves the notes out: \(records)")
        if which("tshark") != nil {
            let shown = try DissectorMeaningTests.tshark(
                capture, ["-Y", "ucx_note", "-T", "fields", "-e", "ucx_note.text"])
            #expect(shown == notes, "\(shown)")
        }
    }

    /// The host sends `command`, which reaches the module; the module answers OK to the host.
    private func exchange(_ command: String, host: SerialPort, module: PtyPair) throws {
        _ = try host.write(Array(command.utf8), until: .now + .seconds(1))
        #expect(try LiveTapTests.read(command.utf8.count, from: module) == Array(command.utf8))
        _ = try module.write(Array("\r\nOK\r\n".utf8), until: .now + .seconds(1))
        #expect(try LiveTapTests.read(6, from: host) == Array("\r\nOK\r\n".utf8))
    }

    /// What a host program using plain termios does: another speed on its open port.
    private func setSpeed(of path: String, to speed: speed_t) throws {
        let fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK)
        guard fd >= 0 else { throw TestFailure("cannot open \(path)") }
        defer { close(fd) }
        var settings = termios()
        guard tcgetattr(fd, &settings) == 0 else { throw TestFailure("tcgetattr \(path)") }
        cfsetispeed(&settings, speed)
        cfsetospeed(&settings, speed)
        guard tcsetattr(fd, TCSADRAIN, &settings) == 0 else { throw TestFailure("tcsetattr \(path)") }
    }
}
