#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import EDMKit

/// What edm-decode does, without its command line: captures in, a transcript, JSON Lines,
/// Mermaid or a pcap/pcapng file out.
///
/// A pipeline of threads joined by bounded queues, so the machine's cores share the work:
/// reading a capture (`CaptureReadingStage`), decoding (`SessionDecodingStage`), for JSON the
/// units' lines (`JSONLineStage`, two threads), and writing on the caller's thread
/// (`DecodeOutputWriter`). Everything keeps its order, so the output is the same as on one
/// thread. Memory stays flat whatever the inputs' size.
public struct DecodePipeline: Sendable {
    /// What to decode.
    public enum Inputs: Sendable, Equatable {
        /// Capture files, each its own session, one after the other (`-`: standard input).
        case captures([String])
        /// One raw file per direction, interleaved by request and reply (they have no timing).
        case rawPair(host: String, module: String)
    }

    /// What to write (`--format`).
    public enum OutputFormat: String, Sendable, CaseIterable {
        case transcript, json, pcap, pcapng, mermaid
        /// One self-contained page: verdict, timeline, sequence diagram, the units' table.
        case html
    }

    /// Whether the transcript is coloured (`--color`).
    public enum Colour: String, Sendable {
        /// On a terminal, for the transcript.
        case auto
        case always, never
    }

    /// Why a run stopped. What was decoded before is written out first.
    public enum Failure: Error, CustomStringConvertible {
        /// An input is missing, unreadable or no capture.
        case input(CaptureInput.Failure)
        /// The output file cannot be created: the path and the system's words.
        case outputNotCreated(String)
        /// Writing the output failed (disk full): the path and the system's words.
        case outputNotWritten(String)

        public var description: String {
            switch self {
            case .input(let failure): failure.message
            case .outputNotCreated(let why): "cannot create the output \(why)"
            case .outputNotWritten(let why): "cannot write the output: \(why)"
            }
        }
    }

    public var inputs: Inputs
    /// How the captures are read (the raw pair is read as it is).
    public var captureOptions: CaptureInput.Options
    /// A file, or `-` for standard output.
    public var output: String
    /// nil: the transcript on a terminal, JSON Lines elsewhere.
    public var format: OutputFormat?
    /// Stars passphrases and private-key bytes (same length).
    public var redact: Bool
    public var colour: Colour
    /// How far decoding has got, on standard error. nil: when standard error is a terminal
    /// and the output goes elsewhere, once a run has taken a second.
    public var progress: Bool?
    /// Names the writer in a pcapng's section header, and begins the progress line.
    public var application: String
    /// HTML: a capture each session is compared with (`SessionDiff`, A against the session as B).
    public var against: String?

    public init(inputs: Inputs, captureOptions: CaptureInput.Options = .init(), output: String = "-",
                format: OutputFormat? = nil, redact: Bool = true, colour: Colour = .auto, progress: Bool? = nil,
                application: String = "edm-decode", against: String? = nil) {
        self.against = against
        self.inputs = inputs
        self.captureOptions = captureOptions
        self.output = output
        self.format = format
        self.redact = redact
        self.colour = colour
        self.progress = progress
        self.application = application
    }

    /// The session `against` names, read before decoding starts.
    private func againstProfile() throws(Failure) -> (path: String, profile: SessionProfile)? {
        guard let against else { return nil }
        do { return (against, try SessionProfileReader.profile(path: against, redact: redact)) } catch {
            throw .input(error)
        }
    }

    public func run() throws(Failure) {
        let sink: OutputSink
        do { sink = try OutputSink(path: output) } catch { throw .outputNotCreated(error.description) }
        let chosen = format ?? (sink.isTerminal ? .transcript : .json)
        let colour = self.colour == .always || self.colour == .auto && chosen == .transcript && sink.isTerminal
        var writer: DecodeOutputWriter
        do {
            writer = try DecodeOutputWriter(sink: sink, format: chosen, colour: colour, redact: redact,
                                            application: application, against: try againstProfile())
        } catch let failure as Failure {
            throw failure
        } catch {
            throw .outputNotCreated("\(error)")
        }
        // Decoded events go through `events` to the writer; for JSON it is the
        // `JSONLineStage`, which writes the units' lines on the way.
        let events: any DecodedBatchPipe = chosen == .json ? JSONLineStage() : BatchQueue<DecodedBatch>(capacity: 4)
        startDecoding(into: events, showsProgress: progress ?? (isatty(2) == 1 && !sink.isTerminal))
        defer { events.cancel() } // (the decoding thread stops if we leave early)
        do {
            while let batch = events.receive() {
                for event in batch.events {
                    if case .failure(let error) = event {
                        try? writer.finish() // (what came before the error is kept)
                        throw Self.inputFailure(error)
                    }
                    if case .units(let range, let redacted) = event {
                        try writer.write(range, of: batch, redacted: redacted)
                    } else {
                        try writer.write(event)
                    }
                }
                try writer.endBatch()
            }
            try writer.finish()
        } catch let failure as Failure {
            throw failure
        } catch {
            throw .outputNotWritten("\(error)")
        }
    }

    /// The decoding thread: every input, in order, into `events`; a failure goes last.
    private func startDecoding(into events: any DecodedBatchPipe, showsProgress: Bool) {
        DispatchQueue(label: "DecodePipeline.decoding").async { [self] in
            // (made here: only the decoding thread uses it)
            let progress = showsProgress ? DecodeProgress(label: application, terminal: isatty(2) == 1,
                total: inputBytes,
                                                          immediately: self.progress == true) : nil
            var stage = SessionDecodingStage(redact: redact, progress: progress, send: events.send)
            let decoded = Result { try decode(into: &stage) }
            progress?.end() // before any error message, which then starts on a clean line
            switch decoded {
            case .success: try? stage.finish() // (it throws only when the writer has stopped)
            case .failure(let error) where !(error is SessionDecodingStage.WriterStopped): stage.fail(error)
            case .failure: break
            }
            events.close()
        }
    }

    private func decode(into stage: inout SessionDecodingStage) throws {
        switch inputs {
        case .rawPair(let host, let module):
            // Read a chunk at a time as the interleaver asks: memory stays flat.
            let hostReader = try FileReader(path: host), moduleReader = try FileReader(path: module)
            stage.source(path: "\(host) (host) and \(module) (module)",
                         format: TraceFormat.rawBinary.displayName + ", one file a side",
                         bytes: Self.fileSize(host).flatMap { h in Self.fileSize(module).map { h + $0 } })
            var pair = RawPairInterleaver(host: { try hostReader.read() }, module: { try moduleReader.read() })
            try stage.decode(&pair) { hostReader.offset + moduleReader.offset }
        case .captures(let paths):
            for (i, path) in paths.enumerated() {
                if paths.count > 1 { try stage.beginInput(path, first: i == 0) }
                let input = try CaptureInput(path: path, options: captureOptions)
                stage.source(path: path, format: input.format.displayName, bytes: Self.fileSize(path))
                try stage.decode(input)
            }
        }
    }

    /// What reading an input threw, as the reason the run stopped.
    private static func inputFailure(_ error: any Error) -> Failure {
        switch error {
        case let failure as CaptureInput.Failure: .input(failure)
        case let error as IOError: .input(CaptureInput.Failure(error))
        default: .input(CaptureInput.Failure(.unreadableFile, "\(error)"))
        }
    }

    /// The size of a regular file (nil for standard input, a pipe or a device).
    private static func fileSize(_ path: String) -> Int? {
        var info = stat()
        guard path != "-", stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        return Int(info.st_size)
    }

    /// Bytes of all inputs together, when all are regular files (else progress has no total).
    private var inputBytes: Int? {
        let paths = switch inputs {
        case .captures(let paths): paths
        case .rawPair(let host, let module): [host, module]
        }
        var total = 0
        for path in paths {
            guard let size = Self.fileSize(path) else { return nil }
            total += size
        }
        return total
    }
}
