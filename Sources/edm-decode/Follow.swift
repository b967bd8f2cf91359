import EDMKit
import EDMKitIO
import ToolSupport
#if canImport(Glibc)
import Glibc
#endif

extension EDMDecode {
    /// `--follow FILE`: the units of a capture as it is written, until a signal.
    func runFollow() -> ExitStatus {
        let signals = StopSignals()
        defer { signals.cancel() }
        let importOptions = captureOptions.options(direction: from.map { $0 == .host ? .host : .module })
        let follower: FileFollower
        do {
            follower = try FileFollower(
                path: inputs[0], format: importOptions.format, options: importOptions.importOptions)
        } catch {
            fail(error.description, ExitStatus(error))
        }
        signals.serve(stop: follower.stop) { Glibc.exit(ExitStatus.interrupted.rawValue) }
        let shown: LiveCapture.Format =
            format == .json ? .json : format == .transcript ? .transcript : isatty(1) == 1 ? .transcript : .json
        let colour = shown == .transcript && (color == .always || (color == .auto && isatty(1) == 1))
        let capture = LiveCapture(
            writer: nil, sink: try? OutputSink(path: "-"), format: shown, colour: colour, keepSecrets: !redact,
            start: .now, origin: TraceOrigin(unixNanoseconds: 0), rebase: false)
        var status = ExitStatus.ok
        do { try follower.run { capture.record($0) } } catch {
            say(error.description)
            status = ExitStatus(error)
        }
        capture.finish()
        return status
    }
}
