#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import EDMKit
import EDMKitIO

/// How a tool ends, as its documented exit status: sysexits(3) names for the usual failures,
/// azure-dps's own 2-6 for how provisioning failed, 130 for an interrupted run.
///
/// The libraries say what went wrong (an error with a reason); only the tools decide what
/// status that is, here.
public enum ExitStatus: Int32, Sendable, CaseIterable {
    case ok = 0
    /// edm-replay: a divergence, an unexpected outcome, or a problem a fuzz run found.
    case failed = 1
    /// DPS refused the registration (failed, disabled, a 4xx error).
    case dpsRefused = 2
    /// A step, or the whole run, did not finish before its deadline.
    case timedOut = 3
    /// The module answered ERROR, rebooted by itself, or broke the protocol.
    case moduleError = 4
    /// Wi-Fi or the MQTT peer could not connect.
    case networkError = 5
    /// The serial port is missing, busy, not a tty, or went away.
    case serialError = 6
    /// EX_USAGE: the command line (or a config file) is wrong.
    case usage = 64
    /// EX_DATAERR: an input exists but is not what it should be.
    case dataErr = 65
    /// EX_NOINPUT: an input file does not exist.
    case noInput = 66
    /// EX_CANTCREAT: an output file cannot be created.
    case cantCreat = 73
    /// EX_IOERR: writing the output failed (disk full).
    case ioErr = 74
    /// The run was interrupted (Ctrl-C).
    case interrupted = 130

    /// For `throw`, where ArgumentParser ends the run.
    public var exitCode: ExitCode { ExitCode(rawValue) }
}

/// Says what went wrong on standard error, after the tool's name, as one sentence, and ends
/// the process with `status`.
public func fail(_ message: String, _ status: ExitStatus) -> Never {
    say(message)
    end(status)
}

/// One line on standard error, after the tool's name, as one sentence.
public func say(_ message: String) {
    FileDescriptorText.write("\(programName): \(ToolText.sentence(message))\n", to: 2)
}

/// Ends the process (stdio flushed) with `status`.
func end(_ status: ExitStatus) -> Never { exit(status.rawValue) }

/// Ends the process with a status ArgumentParser chose.
func end(_ code: ExitCode) -> Never { exit(code.rawValue) }

/// The running tool's name, as its messages begin (`edm-decode: ...`).
public let programName: String = {
    let invoked = CommandLine.arguments.first ?? ""
    return invoked.split(separator: "/").last.map(String.init) ?? invoked
}()

extension ExitStatus {
    /// A capture that cannot be read: missing, unreadable or not a capture, or a packet
    /// capture on standard input (which libpcap cannot read: the command line must change).
    public init(_ failure: CaptureInput.Failure) {
        switch failure.reason {
        case .missingFile: self = .noInput
        case .unreadableFile, .invalidContent: self = .dataErr
        case .packetCaptureOnStandardInput, .sideOfTwoSidedCapture: self = .usage
        }
    }

    /// A decoding run that could not finish.
    public init(_ failure: DecodePipeline.Failure) {
        switch failure {
        case .input(let input): self.init(input)
        case .outputNotCreated: self = .cantCreat
        case .outputNotWritten: self = .ioErr
        }
    }

    /// A credential file that cannot go to the module: missing or unreadable (66), a name
    /// or registration id that the command line must change (64), bad contents (65).
    public init(_ code: PreflightError.Code) {
        switch code {
        case .missingFile, .unreadableFile: self = .noInput
        case .badName, .registrationIDMismatch, .badRegistrationID: self = .usage
        default: self = .dataErr
        }
    }

    /// How a provisioning run ended.
    public init(_ outcome: ProvisioningOutcome) {
        switch outcome {
        case .assigned: self = .ok
        case .refused: self = .dpsRefused
        case .timedOut: self = .timedOut
        case .moduleError: self = .moduleError
        case .networkError: self = .networkError
        case .serialError: self = .serialError
        case .cancelled: self = .interrupted
        }
    }
}

extension ExitStatus {
    /// A file that cannot be read: missing (66), or there but unreadable (65).
    public static func unreadable(_ path: String) -> ExitStatus {
        var info = stat()
        return stat(path, &info) == 0 ? .dataErr : .noInput
    }
}
