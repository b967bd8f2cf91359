/// A two-way byte link with deadlines: a serial port, or the master side of a pty.
public protocol ByteChannel: AnyObject {
    func read(until deadline: ContinuousClock.Instant?, maxCount: Int) throws(SerialPortError) -> ReadResult
    func write(_ bytes: some Sequence<UInt8>,
        until deadline: ContinuousClock.Instant?) throws(SerialPortError) -> WriteResult
    /// Wakes a blocked read or write from another thread (Ctrl-C).
    func interrupt()
}

extension SerialPort: ByteChannel {}
extension PtyPair: ByteChannel {}
