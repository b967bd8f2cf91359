import ArgumentParser
import EDMKit
import EDMKitIO
import ToolSupport

/// `edm-decode extcap`: the live capture as a Wireshark interface. Wireshark runs it through
/// the small wrapper `make install-wireshark` puts in its personal extcap folder.
struct ExtcapCommand: ToolCommand, UsageChecks {
    static let configuration = CommandConfiguration(
        commandName: "edm-decode extcap",
        abstract: "Run as a Wireshark extcap: a live tap or two-wire capture into Wireshark.",
        discussion: """
        Wireshark and tshark call this themselves once `make install-wireshark` has put the \
        wrapper and the dissector in their personal folders. The interface is ucx-edm; its \
        settings are the tap's (wiring, ports, pty link, baud rate, flow control).

        Examples:
          tshark -D                                  lists "ucx-edm"
          tshark -i ucx-edm -o extcap.ucx_edm.port:/dev/ttyUSB0 \\
              -o extcap.ucx_edm.link:/tmp/ttyNINA -Y ucx_at
          wireshark -k -i ucx-edm                    Capture > Options > ucx-edm (cog)
          tshark -i ucx-edm ... -f "module at"       only the module's AT text

        The capture filter (Wireshark's capture filter field, tshark -f) is a few words: \
        host or module (who sent the unit), at, edm, data or noise (what it is: command-mode \
        AT text, any EDM frame, EDM data frames only, bytes that are neither). A unit is \
        captured when its direction is one of the direction words and its kind one of the \
        kind words; a group left out takes everything, so an empty filter captures every \
        unit. Wireshark checks a filter by calling --extcap-capture-filter F \
        --extcap-interface ucx-edm alone: nothing on standard output means valid, else the \
        first line says what is wrong (the exit status is 0 either way, or Wireshark would \
        not read the answer).

        The toolbar has a logger button (Tap log): its window, and the status bar, show \
        the tap's events as they happen (the host opening or closing the pty, a port that \
        goes away).
        """,
        version: ToolText.version
    )

    @Flag(help: "List the interface (Wireshark's first call).")
    var extcapInterfaces = false
    @Option(help: "The Wireshark version asking.")
    var extcapVersion: String?
    @Option(help: "The interface the other calls are about (ucx-edm).")
    var extcapInterface: String?
    @Flag(help: "List the interface's link types.")
    var extcapDlts = false
    @Flag(help: "List the interface's settings.")
    var extcapConfig = false
    @Option(help: "(Re-offer one setting's values: the ports are scanned again.)")
    var extcapReloadOption: String?
    @Flag(help: "Capture into --fifo until Wireshark stops it (SIGTERM).")
    var capture = false
    @Option(help: "Where the pcapng stream goes.")
    var fifo: String?
    @Option(help: "The units to capture, e.g. \"module at\" (see above); alone: check it.")
    var extcapCaptureFilter: String?
    @Option(help: "The fifo Wireshark's toolbar writes to (read and skipped: the logger button sends nothing).")
    var extcapControlIn: String?
    @Option(help: "The fifo the tap's events go to: the logger window and the status bar.")
    var extcapControlOut: String?
    @Flag(help: "(Wireshark's debug switch: accepted.)")
    var debug = false
    @Option(help: "(Accepted and ignored.)")
    var debugFile: String?

    @Option(help: "The wiring.")
    var mode: Extcap.Mode = .tap
    @Option(help: "Tap: the module's serial port.")
    var port: String?
    @Option(help: "Tap: the pty symlink the host program opens.")
    var link: String = "/tmp/ttyNINA"
    @Option(help: "Two-wire: the port on the host's TX line.")
    var hostPort: String?
    @Option(help: "Two-wire: the port on the module's TX line.")
    var modulePort: String?
    @Option(
        parsing: .unconditional, help: "Baud rate: \(Bounds.baud.limits) (default 115200).",
        transform: Bounds.baud.parse)
    var baud: Int?
    @Option(help: "RTS/CTS, or none.")
    var flowControl: Extcap.FlowControl = .rtscts

    func checkUsage() throws {
        guard capture else { return }
        if case .failure(let error) = captureFilter {
            throw ValidationError("--extcap-capture-filter \"\(extcapCaptureFilter ?? "")\": \(error)")
        }
        if fifo == nil { throw ValidationError("--capture needs --fifo FILE: where Wireshark reads the packets.") }
        if let extcapInterface, extcapInterface != Extcap.interface {
            throw ValidationError(
                "Unknown --extcap-interface \(extcapInterface): the one interface is \(Extcap.interface).")
        }
        switch mode {
        case .tap where port == nil:
            throw ValidationError("Missing --port: the module's serial port (the Port setting of the interface).")
        case .twoWire where hostPort == nil || modulePort == nil:
            throw ValidationError("Two-wire needs --host-port and --module-port (the interface's settings).")
        default: break
        }
    }

    func run() throws {
        if extcapInterfaces {
            Extcap.interfaces(version: ToolText.version, help: "edm-decode extcap --help").forEach { print($0) }
        } else if extcapDlts {
            Extcap.dlts.forEach { print($0) }
        } else if extcapConfig {
            Extcap.config(ports: Extcap.serialPorts(), baudRates: SerialPort.supportedBaudRates,
                          defaultBaud: SerialPort.defaultBaudRate).forEach { print($0) }
        } else if capture, let fifo {
            let wiring: TapSession.Wiring = mode == .tap ? .tap(port: port ?? "", link: link)
                : .twoWire(host: hostPort ?? "", module: modulePort ?? "")
            var session = TapSession(wiring: wiring, baud: baud ?? SerialPort.defaultBaudRate,
                                     flowControl: flowControl == .rtscts, capturePath: fifo, overwrite: true,
                                     format: nil, application: "edm-decode extcap", quiet: true)
            session.filter = (try? captureFilter.get()) ?? .everything
            session.control = controlPipes()
            let status = session.run()
            if status != .ok { throw status.exitCode }
        } else if extcapCaptureFilter != nil {
            // Wireshark's filter check: the answer is standard output, read only on exit 0.
            if case .failure(let error) = captureFilter { print(error) }
        } else {
            throw ValidationError(
                "Nothing to do: Wireshark calls this with --extcap-interfaces, "
                    + "--extcap-dlts, --extcap-config or --capture."
            )
        }
    }

    /// The capture filter as given (none: every unit), or what is wrong with it.
    private var captureFilter: Result<UnitFilter, UnitFilter.ParseError> {
        Result { () throws(UnitFilter.ParseError) in try UnitFilter(parsing: extcapCaptureFilter ?? "") }
    }

    /// The toolbar's pipes, when Wireshark gave them.
    private func controlPipes() -> ExtcapControlPipes? {
        guard extcapControlIn != nil || extcapControlOut != nil else { return nil }
        do { return try ExtcapControlPipes(controlIn: extcapControlIn, controlOut: extcapControlOut) } catch {
            fail("--extcap-control-in/--extcap-control-out: \(error.clause)", .noInput)
        }
    }
}

extension Extcap.Mode: ExpressibleByArgument {}
extension Extcap.FlowControl: ExpressibleByArgument {}
