import EDMKit
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The two control pipes Wireshark gives an extcap with a toolbar: `--extcap-control-in`
/// (Wireshark to us) and `--extcap-control-out` (us to Wireshark), framed as
/// `ExtcapControlFrame`s.
///
/// Nothing here may hold the capture up:
/// - Both fifos are opened read-write, which on Linux and the BSDs never waits for the other
///   end (a plain open of a fifo waits until someone opens the other side, and Wireshark
///   opens its ends from its GUI thread in an order of its own).
/// - What Wireshark sends is read on a thread of its own and skipped (the one control is a
///   logger button, which sends nothing to act on); a frame that makes no sense is skipped to
///   the next 'T'.
/// - A message is written only when the pipe has room for all of it at once (messages are
///   cut below PIPE_BUF, so a write is all or nothing): with Wireshark not reading, messages
///   are dropped rather than waited for.
public final class ExtcapControlPipes: @unchecked Sendable {
    /// The logger button's control number (`Extcap.controls`).
    public static let loggerControl: UInt8 = 0
    /// Below PIPE_BUF (at least 512 everywhere, 4096 on Linux) with the frame's 6 bytes.
    static let maxMessage = 500

    private let input: FileDescriptorIO?
    private let output: Mutex<FileDescriptorIO?>
    private var reader: BlockingThread?
    private let initializedFlag = Atomic<Bool>(false)

    /// Opens the pipes given (either may be nil: Wireshark passes none without a toolbar).
    public init(controlIn: String?, controlOut: String?) throws(SerialPortError) {
        input = try controlIn.map { path throws(SerialPortError) in try Self.openFifo(path) }
        output = Mutex(try controlOut.map { path throws(SerialPortError) in try Self.openFifo(path) })
    }

    deinit { close() }

    /// Whether Wireshark has said it sent every control's initial value.
    public var initialized: Bool { initializedFlag.load(ordering: .acquiring) }

    /// Starts reading the control-in pipe; false if there is none or no thread.
    @discardableResult
    public func start() -> Bool {
        guard let input, reader == nil else { return false }
        let thread = BlockingThread { [self] in read(input) }
        guard thread.start() else { return false }
        reader = thread
        return true
    }

    /// A line in the logger window (`{role=logger}`): added to what it shows.
    public func log(_ line: String) {
        send(ExtcapControlFrame(control: Self.loggerControl, command: .add, text: Self.cut(line) + "\n"))
    }

    /// A message in Wireshark's status bar.
    public func status(_ text: String) {
        send(ExtcapControlFrame(control: ExtcapControlFrame.noControl, command: .statusbarMessage,
                                text: Self.cut(text)))
    }

    /// Sends a frame if the pipe has room for it now; false if it was dropped (no pipe, a
    /// full pipe, Wireshark gone).
    @discardableResult
    public func send(_ frame: ExtcapControlFrame) -> Bool {
        output.withLock { output in
            guard let io = output, io.isOpen else { return false }
            let result = try? io.write(frame.bytes, until: .now)
            return result == .written
        }
    }

    /// Stops the reader and closes both pipes. Idempotent.
    public func close() {
        input?.interrupter.interrupt()
        reader?.join()
        reader = nil
        input?.close()
        output.withLock { $0?.close() }
    }

    private func read(_ input: FileDescriptorIO) {
        var pending: [UInt8] = []
        while true {
            guard case .bytes(let bytes) = try? input.read(until: nil) else { return }
            pending += bytes
            var at = pending.startIndex
            while at < pending.endIndex {
                do {
                    guard let (frame, count) = try ExtcapControlFrame.decode(pending[at...]) else { break }
                    at += count
                    if frame.command == .initialized { initializedFlag.store(true, ordering: .releasing) }
                } catch {
                    // Out of step: look for the next frame's sync byte.
                    at = pending[(at + 1)...].firstIndex(of: ExtcapControlFrame.sync) ?? pending.endIndex
                }
            }
            pending.removeFirst(at - pending.startIndex)
        }
    }

    private static func cut(_ text: String) -> String {
        var out = ""
        for c in text {
            guard out.utf8.count + c.utf8.count <= maxMessage else { break }
            out.append(c)
        }
        return out
    }

    private static func openFifo(_ path: String) throws(SerialPortError) -> FileDescriptorIO {
        let fd = POSIX.open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw .system("open", path: path, errno: errno) }
        return try FileDescriptorIO(fd: fd, path: path)
    }
}
