import EDMKit
import EDMKitIO
import Foundation
import Testing

/// The decode pipeline driven as a library, against the edm-decode binary built beside the
/// tests: for the same captures and settings both write the same bytes.
@Suite struct DecodePipelineTests {
    static let root: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/")
    }()

    /// The products sit next to the test bundle in the build folder.
    static let edmDecode: String = {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("edm-decode").path), url.path != "/" {
            url = url.deletingLastPathComponent()
        }
        return url.appendingPathComponent("edm-decode").path
    }()

    static let captures = ["azure-dps-example-session.log", "scenarios/assigned.pcapng", "scenarios/noisy-line.pcapng"]

    /// Runs the pipeline into a file, and the binary with the same options into another.
    static func both(
        _ inputs: DecodePipeline.Inputs, _ format: DecodePipeline.OutputFormat, redact: Bool = true,
        in dir: TempDir
    ) throws -> (library: [UInt8], tool: [UInt8], failure: DecodePipeline.Failure?, status: Int32) {
        let libraryOut = dir.file("library.\(format)")
        let toolOut = dir.file("tool.\(format)")
        var options = CaptureInput.Options()
        options.importOptions.azureDPSLog.padElidedCredentials = true  // (as the tool sets it)
        let pipeline = DecodePipeline(
            inputs: absolute(inputs), captureOptions: options, output: libraryOut, format: format,
            redact: redact, progress: false)
        var failure: DecodePipeline.Failure?
        do { try pipeline.run() } catch { failure = error }
        var arguments: [String]
        switch absolute(inputs) {
        case .captures(let paths): arguments = paths
        case .rawPair(let host, let module): arguments = ["--host", host, "--module", module]
        }
        arguments += ["-f", format.rawValue, "-o", toolOut, "--no-progress"] + (redact ? [] : ["--no-redact"])
        let status = try Child(edmDecode, arguments).wait()
        return (readFile(libraryOut), readFile(toolOut), failure, status)
    }

    /// Names relative to `captures/` made absolute.
    static func absolute(_ inputs: DecodePipeline.Inputs) -> DecodePipeline.Inputs {
        func absolute(_ path: String) -> String { path.hasPrefix("/") ? path : root + "/captures/" + path }
        return switch inputs {
        case .captures(let paths): .captures(paths.map(absolute))
        case .rawPair(let host, let module): .rawPair(host: absolute(host), module: absolute(module))
        }
    }

    @Test(arguments: captures, DecodePipeline.OutputFormat.allCases)
    func sameBytesAsTheTool(capture: String, format: DecodePipeline.OutputFormat) throws {
        let dir = TempDir()
        defer { dir.remove() }
        for redact in [true, false] {
            let r = try Self.both(.captures([capture]), format, redact: redact, in: dir)
            #expect(
                r.failure == nil && r.status == 0,
                "\(capture) \(format): \(String(describing: r.failure)), exit \(r.status)")
            #expect(r.library.count > 100, "\(capture) \(format): \(r.library.count) bytes")
            #expect(
                r.library == r.tool,
                "\(capture) \(format) redact \(redact): \(r.library.count) vs \(r.tool.count) bytes")
        }
    }

    @Test func severalInputsAndARawPairAsTheTool() throws {
        let dir = TempDir()
        defer { dir.remove() }
        for format in [DecodePipeline.OutputFormat.transcript, .json] {
            let several = try Self.both(.captures(Self.captures), format, in: dir)
            #expect(several.library == several.tool && several.library.count > 1000, "\(format)")
            let pair = try Self.both(
                .rawPair(host: "reference-session-host.bin", module: "reference-session-module.bin"), format, in: dir)
            #expect(pair.library == pair.tool && pair.library.count > 1000, "\(format)")
        }
    }

    /// A capture cut off mid-packet: both decode what came before it and summarise it, the
    /// cut a warning of the summary, not a failure.
    @Test func aTruncatedCaptureKeepsWhatCameBefore() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let whole = readFile(Self.root + "/captures/scenarios/assigned.pcapng")
        writeFile(dir.file("cut.pcapng"), Array(whole.prefix(whole.count / 2)))
        let r = try Self.both(.captures([dir.file("cut.pcapng")]), .json, in: dir)
        #expect(r.failure == nil && r.status == 0, "\(String(describing: r.failure))")
        #expect(!r.library.isEmpty && r.library == r.tool)
        let text = String(decoding: r.library, as: UTF8.self)
        #expect(text.contains("{\"summary\":") && text.contains("\"code\":\"truncated\""))
    }

    @Test func failuresSayWhatWentWrong() throws {
        let dir = TempDir()
        defer { dir.remove() }
        func failure(_ pipeline: DecodePipeline) -> DecodePipeline.Failure? {
            do { try pipeline.run() } catch { return error }
            return nil
        }
        let missing = failure(
            DecodePipeline(inputs: .captures([dir.file("absent.log")]), output: dir.file("out"), progress: false))
        guard case .input(let input) = missing else {
            Issue.record("\(String(describing: missing))")
            return
        }
        #expect(input.reason == .missingFile && input.message.hasPrefix(dir.file("absent.log")))
        let pair = failure(
            DecodePipeline(
                inputs: .rawPair(host: dir.file("absent.bin"), module: dir.file("absent.bin")),
                output: dir.file("out"), progress: false))
        guard case .input(let raw) = pair else {
            Issue.record("\(String(describing: pair))")
            return
        }
        #expect(raw.reason == .missingFile)
        let capture = Self.root + "/captures/scenarios/assigned.pcapng"
        let unwritable = failure(
            DecodePipeline(inputs: .captures([capture]), output: dir.file("no/such/folder"), progress: false))
        guard case .outputNotCreated = unwritable else {
            Issue.record("\(String(describing: unwritable))")
            return
        }
        #expect(
            unwritable?.description
                == "cannot create the output \(dir.file("no/such/folder")): No such file or directory")
        let full = failure(
            DecodePipeline(inputs: .captures([capture]), output: "/dev/full", format: .json, progress: false))
        guard case .outputNotWritten = full else {
            Issue.record("\(String(describing: full))")
            return
        }
    }
}
