import ArgumentParser
import EDMKit
import EDMKitIO

@main
struct EDMDecode: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edm-decode",
        abstract: "Decode serial captures of u-connectXpress modules (AT commands and EDM frames).",
        discussion: """
        Reads what crossed a module's UART and explains it unit by unit: AT commands with \
        their meaning, EDM frames with channels and peers, DPS answers, boot noise and \
        corrupt bytes (annotated; decoding carries on), then a summary of the session.

        Inputs:
          edm-decode dump.bin --from module       one raw file of one direction
          edm-decode --host tx.bin --module rx.bin  one raw file per direction (no timing:
                                                   the order is rebuilt from request/reply)

        Output formats (--format):
          transcript   one line per unit and a closing summary (default on a terminal)
          json         JSON Lines: one object per unit, then {"summary":{...}} (see README)
          mermaid      a sequence diagram of host, module and DPS, for bug reports

        Secrets (Wi-Fi passphrase, private-key bytes) are replaced by '*' unless --no-redact.

        Exit status: 0 decoded (even with annotated bad bytes), 64 usage error,
        65 unreadable input, 66 missing input file.
        """
    )

    @Argument(help: "Capture files to decode ('-' for standard input).")
    var inputs: [String] = []

    @Option(help: "Which side wrote a single raw file: host or module (default: unknown).")
    var from: Side?

    @Option(help: "Raw file of the bytes the host sent.")
    var host: String?

    @Option(help: "Raw file of the bytes the module sent.")
    var module: String?

    @Option(name: .shortAndLong, help: "Output format: transcript, json or mermaid.")
    var format: OutputFormat?

    @Option(name: .shortAndLong, help: "Write the output to this file instead of standard output.")
    var output: String = "-"

    @Flag(inversion: .prefixedNo, help: "Replace passphrases and private keys with '*' (same length).")
    var redact = true

    @Option(help: "Colour the transcript: auto (on a terminal), always, never.")
    var color: ColorChoice = .auto

    enum Side: String, ExpressibleByArgument { case host, module }
    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case transcript, json, mermaid }
    enum ColorChoice: String, ExpressibleByArgument { case auto, always, never }

    func validate() throws {
        if (host == nil) != (module == nil) {
            throw ValidationError("--host and --module go together: give one raw file per direction.")
        }
        if host != nil, !inputs.isEmpty {
            throw ValidationError("Give either capture files or --host/--module, not both.")
        }
        if host == nil, inputs.isEmpty {
            throw ValidationError("Nothing to decode: name a capture file, '-' for standard input, or --host/--module.")
        }
        if inputs.count > 1 {
            throw ValidationError("One capture at a time for now; decode the others in separate runs.")
        }
    }

    func run() throws {
        do {
            let sink = try OutputSink(path: output)
            let chosen = format ?? (sink.isTerminal ? .transcript : .json)
            var pipeline = DecodePipeline(sink: sink, format: chosen, redact: redact,
                                          color: color == .always || color == .auto && chosen == .transcript && sink.isTerminal)
            if let host, let module {
                try pipeline.decode(RawPairInterleaver(host: try readAll(host), module: try readAll(module)).records())
            } else {
                var reader = try FileReader(path: inputs[0])
                try pipeline.decodeRaw(&reader, direction: from.map { $0 == .host ? .host : .module })
            }
            try pipeline.finish()
        } catch let error as IOError {
            fail(error.description, code: error.isMissing ? 66 : 65)
        }
    }

    private func readAll(_ path: String) throws -> [UInt8] {
        var reader = try FileReader(path: path)
        var bytes: [UInt8] = []
        while let chunk = try reader.read() { bytes += chunk }
        return bytes
    }
}

/// Says what went wrong on standard error and leaves with the exit status that means it.
func fail(_ message: String, code: Int32) -> Never {
    var stderr = StandardError()
    print("edm-decode: \(message)", to: &stderr)
    EDMDecode.exit(withError: ExitCode(code))
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) { FileDescriptorText.write(string, to: 2) }
}

