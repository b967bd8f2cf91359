import Foundation
import Testing
@testable import EDMKit

/// captures/reference-session-{host,module}.bin are the reference session's bytes per
/// direction (Support/ReferenceSession.swift). This keeps them current: with
/// RECORD_SAMPLES=1 it rewrites them, otherwise it checks them byte for byte.
@Suite struct SampleCaptureTests {
    @Test(arguments: Direction.allCases)
    func rawSamplesMatchTheFixture(direction: Direction) throws {
        let path = Fixtures.root + "/captures/reference-session-\(direction.rawValue).bin"
        let expected = Data(ReferenceSession.stream(direction))
        if ProcessInfo.processInfo.environment["RECORD_SAMPLES"] != nil {
            try expected.write(to: URL(fileURLWithPath: path))
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == expected)
    }
}
