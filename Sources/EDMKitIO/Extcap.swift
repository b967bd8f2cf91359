#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What Wireshark asks an external capture program (an "extcap") before it captures, and the
/// lines it expects back: the interface, its link type, the settings dialog.
///
/// Wireshark runs every program in its extcap folder with `--extcap-interfaces`, then, for a
/// chosen interface, `--extcap-dlts` and `--extcap-config`, and at last `--capture --fifo F`
/// with the settings as options; it stops a capture with SIGTERM. tshark takes the settings
/// as preferences named after the interface and the option without its dashes:
/// `-o extcap.ucx_edm.port:/dev/ttyUSB0`, `-o extcap.ucx_edm.hostport:...`.
public enum Extcap {
    /// The one interface: its value names the tshark preferences (`ucx_edm`).
    public static let interface = "ucx-edm"
    public static let display = "u-blox u-connectXpress serial (AT + EDM): tap or two-wire"
    /// Packets carry Wireshark's upper-PDU header naming our dissector (docs/captures.md).
    public static let linkType = 252

    public enum Mode: String, CaseIterable, Sendable {
        case tap
        case twoWire = "two-wire"
    }

    public enum FlowControl: String, CaseIterable, Sendable {
        case rtscts, none
    }

    public static func interfaces(version: String, help: String) -> [String] {
        ["extcap {version=\(version)}{help=\(help)}",
         "interface {value=\(interface)}{display=\(display)}"] + controls
    }

    /// The toolbar: one logger button, whose window shows the tap's events (the host opening
    /// and closing the pty, a port that goes away) as they happen; the same events go to the
    /// status bar. Wireshark passes the control pipes only to an interface with controls.
    public static var controls: [String] {
        ["control {number=\(ExtcapControlPipes.loggerControl)}{type=button}{role=logger}{display=Tap log}"
            + "{tooltip=What the tap saw: the host opening and closing the pty, a port going away}"]
    }

    public static var dlts: [String] {
        ["dlt {number=\(linkType)}{name=WIRESHARK_UPPER_PDU}{display=u-connectXpress units (ucx_edm, ucx_at)}"]
    }

    /// The settings dialog. `ports`: the serial ports found now, named in the port fields'
    /// tooltips (the first is the default).
    public static func config(ports: [String], baudRates: [Int], defaultBaud: Int) -> [String] {
        var lines: [String] = []
        func arg(_ n: Int, _ call: String, _ display: String, _ type: String, _ extra: String = "") {
            lines.append("arg {number=\(n)}{call=--\(call)}{display=\(display)}{type=\(type)}\(extra)")
        }
        func value(_ n: Int, _ value: String, _ display: String, default isDefault: Bool = false) {
            lines.append("value {arg=\(n)}{value=\(value)}{display=\(display)}" + (isDefault ? "{default=true}" : ""))
        }
        arg(
            0, "mode", "Wiring", "radio",
            "{tooltip=Tap: the host program opens the pty link instead of the "
                + "port. Two-wire: two adapters listen on the RX and TX lines.}"
        )
        value(0, Mode.tap.rawValue, "Tap (between the host program and the module)", default: true)
        value(0, Mode.twoWire.rawValue, "Two-wire (listen only)")
        let portArgs = [
            (1, "port", "Module port (tap)", "The module's serial port"),
            (3, "host-port", "Host TX listener (two-wire)", "The port whose RX is on the host's TX line"),
            (4, "module-port", "Module TX listener (two-wire)", "The port whose RX is on the module's TX line")
        ]
        // Strings, not editable selectors: Wireshark 4.0 and older know no editselector. The
        // ports found now go into the tooltip.
        let found = ports.isEmpty ? "none found now" : "found now: " + ports.joined(separator: ", ")
        for (n, call, display, tip) in portArgs {
            let first = ports.first.map { "{default=\($0)}" } ?? ""
            arg(n, call, display, "string", "\(first){tooltip=\(tip) (\(found))}")
            if n == 1 {
                arg(2, "link", "Pty link for the host (tap)", "string",
                    "{default=/tmp/ttyNINA}{tooltip=The symlink the host program opens as its serial port}")
            }
        }
        arg(5, "baud", "Baud rate", "selector")
        for rate in baudRates { value(5, String(rate), String(rate), default: rate == defaultBaud) }
        arg(6, "flow-control", "Flow control", "selector")
        value(6, FlowControl.rtscts.rawValue, "RTS/CTS", default: true)
        value(6, FlowControl.none.rawValue, "None")
        return lines
    }

    /// Serial ports worth offering: the stable names under /dev/serial/by-id first, then USB
    /// and ACM devices.
    public static func serialPorts() -> [String] {
        var found: [String] = []
        for (dir, prefixes) in [("/dev/serial/by-id", [""]), ("/dev", ["ttyUSB", "ttyACM"])] {
            guard let handle = opendir(dir) else { continue }
            defer { closedir(handle) }
            var names: [String] = []
            while let entry = readdir(handle) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) {
                    String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
                }
                guard !name.hasPrefix("."), prefixes.contains(where: { name.hasPrefix($0) }) else { continue }
                names.append(dir + "/" + name)
            }
            found += names.sorted()
        }
        return found
    }
}
