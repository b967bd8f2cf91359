import ArgumentParser
import EDMKit
import EDMKitIO
import ToolSupport
#if canImport(Glibc)
import Glibc
#endif
#if os(Linux)
import CMalloc
#endif

@main
struct EDMDecode: ToolCommand, UsageChecks {
    static let configuration = CommandConfiguration(
        commandName: "edm-decode",
        abstract: "Decode serial captures of u-connectXpress modules (AT commands and EDM frames).",
        discussion: """
        Reads what crossed a module's UART and explains it unit by unit: AT commands with \
        their meaning, EDM frames with channels and peers, DPS answers, boot noise and \
        corrupt bytes (annotated; decoding carries on), then a summary of the session.

        Input formats (detected from the content; --input-format to say): raw (binary), hex \
        (plain hex dump), azure-dps-log (u-blox's azure_dps.py output), socat (-x -v), \
        interceptty, slsnif (-x), jpnevulator (--timing-print --ascii), saleae-csv (Logic 2 \
        async serial export), sigrok-jsontrace, pcap and pcapng (ours, or Linux usbmon captures \
        of CP210x, CH340, CDC-ACM and FTDI bridges).

        Examples:
          edm-decode session.log                     the azure_dps.py log
          edm-decode dump.bin --from module          one raw file of one direction
          edm-decode --host tx.bin --module rx.bin   one raw file per direction (no
                                                     timing: the order is rebuilt
                                                     from request and reply)
          edm-decode capture.txt -f pcapng -o s.pcapng
                                                     for Wireshark (see wireshark/)

        Output formats (--format):
          transcript    one line per unit, then a summary (default on a terminal)
          json          JSON Lines: one object per unit, then {"summary":{...}}
          pcap, pcapng  one packet per unit for Wireshark (lossless; -o FILE)
          mermaid       a sequence diagram of host, module and DPS, for bug reports
          html          one self-contained page: verdict, timeline, sequence diagram,
                        the units in a table to filter (opens offline)

        Secrets (Wi-Fi passphrase, private-key bytes) are replaced by '*' unless \
        --no-redact.

        Live capture (edm-decode tap --help, edm-decode extcap --help):
          edm-decode tap --port /dev/ttyUSB0 --link /tmp/ttyNINA -w s.pcapng
                        a tap between the host program and the module
          edm-decode tap --host-port /dev/ttyUSB1 --module-port /dev/ttyUSB2
                        two-wire: listen on the RX and TX lines
          edm-decode --follow s.pcapng
                        decode a capture still being written, as tail -f

        Exit status:
          0   decoded (even with annotated bad bytes, or cut short: a warning)
          64  usage error
          65  unreadable or unrecognised input
          66  missing input file
          73  the output cannot be created
          74  the output cannot be written (disk full)
        """,
        version: ToolText.version
    )

    /// `tap` and `extcap` first are the live commands (`edm-decode tap --help`); anything
    /// else is a decode of files.
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        switch arguments.first {
        case "tap": Tap.main(arguments: Array(arguments.dropFirst()))
        case "extcap": ExtcapCommand.main(arguments: Array(arguments.dropFirst()))
        default: main(arguments: arguments)
        }
    }

    @Argument(help: "Capture files to decode ('-' for standard input).")
    var inputs: [String] = []

    @OptionGroup var captureOptions: CaptureInputOptions

    @Option(help: "Which side wrote a single raw or hex file: host or module (default unknown).")
    var from: Side?

    @Option(help: "Raw file of the bytes the host sent.")
    var host: String?

    @Option(help: "Raw file of the bytes the module sent.")
    var module: String?

    @Option(name: .shortAndLong, help: "Output format (default: transcript on a terminal, json elsewhere).")
    var format: DecodePipeline.OutputFormat?

    @Option(name: .shortAndLong, help: "Write the output to this file ('-': standard output).")
    var output: String = "-"

    @Option(help: "With -f html: compare each session with this capture (as edm-replay diff does), shown side by side.")
    var against: String?

    @Flag(inversion: .prefixedNo, help: "Replace passphrases and private keys with '*' (same length).")
    var redact = true

    @Option(help: "Colour the transcript: auto (on a terminal), always, never.")
    var color: DecodePipeline.Colour = .auto

    @Flag(
        inversion: .prefixedNo,
        help: ArgumentHelp(
            "Show how far decoding has got on standard error (default: on a "
                + "terminal, after a second, when the output goes elsewhere).",
            discussion: "Into a log (not a terminal), --progress prints a line at most four times a second."))
    var progress: Bool?

    @Flag(help: .private) // (`make dissector-tables` writes them into wireshark/ucx_edm.lua)
    var dissectorTables = false

    @Flag(help: "Decode FILE as it grows (a capture still being recorded), as tail -f, until Ctrl-C.")
    var follow = false

    enum Side: String, ExpressibleByArgument { case host, module }

    func checkUsage() throws {
        if dissectorTables { return }
        if follow { return try checkFollow() }
        if (host == nil) != (module == nil) {
            throw ValidationError("--host and --module go together: give one raw file per direction.")
        }
        if host != nil, !inputs.isEmpty {
            throw ValidationError("Give either capture files or --host/--module, not both.")
        }
        if host != nil,
            let option = from.map({ "--from \($0.rawValue)" })
                ?? captureOptions.inputFormat.map({ "--input-format \($0.rawValue)" }) {
            throw ValidationError("\(option) is for capture files: --host and --module are raw files, one per side.")
        }
        if host == nil, inputs.isEmpty {
            throw ValidationError("Nothing to decode: name a capture file, '-' for standard input, or --host/--module.")
        }
        if let input = (inputs + [host, module].compactMap { $0 }).first(where: { Self.sameFile($0, output) }) {
            throw ValidationError(
                "The output \(output) is the input \(input): writing it would destroy "
                    + "the capture before it is read. Choose another -o FILE."
            )
        }
        if against != nil, format != .html {
            throw ValidationError("--against is for the HTML report: add -f html.")
        }
        if (format == .pcap || format == .pcapng), output == "-", isatty(1) == 1 {
            throw ValidationError("pcap and pcapng are binary: write them with -o FILE (or pipe them).")
        }
    }

    func checkFollow() throws {
        guard inputs.count == 1, host == nil, module == nil, inputs[0] != "-" else {
            throw ValidationError(
                "--follow takes one capture file (not '-' or --host/--module): the one being written.")
        }
        if let format, format != .transcript, format != .json {
            throw ValidationError(
                "--follow prints a transcript or JSON Lines (-f transcript or -f json), not \(format.rawValue).")
        }
        if output != "-" {
            throw ValidationError("--follow prints to standard output: leave out -o \(output) (or redirect it).")
        }
        if against != nil { throw ValidationError("--against is for the HTML report, which --follow does not write.") }
    }

    var pipeline: DecodePipeline {
        let inputs: DecodePipeline.Inputs =
            if let host, let module { .rawPair(host: host, module: module) } else { .captures(self.inputs) }
        return DecodePipeline(
            inputs: inputs,
            captureOptions: captureOptions.options(direction: from.map { $0 == .host ? .host : .module }),
            output: output, format: format, redact: redact, colour: color, progress: progress,
            against: against)
    }

    func run() {
        if dissectorTables { return print(DissectorTables.lua, terminator: "") }
        if follow { Glibc.exit(runFollow().rawValue) }
        keepFreedMemory()
        do { try pipeline.run() } catch { fail(error.description, ExitStatus(error)) }
    }

    /// Whether two paths name one existing file (also through a link).
    static func sameFile(_ a: String, _ b: String) -> Bool {
        var x = stat(), y = stat()
        guard a != "-", b != "-", stat(a, &x) == 0, stat(b, &y) == 0 else { return false }
        return x.st_dev == y.st_dev && x.st_ino == y.st_ino
    }
}

extension DecodePipeline.OutputFormat: ExpressibleByArgument {}
extension DecodePipeline.Colour: ExpressibleByArgument {}

/// Asks glibc to keep the memory the pipeline frees for the next batch: by default it hands the
/// top of each thread's heap back to the system, and serves blocks from 128 KB up with their
/// own mappings, so every batch's buffers would be mapped and faulted in again (about a tenth of
/// the CPU time of a JSON run, `Benchmarks/compare-builds.sh`). What is kept is what a batch
/// needs: peak memory grows by 1-2 MB (27 MB on 512 MB, `Benchmarks/decode-bench.sh`).
private func keepFreedMemory() {
    #if os(Linux)
    _ = mallopt(M_MMAP_THRESHOLD, 32 << 20) // (glibc's largest)
    _ = mallopt(M_TRIM_THRESHOLD, 64 << 20)
    #endif
}
