import ArgumentParser
import Dispatch
import EDMKit
import EDMKitIO
#if canImport(Glibc)
import Glibc
#endif
#if os(Linux)
import CMalloc
#endif

@main
struct EDMDecode: ParsableCommand {
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
          edm-decode session.log                        the azure_dps.py log
          edm-decode dump.bin --from module             one raw file of one direction
          edm-decode --host tx.bin --module rx.bin      one raw file per direction (no timing:
                                                        the order is rebuilt from request/reply)
          edm-decode capture.txt -f pcapng -o s.pcapng  for Wireshark (see wireshark/README.md)

        Output formats (--format):
          transcript   one line per unit and a closing summary (default on a terminal)
          json         JSON Lines: one object per unit, then {"summary":{...}} (see README)
          pcap, pcapng one packet per unit for Wireshark (lossless; needs -o FILE)
          mermaid      a sequence diagram of host, module and DPS, for bug reports

        Secrets (Wi-Fi passphrase, private-key bytes) are replaced by '*' unless --no-redact.

        Exit status: 0 decoded (even with annotated bad bytes), 64 usage error,
        65 unreadable or unrecognised input, 66 missing input file, 73 output cannot be created,
        74 output cannot be written (disk full).
        """
    )

    @Argument(help: "Capture files to decode ('-' for standard input).")
    var inputs: [String] = []

    @Option(help: "The input's format (default: detected). One of: \(TraceFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
    var inputFormat: TraceFormat?

    @Option(help: "Which side wrote a single raw or hex file: host or module (default unknown).")
    var from: Side?

    @Option(help: "Raw file of the bytes the host sent.")
    var host: String?

    @Option(help: "Raw file of the bytes the module sent.")
    var module: String?

    @Option(help: "socat: which side is the host, the left (>) or the right (<) (default left).")
    var socatHost: SocatSide = .left

    @Option(help: "Saleae/sigrok: analyzer or row name carrying the host's bytes (default TX).")
    var hostChannel: String = "TX"

    @Option(help: "Saleae/sigrok: analyzer or row name carrying the module's bytes (default RX).")
    var moduleChannel: String = "RX"

    @Option(help: "jpnevulator: the tty name that is the host's side (default: the first one seen).")
    var hostTTY: String?

    @Option(help: "USB captures: the bridge when the capture lacks its descriptor: ftdi, cp210x, ch340, cdc-acm.")
    var usbBridge: PcapReader.USBBridge?

    @Option(name: .shortAndLong, help: "Output format: transcript, json, pcap, pcapng or mermaid.")
    var format: OutputFormat?

    @Option(name: .shortAndLong, help: "Write the output to this file instead of standard output.")
    var output: String = "-"

    @Flag(inversion: .prefixedNo, help: "Replace passphrases and private keys with '*' (same length).")
    var redact = true

    @Option(help: "Colour the transcript: auto (on a terminal), always, never.")
    var color: ColorChoice = .auto

    @Flag(inversion: .prefixedNo, help: ArgumentHelp(
        "Show how far decoding has got on standard error (default: on a terminal, after a second, when the output goes elsewhere).",
        discussion: "Into a log (not a terminal), --progress prints a line at most four times a second."))
    var progress: Bool?

    enum Side: String, ExpressibleByArgument { case host, module }
    enum SocatSide: String, ExpressibleByArgument { case left, right }
    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case transcript, json, pcap, pcapng, mermaid }
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
        if let input = (inputs + [host, module].compactMap { $0 }).first(where: { Self.sameFile($0, output) }) {
            throw ValidationError("The output \(output) is the input \(input): writing it would destroy the capture before it is read. Choose another -o FILE.")
        }
        if (format == .pcap || format == .pcapng), output == "-", isatty(1) == 1 {
            throw ValidationError("pcap and pcapng are binary: write them with -o FILE (or pipe them).")
        }
    }

    var importOptions: TraceImportOptions {
        var o = TraceImportOptions(direction: from.map { $0 == .host ? .host : .module })
        // The log elides PEM bodies; padding them to their declared size keeps the host stream
        // in step (the padding is flagged), so everything after the upload still decodes.
        o.azureDPSLog.padElidedCredentials = true
        o.socat.leftToRight = socatHost == .left ? .host : .module
        o.saleae.analyzers = [hostChannel: .host, moduleChannel: .module]
        o.sigrok.rows = [hostChannel: .host, moduleChannel: .module]
        if let hostTTY { o.jpnevulator.ttys = [hostTTY: .host] }
        return o
    }

    /// A pipeline of threads joined by bounded queues, so the machine's cores share the work
    /// (see README, Performance): reading a capture (`ReadStage`), decoding (`UnitSource`), for
    /// JSON `JSONLineStage` (two threads), and writing, here. Everything keeps its order, so
    /// the output is the same as on one thread.
    func run() throws {
        keepFreedMemory()
        do {
            let sink: OutputSink
            do { sink = try OutputSink(path: output) } catch { fail("cannot create the output \(error.description)", code: 73) }
            let chosen = format ?? (sink.isTerminal ? .transcript : .json)
            var writer = try UnitWriter(sink: sink, format: chosen,
                                        color: color == .always || color == .auto && chosen == .transcript && sink.isTerminal)
            // Decoded events go through `events` to the writer; for JSON it is the
            // `JSONLineStage`, which writes the units' lines on the way.
            let events: any EventPipe = chosen == .json ? JSONLineStage() : BatchQueue<EventBatch>(capacity: 4)
            let showsProgress = progress ?? (isatty(2) == 1 && !sink.isTerminal)
            DispatchQueue(label: "edm-decode.decoding").async { [self] in
                // (made here: only the decoding thread uses it)
                let progress = showsProgress ? DecodeProgress(terminal: isatty(2) == 1, total: inputBytes, immediately: self.progress == true) : nil
                var source = UnitSource(redact: redact, progress: progress, send: events.send)
                let decoded = Result { try decode(into: &source) }
                progress?.end() // before any error message, which then starts on a clean line
                switch decoded {
                case .success: try? source.finish() // (it throws only when the writer has stopped)
                case .failure(let error) where !(error is UnitSource.WriterStopped): source.fail(error)
                case .failure: break
                }
                events.close()
            }
            defer { events.cancel() } // (the decoding thread stops if we leave early)
            while let batch = events.receive() {
                for event in batch.events {
                    if case .failure(let error) = event {
                        try? writer.finish() // (what came before the error is kept)
                        throw error
                    }
                    do {
                        if case .units(let range, let redacted) = event {
                            try writer.write(range, of: batch, redacted: redacted)
                        } else {
                            try writer.write(event)
                        }
                    } catch { fail("cannot write the output: \(error)", code: 74) }
                }
                do { try writer.endBatch() } catch { fail("cannot write the output: \(error)", code: 74) }
            }
            do { try writer.finish() } catch { fail("cannot write the output: \(error)", code: 74) }
        } catch let error as IOError {
            fail(error.description, code: error.isMissing ? 66 : 65)
        } catch let error as CaptureInput.Failure {
            fail(error.message, code: error.exitCode)
        } catch let error as CaptureIOError {
            fail(error.description, code: 65)
        }
    }

    /// Whether two paths name one existing file (also through a link).
    static func sameFile(_ a: String, _ b: String) -> Bool {
        var x = stat(), y = stat()
        guard a != "-", b != "-", stat(a, &x) == 0, stat(b, &y) == 0 else { return false }
        return x.st_dev == y.st_dev && x.st_ino == y.st_ino
    }

    /// Bytes of all inputs together, when all are regular files (else progress has no total).
    private var inputBytes: Int? {
        var total = 0
        for path in host.map({ [$0, module ?? ""] }) ?? inputs {
            var info = stat()
            guard path != "-", stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
            total += Int(info.st_size)
        }
        return total
    }

    /// The decoding half: every input, in order, into `source`.
    private func decode(into source: inout UnitSource) throws {
        if let host, let module {
            // Read a chunk at a time as the interleaver asks: memory stays flat.
            let hostReader = try FileReader(path: host), moduleReader = try FileReader(path: module)
            var pair = RawPairInterleaver(host: { try hostReader.read() }, module: { try moduleReader.read() })
            try source.decode(&pair) { hostReader.offset + moduleReader.offset }
            return
        }
        for (i, path) in inputs.enumerated() {
            if inputs.count > 1 { try source.beginInput(path, first: i == 0) }
            let input = try CaptureInput(path: path, format: inputFormat, oneStream: from != nil, options: importOptions,
                                         pcapOptions: PcapReader.Options(usb: PcapReader.USBOptions(bridge: usbBridge)))
            try source.decode(input)
        }
    }
}

extension TraceFormat: ExpressibleByArgument {}
extension PcapReader.USBBridge: ExpressibleByArgument {}

/// Says what went wrong on standard error and leaves with the exit status that means it.
func fail(_ message: String, code: Int32) -> Never {
    FileDescriptorText.write("edm-decode: \(message)\n", to: 2)
    EDMDecode.exit(withError: ExitCode(code))
}

/// Asks glibc to keep the memory the pipeline frees for the next batch: by default it hands the
/// top of each thread's heap back to the system, and serves blocks from 128 KB up with their
/// own mappings, so every batch's buffers were mapped and faulted in again (about a tenth of the
/// CPU time of a JSON run, `Benchmarks/compare-builds.sh`). What is kept is what a batch needs:
/// peak memory grew by 1-2 MB (27 MB on 512 MB, `Benchmarks/decode-bench.sh`).
private func keepFreedMemory() {
    #if os(Linux)
    _ = mallopt(M_MMAP_THRESHOLD, 32 << 20) // (glibc's largest)
    _ = mallopt(M_TRIM_THRESHOLD, 64 << 20)
    #endif
}
