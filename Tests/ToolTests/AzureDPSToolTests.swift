import EDMKit
import EDMKitIO
import Foundation
import Testing

/// azure-dps end to end: the real client, through a real pty, against the simulator.
@Suite struct AzureDPSToolTests {
    static let expected: [String: (code: Int32, says: String)] = [
        "assigned": (0, "Assigned to sim-hub.azure-devices.net as device sim-device"),
        "assigned-fast": (0, "Assigned to sim-hub.azure-devices.net"),
        "failed": (2, "400207"),
        "disabled": (2, "DPS: disabled"),
        "unauthorized": (2, "401002"),
        "throttled": (0, "Assigned to"),
        "wrong-passphrase": (5, "check the passphrase"),
        "no-network": (3, "Timed out in step \"Wi-Fi\""),
        "mqtt-refused": (5, "refused or dropped"),
        "dps-silent": (3, "Timed out in step \"DPS register\""),
        "noisy-line": (0, "Assigned to"),
        "reboot": (4, "restarted by itself"),
        "leftover-edm": (0, "Assigned to"),
        "slow": (0, "Assigned to"),
    ]

    /// Every scenario at ten times the reference speed (deadlines scaled alike), all at once.
    @Test func everyScenarioThroughAPty() async throws {
        let dir = try Tool.temporaryDirectory("scenarios")
        try await withThrowingTaskGroup(of: (String, Tool.Result).self) { group in
            for scenario in Self.expected.keys.sorted() {
                group.addTask {
                    let r = try Tool.run(
                        "azure-dps",
                        [
                            "--simulate", scenario, "--simulate-speed", "10", "--record", "\(dir)/\(scenario).pcapng",
                            "--json"
                        ])
                    return (scenario, r)
                }
            }
            for try await (scenario, r) in group {
                let (code, says) = Self.expected[scenario]!
                #expect(r.status == code, "\(scenario): exit \(r.status)\n\(r.stderr)")
                #expect(r.stderr.contains(says), "\(scenario) does not say \(says):\n\(r.stderr)")
                let result = try JSONSerialization.jsonObject(with: r.stdoutBytes) as? [String: Any]
                #expect(
                    result?["exitCode"] as? Int == Int(code)
                        && result?["recording"] as? String == "\(dir)/\(scenario).pcapng")
                // The recording is a pcapng edm-decode reads, holds no secret, and ends with the
                // module back in command mode (its +STARTUP after AT+CPWROFF) where it still answered.
                let bytes = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/\(scenario).pcapng"))
                #expect(bytes.range(of: Data("simulator passphrase".utf8)) == nil, "\(scenario): passphrase recorded")
                #expect(bytes.range(of: Data("PRIVATE KEY".utf8)) == nil, "\(scenario): key recorded")
                let decoded = try Tool.run("edm-decode", ["\(dir)/\(scenario).pcapng", "-f", "json"])
                #expect(decoded.status == 0, "\(scenario): \(decoded.stderr)")
                let units = decoded.stdout.split(separator: "\n").dropLast()
                if scenario != "reboot" {
                    #expect(
                        units.last?.contains("\"text\":\"+STARTUP\"") == true,
                        "\(scenario) does not end in command mode")
                }
            }
        }
    }

    @Test func unplugMidSessionIsASerialErrorWithinASecond() throws {
        let dir = try Tool.temporaryDirectory("unplug")
        let credentials = try Tool.simulatorCredentials(in: dir)
        let pty = try PtyPair()
        let started = Date()
        let process = try Tool.start(
            "azure-dps",
            [
                "--port", pty.slavePath, "--id-scope", "0ne00SIMUL8", "--ssid", "lab",
                "--ca", credentials.ca, "--cert", credentials.cert, "--key", credentials.key,
                "--record", "\(dir)/unplug.pcapng", "--no-flow-control"
            ],
            environment: ["AZURE_DPS_WIFI_PASSPHRASE": "a passphrase"])
        // Answer the first probe, then pull the plug.
        guard case .bytes(let probe) = try pty.read(until: .now + .seconds(10), maxCount: 64) else {
            Issue.record("no probe from azure-dps")
            return
        }
        #expect(probe == Array("AT\r".utf8))
        _ = try pty.write(Array("AT\r\r\nOK\r\n".utf8), until: .now + .seconds(1))
        Thread.sleep(forTimeInterval: 0.3)
        let unplugged = Date()
        pty.close()
        let r = try process.finish()
        #expect(r.status == 6, "\(r.stderr)")
        #expect(Date().timeIntervalSince(unplugged) < 1.5 && Date().timeIntervalSince(started) < 10)
        #expect(r.stderr.contains("hung up"))
        // The recording holds what happened before the unplug.
        let decoded = try Tool.run("edm-decode", ["\(dir)/unplug.pcapng", "-f", "json"])
        #expect(
            decoded.status == 0 && decoded.stdout.contains("\"text\":\"AT\"")
                && decoded.stdout.contains("\"type\":\"final\""))
    }

    @Test func portProblemsAreSerialErrors() throws {
        let dir = try Tool.temporaryDirectory("ports")
        let c = try Tool.simulatorCredentials(in: dir)
        let common = ["--id-scope", "x", "--ssid", "lab", "--ca", c.ca, "--cert", c.cert, "--key", c.key, "--no-record"]
        let env = ["AZURE_DPS_WIFI_PASSPHRASE": "a passphrase"]
        let missing = try Tool.run("azure-dps", ["--port", "/dev/ttyNOPE0"] + common, environment: env)
        #expect(missing.status == 6 && missing.stderr.contains("/dev/ttyNOPE0"))
        let file = try Tool.temporaryFile("not-a-tty", Data("x".utf8))
        let notTTY = try Tool.run("azure-dps", ["--port", file] + common, environment: env)
        #expect(notTTY.status == 6 && notTTY.stderr.contains("not a serial port"))
        let pty = try PtyPair()
        let holder = try SerialPort.open(pty.slavePath, hardwareFlowControl: false)
        let busy = try Tool.run("azure-dps", ["--port", pty.slavePath] + common, environment: env)
        #expect(busy.status == 6 && busy.stderr.contains("busy"), "\(busy.stderr)")
        holder.close()
    }

    @Test func configurationErrors() throws {
        let dir = try Tool.temporaryDirectory("config")
        let c = try Tool.simulatorCredentials(in: dir)
        let env = ["AZURE_DPS_WIFI_PASSPHRASE": "a passphrase"]
        let base = ["--port", "/dev/null", "--id-scope", "x", "--ssid", "lab", "--no-record"]
        // Missing option, no passphrase, wrong registration id, a certificate as the key.
        #expect(try Tool.run("azure-dps", ["--id-scope", "x"], environment: env).status == 64)
        let noPass = try Tool.run("azure-dps", base + ["--ca", c.ca, "--cert", c.cert, "--key", c.key])
        #expect(noPass.status == 64 && noPass.stderr.contains("AZURE_DPS_WIFI_PASSPHRASE"))
        let wrongID = try Tool.run(
            "azure-dps", base + ["--ca", c.ca, "--cert", c.cert, "--key", c.key, "--registration-id", "other"],
            environment: env)
        #expect(wrongID.status == 64 && wrongID.stderr.contains("sim-device"), "\(wrongID.stderr)")
        let certAsKey = try Tool.run(
            "azure-dps", base + ["--ca", c.ca, "--cert", c.cert, "--key", c.cert], environment: env)
        #expect(certAsKey.status == 65 && certAsKey.stderr.contains(c.cert), "\(certAsKey.stderr)")
        let caNotRoot = try Tool.run(
            "azure-dps", base + ["--ca", c.cert, "--cert", c.cert, "--key", c.key], environment: env)
        #expect(caNotRoot.status == 65, "\(caNotRoot.stderr)")
        let missingFile = try Tool.run(
            "azure-dps", base + ["--ca", "/nonexistent.pem", "--cert", c.cert, "--key", c.key], environment: env)
        #expect(missingFile.status == 66 && missingFile.stderr.contains("/nonexistent.pem"))
        // A config file with an unknown key names the line.
        let config = try Tool.temporaryFile("bad.toml", Data("port = \"/dev/null\"\nbaudrate = 9600\n".utf8))
        let badConfig = try Tool.run("azure-dps", ["--config", config], environment: env)
        #expect(badConfig.status == 64 && badConfig.stderr.contains(":2: unknown setting \"baudrate\""))
        // The passphrase is never accepted as an argument.
        #expect(try Tool.run("azure-dps", base + ["--passphrase", "secret123"]).status == 64)
    }

    /// Ctrl-C mid-run: the module's peers are closed and it is rebooted to command mode,
    /// the recording is complete, and the exit status is 130.
    @Test func controlCCleansUpAndExits130() throws {
        let dir = try Tool.temporaryDirectory("ctrl-c")
        let process = try Tool.start(
            "azure-dps", ["--simulate", "assigned", "--simulate-speed", "4", "--record", "\(dir)/run.pcapng"])
        Thread.sleep(forTimeInterval: 4.2)  // in the MQTT / DPS steps at four times the reference speed
        process.process.interrupt()
        let r = try process.finish()
        #expect(r.status == 130, "\(r.stderr)")
        #expect(r.stderr.contains("Interrupted: closing the MQTT peers"))
        let decoded = try Tool.run("edm-decode", ["\(dir)/run.pcapng", "-f", "json"])
        let units = decoded.stdout.split(separator: "\n")
        #expect(
            units.contains { $0.contains("\"text\":\"AT+CPWROFF\"") }
                && units.dropLast().last?.contains("+STARTUP") == true, "\(decoded.stdout.suffix(600))")
    }

    /// `--offline` runs the same client in simulated time: instant, same outcome.
    @Test func offlineSimulationIsInstant() throws {
        let started = Date()
        let r = try Tool.run("azure-dps", ["--simulate", "wrong-passphrase", "--offline", "--json"])
        #expect(r.status == 5 && r.stdout.contains("\"outcome\":\"network_error\""))
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test func helpTeachesTheFlowAndExitCodes() throws {
        let r = try Tool.run("azure-dps", ["--help"])
        for text in ["--simulate", "130 interrupted", "5   network error", "pcapng"] {
            #expect(r.stdout.contains(text), "\(text)")
        }
        let provision = try Tool.run("azure-dps", ["help", "provision"])
        for text in ["--passphrase-file", "--no-flow-control", "--record-secrets", "--config"] {
            #expect(provision.stdout.contains(text), "\(text)")
        }
    }
}
