import ArgumentParser
import EDMKit
import EDMKitIO
import ToolSupport

@main
struct AzureDPS: ToolCommand {
    static let configuration = CommandConfiguration(
        commandName: "azure-dps",
        abstract: "Provision a u-blox NINA-W13/W15 module with Azure IoT Hub DPS over its serial port.",
        discussion: """
        The module connects to DPS itself (MQTT over TLS with the device certificate); this tool \
        drives it over the UART: it checks the credential files, finds the module's mode, \
        uploads CA, certificate and key when the module's copies differ (MD5), joins Wi-Fi, \
        registers with DPS and polls until DPS assigns an IoT hub, then closes the MQTT peers \
        and reboots the module back to command mode. Every session is recorded as pcapng \
        (secrets redacted) for edm-decode, Wireshark and edm-replay.

        A symmetric-key enrollment (--symmetric-key-file or --group-key-file) uploads only the \
        CA: the host signs a SAS token, stores it in URL variable 1 (AT+UDUV=1,...) and \
        connects with passwd=%%1. That substitution in the password has not yet been seen on \
        a real module; if yours refuses it, please report it with the recording.

        Try it without hardware:
          azure-dps --simulate                    the built-in module, assigned
          azure-dps --simulate wrong-passphrase   `azure-dps scenarios` lists them

        Exit status:
          0   assigned
          2   DPS refused (failed, disabled, 4xx such as 401002 bad certificate)
          3   timed out (the step and what it waited for are named)
          4   module error (ERROR reply, unexpected reboot, protocol violation)
          5   network error (Wi-Fi link down with its reason, MQTT peer refused)
          6   serial port error (missing, busy, not a tty, unplugged)
          64  usage or configuration error
          65  bad input data (unreadable or invalid PEM)
          66  missing credential or passphrase file
          130 interrupted (Ctrl-C, SIGTERM or SIGHUP; the module is still cleaned
              up, the recording closed; a second one quits at once)
        """,
        version: ToolText.version,
        subcommands: [Provision.self, Batch.self, Scenarios.self, SimulatorCommand.self],
        defaultSubcommand: Provision.self
    )
}

/// Lists the simulator's scenarios for `--simulate NAME`.
struct Scenarios: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the simulated module's scenarios.")

    func run() {
        for scenario in SimulatorScenario.allCases {
            print(scenario.rawValue.padding(16) + scenario.summary)
        }
    }
}

extension String {
    func padding(_ width: Int) -> String { self + String(repeating: " ", count: max(1, width - count)) }
}
