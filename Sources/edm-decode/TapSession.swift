import Dispatch
import EDMKit
import EDMKitIO
import ToolSupport
#if canImport(Glibc)
import Glibc
#endif

/// One live capture, as `edm-decode tap` and the Wireshark extcap run it: open the ports (and
/// the pty), forward or listen, record, print, and end cleanly on a signal, a time limit or a
/// port that goes away.
struct TapSession {
    enum Wiring {
        /// Between the module's port and a pty for the host, linked at `link`.
        case tap(port: String, link: String)
        /// Two receive-only ports: one on the host's TX line, one on the module's.
        case twoWire(host: String, module: String)
    }

    var wiring: Wiring
    var baud: Int
    var flowControl: Bool
    /// A tap sets the module's port to the rate and flow control the host sets on the pty.
    var followHost = true
    /// The pcapng (a file, or the extcap's fifo); nil: none.
    var capturePath: String?
    var overwrite = false
    /// The live units on standard output; nil: none (the extcap's standard output is not ours).
    var format: LiveCapture.Format?
    var colour = false
    var redact = true
    /// Seconds, then the capture ends as on Ctrl-C.
    var duration: Double?
    var application = "edm-decode tap"
    /// Only errors on standard error: Wireshark shows whatever an extcap writes there as one.
    var quiet = false
    /// The units written to the capture (the extcap's capture filter).
    var filter = UnitFilter.everything
    /// Wireshark's toolbar pipes (the extcap's): the events go to its logger and status bar.
    var control: ExtcapControlPipes?

    func run() -> ExitStatus {
        // Before anything that must be undone (the link): a signal that comes during set-up
        // still ends the capture cleanly.
        let signals = StopSignals()
        defer { signals.cancel() }
        // A reader that goes away (Wireshark closing the fifo, `| head`) is a write error to
        // report, not a signal that kills us before the capture is closed.
        signal(SIGPIPE, SIG_IGN)

        let tap: LiveTap, pty: PtyPair?, interface: String
        var ports: [SerialPort] = []
        defer { for port in ports { port.close() } }
        switch wiring {
        case .tap(let path, let link):
            let port = open(path, "--port")
            ports = [port]
            let pair: PtyPair
            do { pair = try PtyPair(link: link) } catch { fail("--link \(link): \(error.clause)", .cantCreat) }
            (tap, pty) = (LiveTap.tap(module: port, host: pair, followHost: followHost), pair)
            interface = "\(port.resolvedPath) <-> \(link)"
        case .twoWire(let host, let module):
            let h = open(host, "--host-port"), m = open(module, "--module-port")
            ports = [h, m]
            (tap, pty) = (LiveTap.sniff(host: h, module: m), nil)
            interface = "host \(h.resolvedPath), module \(m.resolvedPath)"
        }
        defer { pty?.close() }

        let writer = capturePath.map { makeWriter($0, interface: interface) }
        let sink: OutputSink? = format == nil ? nil : try? OutputSink(path: "-")
        let start = ContinuousClock.now
        let capture = LiveCapture(
            writer: writer, sink: sink, format: format ?? .transcript, colour: colour,
            keepSecrets: !redact, start: start, origin: TraceOrigin(unixNanoseconds: Self.unixNanoseconds()))
        capture.recorder.filter = filter
        tap.onChunk = { direction, bytes, time in capture.record(direction, bytes, at: time) }
        tap.onEvent = { [quiet, control] event, time in
            capture.record(event, at: time)
            let line = Self.describe(event, after: time - start, link: pty?.linkPath)
            if !quiet { say(line) }
            control?.log(line)
            control?.status(line)
        }
        control?.start()
        defer { control?.close() }
        signals.serve(stop: tap.stop) {
            pty?.removeLink()
            exit(ExitStatus.interrupted.rawValue)
        }
        if let duration {
            DispatchQueue.global().asyncAfter(deadline: .now() + duration) { tap.stop() }
        }
        let opening = banner(interface: interface, pty: pty)
        if !quiet { say(opening) }
        control?.log(opening)

        let ended = tap.run()
        capture.finish()
        var status = ExitStatus.ok
        let end: String? = switch ended {
        case .stopped: nil
        case .hungUp(let direction):
            "the \(direction == .module ? "module's" : "host's") port hung up (unplugged?): the capture is closed"
        case .failed(let reason): "the capture stopped: \(reason)"
        }
        if let end {
            say(end)
            control?.log(end)
            control?.status(end)
            status = .ioErr
        }
        if let error = capture.recorder.error {
            say("the capture \(capturePath ?? "") is incomplete: \(error)")
            status = .ioErr
        }
        if let error = capture.outputError, format != nil {
            say("the live output stopped: \(error)")
        }
        if let capturePath, capture.recorder.error == nil, !quiet {
            say("capture: \(capturePath)   (decode it: edm-decode \(capturePath))")
        }
        return status
    }

    private func open(_ path: String, _ option: String) -> SerialPort {
        do { return try SerialPort.open(path, baudRate: baud, hardwareFlowControl: flowControl) } catch {
            fail("\(option) \(path): \(error.clause)", .noInput)
        }
    }

    private func makeWriter(_ path: String, interface: String) -> PcapngWriter {
        do {
            return try PcapngWriter(path: path, interfaceName: interface, application: application,
                                    flushEachPacket: true, replacing: overwrite)
        } catch where error.code == .exists {
            fail("-w \(path): the file exists; give --overwrite to replace it, or another name", .usage)
        } catch {
            fail("cannot create the capture \(path): \(error)", .cantCreat)
        }
    }

    private func banner(interface: String, pty: PtyPair?) -> String {
        let line = "\(baud) baud, \(flowControl ? "RTS/CTS" : "no flow control")"
        let what =
            switch wiring {
            case .tap(_, let link):
                "tap \(interface) (\(pty?.slavePath ?? link)), \(line): open \(link) in the host program"
            case .twoWire: "listening on \(interface), \(line)"
            }
        return what + "; Ctrl-C ends"
    }

    static func describe(_ event: LiveTap.Event, after elapsed: Duration, link: String?) -> String {
        let at = "at \(elapsed.secondsText) s"
        let pty = link ?? "the pty"
        return switch event {
        case .hostOpened: "the host opened \(pty) (\(at))"
        case .hostClosed: "the host closed \(pty) (\(at)); the capture goes on until it opens it again or Ctrl-C"
        case .dropped:
            "the module sends while the host has \(pty) closed (\(at)): not delivered, but in the capture"
        case .hostSettings(let host, let port):
            "\(LiveCapture.note(host: host, port: port)) (\(at))"
        }
    }

    static func unixNanoseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }
}
