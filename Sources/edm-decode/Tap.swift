import ArgumentParser
import EDMKit
import EDMKitIO
import ToolSupport
#if canImport(Glibc)
import Glibc
#endif

/// `edm-decode tap`: a live capture, as a man in the middle or as a two-wire sniffer.
struct Tap: ToolCommand, UsageChecks {
    static let configuration = CommandConfiguration(
        commandName: "edm-decode tap",
        abstract: "Capture a live session: between a host and the module, or from two RX wires.",
        discussion: """
        A tap opens the module's port and makes a pty for the host program: point the host \
        at the --link path instead of the port, and every byte is forwarded both ways, \
        decoded and printed as each unit completes, and written to the -w capture (pcapng, \
        flushed per packet: an unplug or a crash loses nothing).

          host program --> /tmp/ttyNINA --> edm-decode tap --> /dev/ttyUSB0 --> NINA
                           (a pty)

        Two-wire sniffing listens only: two USB-UART adapters whose RX pins sit on the \
        module's RX line (what the host sends) and TX line (what the module sends); their \
        GND to the board's. Nothing is transmitted.

          host TX ---+---> module RX          module TX ---+---> host RX
                     '--> RX of --host-port                '--> RX of --module-port

        Examples:
          edm-decode tap --port /dev/ttyUSB0 --link /tmp/ttyNINA -w s.pcapng
          azure-dps --port /tmp/ttyNINA ...     (in another terminal)
          edm-decode tap --host-port /dev/ttyUSB1 --module-port /dev/ttyUSB2 \\
              --baud 921600 --no-flow-control -f json > units.jsonl

        The host may close the pty and open it again: the capture goes on in a new \
        pcapng section of the same file (one per session of the host). A port that goes \
        away (the adapter unplugged) is reported at once and ends the capture cleanly, as \
        Ctrl-C, SIGTERM and SIGHUP do. Secrets are replaced by '*' in the output and by \
        filler in the capture unless --no-redact.

        The port starts at --baud and the flow control given here, and so does the pty. \
        When the host program sets another baud rate or flow control on the pty (after \
        AT+UMRS, say), the tap sets the port the same before it forwards the host's next \
        byte, prints it and notes it in the capture; --no-follow-host keeps the port as \
        given and only reports the change. (Linux; two-wire ports keep --baud.)

        Exit status: 0 stopped (signal or --duration), 64 usage error, 66 a port cannot be \
        opened, 73 the capture or the pty cannot be created, 74 a port went away or the \
        capture cannot be written, 130 a second signal.
        """,
        version: ToolText.version
    )

    @Option(help: "Tap: the module's serial port (e.g. /dev/ttyUSB0).")
    var port: String?

    @Option(help: "Tap: the pty symlink the host program opens (e.g. /tmp/ttyNINA).")
    var link: String?

    @Option(help: "Two-wire: the port whose RX hears the host's TX line.")
    var hostPort: String?

    @Option(help: "Two-wire: the port whose RX hears the module's TX line.")
    var modulePort: String?

    @Option(
        parsing: .unconditional, help: "Baud rate: \(Bounds.baud.limits) (default 115200).",
        transform: Bounds.baud.parse)
    var baud: Int?

    @Flag(inversion: .prefixedNo, help: "Hardware flow control RTS/CTS on the ports.")
    var flowControl = true

    @Flag(inversion: .prefixedNo, help: "Tap: set the port to the baud rate and flow control the host sets on the pty.")
    var followHost = true

    @Option(name: [.customShort("w"), .long], help: "Write the capture (pcapng) to this file as it goes.")
    var write: String?

    @Flag(help: "Let -w replace a file that exists.")
    var overwrite = false

    @Option(name: .shortAndLong, help: "Live output: transcript or json (JSON Lines).")
    var format: LiveCapture.Format = .transcript

    @Option(help: "Colour the transcript: auto (on a terminal), always, never.")
    var color: DecodePipeline.Colour = .auto

    @Flag(inversion: .prefixedNo, help: "Replace passphrases and private keys (output: '*', capture: filler).")
    var redact = true

    @Option(
        parsing: .unconditional,
        help: "End after this many seconds, \(Bounds.captureDuration.limits) (default: at Ctrl-C).",
        transform: Bounds.captureDuration.parse)
    var duration: Double?

    func checkUsage() throws {
        let tap = port != nil || link != nil, twoWire = hostPort != nil || modulePort != nil
        if tap, twoWire {
            throw ValidationError(
                "--port/--link (a tap) and --host-port/--module-port (two-wire) exclude each other: choose one wiring.")
        }
        if !tap, !twoWire {
            throw ValidationError(
                "Missing the wiring: --port PORT --link PATH for a tap, or --host-port A --module-port B to sniff.")
        }
        if tap, port == nil { throw ValidationError("Missing --port PORT: the module's serial port.") }
        if tap, link == nil { throw ValidationError("Missing --link PATH: the pty symlink the host program opens.") }
        if twoWire, hostPort == nil {
            throw ValidationError("Missing --host-port PORT: the port on the host's TX line.")
        }
        if twoWire, modulePort == nil {
            throw ValidationError("Missing --module-port PORT: the port on the module's TX line.")
        }
        if let hostPort, hostPort == modulePort {
            throw ValidationError("--host-port and --module-port are both \(hostPort): give one port per line.")
        }
        if let write, [port, link, hostPort, modulePort].contains(write) {
            throw ValidationError("-w \(write) is one of the ports: choose another file for the capture.")
        }
    }

    var session: TapSession {
        let wiring: TapSession.Wiring =
            if let port, let link { .tap(port: port, link: link) } else {
                .twoWire(host: hostPort ?? "", module: modulePort ?? "")
            }
        let colour =
            switch color {
            case .always: true
            case .never: false
            case .auto: isatty(1) == 1
            }
        return TapSession(
            wiring: wiring, baud: baud ?? SerialPort.defaultBaudRate, flowControl: flowControl, followHost: followHost,
            capturePath: write, overwrite: overwrite,
            format: format, colour: colour && format == .transcript, redact: redact, duration: duration)
    }

    func run() throws {
        let status = session.run()
        if status != .ok { throw status.exitCode }
    }
}

extension LiveCapture.Format: ExpressibleByArgument {}
