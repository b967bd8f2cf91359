import EDMKit
import EDMKitIO
import Foundation
import Testing

/// The toolbar's pipes as Wireshark uses them: fifos it made, which it opens when it likes.
@Suite struct ExtcapControlPipesTests {
    /// The two fifos and the pipes opened on them; nothing waits for the other ends.
    static func open(_ dir: TempDir) throws -> (pipes: ExtcapControlPipes, toUs: String, fromUs: String) {
        let toUs = dir.file("ws_to_ext"), fromUs = dir.file("ext_to_ws")
        #expect(mkfifo(toUs, 0o600) == 0 && mkfifo(fromUs, 0o600) == 0)
        return (try ExtcapControlPipes(controlIn: toUs, controlOut: fromUs), toUs, fromUs)
    }

    /// What is in the fifo now, as frames.
    static func frames(in fd: Int32) throws -> [ExtcapControlFrame] {
        var bytes: [UInt8] = [], buffer = [UInt8](repeating: 0, count: 65_536)
        while case let n = read(fd, &buffer, buffer.count), n > 0 { bytes += buffer[..<n] }
        var frames: [ExtcapControlFrame] = [], at = 0
        while let (frame, count) = try ExtcapControlFrame.decode(bytes[at...]) { frames.append(frame); at += count }
        #expect(at == bytes.count, "\(bytes.count - at) bytes left over")
        return frames
    }

    @Test func eventsGoToTheLoggerAndTheStatusBar() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let (pipes, _, fromUs) = try Self.open(dir)
        defer { pipes.close() }
        let reader = Glibc.open(fromUs, O_RDONLY | O_NONBLOCK)
        defer { close(reader) }
        pipes.log("the host opened /tmp/ttyNINA")
        pipes.status("the host closed /tmp/ttyNINA")
        pipes.log(String(repeating: "é", count: 1000))
        let frames = try Self.frames(in: reader)
        #expect(frames.count == 3)
        #expect(frames.first == ExtcapControlFrame(control: 0, command: .add, text: "the host opened /tmp/ttyNINA\n"))
        #expect(frames.dropFirst().first == ExtcapControlFrame(control: 255, command: .statusbarMessage,
                                                              text: "the host closed /tmp/ttyNINA"))
        // A long line is cut between characters, below what one atomic pipe write takes.
        let long = try #require(frames.last)
        #expect(long.payload.count <= 502 && long.text.hasSuffix("é\n") && !long.text.contains("\u{FFFD}"))
    }

    /// Wireshark's Initialized is seen after garbage and a frame we do not handle.
    @Test func theReaderSkipsWhatItDoesNotHandle() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let (pipes, toUs, _) = try Self.open(dir)
        defer { pipes.close() }
        #expect(pipes.start())
        let writer = Glibc.open(toUs, O_WRONLY | O_NONBLOCK)
        defer { close(writer) }
        let bytes = [0x00, 0x41] + ExtcapControlFrame(control: 9, command: .set, text: "x").bytes
            + ExtcapControlFrame(control: 0, command: .initialized).bytes
        #expect(!pipes.initialized)
        #expect(write(writer, bytes, bytes.count) == bytes.count)
        let deadline = Date().addingTimeInterval(2)
        while !pipes.initialized, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        #expect(pipes.initialized)
    }

    /// With Wireshark not reading, messages are dropped once the pipe is full, at once.
    @Test func aFullPipeDropsRatherThanWaits() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let (pipes, _, _) = try Self.open(dir)
        let started = Date()
        var sent = 0
        let line = ExtcapControlFrame(control: 0, command: .add, text: String(repeating: "x", count: 400))
        while sent < 10_000, pipes.send(line) { sent += 1 }
        #expect(sent > 10 && sent < 10_000, "\(sent) sent")
        #expect(Date().timeIntervalSince(started) < 2)
        #expect(pipes.start())
        let closing = Date()
        pipes.close()
        #expect(Date().timeIntervalSince(closing) < 1, "close waits for the reader")
        #expect(!pipes.send(ExtcapControlFrame(control: 0, command: .add, text: "after close")))
    }

    @Test func aMissingFifoIsAnError() {
        #expect(throws: SerialPortError.self) {
            try ExtcapControlPipes(controlIn: "/nonexistent/ws_to_ext", controlOut: nil)
        }
    }
}
