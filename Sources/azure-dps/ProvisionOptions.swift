import ArgumentParser
import EDMKit
import EDMKitIO
import ToolSupport
import Foundation

/// Settings shared by `provision` and `batch`; each may also come from `--config FILE`.
struct ProvisionOptions: ParsableArguments {
    @Option(help: "Serial port of the module (a tty or a /dev/serial/by-id/... link).")
    var port: String?

    @Option(help: "Baud rate (default 115200).")
    var baud: Int?

    @Flag(inversion: .prefixedNo, help: "Hardware flow control RTS/CTS (default on; turn off for boards without CTS).")
    var flowControl: Bool?

    @Option(help: "DPS id scope, e.g. 0ne0067E45C.")
    var idScope: String?

    @Option(help: "Registration id (default: the certificate's CN, which DPS requires it to equal).")
    var registrationId: String?

    @Option(help: "PEM file of the DPS server's root CA (e.g. DigiCert Global Root G2).")
    var ca: String?

    @Option(help: "PEM file of the device certificate.")
    var cert: String?

    @Option(help: "PEM file of the device's private key.")
    var key: String?

    @Option(help: "Wi-Fi network name.")
    var ssid: String?

    @Option(help: "Wi-Fi authentication: 1 open, 2 WPA/WPA2-PSK (default), 6 WPA2/WPA3, 7 WPA3.")
    var authentication: Int?

    @Option(help: "File holding the Wi-Fi passphrase (or set AZURE_DPS_WIFI_PASSPHRASE). Never given on the command line.")
    var passphraseFile: String?

    @Option(help: "Custom registration payload, as JSON (e.g. '{\"modelId\":\"dtmi:x;1\"}').")
    var payload: String?

    @Flag(inversion: .prefixedNo, help: "Restore the module's factory settings first (default off).")
    var factoryReset: Bool?

    @Option(help: "DPS host (default global.azure-devices-provisioning.net).")
    var dpsHost: String?

    @Option(help: "DPS api-version (default 2019-03-31).")
    var apiVersion: String?

    @Option(help: "Seconds between two polls of the operation status (default 3; DPS allows 5 per 10 s).")
    var pollInterval: Double?

    @Option(help: "Seconds the whole run may take before it gives up (default 300).")
    var timeout: Double?

    @Option(help: "Read settings from this file (key = value lines; the command line wins). See README.")
    var config: String?

    @Option(help: "Record the session to this pcapng file (default: azure-dps-<time>-<registration id>.pcapng).")
    var record: String?

    @Flag(help: "Do not record the session.")
    var noRecord = false

    @Flag(help: "Keep the passphrase and private-key bytes in the recording (they are replaced by '*' otherwise).")
    var recordSecrets = false

    @Flag(help: "Print one JSON result object on standard output (progress still goes to standard error).")
    var json = false

    @Flag(name: .shortAndLong, help: "Show the live transcript of every unit on the wire.")
    var verbose = false
}

/// The options merged with the config file, checked, with the credentials read.
struct ResolvedSettings: Sendable {
    var port: String
    var baud: Int
    var flowControl: Bool
    var configuration: ProvisioningConfiguration
    var recordPath: String?
    var recordSecrets: Bool
    var json: Bool
    var verbose: Bool
    var preflight: PreflightReport
}

extension ProvisionOptions {
    /// Merges command line, config file and defaults; runs the pre-flight checks.
    /// Exits with 64/65/66 and one sentence when something is missing or wrong.
    func resolve(overrides: Overrides = Overrides()) -> ResolvedSettings {
        var file: ConfigFile?
        if let config {
            guard let text = try? String(contentsOfFile: config, encoding: .utf8) else {
                fail("cannot read the config file \(config)", .unreadable(config))
            }
            do { file = try ConfigFile(path: config, text: text) } catch { fail(error.message, .usage) }
        }
        func string(_ cli: String?, _ key: String) -> String? {
            if let cli { return cli }
            do { return try file?.string(key) } catch { fail(error.message, .usage) }
        }
        func number(_ cli: Double?, _ key: String) -> Double? {
            if let cli { return cli }
            do { return try file?.number(key) } catch { fail(error.message, .usage) }
        }
        func flag(_ cli: Bool?, _ key: String) -> Bool? {
            if let cli { return cli }
            do { return try file?.bool(key) } catch { fail(error.message, .usage) }
        }
        func required(_ value: String?, _ option: String) -> String {
            guard let value, !value.isEmpty else { fail("missing --\(option) (or `\(option) = ...` in --config)", .usage) }
            return value
        }

        let port = overrides.port ?? required(string(self.port, "port"), "port")
        let idScope = overrides.idScope ?? required(string(self.idScope, "id-scope"), "id-scope")
        let files = overrides.credentialFiles ?? CredentialFiles(
            ca: required(string(ca, "ca"), "ca"), certificate: required(string(cert, "cert"), "cert"), key: required(string(key, "key"), "key"))
        let ssid = overrides.ssid ?? required(string(self.ssid, "ssid"), "ssid")
        let authentication = Int(number(authentication.map(Double.init), "authentication") ?? 2)

        let report: PreflightReport
        do {
            report = try Preflight.check(files, registrationID: overrides.registrationID ?? string(registrationId, "registration-id"), now: Date())
        } catch {
            fail(error.message, ExitStatus(error.code))
        }

        var passphrase: [UInt8] = []
        if let secret = overrides.passphrase {
            passphrase = secret
        } else if let path = string(passphraseFile, "passphrase-file") {
            guard let data = FileManager.default.contents(atPath: path) else {
                fail("cannot read the passphrase file \(path)", .unreadable(path))
            }
            passphrase = Array(data)
            while let last = passphrase.last, last == 0x0A || last == 0x0D { passphrase.removeLast() }
        } else if let env = ProcessInfo.processInfo.environment["AZURE_DPS_WIFI_PASSPHRASE"] {
            passphrase = Array(env.utf8)
        }
        if authentication != 1, authentication != 5, !(8...64).contains(passphrase.count) {
            fail(passphrase.isEmpty
                 ? "no Wi-Fi passphrase: give --passphrase-file FILE or set AZURE_DPS_WIFI_PASSPHRASE (never on the command line)"
                 : "the Wi-Fi passphrase has \(passphrase.count) characters; WPA needs 8 to 63 (or 64 hex digits)", .usage)
        }

        var c = ProvisioningConfiguration(idScope: idScope, registrationID: report.registrationID,
                                          credentials: report.credentials, ssid: ssid, passphrase: passphrase)
        c.authentication = authentication
        if let payload = string(payload, "payload") {
            guard JSONValue(parsing: Array(payload.utf8)) != nil else { fail("--payload is not valid JSON: \(payload)", .usage) }
            c.payload = payload
        }
        c.factoryReset = flag(factoryReset, "factory-reset") ?? false
        if let host = string(dpsHost, "dps-host") { c.dpsHost = host }
        if let version = string(apiVersion, "api-version") { c.apiVersion = version }
        if let poll = number(pollInterval, "poll-interval") {
            guard poll >= 2 else { fail("--poll-interval must be at least 2 seconds (DPS allows 5 polls per 10 s)", .usage) }
            c.pollInterval = .milliseconds(Int64(poll * 1000))
        }
        if let timeout = number(timeout, "timeout") { c.overallDeadline = .milliseconds(Int64(timeout * 1000)) }

        let recordPath: String? = noRecord ? nil : string(record, "record") ?? Self.defaultRecording(report.registrationID)
        return ResolvedSettings(
            port: port, baud: Int(number(baud.map(Double.init), "baud") ?? 115_200),
            flowControl: overrides.flowControl ?? flag(flowControl, "flow-control") ?? true,
            configuration: c, recordPath: recordPath,
            recordSecrets: recordSecrets || (flag(nil, "record-secrets") ?? false),
            json: json || (flag(nil, "json") ?? false), verbose: verbose || (flag(nil, "verbose") ?? false),
            preflight: report)
    }

    static func defaultRecording(_ registrationID: String) -> String {
        let f = DateFormatter()
        f.dateFormat = "yyyyMMdd-HHmmss"
        f.timeZone = TimeZone(identifier: "UTC")
        return "azure-dps-\(f.string(from: Date()))-\(registrationID).pcapng"
    }

    /// Values that replace options (the simulator's port and credentials, a batch row's).
    struct Overrides {
        var port: String?
        var idScope: String?
        var registrationID: String?
        var credentialFiles: CredentialFiles?
        var ssid: String?
        var passphrase: [UInt8]?
        var flowControl: Bool?
    }
}
