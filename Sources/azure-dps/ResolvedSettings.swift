import ArgumentParser
import EDMKit
import EDMKitIO
import Foundation
import ToolSupport

/// The options merged with the config file, checked, with the credentials read.
struct ResolvedSettings: Sendable {
    var port: String
    var baud: Int
    var flowControl: Bool
    var configuration: ProvisioningConfiguration
    var recordPath: String?
    /// The recording is the default name: none was given (`--record` or `record =`).
    var recordsByDefault: Bool
    /// `--overwrite`: a recording that was given may replace a file.
    var overwrite: Bool
    var recordSecrets: Bool
    var json: Bool
    var verbose: Bool
    var preflight: PreflightReport
}

extension ProvisionOptions {
    /// Merges command line, config file and defaults; runs the pre-flight checks.
    /// `overrides` win over options and the config file (a batch row's port and files);
    /// `defaults` fill in what neither gives (the simulated bench's).
    /// Exits with 64/65/66 and one sentence when something is missing or wrong.
    func resolve(overrides: Overrides = Overrides(), defaults: Overrides = Overrides()) -> ResolvedSettings {
        let file = loadConfig()
        func string(_ cli: String?, _ key: String) -> String? {
            if let cli { return cli }
            do { return try file?.string(key) } catch { fail(error.message, .usage) }
        }
        func number<Value>(_ cli: Value?, _ key: String, _ bounds: Bounded<Value>) -> Value? {
            if let cli { return cli }
            do { return try file?.number(key, bounds) } catch { fail(error.message, .usage) }
        }
        func flag(_ cli: Bool?, _ key: String) -> Bool? {
            if let cli { return cli }
            do { return try file?.bool(key) } catch { fail(error.message, .usage) }
        }
        func required(_ value: String?, _ option: String) -> String {
            guard let value, !value.isEmpty else { fail("missing --\(option) (or `\(option) = ...` in --config)",
                .usage) }
            return value
        }

        let port = overrides.port ?? required(string(self.port, "port") ?? defaults.port, "port")
        let idScope = overrides.idScope ?? required(string(self.idScope, "id-scope") ?? defaults.idScope, "id-scope")
        let ssid = overrides.ssid ?? required(string(self.ssid, "ssid") ?? defaults.ssid, "ssid")
        let authentication = WiFiAuthentication(number(authentication, "authentication", Bounds.authentication) ?? 2)

        let certificate = string(cert, "cert"), privateKey = string(key, "key")
        let symmetricKey = overrides.symmetricKey ?? SymmetricKeySource.find(
            individualFile: string(symmetricKeyFile, "symmetric-key-file"), groupFile: string(groupKeyFile,
                "group-key-file"),
            certificateGiven: certificate != nil || overrides.credentialFiles != nil,
            environment: ProcessInfo.processInfo.environment, fallback: defaults.symmetricKey)
        if symmetricKey != nil, certificate != nil || privateKey != nil {
            fail(
                "a certificate and a symmetric key are both set: a "
                    + "symmetric-key enrollment uploads no client certificate",
                .usage)
        }
        let ttl = number(sasTtl, "sas-ttl", Bounds.sasTTL)
        if ttl != nil, symmetricKey == nil { fail("sas-ttl is set but there is no symmetric key to sign a token with",
            .usage) }

        let report: PreflightReport
        do {
            let registrationID = overrides.registrationID ?? string(registrationId,
                "registration-id") ?? defaults.registrationID
            if symmetricKey != nil {
                guard let registrationID else {
                    fail("missing --registration-id: a symmetric-key enrollment has no certificate to take it from",
                        .usage)
                }
                let ca = overrides.rootCA ?? overrides.credentialFiles?.ca
                    ?? required(string(ca, "ca") ?? defaults.credentialFiles?.ca, "ca")
                report = try Preflight.checkRootOnly(ca: ca, registrationID: registrationID, now: Date())
            } else {
                let given = defaults.credentialFiles
                let files = overrides.credentialFiles ?? CredentialFiles(
                    ca: required(string(ca, "ca") ?? given?.ca,
                        "ca"), certificate: required(certificate ?? given?.certificate, "cert"),
                    key: required(privateKey ?? given?.key, "key"))
                report = try Preflight.check(files, registrationID: registrationID, now: Date())
            }
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
        } else if let secret = defaults.passphrase {
            passphrase = secret
        }
        if authentication.needsPassphrase, !(8...64).contains(passphrase.count) {
            fail(
                passphrase.isEmpty
                    ? "no Wi-Fi passphrase: give --passphrase-file FILE or set "
                        + "AZURE_DPS_WIFI_PASSPHRASE (never on the command line)"
                    : "the Wi-Fi passphrase has \(passphrase.count) characters; WPA needs 8 to 63 (or 64 hex digits)",
                .usage)
        }

        var c = ProvisioningConfiguration(idScope: idScope, registrationID: report.registrationID,
                                          credentials: report.credentials, ssid: ssid, passphrase: passphrase)
        c.authentication = authentication
        if let payload = string(payload, "payload") {
            guard JSONValue(parsing: Array(payload.utf8)) != nil else { fail("--payload is not valid JSON: \(payload)",
                .usage) }
            c.payload = payload
        }
        c.factoryReset = flag(factoryReset, "factory-reset") ?? false
        if let host = string(dpsHost, "dps-host") { c.dpsHost = host }
        if let version = string(apiVersion, "api-version") { c.apiVersion = version }
        if let poll = number(pollInterval, "poll-interval",
            Bounds.pollInterval) { c.pollInterval = .milliseconds(Int64(poll * 1000)) }
        if let timeout = number(timeout, "timeout",
            Bounds.timeout) { c.overallDeadline = .milliseconds(Int64(timeout * 1000)) }

        var preflight = report
        if let symmetricKey {
            // The simulated bench may put the signing clock off, as a host with a wrong clock is.
            let now = Int64(Date().timeIntervalSince1970) + (defaults.clockOffset ?? 0), lifetime = Int64(ttl ?? 3600)
            let token = symmetricKey.read().token(idScope: idScope, registrationID: report.registrationID, now: now,
                                                  lifetime: lifetime)
            c.attestation = .symmetricKey(token: token.text)
            preflight.warnings += SymmetricKeyFile.clockWarnings(now: now, lifetime: lifetime)
            let machine = ProvisioningMachine(configuration: c)
            let url = machine.mqttURL(publishTopic: machine.registerTopic(), subscribe: true)
            if let problem = SymmetricKeyFile.lengthProblem(token: token.text, url: url) { fail(problem, .dataErr) }
        }

        let givenRecording = overrides.recording.map { $0(report.registrationID) } ?? string(record, "record")
        let recordPath: String? = noRecord ? nil : givenRecording ?? RecordingName.defaultName(report.registrationID)
        if !noRecord, let givenRecording, givenRecording != "-", !overwrite, RecordingName.exists(givenRecording) {
            fail("--record \(givenRecording): the file exists; give --overwrite to replace it, or another name", .usage)
        }
        return ResolvedSettings(
            port: port, baud: number(baud, "baud", Bounds.baud) ?? SerialPort.defaultBaudRate,
            flowControl: overrides.flowControl ?? flag(flowControl, "flow-control") ?? defaults.flowControl ?? true,
            configuration: c, recordPath: recordPath, recordsByDefault: recordPath != nil && givenRecording == nil,
            overwrite: overwrite,
            recordSecrets: recordSecrets || (flag(nil, "record-secrets") ?? false),
            json: json || (flag(nil, "json") ?? false), verbose: verbose || (flag(nil, "verbose") ?? false),
            preflight: preflight)
    }

    /// Settings that come from elsewhere than the options: a batch row's, the simulator's.
    struct Overrides {
        var port: String?
        var idScope: String?
        var registrationID: String?
        var credentialFiles: CredentialFiles?
        /// The root CA of a symmetric-key run, which uploads no other file.
        var rootCA: String?
        var ssid: String?
        var passphrase: [UInt8]?
        var flowControl: Bool?
        var symmetricKey: SymmetricKeySource?
        /// Seconds the clock a token is signed by is off from the host's.
        var clockOffset: Int64?
        /// A batch row's recording, named from its registration id after the one `--record`
        /// gives the batch.
        var recording: ((_ registrationID: String) -> String)?
    }
}
