import EDMKit
import EDMKitIO
import Testing
import ToolSupport

/// (swift-testing has an `ExitStatus` of its own.)
private typealias ExitStatus = ToolSupport.ExitStatus

/// The exit statuses are part of the tools' documented interface (README, `--help`).
@Suite struct ExitStatusTests {
    @Test func preflightFailures() {
        let expected: [PreflightError.Code: ExitStatus] = [
            .missingFile: .noInput, .unreadableFile: .noInput, .badName: .usage, .registrationIDMismatch: .usage,
            .badRegistrationID: .usage,
        ]
        for code in PreflightError.Code.allCases {
            #expect(ExitStatus(code) == expected[code, default: .dataErr], "\(code)")
        }
    }

    @Test func captureFailures() {
        let expected: [(CaptureInput.Failure.Reason, Int32)] = [
            (.missingFile, 66), (.unreadableFile, 65), (.invalidContent, 65), (.packetCaptureOnStandardInput, 64),
        ]
        for (reason, status) in expected {
            #expect(ExitStatus(CaptureInput.Failure(reason, "x")).rawValue == status, "\(reason)")
        }
        #expect(ExitStatus(DecodePipeline.Failure.outputNotCreated("x")) == .cantCreat)
        #expect(ExitStatus(DecodePipeline.Failure.outputNotWritten("x")).rawValue == 74)
    }

    /// azure-dps's statuses, and the `exitCode` its JSON and edm-replay's reports print.
    @Test func provisioningOutcomes() {
        let step = ProvisioningStep.wifi
        let outcomes: [(ProvisioningOutcome, Int32)] = [
            (.assigned(hub: "h", deviceID: "d", substatus: nil, body: "{}"), 0),
            (.timedOut(step, waitingFor: "x"), 3), (.moduleError(step, "x"), 4), (.networkError(step, "x"), 5),
            (.serialError("x"), 6), (.cancelled, 130),
        ]
        for (outcome, status) in outcomes {
            #expect(ExitStatus(outcome).rawValue == status && outcome.exitCode == status, "\(outcome)")
        }
    }

    @Test func sysexitsNames() {
        #expect(
            [ExitStatus.ok, .usage, .dataErr, .noInput, .cantCreat, .ioErr].map(\.rawValue) == [0, 64, 65, 66, 73, 74])
    }
}
