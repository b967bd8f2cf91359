import Foundation
import Testing
@testable import EDMKit

@Suite struct ProvisioningStepTests {
    /// The README shows the state diagram generated from the transition table; this keeps
    /// it current (RECORD_SAMPLES=1 rewrites it).
    @Test func readmeDiagramIsCurrent() throws {
        let path = Fixtures.root + "/README.md"
        let readme = try String(contentsOfFile: path, encoding: .utf8)
        let begin = "<!-- state diagram: generated from ProvisioningStep.transitions -->\n```mermaid\n"
        let end = "\n```\n<!-- end of state diagram -->"
        let current = begin + ProvisioningStep.mermaid + end
        guard let start = readme.range(of: begin),
            let stop = readme.range(of: end, range: start.upperBound..<readme.endIndex)
        else {
            Issue.record("README.md has no generated state diagram section")
            return
        }
        if ProcessInfo.processInfo.environment["RECORD_SAMPLES"] != nil {
            try readme.replacingCharacters(in: start.lowerBound..<stop.upperBound, with: current).write(
                toFile: path, atomically: true, encoding: .utf8)
        }
        #expect(String(readme[start.lowerBound..<stop.upperBound]) == current)
    }

    @Test func everyStepCanFailIntoCleanupAndCleanupEnds() {
        for step in ProvisioningStep.allCases {
            let next = ProvisioningStep.next(after: step, on: .failed)
            #expect(next != nil, "\(step) has no way out on failure")
            if step == .powerOff { #expect(next! == nil) }
        }
        #expect(ProvisioningStep.next(after: .powerOff, on: .done)! == nil)
    }

    @Test func everyStepIsReachable() {
        var reached: Set<ProvisioningStep> = [.detectMode]
        var frontier: [ProvisioningStep] = [.detectMode]
        while let step = frontier.popLast() {
            for row in ProvisioningStep.transitions where row.from == step {
                if let to = row.to, reached.insert(to).inserted { frontier.append(to) }
            }
        }
        #expect(reached == Set(ProvisioningStep.allCases))
    }

    @Test func backoffDoublesUpToTheCap() {
        let policy = RetryPolicy()
        #expect((1...7).map { policy.delay(attempt: $0) } == [3, 6, 12, 24, 48, 60, 60].map { Duration.seconds($0) })
    }
}
