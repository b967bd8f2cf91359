import ArgumentParser
import EDMKit
import EDMKitIO
import ToolSupport
import Foundation

/// Settings shared by `provision` and `batch`; each may also come from `--config FILE`.
struct ProvisionOptions: ParsableArguments {
    @Option(help: "Serial port of the module (a tty or a /dev/serial/by-id/... link).")
    var port: String?

    @Option(parsing: .unconditional, help: "Baud rate: \(Bounds.baud.limits) (default 115200).",
        transform: Bounds.baud.parse)
    var baud: Int?

    @Flag(inversion: .prefixedNo, help: "Hardware flow control RTS/CTS (default on; turn off for boards without CTS).")
    var flowControl: Bool?

    @Option(help: "DPS id scope, e.g. 0ne0067E45C.")
    var idScope: String?

    @Option(help: """
        Registration id (default: the certificate's CN, which DPS requires it to equal; required with a symmetric key).
        """)
    var registrationId: String?

    @Option(help: "PEM file of the DPS server's root CA (e.g. DigiCert Global Root G2).")
    var ca: String?

    @Option(help: "PEM file of the device certificate.")
    var cert: String?

    @Option(help: "PEM file of the device's private key.")
    var key: String?

    @Option(help: """
        File holding an individual enrollment's symmetric key, base64 as the portal shows it (or set \
        AZURE_DPS_SYMMETRIC_KEY). Signs a SAS token instead of uploading --cert and --key. Never on the command line.
        """)
    var symmetricKeyFile: String?

    @Option(help: """
        File holding an enrollment group's symmetric key (or set AZURE_DPS_GROUP_KEY): the device's key is derived \
        from it and the registration id.
        """)
    var groupKeyFile: String?

    @Option(parsing: .unconditional, help: "Seconds the SAS token is valid, \(Bounds.sasTTL.limits) (default 3600).",
            transform: Bounds.sasTTL.parse)
    var sasTtl: Int?

    @Option(help: "Wi-Fi network name.")
    var ssid: String?

    @Option(parsing: .unconditional, help: "Wi-Fi authentication: \(Bounds.authentication.limits) (default 2).",
            transform: Bounds.authentication.parse)
    var authentication: Int?

    @Option(
        help: "File holding the Wi-Fi passphrase (or set AZURE_DPS_WIFI_PASSPHRASE). Never given on the command line.")
    var passphraseFile: String?

    @Option(help: "Custom registration payload, as JSON (e.g. '{\"modelId\":\"dtmi:x;1\"}').")
    var payload: String?

    @Flag(inversion: .prefixedNo, help: "Restore the module's factory settings first (default off).")
    var factoryReset: Bool?

    @Option(help: "DPS host (default global.azure-devices-provisioning.net).")
    var dpsHost: String?

    @Option(help: "DPS api-version (default 2019-03-31).")
    var apiVersion: String?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Seconds between two polls of the operation status, "
                + "\(Bounds.pollInterval.limits) (default 3; DPS allows 5 per 10 s)."),
        transform: Bounds.pollInterval.parse)
    var pollInterval: Double?

    @Option(parsing: .unconditional,
        help: "Seconds the whole run may take before it gives up, \(Bounds.timeout.limits) (default 300).",
            transform: Bounds.timeout.parse)
    var timeout: Double?

    @Option(help: "Read settings from this TOML file (key = value lines; the command line wins). See README.")
    var config: String?

    @Option(help: """
        Record the session to this pcapng file (default: azure-dps-<time>-<registration id>.pcapng, numbered -2, -3, \
        ... when taken). A file that exists is refused unless --overwrite.
        """)
    var record: String?

    @Flag(help: "Let --record replace a file that exists.")
    var overwrite = false

    @Flag(help: "Do not record the session.")
    var noRecord = false

    @Flag(help: "Keep the passphrase and private-key bytes in the recording (they are replaced by '*' otherwise).")
    var recordSecrets = false

    @Flag(help: "Print one JSON result object on standard output (progress still goes to standard error).")
    var json = false

    @Flag(name: .shortAndLong, help: "Show the live transcript of every unit on the wire.")
    var verbose = false

    /// Options that contradict each other, for the commands' usage checks.
    func checkConflicts() throws {
        if let record, noRecord {
            throw ValidationError("--record \(record) and --no-record contradict each other: give one of them.")
        }
        if symmetricKeyFile != nil, groupKeyFile != nil {
            throw ValidationError(
                "--symmetric-key-file and --group-key-file exclude each other: an enrollment is individual or a group.")
        }
        if symmetricKeyFile != nil || groupKeyFile != nil {
            let keyOption = symmetricKeyFile != nil ? "--symmetric-key-file" : "--group-key-file"
            for (given, option) in [(cert, "--cert"), (key, "--key")] where given != nil {
                throw ValidationError(
                    "\(option) and \(keyOption) exclude each other: a "
                        + "symmetric-key enrollment uploads no client certificate."
                )
            }
        }
        if overwrite, noRecord {
            throw ValidationError("--overwrite and --no-record contradict each other: give one of them.")
        }
    }
}
