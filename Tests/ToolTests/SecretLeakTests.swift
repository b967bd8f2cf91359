import EDMKit
import Foundation
import Testing

/// No secret leaves a tool unless that one output was asked for: every scenario's run with
/// the live transcript and JSON, its recording, and everything edm-decode, edm-replay check and
/// diff make of it are searched for the Wi-Fi passphrase, the private key's bytes, the
/// symmetric keys and the SAS token; and so are the runs with `--record-secrets`, `--offline`
/// and a batch.
@Suite struct SecretLeakTests {
    static let passphrase = "leak check: pass phrase 7Q"
    static let environment = ["AZURE_DPS_WIFI_PASSPHRASE": passphrase]

    /// What must never show: the passphrases (ours and the simulator's own), each line of the
    /// simulated private key's base64, the group key and the key derived from it, the token.
    static let secrets: [String] = {
        let dir = (try? Tool.temporaryDirectory("secret-creds")) ?? NSTemporaryDirectory()
        let keyPEM =
            (try? Tool.simulatorCredentials(in: dir)).flatMap { try? String(contentsOfFile: $0.key, encoding: .utf8) }
            ?? ""
        let keyLines = keyPEM.split(separator: "\n").filter { !$0.hasPrefix("-----") }.map(String.init)
        let group = SimulatedDPS.Configuration.SymmetricKeyEnrollment.simulator.key
        let derived = SASToken.deviceKey(groupKey: group, registrationID: "sim-device")
        return [
            passphrase, "simulator passphrase", Base64.encode(group), Base64.encode(derived), "SharedAccessSignature",
            "&sig="
        ]
            + keyLines
    }()

    /// The secrets found in `output` (by name, for the failure message).
    static func leaks(_ output: String, except allowed: Set<String> = []) -> [String] {
        secrets.filter { !allowed.contains($0) && output.contains($0) }
    }

    static func read(_ path: String) -> String {
        String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data(), as: UTF8.self)
    }

    /// Everything the tools make of a recording: every edm-decode format (and its HTML diff),
    /// check with and without -v, diff in text and JSON.
    static func outputs(ofRecording path: String, in dir: String) throws -> [(String, String)] {
        var out: [(String, String)] = [("recording", read(path))]
        for format in ["transcript", "json", "mermaid"] {
            let r = try Tool.run("edm-decode", [path, "-f", format])
            out += [("edm-decode -f \(format)", r.stdout), ("edm-decode -f \(format) stderr", r.stderr)]
        }
        for format in ["html", "pcapng", "pcap"] {
            let file = "\(dir)/decoded-\(UUID().uuidString).\(format)"
            let r = try Tool.run(
                "edm-decode", [path, "-f", format, "-o", file] + (format == "html" ? ["--against", Reference.log] : []))
            out += [("edm-decode -f \(format)", read(file)), ("edm-decode -f \(format) stderr", r.stderr)]
        }
        for arguments in [
            ["check", path], ["check", "-v", path], ["diff", Reference.log, path],
            ["diff", "--format", "json", path, Reference.log]
        ] {
            let r = try Tool.run("edm-replay", arguments)
            out += [("edm-replay \(arguments.dropLast().joined(separator: " "))", r.stdout + r.stderr)]
        }
        return out
    }

    @Test(arguments: SimulatorScenario.allCases)
    func aScenarioRunAndItsRecordingHoldNoSecret(scenario: SimulatorScenario) throws {
        let dir = try Tool.temporaryDirectory("secrets-\(scenario.rawValue)")
        let recording = "\(dir)/run.pcapng"
        let run = try Tool.run("azure-dps", ["--simulate", scenario.rawValue, "--simulate-speed", "20", "-v", "--json",
                                             "--record", recording], environment: Self.environment)
        #expect(FileManager.default.fileExists(atPath: recording), "\(scenario): no recording (exit \(run.status))")
        var outputs = [("azure-dps stdout", run.stdout), ("azure-dps stderr", run.stderr)]
        outputs += try Self.outputs(ofRecording: recording, in: dir)
        for (name, text) in outputs {
            #expect(Self.leaks(text).isEmpty, "\(scenario) \(name) shows \(Self.leaks(text))")
        }
    }

    /// `--record-secrets` puts the passphrase and the key's bytes into the recording, which is
    /// what it is for, and nowhere else: not the live transcript, not JSON, and not what
    /// edm-decode makes of that recording unless `--no-redact` asks for it.
    @Test func recordSecretsKeepsThemInTheRecordingOnly() throws {
        let dir = try Tool.temporaryDirectory("secrets-recorded")
        let recording = "\(dir)/run.pcapng"
        let run = try Tool.run("azure-dps", ["--simulate", "wrong-passphrase", "--simulate-speed", "20", "-v", "--json",
                                             "--record-secrets", "--record", recording], environment: Self.environment)
        #expect(Self.leaks(run.stdout + run.stderr).isEmpty, "\(Self.leaks(run.stdout + run.stderr))")
        #expect(Self.read(recording).contains(Self.passphrase), "--record-secrets recorded no passphrase")
        for (name, text) in try Self.outputs(ofRecording: recording, in: dir) where name != "recording" {
            #expect(Self.leaks(text).isEmpty, "\(name) shows \(Self.leaks(text))")
        }
        let unredacted = try Tool.run("edm-decode", [recording, "--no-redact", "-f", "json"])
        #expect(unredacted.stdout.contains(Self.passphrase), "--no-redact is the explicit way to see it")
    }

    @Test func offlineAndBatchRunsHoldNoSecret() throws {
        let dir = try Tool.temporaryDirectory("secrets-other")
        let runs: [[String]] = [
            ["--simulate", "sas", "--offline", "-v", "--json", "--record", "\(dir)/offline.pcapng"],
            [
                "--simulate", "assigned", "--factory-reset", "--simulate-speed", "20", "-v", "--record",
                "\(dir)/reset.pcapng"
            ],
            ["batch", "--simulate", "2", "--simulate-speed", "20", "-v", "--json", "--record", "\(dir)/batch.pcapng"]
        ]
        for arguments in runs {
            let r = try Tool.run("azure-dps", arguments, environment: Self.environment)
            #expect(
                Self.leaks(r.stdout + r.stderr).isEmpty, "\(arguments.prefix(3)): \(Self.leaks(r.stdout + r.stderr))")
        }
        let recordings = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".pcapng") }
        #expect(recordings.count == 4, "\(recordings)")
        for name in recordings {
            #expect(
                Self.leaks(Self.read("\(dir)/\(name)")).isEmpty,
                "\(name) shows \(Self.leaks(Self.read("\(dir)/\(name)")))")
        }
    }
}
